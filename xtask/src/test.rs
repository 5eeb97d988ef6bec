//! `cargo xtask test`: every check and test of the project, in the order that fails fastest.
//! Each step runs even when an earlier one failed, so one run reports every failure; the exit
//! code is non-zero when any step failed. The run ends with the wall time of every step (a
//! table, for CI logs: where the minutes go).

use crate::cmd::{self, command, Result};
use crate::timing::Timings;
use crate::{base_path, fuzz, schemathesis, serve, setup};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

struct Step {
    name: &'static str,
    command: Command,
}

pub fn run_all(skip_browser: bool) -> Result {
    let started = Instant::now();
    let mut timings = Timings::default();
    report_disk("before");
    timings.time("setup", || setup::run(setup::Purpose::Test))?;
    let checks = [Step {
        name: "format",
        command: command("cargo", &["fmt", "--all", "--", "--check"]),
    }];
    let mut failed = Vec::new();
    let mut counts = cmd::Counts::default();
    let total = checks.len() + 4 + 3 * usize::from(!skip_browser);
    // The fuzz targets build in their own workspace (other compiler flags, so nothing is
    // shared with the builds below): in the background from the start, at the lowest CPU
    // priority, so that it takes the CPU the steps below leave idle (their waits, their
    // single-threaded links) and they run as fast as without it.
    let targets = fuzz::targets();
    let fuzz_build = FuzzBuild::start(&targets);
    for step in checks {
        eprintln!("\n=== {} ===", step.name);
        let outcome = timings.time(step.name, || cmd::run_counting(step.command, &mut counts));
        if let Err(e) = outcome {
            eprintln!("--- {} FAILED: {e}", step.name);
            failed.push((step.name, e));
        }
    }

    // Every native test binary and the server binary, in one cargo invocation, linted by
    // clippy as they compile (`cmd::lint_while_compiling`: `-D warnings` on every target of
    // every workspace crate, what `cargo clippy --workspace --all-targets` checks): one set of
    // features for the whole workspace, so each dependency compiles once, and never in check
    // mode. (Selecting fewer
    // packages, as `cargo build -p partner-login-server` or `cargo test -p partner-login-e2e`
    // do, unifies other features and compiled tokio and all that depends on it again.)
    eprintln!("\n=== tests: compile ===");
    let server = match timings.time(
        "tests: compile + clippy (native, with the server binary)",
        || compile_tests(skip_browser),
    ) {
        Ok(server) => Some(server),
        Err(e) => {
            eprintln!("--- tests: compile FAILED: {e}");
            failed.push(("tests: compile", e));
            None
        }
    };

    // The release SPA the end-to-end tests serve, at / and at /login/ (issue 9's deployment
    // tests: the same SPA as a CDN would host it under a base path).
    let spa = if skip_browser {
        None
    } else {
        eprintln!("\n=== the release SPA for the end-to-end tests ===");
        match build_spas(&mut timings) {
            Ok(spa) => Some(spa),
            Err(e) => {
                eprintln!("--- SPA build FAILED: {e}");
                failed.push(("SPA build (trunk)", e));
                None
            }
        }
    };

    if let Some(server) = &server {
        eprintln!("\n=== tests: unit, integration (SQLite and PostgreSQL), end-to-end ===");
        let mut run = command("cargo", &["test", "--workspace", "--no-fail-fast"]);
        cmd::lint_while_compiling(&mut run);
        if skip_browser {
            run.args(["--exclude", "partner-login-e2e"]);
        } else {
            // With no SPA built, the end-to-end tests fail saying so (never a stale dist/).
            let missing = cmd::root().join("target/e2e/no-spa-was-built");
            let (dist, dist_login) = spa.clone().unwrap_or((missing.clone(), missing));
            run.env("PARTNER_LOGIN_SERVER_BIN", server)
                .env("PARTNER_LOGIN_DIST", dist)
                .env("PARTNER_LOGIN_DIST_LOGIN", dist_login);
        }
        let started = Instant::now();
        let before = counts.binaries.len();
        let outcome = cmd::run_counting(run, &mut counts);
        timings.record("tests: run", started.elapsed(), outcome.is_ok());
        // Where the minutes of the run went: the binaries that took a second or more.
        for (binary, took) in &counts.binaries[before..] {
            if took.as_secs() >= 1 {
                timings.record(&format!("  {binary}"), *took, true);
            }
        }
        if let Err(e) = outcome {
            eprintln!("--- tests FAILED: {e}");
            failed.push(("tests", e));
        }
    }

    if !skip_browser {
        let wasm = |extra: &[&str]| {
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
            // Linted as it compiles, like the native build: clippy on the wasm32 target.
            cmd::lint_while_compiling(&mut wasm);
            wasm.args(extra)
                .env("CHROMEDRIVER", "/usr/bin/chromedriver")
                .env("WASM_BINDGEN_TEST_TIMEOUT", "180");
            wasm
        };
        for step in [
            Step {
                name: "component tests: compile + clippy (wasm32)",
                command: wasm(&["--no-run"]),
            },
            Step {
                name: "component tests (wasm-bindgen-test, headless Chromium)",
                command: wasm(&[]),
            },
        ] {
            eprintln!("\n=== {} ===", step.name);
            let outcome = timings.time(step.name, || cmd::run_counting(step.command, &mut counts));
            if let Err(e) = outcome {
                eprintln!("--- {} FAILED: {e}", step.name);
                failed.push((step.name, e));
            }
        }
    }

    // The running server against its OpenAPI document (needs no browser).
    eprintln!("\n=== API against its OpenAPI document (schemathesis) ===");
    let api_cases = match server
        .as_deref()
        .ok_or_else(|| "the server binary did not compile".to_owned())
        .and_then(|server| schemathesis::run_with(server, &mut timings))
    {
        Ok(outcome) => Some(outcome),
        Err(e) => {
            eprintln!("--- schemathesis FAILED: {e}");
            failed.push(("schemathesis", e));
            None
        }
    };
    // Coverage-guided fuzzing, bounded: proof in every run that the targets build and hold.
    eprintln!("\n=== fuzz targets ({FUZZ_SECONDS} s each, cargo-fuzz) ===");
    let fuzzed = match fuzz_build
        .and_then(|build| build.finish(&mut timings))
        .and_then(|()| fuzz::run_built(&targets, fuzz::Build::Quick, FUZZ_SECONDS, &mut timings))
    {
        Ok(outcomes) => outcomes,
        Err(e) => {
            eprintln!("--- fuzz FAILED: {e}");
            failed.push(("fuzz", e));
            Vec::new()
        }
    };
    let took = started.elapsed();
    let secs = took.as_secs();
    report_disk("after");
    eprintln!("\nxtask test: wall time per step\n{}", timings.table(took));
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
        // Why each step failed, again at the end: a CI log often shows only its tail.
        for (name, why) in &failed {
            eprintln!("\nxtask test: {name} FAILED: {}", tail(why, WHY_LINES));
        }
        println!("{summary}");
        let names: Vec<&str> = failed.iter().map(|(name, _)| *name).collect();
        Err(format!(
            "{} of {total} steps failed in {secs} s: {}",
            failed.len(),
            names.join(", ")
        ))
    }
}

