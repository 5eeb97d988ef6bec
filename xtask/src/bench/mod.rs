//! `cargo xtask bench`: measurements (never pass/fail assertions in the test suite).
//! The report, `target/bench/report.md`, starts with issue 7's budgets; a missed budget makes
//! the command fail.

mod backend;
mod frontend;
mod server;
mod wasm;

use crate::cmd::{self, command, Result};
use crate::compress;
use crate::{serve, setup};
use std::path::Path;

pub use server::ServerProcess;

/// One budget of issue 7: a limit, what was measured, and whether it was met. A missed budget
/// fails `cargo xtask bench` (never the tests).
pub struct Budget {
    /// What is measured, e.g. "first load of the sign-in screen (brotli)".
    pub name: String,
    /// The limit as written in the issue, e.g. "≤ 120 KB".
    pub limit: String,
    /// The figure measured in this run, with its unit.
    pub measured: String,
    pub ok: bool,
}

/// `cargo xtask bench [--only sign-in|wasm]`: everything, or one part alone, with its own
/// report (`report.md` is left as the last full run wrote it):
///
/// - `--only sign-in`: the back end's sign-in run at the server's default cost, 5 rounds of a
///   pure argon2id run and an HTTP run (about a minute once built), to
///   `target/bench/sign-in.md`;
/// - `--only wasm`: the release SPA's build and each WASM (the sign-in group's, the full
///   app's) by crate and function, to `target/bench/wasm.md`.
pub fn run(args: &[String]) -> Result {
    match args {
        [] => run_all(),
        [flag, what] if flag == "--only" && what == "sign-in" => run_sign_in(),
        [flag, what] if flag == "--only" && what == "wasm" => run_wasm(),
        _ => Err("usage: cargo xtask bench [--only sign-in|wasm]".into()),
    }
}

fn run_wasm() -> Result {
    setup::run(setup::Purpose::Bench)?;
    serve::build_spa()?;
    write_report("wasm.md", &[], &wasm::breakdowns()?)
}

/// The release server and the back-end bench, each built alone: together, Cargo would unify
/// their features and the server measured would not be the binary `cargo xtask serve` runs.
fn build_backend() -> Result {
    for package in ["partner-login-server", "partner-login-bench"] {
        cmd::run(command("cargo", &["build", "--release", "-p", package]))?;
    }
    Ok(())
}

fn run_sign_in() -> Result {
    build_backend()?;
    let (back, budgets) = backend::run(true)?;
    write_report("sign-in.md", &budgets, &[back])
}

fn run_all() -> Result {
    setup::run(setup::Purpose::Bench)?;
    let dist = serve::build_spa()?;
    build_backend()?;
    // The first-load budget (issue 21) is read from the browser's network record of a cold
    // load (frontend.rs); the files of dist/ are listed for reference.
    let (bundle, _) = bundle_report(&dist)?;
    let mut budgets = Vec::new();
    let mut sections = vec![bundle];
    sections.extend(wasm::breakdowns()?);
    let (front, front_budgets) = frontend::run(&dist)?;
    sections.push(front);
    budgets.extend(front_budgets);
    let (back, back_budgets) = backend::run(false)?;
    sections.push(back);
    budgets.extend(back_budgets);
    write_report("report.md", &budgets, &sections)
}

/// Writes the report to `target/bench/<name>` and prints it; fails when a budget was missed.
fn write_report(name: &str, budgets: &[Budget], sections: &[String]) -> Result {
    let report = render(budgets, sections);
    let out = cmd::root().join("target/bench");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    std::fs::write(out.join(name), &report).map_err(|e| e.to_string())?;
    println!("{report}");
    println!("written to {}", out.join(name).display());
    let missed: Vec<&str> = budgets
        .iter()
        .filter(|b| !b.ok)
        .map(|b| b.name.as_str())
        .collect();
    if missed.is_empty() {
        Ok(())
    } else {
        Err(format!("budgets missed: {}", missed.join("; ")))
    }
}

/// The report: the budgets first, then each measurement's section.
fn render(budgets: &[Budget], sections: &[String]) -> String {
    let mut report = String::from("# Bench report\n");
    if !budgets.is_empty() {
        report.push_str("\n## Budgets\n\n| budget | limit | measured | met |\n|---|---|---|---|\n");
    }
    for b in budgets {
        report.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            b.name,
            b.limit,
            b.measured,
            if b.ok { "yes" } else { "**no**" }
        ));
    }
    for section in sections {
        report.push('\n');
        report.push_str(section);
    }
    report
}

/// One row per file of `dist/` (since issue 21 not the first load: `boot.js` loads one of the
/// two WASM, and the language files only when chosen; the first load is measured in the
/// browser, frontend.rs), and the brotli total.
pub fn bundle_report(dist: &Path) -> Result<(String, usize)> {
    let mut rows = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dist)
        .map_err(|e| format!("{}: {e}", dist.display()))?
        .flatten()
        .filter(|e| e.path().is_file())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    let (mut raw_total, mut gz_total, mut br_total) = (0, 0, 0);
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".br") || name.ends_with(".gz") {
            continue;
        }
        let bytes = std::fs::read(entry.path()).map_err(|e| e.to_string())?;
        let (gz, br) = (compress::gzip(&bytes).len(), compress::brotli(&bytes).len());
        raw_total += bytes.len();
        gz_total += gz;
        br_total += br;
        rows.push(format!("| {name} | {} | {gz} | {br} |", bytes.len()));
    }
    let mut report = String::from("## First load of the SPA, files of dist/ (bytes)\n\n");
    report.push_str("| file | raw | gzip -9 | brotli -q 11 |\n|---|---:|---:|---:|\n");
    for row in rows {
        report.push_str(&row);
        report.push('\n');
    }
    report.push_str(&format!(
        "| **total** | {raw_total} | {gz_total} | {br_total} |\n"
    ));
    Ok((report, br_total))
}
