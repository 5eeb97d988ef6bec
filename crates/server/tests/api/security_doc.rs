//! SECURITY.md's "Status summary" says how many rows of each requirement table have each status;
//! this test recounts the tables, so that a row changed without its count (or a count changed
//! without its rows) fails here rather than in a reader's trust.

use std::path::Path;

/// The statuses of "Status values", in the summary's column order. A row counts under the first
/// words of its Status cell (bold removed).
const STATUSES: [&str; 6] = [
    "met, tested",
    "met, untested",
    "met (documented here)",
    "partly met",
    "not met",
    "N/A",
];

fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_owned())
        .collect()
}

/// Rows per status of the first table after the heading that starts with `name`.
fn recount(lines: &[&str], name: &str) -> [usize; 6] {
    let heading = lines
        .iter()
        .position(|l| {
            (l.starts_with("## ") || l.starts_with("### "))
                && l.trim_start_matches('#').trim().starts_with(name)
        })
        .unwrap_or_else(|| panic!("SECURITY.md has no section `{name}`"));
    let table = lines[heading + 1..]
        .iter()
        .take_while(|l| !l.starts_with("## ") && !l.starts_with("### "))
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2); // the header and its separator
    let mut counts = [0; 6];
    for row in table {
        let status = cells(row)
            .last()
            .cloned()
            .unwrap_or_default()
            .replace('*', "");
        let column = STATUSES
            .iter()
            .position(|s| status.starts_with(s))
            .unwrap_or_else(|| panic!("`{name}`: a row's status `{status}` is not a status value"));
        counts[column] += 1;
    }
    counts
}

fn numbers(cells: &[String]) -> Vec<usize> {
    cells
        .iter()
        .map(|c| c.replace('*', "").parse().expect("a count"))
        .collect()
}

#[test]
fn the_status_summary_counts_the_rows_it_summarizes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../SECURITY.md");
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let summary = lines
        .iter()
        .position(|l| *l == "## Status summary")
        .expect("a status summary");
    let rows = lines[summary..]
        .iter()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| cells(l));
    let mut total = [0; 7];
    for (tables, row) in rows.enumerate() {
        let said = numbers(&row[1..]);
        assert_eq!(said.len(), 7, "{row:?}");
        if row[0] == "**Total**" {
            assert_eq!(said, total, "the Total row is the sum of the tables");
            assert!(tables >= 19, "every table is summarized ({tables})");
            return;
        }
        let counts = recount(&lines, &row[0]);
        let rows: usize = counts.iter().sum();
        let mut found = vec![rows];
        found.extend(counts);
        assert_eq!(said, found, "`{}`: Rows, then one count per status", row[0]);
        for (t, n) in total.iter_mut().zip(&found) {
            *t += n;
        }
    }
    panic!("the status summary has no Total row");
}
