//! `partner-login-bench --server <binary> [--seconds N] [--concurrency N] [--rounds N]
//! [--round-seconds N] [--only sign-in] [--cost M,T,P]`: the back-end half of `cargo xtask
//! bench` (issue 7). It runs in its own process, beside the server it starts:
//!
//! 1. the pure argon2id rate: the server's own [`Passwords::verify`] on every core, nothing
//!    else running, the physical limit of a password sign-in on this machine;
//! 2. sign-in throughput and latency over HTTP on loopback, as a ratio to (1);
//! 3. send-code and verify-code throughput, the mail going to a local SMTP sink;
//! 4. the server's resident memory at idle, its peak, and at idle again after the load;
//! 5. the flood of issue 19: one client address floods sign-ins with large bodies, over-long
//!    and wrong passwords while a second address signs in; the second's p50/p99 and the
//!    server's peak memory (`partner_login_testkit::flood`, also the server's flood test);
//!
//! (1) and (2) at the server's default cost and at Keycloak's (m=7 MiB, t=5, p=1), in rounds:
//! (1) then (2), `--rounds` times (5), each part `--round-seconds` long (5), and the ratio of
//! the medians (rounds.rs: the pure rate moves between runs on a shared machine). One JSON
//! document goes to stdout; `xtask` turns it into the report. `--only sign-in` runs (1) and (2)
//! at the default cost and nothing else (`cargo xtask bench --only sign-in`, about a minute).
//!
//! [`Passwords::verify`]: partner_login_server::domain::passwords::Passwords::verify

mod flood;
mod flows;
mod hashing;
mod load;
mod memory;
mod rounds;
mod server;

use partner_login_server::domain::passwords::HashCost;
use partner_login_testkit::SmtpSink;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

struct Options {
    server: PathBuf,
    seconds: u64,
    concurrency: usize,
    /// The sign-in runs' rounds, and how long each pure and each HTTP run of a round lasts.
    rounds: usize,
    round_seconds: u64,
    /// `--only sign-in`: the sign-in run at the default cost, nothing else.
    sign_in_only: bool,
    /// `--cost M,T,P`: the cost of that run instead of the default. A cheap one (`8,1,1`)
    /// leaves only the work outside argon2, which shows small savings that the noise of a
    /// shared machine hides at the real cost.
    cost: HashCost,
}

#[derive(Serialize)]
struct Report {
    cores: usize,
    seconds: u64,
    concurrency: usize,
    rounds: usize,
    round_seconds: u64,
    sign_in: Vec<SignInRun>,
    /// The rest is absent with `--only sign-in`.
    #[serde(flatten)]
    rest: Option<Rest>,
}

/// Everything but the sign-in runs.
#[derive(Serialize)]
struct Rest {
    send_code: load::Stats,
    verify_code: load::Stats,
    memory: memory::Figures,
    flood: flood::Figures,
}

/// Sign-in at one argon2id cost, in rounds: the pure rate and what the server does over HTTP.
#[derive(Serialize)]
struct SignInRun {
    label: &'static str,
    cost: String,
    /// Each round in order: its pure run, then its HTTP run.
    rounds: Vec<RoundFigures>,
    /// The medians over the rounds.
    pure_hashes_per_second: f64,
    sign_ins_per_second: f64,
    /// `sign_ins_per_second / pure_hashes_per_second` (the ratio of the medians): the figure
    /// compared with the budget; and the lowest and highest ratio of a single round.
    ratio: f64,
    ratio_min: f64,
    ratio_max: f64,
    /// The HTTP runs pooled: every answer and latency of every round.
    http: load::Stats,
    per_core_per_second: f64,
    /// CPU seconds the server and this load generator used during the HTTP runs, beside the
    /// CPU seconds the machine had (`cores × http.seconds`): where the gap to the pure rate goes.
    server_cpu_seconds: f64,
    load_generator_cpu_seconds: f64,
    available_cpu_seconds: f64,
    /// CPU milliseconds per successful sign-in over all rounds: the server's, what argon2 alone
    /// costs (the pure runs' CPU time per verification), the server's outside argon2 (the
    /// difference: HTTP, JSON, database, sessions, logs, threads handing work over) and the
    /// load generator's. CPU time, unlike the rates, holds when other work shares the machine.
    server_cpu_ms_per_sign_in: f64,
    argon2_cpu_ms_per_sign_in: f64,
    server_cpu_ms_outside_argon2: f64,
    load_generator_cpu_ms_per_sign_in: f64,
    /// argon2's share of the CPU a sign-in costs (server and load generator): the ratio the
    /// run reaches with every core busy and nothing else on the machine.
    cpu_ratio: f64,
}

