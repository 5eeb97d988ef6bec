//! `cargo xtask fuzz [--seconds N] [TARGET ...]`: the cargo-fuzz targets of `fuzz/` (libFuzzer,
//! coverage-guided), each run for a bounded time (side by side, one per core), and a report of
//! what ran in `target/fuzz/report.md`. `cargo xtask test` runs them for a short while; run this for
//! longer by hand. A crash fails the run and leaves its input in `fuzz/artifacts/TARGET/`, to
//! replay with `cargo fuzz run -s none TARGET fuzz/artifacts/TARGET/<file>`.
//!
//! Built with `-s none` (no AddressSanitizer): the project forbids `unsafe`, so what the
//! fuzzer is after is panics, failed assertions and overflows (debug assertions are on); and
//! without ASan's `-Zsanitizer` the build needs only stable `-C` flags, so the machine's one
//! stable toolchain builds it.

use crate::cmd::{self, command, Result};
use crate::setup;
use crate::timing::Timings;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Every target: the files of `fuzz/fuzz_targets/` (each is a `[[bin]]` of `fuzz/Cargo.toml`),
/// in name order.
pub fn targets() -> Vec<String> {
    let dir = cmd::root().join("fuzz/fuzz_targets");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    name.strip_suffix(".rs").map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
/// Seconds per target when none are given.
const DEFAULT_SECONDS: u64 = 120;

/// What one target's run reported.
pub struct Outcome {
    pub target: String,
    pub seconds: u64,
    /// Inputs executed (libFuzzer's `stat::number_of_executed_units`).
    pub executions: u64,
    /// Inputs that reached new code, kept in `fuzz/corpus/TARGET/`.
    pub corpus: usize,
}

pub fn run(args: &[String]) -> Result {
    let mut seconds = DEFAULT_SECONDS;
    let all = targets();
    let mut chosen = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--seconds" {
            seconds = args
                .next()
                .and_then(|s| s.parse().ok())
                .ok_or("--seconds takes a number")?;
        } else if all.contains(arg) {
            chosen.push(arg.clone());
        } else {
            return Err(format!("unknown fuzz target `{arg}` (one of {all:?})"));
        }
    }
    if chosen.is_empty() {
        chosen = all;
    }
    setup::cargo_fuzz()?;
    let mut timings = Timings::default();
    let started = std::time::Instant::now();
    let result = run_targets(&chosen, seconds, &mut timings).map(|_| ());
    eprintln!("{}", timings.table(started.elapsed()));
    result
}

/// Builds every target, runs each for `seconds`, writes the report; fails on a crash.
pub fn run_targets(
    targets: &[String],
    seconds: u64,
    timings: &mut Timings,
) -> Result<Vec<Outcome>> {
    timings.time("fuzz: build", || {
        cmd::run(build_command(targets, Build::Full))
    })?;
    run_built(targets, Build::Full, seconds, timings)
}

/// How the targets are built (and so run: `cargo fuzz run` rebuilds unless its flags match).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Build {
    /// `cargo xtask fuzz`: the release profile as `fuzz/Cargo.toml` says (opt-level 3), at
    /// normal priority: the most executions a second for a long run.
    Full,
    /// `cargo xtask test`'s 30-second smoke runs: in the background of the other steps at the
    /// lowest CPU priority (`nice -n 19`, so it takes only the CPU they leave idle), and at
    /// opt-level 0 without debug info (`CARGO_PROFILE_RELEASE_OPT_LEVEL`, `…_DEBUG`), because
    /// this build is the suite's critical path: it ends after every other step. A cold build
    /// took 410 s of CPU so, against 627 s at opt-level 1 with line tables (measured side by
    /// side, `cargo fuzz build -s none` of the three targets). The targets, their coverage
    /// instrumentation and debug assertions are the same (the hashing and RSA crates stay
    /// optimised: `fuzz/Cargo.toml`); the runs do fewer executions a second, which the report
    /// shows: the `api` target, the whole server in-process, about 800 to 2,400 in 20 s alone
    /// against about 120,000 in 30 s at opt-level 1. `cargo xtask fuzz` is the deep run.
    Quick,
}

/// `cargo fuzz build` of `targets` (one builds alone; more build together, as `cargo fuzz
/// build` takes one name or none).
pub fn build_command(targets: &[String], build: Build) -> std::process::Command {
    let mut command = if build == Build::Quick {
        fuzz_command(
            &["nice", "-n", "19", "cargo", "fuzz", "build", "-s", "none"],
            build,
        )
    } else {
        fuzz_command(&["cargo", "fuzz", "build", "-s", "none"], build)
    };
    if let [only] = targets {
        command.arg(only);
    }
    command
}

