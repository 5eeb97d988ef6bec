//! Running commands, finding paths.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (the parent of this crate's directory).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// The git-ignored folder where npm tools (binaryen's wasm-opt) are installed.
pub fn tools_dir() -> PathBuf {
    root().join("tools")
}

/// PATH with the project's tool folders first: npm's wasm-opt, then cargo's bin.
pub fn tool_path() -> String {
    let mut parts = vec![tools_dir().join("node_modules/.bin")];
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        parts.push(PathBuf::from(home).join("bin"));
    } else if let Some(home) = std::env::var_os("HOME") {
        parts.push(PathBuf::from(home).join(".cargo/bin"));
    }
    let mut path = std::env::join_paths(parts)
        .expect("tool paths are valid")
        .into_string()
        .unwrap_or_default();
    if let Ok(rest) = std::env::var("PATH") {
        path.push(':');
        path.push_str(&rest);
    }
    path
}

/// A command run at the workspace root with the project's PATH.
/// Under CI (`CI` set, as CI services do), cargo builds without incremental caches: a fresh
/// clone never reuses them and they would add gigabytes to `target/`.
pub fn command(program: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(root()).env("PATH", tool_path());
    if std::env::var_os("CI").is_some() {
        cmd.env("CARGO_INCREMENTAL", "0");
    }
    cmd
}

/// Makes a cargo build of the workspace lint it too, as `cargo clippy -- -D warnings` would:
/// clippy's driver compiles the workspace's own crates (`RUSTC_WORKSPACE_WRAPPER`, what
/// `cargo clippy` sets), so one build both lints and produces the test binaries, and no
/// dependency is compiled a second time in check mode. Every later cargo command on the same
/// artifacts must carry the same environment, or cargo rebuilds the workspace's crates.
pub fn lint_while_compiling(cmd: &mut Command) {
    let driver = output("rustup", &["which", "clippy-driver"])
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "clippy-driver".to_owned());
    // cargo-clippy's own encoding of the arguments after `--`.
    cmd.env("RUSTC_WORKSPACE_WRAPPER", driver).env(
        "CLIPPY_ARGS",
        "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__",
    );
}

/// Runs a command, echoing it, and fails when it fails.
pub fn run(mut cmd: Command) -> Result {
    eprintln!("$ {}", display(&cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start {}: {e}", display(&cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", display(&cmd)))
    }
}

/// GiB free on the file system that holds `target/`, read from POSIX `df -Pk`.
pub fn free_disk_gib() -> Option<f64> {
    let target = root().join("target");
    let dir = if target.exists() { target } else { root() };
    let out = output("df", &["-Pk", &dir.to_string_lossy()])?;
    let kib: f64 = out
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(kib / (1024.0 * 1024.0))
}

/// The trimmed stdout of a command, or None when it cannot run or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = command(program, args).stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn display(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&arg.to_string_lossy());
    }
    s
}

/// Test counts read from `test result: ok. N passed; M failed` lines, and how long each test
/// binary ran.
#[derive(Default)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
    /// Each test binary cargo ran (`api (tests/api/main.rs)`) and its `finished in` time.
    pub binaries: Vec<(String, Duration)>,
}

/// Runs a test command, echoing its output, and adds up the test counts it reports. Cargo
/// names each test binary it runs on stderr (`Running tests/api/main.rs (target/debug/deps/
/// api-…)`, `Doc-tests …`); each binary's `test result` line on stdout says how long it ran.
pub fn run_counting(mut cmd: Command, counts: &mut Counts) -> Result {
    use std::io::{BufRead, BufReader, IsTerminal};
    eprintln!("$ {}", display(&cmd));
    if std::io::stderr().is_terminal() {
        // Piped, cargo would drop its colours.
        cmd.env("CARGO_TERM_COLOR", "always");
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", display(&cmd)))?;
    let stderr = child.stderr.take();
    let names = std::thread::spawn(move || {
        let mut names = Vec::new();
        for line in stderr
            .map(|s| BufReader::new(s).lines().map_while(std::io::Result::ok))
            .into_iter()
            .flatten()
        {
            eprintln!("{line}");
            if let Some(name) = binary_name(&line) {
                names.push(name);
            }
        }
        names
    });
    let mut finished = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout)
            .lines()
            .map_while(std::io::Result::ok)
        {
            println!("{line}");
            if let Some(rest) = line.trim().strip_prefix("test result: ") {
                // `…; finished in 12.34s`
                let secs = rest
                    .rsplit_once("finished in ")
                    .and_then(|(_, s)| s.trim().strip_suffix('s'))
                    .and_then(|s| s.parse::<f64>().ok());
                if let Some(secs) = secs {
                    finished.push(Duration::from_secs_f64(secs));
                }
                for part in rest.split([';', '.']) {
                    let mut words = part.split_whitespace();
                    match (
                        words.next().and_then(|n| n.parse::<u64>().ok()),
                        words.next(),
                    ) {
                        (Some(n), Some("passed")) => counts.passed += n,
                        (Some(n), Some("failed")) => counts.failed += n,
                        _ => {}
                    }
                }
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let names = names.join().unwrap_or_default();
    // Paired only when every binary reported its time (one that crashed reports none).
    if names.len() == finished.len() {
        counts.binaries.extend(names.into_iter().zip(finished));
    }
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", display(&cmd)))
    }
}

/// The test binary a line of cargo's names: `api (tests/api/main.rs)` for `Running
/// tests/api/main.rs (target/debug/deps/api-0123abcd)`, `doc-tests partner_login_contract`.
fn binary_name(line: &str) -> Option<String> {
    let line = line.trim();
    if let Some(name) = line.strip_prefix("Doc-tests ") {
        return Some(format!("doc-tests {name}"));
    }
    let rest = line.strip_prefix("Running ")?;
    let (source, path) = rest.split_once(" (")?;
    let file = path.trim_end_matches(')').rsplit('/').next()?;
    let crate_name = file.rsplit_once('-').map_or(file, |(name, _hash)| name);
    Some(format!("{crate_name} ({source})"))
}

/// Runs a cargo command with `--message-format=json-render-diagnostics` (diagnostics and
/// progress on stderr, as usual) and returns its JSON messages.
pub fn run_json(mut cmd: Command) -> Result<Vec<serde_json::Value>> {
    use std::io::{BufRead, BufReader};
    eprintln!("$ {}", display(&cmd));
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", display(&cmd)))?;
    let mut messages = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout)
            .lines()
            .map_while(std::io::Result::ok)
        {
            match serde_json::from_str(&line) {
                Ok(message) => messages.push(message),
                Err(_) => println!("{line}"),
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(messages)
    } else {
        Err(format!("`{}` failed ({status})", display(&cmd)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_binaries_are_named_from_cargo_lines() {
        assert_eq!(
            binary_name("     Running tests/api/main.rs (target/debug/deps/api-0123abcd)"),
            Some("api (tests/api/main.rs)".to_owned())
        );
        assert_eq!(
            binary_name(
                "     Running unittests src/lib.rs (target/debug/deps/partner_login_e2e-99ff)"
            ),
            Some("partner_login_e2e (unittests src/lib.rs)".to_owned())
        );
        assert_eq!(
            binary_name("   Doc-tests partner_login_contract"),
            Some("doc-tests partner_login_contract".to_owned())
        );
        assert_eq!(binary_name("   Compiling tokio v1.54.1"), None);
    }
}