/// One round of a sign-in run.
#[derive(Serialize)]
struct RoundFigures {
    #[serde(flatten)]
    rates: rounds::Round,
    ratio: f64,
    p50_ms: f64,
    argon2_cpu_ms_each: f64,
    server_cpu_ms_per_sign_in: f64,
}

/// Keycloak's default password hashing since release 24: argon2id, 7 MiB, 5 passes, 1 lane.
const KEYCLOAK: HashCost = HashCost {
    memory_kib: 7 * 1024,
    iterations: 5,
    parallelism: 1,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1).collect()) {
        Ok(options) => options,
        Err(usage) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    match run(&options).await {
        Ok(report) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&report).expect("plain data")
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("bench: {err}");
            ExitCode::FAILURE
        }
    }
}

fn parse(args: Vec<String>) -> Result<Options, String> {
    let usage = "usage: partner-login-bench --server <binary> [--seconds N] [--concurrency N] \
                 [--rounds N] [--round-seconds N] [--only sign-in] [--cost M,T,P]";
    let mut options = Options {
        server: PathBuf::new(),
        seconds: 10,
        concurrency: 8,
        rounds: 5,
        round_seconds: 5,
        sign_in_only: false,
        cost: HashCost::default(),
    };
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(usage)?;
        match flag.as_str() {
            "--server" => options.server = value.into(),
            "--seconds" => options.seconds = value.parse().map_err(|_| usage)?,
            "--concurrency" => options.concurrency = value.parse().map_err(|_| usage)?,
            "--rounds" => options.rounds = value.parse().map_err(|_| usage)?,
            "--round-seconds" => options.round_seconds = value.parse().map_err(|_| usage)?,
            "--only" if value == "sign-in" => options.sign_in_only = true,
            "--cost" => {
                let parts: Vec<u32> = value
                    .split(',')
                    .map(|p| p.parse().map_err(|_| usage))
                    .collect::<Result<_, _>>()?;
                let [memory_kib, iterations, parallelism] = parts[..] else {
                    return Err(usage.into());
                };
                options.cost = HashCost {
                    memory_kib,
                    iterations,
                    parallelism,
                };
            }
            _ => return Err(usage.into()),
        }
    }
    if options.server.as_os_str().is_empty() || options.rounds == 0 {
        return Err(usage.into());
    }
    Ok(options)
}

async fn run(options: &Options) -> Result<Report, String> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let duration = Duration::from_secs(options.seconds);
    let sink = SmtpSink::start().await;

    // The server at its default cost: memory, sign-in, codes.
    let server = server::Server::start(&options.server, &sink.url(), options.cost)?;
    let idle_kib = memory::settled_rss_kib(server.pid()).await?;
    let accounts = flows::create_accounts(&server.url, &sink, options.concurrency * 2).await?;
    let mut sign_in = vec![
        sign_in_run(
            "the server's default",
            options.cost,
            &server.url,
            server.pid(),
            &accounts,
            options,
            cores,
        )
        .await?,
    ];
    if options.sign_in_only {
        return Ok(Report {
            cores,
            seconds: options.seconds,
            concurrency: options.concurrency,
            rounds: options.rounds,
            round_seconds: options.round_seconds,
            sign_in,
            rest: None,
        });
    }
    let (send_code, sent) = flows::send_codes(&server.url, options.concurrency, duration).await?;
    let codes = flows::codes_for(&sink, &sent).await?;
    let verify_code = flows::verify_codes(&server.url, options.concurrency, codes).await?;
    let peak_kib = memory::peak_rss_kib(server.pid())?;
    let after_kib = memory::settled_rss_kib(server.pid()).await?;
    drop(server);

    // The same machine at Keycloak's default cost.
    let server = server::Server::start(&options.server, &sink.url(), KEYCLOAK)?;
    let accounts = flows::create_accounts(&server.url, &sink, options.concurrency * 2).await?;
    sign_in.push(
        sign_in_run(
            "Keycloak's default",
            KEYCLOAK,
            &server.url,
            server.pid(),
            &accounts,
            options,
            cores,
        )
        .await?,
    );
    drop(server);

    let flood = flood::run(&options.server, &sink, duration).await?;

    Ok(Report {
        cores,
        seconds: options.seconds,
        concurrency: options.concurrency,
        rounds: options.rounds,
        round_seconds: options.round_seconds,
        sign_in,
        rest: Some(Rest {
            send_code,
            verify_code,
            memory: memory::Figures {
                idle_kib,
                peak_kib,
                idle_after_load_kib: after_kib,
            },
            flood,
        }),
    })
}