/// Runs built targets for `seconds` each, writes the report; fails on a crash.
pub fn run_built(
    targets: &[String],
    build: Build,
    seconds: u64,
    timings: &mut Timings,
) -> Result<Vec<Outcome>> {
    // libFuzzer runs a target on one core. `cargo xtask fuzz` runs as many at a time as there
    // are cores, so each has a core to itself for its `seconds`. `cargo xtask test`'s smoke
    // runs start every target at once: the suite's wall time is what counts there (three
    // targets on two cores took 64 s in two batches), and each target still runs for its
    // `seconds`, on a share of the cores (the report gives its executions).
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let at_a_time = match build {
        Build::Full => cores,
        Build::Quick => targets.len().max(1),
    };
    let started = Instant::now();
    let mut outcomes = Vec::new();
    let mut failures = Vec::new();
    for batch in targets.chunks(at_a_time) {
        let results: Vec<(String, Duration, Result<Outcome>)> = std::thread::scope(|scope| {
            let running: Vec<_> = batch
                .iter()
                .map(|target| {
                    scope.spawn(move || {
                        let started = Instant::now();
                        let outcome = run_one(target, build, seconds);
                        (target.clone(), started.elapsed(), outcome)
                    })
                })
                .collect();
            running
                .into_iter()
                .map(|run| {
                    run.join()
                        .unwrap_or_else(|_| (String::new(), Duration::ZERO, Err("panicked".into())))
                })
                .collect()
        });
        for (target, took, outcome) in results {
            timings.record(&format!("  fuzz: {target}"), took, outcome.is_ok());
            match outcome {
                Ok(outcome) => outcomes.push(outcome),
                Err(e) => failures.push(e),
            }
        }
    }
    timings.record(
        &format!(
            "fuzz: run ({} targets, {at_a_time} at a time)",
            targets.len()
        ),
        started.elapsed(),
        failures.is_empty(),
    );
    if !failures.is_empty() {
        return Err(failures.join("; "));
    }
    write_report(&outcomes)?;
    Ok(outcomes)
}

/// A command line (`cargo fuzz …`, or behind `nice`) with the environment the targets expect.
fn fuzz_command(line: &[&str], build: Build) -> std::process::Command {
    let (program, args) = line.split_first().expect("a program");
    let mut cmd = command(program, args);
    cmd
        // The api target reads the server's configuration from its flags only.
        .env_remove("SMTP_URL")
        .env_remove("OIDC_PROVIDERS")
        .env_remove("DATABASE_URL");
    if build == Build::Quick {
        cmd.env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "0");
    }
    cmd
}

fn run_one(target: &str, build: Build, seconds: u64) -> Result<Outcome> {
    let root = cmd::root();
    let corpus = root.join("fuzz/corpus").join(target);
    let seeds = root.join("fuzz/seeds").join(target);
    let artifacts = root.join("fuzz/artifacts").join(target);
    for dir in [&corpus, &artifacts] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut run = fuzz_command(&["cargo", "fuzz", "run", "-s", "none", target], build);
    // New inputs go to the first folder; the committed seeds are read only.
    run.arg(&corpus);
    if seeds.is_dir() {
        run.arg(&seeds);
    }
    run.arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg("-print_final_stats=1")
        .stderr(Stdio::piped());
    eprintln!("fuzz: {target} for {seconds} s");
    let mut child = run
        .spawn()
        .map_err(|e| format!("cannot start cargo fuzz: {e}"))?;
    let mut executions = None;
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr)
            .lines()
            .map_while(std::io::Result::ok)
        {
            // libFuzzer's progress lines are many; keep the ones that say something.
            if line.contains("NEW") || line.contains("pulse") || line.contains("REDUCE") {
                continue;
            }
            eprintln!("[{target}] {line}");
            if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
                executions = n.trim().parse().ok();
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!(
            "fuzz target {target} failed ({status}); its input is in {}",
            artifacts.display()
        ));
    }
    let corpus = std::fs::read_dir(&corpus).map_or(0, |d| d.count());
    let executions = executions.ok_or(format!("{target}: libFuzzer printed no final stats"))?;
    eprintln!("fuzz: {target}: {executions} executions in {seconds} s, corpus {corpus} inputs");
    Ok(Outcome {
        target: target.to_owned(),
        seconds,
        executions,
        corpus,
    })
}

fn write_report(outcomes: &[Outcome]) -> Result {
    let dir = cmd::root().join("target/fuzz");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut report = String::from(
        "# Fuzzing (cargo xtask fuzz)\n\n| target | seconds | executions | corpus |\n|---|---:|---:|---:|\n",
    );
    for o in outcomes {
        report.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            o.target, o.seconds, o.executions, o.corpus
        ));
    }
    let path = dir.join("report.md");
    std::fs::write(&path, report).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("fuzz: report in {}", path.display());
    Ok(())
}
