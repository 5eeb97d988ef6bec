//! The back-end bench: `partner-login-bench` (crates/bench), a second process that starts the
//! release server on loopback and loads it, and this module's report of its figures.

use super::Budget;
use crate::cmd::{self, command, Result};
use serde_json::Value;

/// Sign-in throughput, as a share of the pure argon2id rate (issue 7: at least 90 %).
const SIGN_IN_RATIO_BUDGET: f64 = 0.90;
/// The server's resident memory at idle, in KiB (issue 7: at most 30 MiB).
const IDLE_RSS_BUDGET_KIB: u64 = 30 * 1024;
/// Keycloak's sizing guide: 15 password-based sign-ins per second per vCPU.
const KEYCLOAK_PUBLISHED_PER_VCPU: f64 = 15.0;

/// The whole back-end bench, or with `sign_in_only` its sign-in run at the default cost alone
/// (`cargo xtask bench --only sign-in`).
pub fn run(sign_in_only: bool) -> Result<(String, Vec<Budget>)> {
    let root = cmd::root();
    let bench = root.join("target/release/partner-login-bench");
    let server = root.join("target/release/partner-login-server");
    let server = server.to_string_lossy();
    let mut args = vec!["--server", &server];
    if sign_in_only {
        args.extend(["--only", "sign-in"]);
    }
    let out = command(&bench.to_string_lossy(), &args)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bench.display()))?;
    if !out.status.success() {
        return Err(format!(
            "the back-end bench failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let figures: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("the back-end bench's output: {e}"))?;
    Ok(report(&figures))
}

fn report(f: &Value) -> (String, Vec<Budget>) {
    let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let cores = f["cores"].as_u64().unwrap_or(1);
    let mut md = format!(
        "## Back end (release build, SQLite, loopback, {cores} cores; load from a second \
         process, {} connections; the code runs {} s each)\n\n\
         Each sign-in run is {} rounds of a pure argon2id run (the server's own check, one \
         thread per core as its hashing pool) then an HTTP run, each {} s; the rates are the \
         rounds' medians, the ratio is the ratio of the medians (its range: the lowest and \
         highest ratio of a single round), the latencies and the CPU are over all rounds.\n\n",
        f["concurrency"], f["seconds"], f["rounds"], f["round_seconds"]
    );
    md.push_str(
        "| run | argon2id | pure hashes/s | sign-ins/s | ratio (rounds: min–max) | per core/s | p50 ms | p99 ms | answers | CPU s: server / load generator / available | CPU ms per sign-in: server (argon2 + outside argon2) / load generator | argon2's share of that CPU |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---|---|---|---:|\n",
    );
    let empty = Vec::new();
    let runs = f["sign_in"].as_array().unwrap_or(&empty);
    for run in runs {
        md.push_str(&format!(
            "| sign-in, {} | {} | {:.1} | {:.1} | {} | {:.1} | {:.0} | {:.0} | {} | {:.1} / {:.1} / {:.1} | {:.1} ({:.1} + {:.1}) / {:.1} | {:.1} % |\n",
            run["label"].as_str().unwrap_or_default(),
            run["cost"].as_str().unwrap_or_default(),
            num(&run["pure_hashes_per_second"]),
            num(&run["sign_ins_per_second"]),
            ratio(run),
            num(&run["per_core_per_second"]),
            num(&run["http"]["p50_ms"]),
            num(&run["http"]["p99_ms"]),
            statuses(&run["http"]["statuses"]),
            num(&run["server_cpu_seconds"]),
            num(&run["load_generator_cpu_seconds"]),
            num(&run["available_cpu_seconds"]),
            num(&run["server_cpu_ms_per_sign_in"]),
            num(&run["argon2_cpu_ms_per_sign_in"]),
            num(&run["server_cpu_ms_outside_argon2"]),
            num(&run["load_generator_cpu_ms_per_sign_in"]),
            num(&run["cpu_ratio"]) * 100.0,
        ));
    }
    for (name, stats) in [
        (
            "send verification code (mail to the SMTP sink)",
            &f["send_code"],
        ),
        ("verify code (each code once)", &f["verify_code"]),
    ] {
        // Absent with `--only sign-in`.
        if stats.is_null() {
            continue;
        }
        md.push_str(&format!(
            "| {name} | | | {:.1} | | | {:.0} | {:.0} | {} | | | |\n",
            num(&stats["per_second"]),
            num(&stats["p50_ms"]),
            num(&stats["p99_ms"]),
            statuses(&stats["statuses"]),
        ));
    }
    for run in runs {
        md.push_str(&rounds_table(run));
    }
    if let Some(keycloak) = runs.iter().find(|r| r["label"] == "Keycloak's default") {
        md.push_str(&format!(
            "\nAt Keycloak's default cost ({}) this server does {:.1} sign-ins per second per \
             core; Keycloak's sizing guide publishes {KEYCLOAK_PUBLISHED_PER_VCPU} password \
             sign-ins per second per vCPU.\n",
            keycloak["cost"].as_str().unwrap_or_default(),
            num(&keycloak["per_core_per_second"]),
        ));
    }
    let mut budgets = Vec::new();
    if let Some(default) = runs.first() {
        let ratio = num(&default["ratio"]);
        budgets.push(Budget {
            name: format!(
                "sign-in throughput / pure argon2id rate ({})",
                default["cost"].as_str().unwrap_or_default()
            ),
            limit: format!("≥ {:.0} %", SIGN_IN_RATIO_BUDGET * 100.0),
            measured: ratio_of_rounds(default),
            ok: ratio >= SIGN_IN_RATIO_BUDGET,
        });
    }
    let memory = &f["memory"];
    // Absent with `--only sign-in`.
    if memory.is_null() {
        return (md, budgets);
    }
    let kib = |v: &Value| v.as_u64().unwrap_or(u64::MAX);
    let mib = |k: u64| k as f64 / 1024.0;
    md.push_str(&format!(
        "\nResident memory of the server: {:.1} MiB at idle, {:.1} MiB at its peak under load, \
         {:.1} MiB at idle after the load.\n",
        mib(kib(&memory["idle_kib"])),
        mib(kib(&memory["peak_kib"])),
        mib(kib(&memory["idle_after_load_kib"])),
    ));
    let flood = &f["flood"];
    md.push_str(&format!(
        "\n### Flood (issue 19): one address floods sign-ins ({} requests in flight: bodies just \
         under and over the 64 KiB limit, over-long and wrong passwords, its hour caps lifted) \
         for {} s while a second address signs in, one sign-in after another\n\n\
         | | p50 ms | p99 ms | answers |\n|---|---:|---:|---|\n\
         | second client, no flood | {:.0} | {:.0} | |\n\
         | second client, under the flood | {:.0} | {:.0} | {} |\n\
         | flooder | | | {} |\n\n\
         Server resident memory: {:.1} MiB warm before the flood, {:.1} MiB at its peak.\n",
        flood["flooders"],
        flood["seconds"],
        num(&flood["quiet_p50_ms"]),
        num(&flood["quiet_p99_ms"]),
        num(&flood["other_p50_ms"]),
        num(&flood["other_p99_ms"]),
        statuses(&flood["other_statuses"]),
        statuses(&flood["flooder_statuses"]),
        mib(kib(&flood["warm_kib"])),
        mib(kib(&flood["peak_kib"])),
    ));
    let idle = kib(&memory["idle_kib"]);
    budgets.push(Budget {
        name: "server resident memory at idle".into(),
        limit: format!("≤ {:.0} MiB", mib(IDLE_RSS_BUDGET_KIB)),
        measured: format!("{:.1} MiB", mib(idle)),
        ok: idle <= IDLE_RSS_BUDGET_KIB,
    });
    (md, budgets)
}

/// `88.0 % (82.1–93.4)`: the ratio of the medians, and its range over the rounds.
fn ratio(run: &Value) -> String {
    let pc = |v: &Value| v.as_f64().unwrap_or(f64::NAN) * 100.0;
    format!(
        "{:.1} % ({:.1}–{:.1})",
        pc(&run["ratio"]),
        pc(&run["ratio_min"]),
        pc(&run["ratio_max"])
    )
}

/// The budget row's figure: the ratio of the medians, the rounds and their range.
fn ratio_of_rounds(run: &Value) -> String {
    let pc = |v: &Value| v.as_f64().unwrap_or(f64::NAN) * 100.0;
    format!(
        "{:.1} % (ratio of the medians of {} rounds; one round: {:.1}–{:.1} %)",
        pc(&run["ratio"]),
        run["rounds"].as_array().map_or(0, Vec::len),
        pc(&run["ratio_min"]),
        pc(&run["ratio_max"])
    )
}

/// One sign-in run's rounds, in order.
fn rounds_table(run: &Value) -> String {
    let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let mut md = format!(
        "\nRounds of the sign-in run at {} ({}):\n\n\
         | round | pure hashes/s | sign-ins/s | ratio | p50 ms | CPU ms: argon2 alone / server per sign-in |\n\
         |---:|---:|---:|---:|---:|---|\n",
        run["label"].as_str().unwrap_or_default(),
        run["cost"].as_str().unwrap_or_default(),
    );
    let empty = Vec::new();
    for (i, round) in run["rounds"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .enumerate()
    {
        md.push_str(&format!(
            "| {} | {:.1} | {:.1} | {:.1} % | {:.0} | {:.1} / {:.1} |\n",
            i + 1,
            num(&round["pure_hashes_per_second"]),
            num(&round["sign_ins_per_second"]),
            num(&round["ratio"]) * 100.0,
            num(&round["p50_ms"]),
            num(&round["argon2_cpu_ms_each"]),
            num(&round["server_cpu_ms_per_sign_in"]),
        ));
    }
    md.push_str(&format!(
        "| median | {:.1} | {:.1} | {:.1} % of the medians | | |\n",
        num(&run["pure_hashes_per_second"]),
        num(&run["sign_ins_per_second"]),
        num(&run["ratio"]) * 100.0,
    ));
    md
}

/// `200: 1234, 429: 2`
fn statuses(v: &Value) -> String {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, n)| format!("{k}: {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_follow_the_figures() {
        let figures = serde_json::json!({
            "cores": 2, "seconds": 10, "concurrency": 8, "rounds": 1, "round_seconds": 5,
            "sign_in": [{"label": "the server's default", "cost": "m=19456,t=2,p=1",
                "rounds": [{"pure_hashes_per_second": 100.0, "sign_ins_per_second": 85.0,
                    "ratio": 0.85, "p50_ms": 90.0, "argon2_cpu_ms_each": 20.0,
                    "server_cpu_ms_per_sign_in": 23.0}],
                "pure_hashes_per_second": 100.0, "sign_ins_per_second": 85.0, "ratio": 0.85,
                "ratio_min": 0.85, "ratio_max": 0.85, "per_core_per_second": 42.5,
                "http": {"per_second": 85.0, "p50_ms": 90.0, "p99_ms": 120.0,
                         "statuses": {"200": 850}}}],
            "send_code": {"per_second": 300.0, "p50_ms": 20.0, "p99_ms": 40.0, "statuses": {"201": 3000}},
            "verify_code": {"per_second": 900.0, "p50_ms": 8.0, "p99_ms": 15.0, "statuses": {"200": 3000}},
            "memory": {"idle_kib": 20480, "peak_kib": 204800, "idle_after_load_kib": 40960},
            "flood": {"seconds": 10.0, "flooders": 32, "quiet_p50_ms": 40.0, "quiet_p99_ms": 60.0,
                "other_p50_ms": 120.0, "other_p99_ms": 250.0, "other_statuses": {"200": 80},
                "flooder_statuses": {"413": 500, "503": 900}, "warm_kib": 40960, "peak_kib": 81920}
        });
        let (md, budgets) = report(&figures);
        assert!(md.contains("| 85.0 | 85.0 % (85.0–85.0) |"), "{md}");
        assert!(md.contains("20.0 MiB at idle"), "{md}");
        assert!(
            md.contains("| second client, under the flood | 120 | 250 | 200: 80 |"),
            "{md}"
        );
        assert!(md.contains("80.0 MiB at its peak"), "{md}");
        assert!(!budgets[0].ok, "85 % is under 90 %");
        assert!(budgets[1].ok, "20 MiB is under 30 MiB");
    }

    #[test]
    fn sign_in_only_reports_the_sign_in_run_and_its_budget() {
        let figures = serde_json::json!({
            "cores": 2, "seconds": 10, "concurrency": 8, "rounds": 3, "round_seconds": 5,
            "sign_in": [{"label": "the server's default", "cost": "m=19456,t=2,p=1",
                "rounds": [
                    {"pure_hashes_per_second": 100.0, "sign_ins_per_second": 93.0, "ratio": 0.93,
                     "p50_ms": 88.0, "argon2_cpu_ms_each": 20.1, "server_cpu_ms_per_sign_in": 21.4},
                    {"pure_hashes_per_second": 110.0, "sign_ins_per_second": 88.0, "ratio": 0.8,
                     "p50_ms": 91.0, "argon2_cpu_ms_each": 19.9, "server_cpu_ms_per_sign_in": 21.6},
                    {"pure_hashes_per_second": 90.0, "sign_ins_per_second": 95.0, "ratio": 1.0556,
                     "p50_ms": 84.0, "argon2_cpu_ms_each": 20.0, "server_cpu_ms_per_sign_in": 21.5}],
                "pure_hashes_per_second": 100.0, "sign_ins_per_second": 93.0, "ratio": 0.93,
                "ratio_min": 0.8, "ratio_max": 1.0556, "per_core_per_second": 46.5,
                "server_cpu_ms_per_sign_in": 21.5, "argon2_cpu_ms_per_sign_in": 20.0,
                "server_cpu_ms_outside_argon2": 1.5, "load_generator_cpu_ms_per_sign_in": 0.4,
                "cpu_ratio": 0.912,
                "http": {"per_second": 93.0, "p50_ms": 90.0, "p99_ms": 120.0,
                         "statuses": {"200": 930}}}]
        });
        let (md, budgets) = report(&figures);
        assert!(md.contains("| 93.0 | 93.0 % (80.0–105.6) |"), "{md}");
        assert!(
            md.contains("| 2 | 110.0 | 88.0 | 80.0 % | 91 | 19.9 / 21.6 |"),
            "each round in order: {md}"
        );
        assert!(
            md.contains("| median | 100.0 | 93.0 | 93.0 % of the medians |"),
            "{md}"
        );
        assert_eq!(
            budgets[0].measured,
            "93.0 % (ratio of the medians of 3 rounds; one round: 80.0–105.6 %)"
        );
        assert!(md.contains("| 21.5 (20.0 + 1.5) / 0.4 | 91.2 % |"), "{md}");
        assert!(!md.contains("send verification code"), "{md}");
        assert!(!md.contains("Resident memory"), "{md}");
        assert_eq!(budgets.len(), 1, "only the sign-in budget");
        assert!(budgets[0].ok, "93 % is over 90 %");
    }
}
