//! Wall time per step, printed as a table at the end of a run: where the minutes of
//! `cargo xtask test` go, in every CI log.

use std::time::{Duration, Instant};

/// One timed step: its name, how long it took, whether it succeeded.
struct Entry {
    name: String,
    took: Duration,
    ok: bool,
}

#[derive(Default)]
pub struct Timings {
    entries: Vec<Entry>,
}

impl Timings {
    /// Runs `step`, records its wall time under `name`, and hands back its result.
    pub fn time<T, E>(&mut self, name: &str, step: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        let started = Instant::now();
        let result = step();
        self.record(name, started.elapsed(), result.is_ok());
        result
    }

    /// Records a step timed elsewhere.
    pub fn record(&mut self, name: &str, took: Duration, ok: bool) {
        self.entries.push(Entry {
            name: name.to_owned(),
            took,
            ok,
        });
    }

    /// The table: one line a step, in the order they ran, and the total of the run.
    pub fn table(&self, total: Duration) -> String {
        let width = self
            .entries
            .iter()
            .map(|e| e.name.chars().count())
            .chain([4])
            .max()
            .unwrap_or(4);
        let mut out = format!("{:<width$}  {:>7}  {:>5}\n", "step", "m:ss", "share");
        for e in &self.entries {
            out.push_str(&format!(
                "{:<width$}  {:>7}  {:>4.0}%{}\n",
                e.name,
                minutes(e.took),
                100.0 * e.took.as_secs_f64() / total.as_secs_f64().max(1e-9),
                if e.ok { "" } else { "  FAILED" }
            ));
        }
        out.push_str(&format!("{:<width$}  {:>7}\n", "total", minutes(total)));
        out
    }
}

/// `m:ss`, rounded to the second.
fn minutes(d: Duration) -> String {
    let s = d.as_secs_f64().round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_every_step_with_its_share() {
        let mut t = Timings::default();
        t.record("compile", Duration::from_secs(90), true);
        let failed: Result<(), ()> = t.time("a failing step", || Err(()));
        assert!(failed.is_err());
        let table = t.table(Duration::from_secs(120));
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4, "{table}");
        assert!(
            lines[1].starts_with("compile ") && lines[1].contains("1:30"),
            "{table}"
        );
        assert!(lines[1].contains(" 75%"), "{table}");
        assert!(lines[2].ends_with("FAILED"), "{table}");
        assert!(
            lines[3].starts_with("total") && lines[3].ends_with("2:00"),
            "{table}"
        );
    }
}
