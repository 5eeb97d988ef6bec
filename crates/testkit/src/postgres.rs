//! A throwaway PostgreSQL cluster from Debian's binaries, one per test process: `initdb` into a
//! temporary folder and the server on a free loopback port, started by the first
//! [`Postgres::start`]. Each [`Postgres::database`] is a fresh database of its own, dropped with
//! the handle, so tests stay apart while paying for `initdb` once (it was a cluster per test:
//! about two seconds of a two-core machine each).
//!
//! The cluster outlives every handle and is stopped, its folder deleted, when the test process
//! ends, however it ends (a panic, an abort, a kill): a watcher process started with it waits for
//! the end of its standard input, which only the test process holds open. As root, the server
//! runs as the `postgres` user (PostgreSQL refuses to run as root).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

/// A handle on the test process's cluster and on the databases made through it.
pub struct Postgres {
    cluster: &'static Cluster,
    databases: Mutex<Vec<String>>,
}

struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
    /// Holds the write end of the watcher's stdin until the process ends.
    _watcher: Mutex<Child>,
}

fn bin_dir() -> PathBuf {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return dir;
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    found.sort();
    found
        .into_iter()
        .rev()
        .find(|d| d.join("initdb").exists())
        .expect(
            "PostgreSQL is not installed: run `cargo xtask setup` (installs Debian's postgresql)",
        )
}

fn is_root() -> bool {
    let out = Command::new("id")
        .arg("-u")
        .output()
        .expect("`id -u` runs (to know whether PostgreSQL must run as `postgres`)");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

impl Cluster {
    fn start() -> Self {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("pl-pg-")
            .tempdir()
            .expect("temp dir")
            // Deleted by the watcher once the process ends, not by a drop.
            .keep();
        let as_postgres = is_root();
        if as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .expect("chown");
            assert!(status.success(), "chown of the cluster folder failed");
        }
        let data = dir.join("data");
        let data = data.to_string_lossy();
        let port = crate::free_port();
        let tool = |name: &str, args: &[&str]| command(&bin, as_postgres, name, args);
        // The watcher first: from here on, the folder goes with the process.
        let stop = tool("pg_ctl", &["-D", &data, "-m", "immediate", "stop"]);
        let watcher = Command::new("sh")
            .arg("-c")
            .arg(r#"cat >/dev/null; dir=$1; shift; "$@"; rm -rf "$dir""#)
            .arg("sh")
            .arg(&dir)
            .arg(stop.get_program())
            .args(stop.get_args())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sh runs (the watcher that stops the cluster)");
        let cluster = Self {
            dir,
            bin,
            port,
            as_postgres,
            _watcher: Mutex::new(watcher),
        };
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        );
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            cluster.dir.display()
        );
        let log = cluster.dir.join("log");
        cluster.run(
            "pg_ctl",
            &[
                "-D",
                &data,
                "-l",
                &log.to_string_lossy(),
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
        cluster
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = command(&self.bin, self.as_postgres, tool, args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {tool}: {e}"));
        assert!(
            out.status.success(),
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// `tool` of PostgreSQL's `bin`, as the `postgres` user when `as_postgres`.
fn command(bin: &Path, as_postgres: bool, tool: &str, args: &[&str]) -> Command {
    let program = bin.join(tool);
    if as_postgres {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program).args(args);
        cmd
    } else {
        let mut cmd = Command::new(program);
        cmd.args(args);
        cmd
    }
}

impl Postgres {
    /// A handle on this test process's cluster, started by the first call; panics with a clear
    /// message when PostgreSQL is missing.
    pub fn start() -> Self {
        static CLUSTER: OnceLock<Cluster> = OnceLock::new();
        Self {
            cluster: CLUSTER.get_or_init(Cluster::start),
            databases: Mutex::default(),
        }
    }

    pub fn port(&self) -> u16 {
        self.cluster.port
    }

    /// Creates a fresh database and returns its URL; it is dropped with this handle.
    pub fn database(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let port = self.port().to_string();
        self.cluster.run(
            "createdb",
            &["-h", "127.0.0.1", "-p", &port, "-U", "postgres", &name],
        );
        let url = format!("postgres://postgres@127.0.0.1:{port}/{name}");
        self.databases
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(name);
        url
    }

    /// The cluster's folder (its data, its log, its socket).
    pub fn dir(&self) -> &Path {
        &self.cluster.dir
    }
}

impl Drop for Postgres {
    /// Drops this handle's databases (closing what is still connected to them), so that a long
    /// test run does not fill the disk; the cluster stays for the other tests.
    fn drop(&mut self) {
        let port = self.port().to_string();
        let databases = self
            .databases
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for name in databases.drain(..) {
            let _ = command(
                &self.cluster.bin,
                self.cluster.as_postgres,
                "dropdb",
                &[
                    "--force",
                    "--if-exists",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &port,
                    "-U",
                    "postgres",
                    &name,
                ],
            )
            .current_dir(&self.cluster.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        }
    }
}
