//! Running commands, finding paths.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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

/// Test counts read from `test result: ok. N passed; M failed` lines.
#[derive(Default, Clone, Copy)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
}

/// Runs a test command, echoing its output, and adds up the test counts it reports.
pub fn run_counting(mut cmd: Command, counts: &mut Counts) -> Result {
    use std::io::{BufRead, BufReader};
    eprintln!("$ {}", display(&cmd));
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", display(&cmd)))?;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout)
            .lines()
            .map_while(std::io::Result::ok)
        {
            println!("{line}");
            if let Some(rest) = line.trim().strip_prefix("test result: ") {
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
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", display(&cmd)))
    }
}
