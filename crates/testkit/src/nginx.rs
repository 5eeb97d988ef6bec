//! A real reverse proxy in front of the server: Debian's nginx, from a configuration written
//! into a temporary folder (`nginx -p DIR -c FILE`, `daemon off;`, its pid, logs and temporary
//! files in that folder), on a free loopback port, balancing round-robin over the given
//! upstreams and appending the client to `X-Forwarded-For` as operators configure it
//! (`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`).
//!
//! nginx is stopped and its folder deleted when the handle is dropped, and also when the test
//! process ends however it ends: it runs under a small shell that waits for the end of its
//! standard input, which only the test process holds open (as `Postgres` does).

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running nginx.
pub struct Nginx {
    port: u16,
    dir: tempfile::TempDir,
    /// The shell that runs nginx; closing its stdin stops both.
    watcher: Option<Child>,
}

/// One request nginx passed on, from its access log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forwarded {
    /// The client's address as nginx saw it (`$remote_addr`).
    pub client: String,
    /// The upstream that answered (`$upstream_addr`, `127.0.0.1:PORT`).
    pub upstream: String,
    pub status: u16,
    pub method: String,
    /// The path, without the query.
    pub path: String,
}

fn nginx_bin() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("nginx is not installed: run `cargo xtask setup` (installs Debian's nginx)")
}

fn config(dir: &Path, port: u16, upstreams: &[SocketAddr]) -> String {
    let dir = dir.display();
    let servers: String = upstreams
        .iter()
        .map(|u| format!("        server {u};\n"))
        .collect();
    format!(
        r#"daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format forwarded '$remote_addr $upstream_addr $status $request_method $uri';
    access_log {dir}/access.log forwarded;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream partner_login {{
{servers}    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://partner_login;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"#
    )
}

impl Nginx {
    /// Starts nginx in front of `upstreams` (round-robin) and waits until it accepts
    /// connections; panics with nginx's error log when it does not start.
    pub fn start(upstreams: &[SocketAddr]) -> Self {
        let bin = nginx_bin();
        let dir = tempfile::Builder::new()
            .prefix("pl-nginx-")
            .tempdir()
            .expect("temp dir");
        // As root, nginx's workers run as `nobody`: they must be able to enter the folder to
        // buffer a large request body or response into its temporary folders (which nginx
        // creates for them); nothing in it is secret.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod the nginx folder");
        let port = crate::free_port();
        let file = dir.path().join("nginx.conf");
        std::fs::write(&file, config(dir.path(), port, upstreams)).expect("write nginx.conf");
        let prefix = dir.path().to_string_lossy().into_owned();
        let conf = file.to_string_lossy().into_owned();
        let error_log = dir.path().join("error.log").to_string_lossy().into_owned();
        // `-e`: nginx opens its default error log before reading the configuration otherwise.
        let args = ["-p", &prefix, "-c", &conf, "-e", &error_log];
        let checked = Command::new(&bin)
            .arg("-t")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
        assert!(
            checked.status.success(),
            "nginx refuses its configuration: {}",
            String::from_utf8_lossy(&checked.stderr)
        );
        let watcher = Command::new("sh")
            .arg("-c")
            .arg(
                r#"dir=$1; shift; "$@" & pid=$!; cat >/dev/null; kill -TERM "$pid" 2>/dev/null; wait "$pid"; rm -rf "$dir""#,
            )
            .arg("sh")
            .arg(dir.path())
            .arg(&bin)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sh runs (the shell that runs nginx)");
        let nginx = Self {
            port,
            dir,
            watcher: Some(watcher),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            let log = nginx.error_log();
            assert!(
                Instant::now() < deadline && !log.contains("[emerg]"),
                "nginx did not start: {log}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        nginx
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }

    /// Every request passed on so far, oldest first (nginx writes its access log unbuffered).
    pub fn forwarded(&self) -> Vec<Forwarded> {
        std::fs::read_to_string(self.dir.path().join("access.log"))
            .unwrap_or_default()
            .lines()
            .map(|line| {
                let mut fields = line.split(' ');
                let mut next = || fields.next().unwrap_or_default().to_owned();
                Forwarded {
                    client: next(),
                    upstream: next(),
                    status: next().parse().unwrap_or(0),
                    method: next(),
                    path: next(),
                }
            })
            .collect()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        if let Some(mut watcher) = self.watcher.take() {
            if let Some(mut stdin) = watcher.stdin.take() {
                let _ = stdin.flush();
            }
            let _ = watcher.wait();
        }
    }
}