async fn sign_in_run(
    label: &'static str,
    cost: HashCost,
    url: &str,
    pid: u32,
    accounts: &[flows::Account],
    options: &Options,
    cores: usize,
) -> Result<SignInRun, String> {
    let duration = Duration::from_secs(options.round_seconds);
    let (mut figures, mut runs) = (Vec::new(), Vec::new());
    let (mut server_cpu_seconds, mut load_generator_cpu_seconds) = (0.0, 0.0);
    let (mut verifications, mut pure_cpu_seconds) = (0, 0.0);
    for _ in 0..options.rounds {
        // The pure rate with the server idle, on as many threads as the server's hashing pool
        // has (one per core), right before this round's HTTP run.
        let pure = hashing::rate(cost, cores, duration).await?;
        let (server_before, own_before) =
            (memory::cpu_seconds(Some(pid))?, memory::cpu_seconds(None)?);
        let http = flows::sign_ins(url, accounts, options.concurrency, duration).await?;
        let server_cpu = memory::cpu_seconds(Some(pid))? - server_before;
        server_cpu_seconds += server_cpu;
        load_generator_cpu_seconds += memory::cpu_seconds(None)? - own_before;
        verifications += pure.verifications;
        pure_cpu_seconds += pure.cpu_seconds;
        let rates = rounds::Round {
            pure_hashes_per_second: pure.per_second,
            sign_ins_per_second: http.per_second,
        };
        figures.push(RoundFigures {
            rates,
            ratio: rates.ratio(),
            p50_ms: http.p50_ms,
            argon2_cpu_ms_each: pure.cpu_ms_each,
            server_cpu_ms_per_sign_in: server_cpu * 1000.0 / http.successes().max(1) as f64,
        });
        runs.push(http);
    }
    let summary = rounds::summarize(&figures.iter().map(|f| f.rates).collect::<Vec<_>>());
    let http = load::pool(runs);
    let signed_in = http.successes().max(1) as f64;
    let server_ms = server_cpu_seconds * 1000.0 / signed_in;
    let argon2_ms = pure_cpu_seconds * 1000.0 / verifications.max(1) as f64;
    let load_generator_ms = load_generator_cpu_seconds * 1000.0 / signed_in;
    Ok(SignInRun {
        label,
        cost: format!(
            "m={},t={},p={}",
            cost.memory_kib, cost.iterations, cost.parallelism
        ),
        rounds: figures,
        pure_hashes_per_second: summary.pure_median,
        sign_ins_per_second: summary.sign_ins_median,
        ratio: summary.ratio_of_medians,
        ratio_min: summary.ratio_min,
        ratio_max: summary.ratio_max,
        per_core_per_second: summary.sign_ins_median / cores as f64,
        server_cpu_seconds,
        load_generator_cpu_seconds,
        available_cpu_seconds: http.seconds * cores as f64,
        server_cpu_ms_per_sign_in: server_ms,
        argon2_cpu_ms_per_sign_in: argon2_ms,
        server_cpu_ms_outside_argon2: server_ms - argon2_ms,
        load_generator_cpu_ms_per_sign_in: load_generator_ms,
        cpu_ratio: argon2_ms / (server_ms + load_generator_ms),
        http,
    })
}
