//! `cargo xtask test`: every check and test of the project, in the order that fails fastest.
//! Each step runs even when an earlier one failed, so one run reports every failure; the exit
//! code is non-zero when any step failed.

use crate::cmd::{self, command, Result};
use crate::{fuzz, schemathesis, serve, setup};
use std::process::Command;
use std::time::Instant;

struct Step {
    name: &'static str,
    command: Command,
}

pub fn run_all(skip_browser: bool) -> Result {
    let started = Instant::now();
    report_disk("before");
    setup::run(setup::Purpose::Test)?;
    let mut steps = vec![
        Step {
            name: "format",
            command: command("cargo", &["fmt", "--all", "--", "--check"]),
        },
        Step {
            name: "clippy (native)",
            command: command(
                "cargo",
                &[
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ],
            ),
        },
        Step {
            name: "clippy (wasm32)",
            command: command(
                "cargo",
                &[
                    "clippy",
                    "-p",
                    "partner-login",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ],
            ),
        },
        Step {
            name: "unit and integration tests (SQLite and PostgreSQL)",
            command: command(
                "cargo",
                &["test", "--workspace", "--exclude", "partner-login-e2e"],
            ),
        },
    ];
    if !skip_browser {
        let mut wasm = command(
            "cargo",
            &[
                "test",
                "-p",
                "partner-login",
                "--target",
                "wasm32-unknown-unknown",
            ],
        );
        wasm.env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .env("WASM_BINDGEN_TEST_TIMEOUT", "180");
        steps.push(Step {
            name: "component tests (wasm-bindgen-test, headless Chromium)",
            command: wasm,
        });
    }
    let mut failed = Vec::new();
    let mut counts = cmd::Counts::default();
    let total = steps.len() + 2 + usize::from(!skip_browser);
    for step in steps {
        eprintln!("\n=== {} ===", step.name);
        if let Err(e) = cmd::run_counting(step.command, &mut counts) {
            eprintln!("--- {} FAILED: {e}", step.name);
            failed.push(step.name);
        }
    }
    // The running server against its OpenAPI document (needs no browser).
    eprintln!("\n=== API against its OpenAPI document (schemathesis) ===");
    let api_cases = match schemathesis::run() {
        Ok(outcome) => Some(outcome),
        Err(e) => {
            eprintln!("--- schemathesis FAILED: {e}");
            failed.push("schemathesis");
            None
        }
    };
    // Coverage-guided fuzzing, bounded: proof in every run that the targets build and hold.
    eprintln!("\n=== fuzz targets ({FUZZ_SECONDS} s each, cargo-fuzz) ===");
    let fuzzed = match fuzz::run_targets(&fuzz::targets(), FUZZ_SECONDS) {
        Ok(outcomes) => outcomes,
        Err(e) => {
            eprintln!("--- fuzz FAILED: {e}");
            failed.push("fuzz");
            Vec::new()
        }
    };
    if !skip_browser {
        eprintln!("\n=== end-to-end tests (headless Chromium) ===");
        if let Err(e) = end_to_end(&mut counts) {
            eprintln!("--- end-to-end FAILED: {e}");
            failed.push("end-to-end tests");
        }
    }
    let secs = started.elapsed().as_secs();
    report_disk("after");
    if let Some(outcome) = &api_cases {
        match outcome.cases {
            Some(n) => eprintln!("schemathesis: {n} generated API test cases passed"),
            None => eprintln!("{}", outcome.summary),
        }
    }
    for o in &fuzzed {
        eprintln!(
            "fuzz: {}: {} executions in {} s, no failure",
            o.target, o.executions, o.seconds
        );
    }
    // The closing line: every test of every step, added up.
    let summary = format!("xtask: {} passed, {} failed", counts.passed, counts.failed);
    if failed.is_empty() {
        eprintln!("\nxtask test: all {total} steps succeeded in {secs} s");
        println!("{summary}");
        Ok(())
    } else {
        println!("{summary}");
        Err(format!(
            "{} of {total} steps failed in {secs} s: {}",
            failed.len(),
            failed.join(", ")
        ))
    }
}

/// What a full run needs on a fresh clone: about 7 GiB for target/ and the tools. A run that
/// starts with less says so first, so that "No space left on device" in a compiler is not a
/// mystery.
const DISK_NEEDED_GIB: f64 = 8.0;

/// Seconds each fuzz target runs in `cargo xtask test` (`cargo xtask fuzz` runs longer).
const FUZZ_SECONDS: u64 = 30;

fn report_disk(when: &str) {
    match cmd::free_disk_gib() {
        Some(gib) if when == "before" && gib < DISK_NEEDED_GIB => eprintln!(
            "xtask: WARNING only {gib:.1} GiB free for target/; a full run from a fresh clone \
             needs about {DISK_NEEDED_GIB:.0} GiB"
        ),
        Some(gib) => eprintln!("xtask: {gib:.1} GiB free on the disk of target/ ({when} the run)"),
        None => {}
    }
}

/// The release SPA and the server binary, then the WebDriver tests that drive them.
fn end_to_end(counts: &mut cmd::Counts) -> Result {
    let dist = serve::build_spa()?;
    // The same SPA built for a base path, as a CDN would host it (issue 9's deployment tests).
    let dist_login = serve::build_spa_at("/login/", &cmd::root().join("target/e2e/dist-login"))?;
    cmd::run(command("cargo", &["build", "-p", "partner-login-server"]))?;
    let server = cmd::root().join("target/debug/partner-login-server");
    let mut e2e = command(
        "cargo",
        &[
            "test",
            "-p",
            "partner-login-e2e",
            "--test",
            "e2e",
            "--",
            "--test-threads=2",
        ],
    );
    e2e.env("PARTNER_LOGIN_SERVER_BIN", &server)
        .env("PARTNER_LOGIN_DIST", &dist)
        .env("PARTNER_LOGIN_DIST_LOGIN", &dist_login);
    cmd::run_counting(e2e, counts)
}

pub fn run(args: &[String]) -> Result {
    run_all(args.iter().any(|a| a == "--skip-browser"))
}