/// Lines of a failed step's error repeated at the end of the run.
const WHY_LINES: usize = 30;

/// The last `lines` lines of `text`, saying how many were left out.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    if all.len() <= lines {
        return text.to_owned();
    }
    format!(
        "[{} lines left out]\n{}",
        all.len() - lines,
        all[all.len() - lines..].join("\n")
    )
}

/// `cargo test --workspace --no-run`: compiles every native test binary, and the server binary
/// with them (cargo builds a package's binaries for its integration tests); returns the
/// server binary's path, as cargo reports it.
fn compile_tests(skip_browser: bool) -> Result<PathBuf> {
    let mut compile = command(
        "cargo",
        &[
            "test",
            "--workspace",
            "--no-run",
            "--message-format=json-render-diagnostics",
        ],
    );
    if skip_browser {
        compile.args(["--exclude", "partner-login-e2e"]);
    }
    cmd::lint_while_compiling(&mut compile);
    let artifacts = cmd::run_json(compile)?;
    artifacts
        .iter()
        .filter(|m| m["reason"] == "compiler-artifact")
        .filter(|m| m["target"]["name"] == "partner-login-server")
        // The binary itself, not the test harness of its unit tests.
        .filter(|m| m["profile"]["test"] == false)
        .filter(|m| {
            m["target"]["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "bin"))
        })
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo reported no partner-login-server binary".to_owned())
}

/// The fuzz targets' build, running in the background (`fuzz::build_command`, niced), its
/// output in `target/fuzz/build.log`.
struct FuzzBuild {
    child: std::process::Child,
    started: Instant,
    log: PathBuf,
}

impl FuzzBuild {
    fn start(targets: &[String]) -> Result<Self> {
        let dir = cmd::root().join("target/fuzz");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let log = dir.join("build.log");
        let file = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = file.try_clone().map_err(|e| e.to_string())?;
        let mut build = fuzz::build_command(targets, fuzz::Build::Quick);
        build.stdout(file).stderr(err);
        eprintln!(
            "xtask: the fuzz targets build in the background (niced), into {}",
            log.display()
        );
        let child = build
            .spawn()
            .map_err(|e| format!("cannot start the fuzz build: {e}"))?;
        Ok(Self {
            child,
            started: Instant::now(),
            log,
        })
    }

    /// Waits for the build; its log's end is shown when it failed.
    fn finish(mut self, timings: &mut Timings) -> Result {
        let waited = Instant::now();
        let status = self.child.wait().map_err(|e| e.to_string());
        let ok = matches!(&status, Ok(s) if s.success());
        timings.record(
            "fuzz: build (in the background since the start)",
            self.started.elapsed(),
            ok,
        );
        timings.record("fuzz: waited for its build", waited.elapsed(), ok);
        if ok {
            return Ok(());
        }
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        for line in &lines[lines.len().saturating_sub(40)..] {
            eprintln!("[fuzz build] {line}");
        }
        Err(format!(
            "the fuzz build failed ({}); its log: {}",
            status.map_or_else(|e| e, |s| s.to_string()),
            self.log.display()
        ))
    }
}

/// The release SPA for `/` (`dist/`) and for `/login/` (`target/e2e/dist-login`): one Trunk
/// build, its copy rebased (`crate::base_path`), as `cargo xtask dist --public-url` makes it.
fn build_spas(timings: &mut Timings) -> Result<(PathBuf, PathBuf)> {
    let dist = cmd::root().join("dist");
    let dist_login = cmd::root().join("target/e2e/dist-login");
    timings.time("SPA for / (trunk --release)", || {
        serve::trunk_build(&dist)?;
        base_path::copy_build(&dist, &dist_login)?;
        serve::finish(&dist, "/")
    })?;
    timings.time("SPA for /login/ (the same build, rebased)", || {
        serve::finish(&dist_login, "/login/")
    })?;
    Ok((dist, dist_login))
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

pub fn run(args: &[String]) -> Result {
    run_all(args.iter().any(|a| a == "--skip-browser"))
}

#[cfg(test)]
mod tests {
    use super::tail;

    #[test]
    fn a_long_error_keeps_its_last_lines() {
        assert_eq!(tail("a\nb", 2), "a\nb");
        assert_eq!(tail("a\nb\nc\nd", 2), "[2 lines left out]\nc\nd");
    }
}
