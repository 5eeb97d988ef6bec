//! `cargo xtask`: the project's own automation (matklad's cargo-xtask convention).
//!
//! - `cargo xtask setup [--for serve|test|bench]`: install what is missing (idempotent, fast when done)
//! - `cargo xtask serve`: build the SPA, start the backend on SQLite, print the URL
//! - `cargo xtask test`: every check and test the project has; CI runs exactly this
//! - `cargo xtask fuzz [--seconds N] [TARGET ...]`: the cargo-fuzz targets, bounded, with a report
//! - `cargo xtask bench [--only sign-in|wasm]`: measurements, written to `target/bench/report.md`
//!   (`--only sign-in`: the sign-in throughput alone, to `target/bench/sign-in.md`; `--only wasm`:
//!   the WASM by crate and function, to `target/bench/wasm.md`)
//! - `cargo xtask dist [--public-url /path/]`: the release SPA in `dist/`, for that base path
//! - `cargo xtask dist --check-config path/to/config.json`: checks a deployment's settings and
//!   branding (builds nothing)
//!
//! Architecture invariant: when `cargo xtask test` passes locally, CI is green; CI runs nothing
//! else (`.ci/run`).

mod base_path;
mod bench;
mod check_config;
mod cmd;
mod compress;
mod fuzz;
mod schemathesis;
mod serve;
mod setup;
mod shell;
mod test;
mod timing;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(setup::Purpose::from_args(&args[1..])),
        Some("serve") => serve::run(),
        Some("test") => test::run(&args[1..]),
        // The schemathesis step of `test` alone (after `cargo xtask setup`).
        Some("schemathesis") => {
            let mut timings = timing::Timings::default();
            let started = std::time::Instant::now();
            let result = schemathesis::run(&mut timings).map(|_| ());
            eprintln!("{}", timings.table(started.elapsed()));
            result
        }
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("dist") => match &args[1..] {
            [flag, path] if flag == "--check-config" => {
                check_config::run(std::path::Path::new(path))
            }
            rest => serve::run_dist(rest),
        },
        _ => {
            eprintln!(
                "usage: cargo xtask <setup [--for serve|test|bench] | serve | test [--skip-browser] | fuzz [--seconds N] [TARGET ...] | bench [--only sign-in|wasm] | dist [--public-url /path/ | --check-config config.json]>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: {err}");
            ExitCode::FAILURE
        }
    }
}
