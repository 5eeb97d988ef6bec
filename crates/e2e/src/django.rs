//! The test relying party: the tiny Django site of `crates/e2e/django/` (Django, and
//! python-social-auth's generic OpenID Connect backend configured only as the README tells the UN
//! Partner Portal's operators), run from the virtualenv `tools/venv` that `cargo xtask setup`
//! fills. `manage.py migrate` on a fresh SQLite file in a temporary folder, then
//! `manage.py runserver 127.0.0.1:PORT --noreload`; killed on drop. Its request log goes to a
//! file that a failing test prints.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What the site signs in with: partner-login's issuer and the client registered there.
pub struct Client<'a> {
    /// The issuer URL, e.g. `http://127.0.0.1:41234/api`.
    pub issuer: &'a str,
    pub id: &'a str,
    pub secret: &'a str,
}

pub struct DjangoSite {
    child: Child,
    /// The site's base URL, e.g. `http://127.0.0.1:41235` (no trailing slash).
    pub url: String,
    dir: tempfile::TempDir,
}

/// The Python of the virtualenv `cargo xtask setup` installs Django into
/// (`PARTNER_LOGIN_PYTHON` overrides it).
fn python() -> PathBuf {
    std::env::var_os("PARTNER_LOGIN_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/venv/bin/python")
        })
}

fn project_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("django")
}

impl DjangoSite {
    /// The site's URLs, for a client registration made before the site starts.
    pub fn url_on(port: u16) -> String {
        format!("http://127.0.0.1:{port}")
    }

    /// The redirect URI of python-social-auth's `oidc` backend on the site at `port`.
    pub fn redirect_uri(port: u16) -> String {
        format!("{}/complete/oidc/", Self::url_on(port))
    }

    /// The site's own login-start URL (a GET that starts the sign-in): the client's
    /// `initiate_login_uri`.
    pub fn initiate_login_uri(port: u16) -> String {
        format!("{}/start-login/", Self::url_on(port))
    }

    /// Starts the site on `port`, signing in at `client.issuer`; returns once it answers.
    pub fn start_on(port: u16, client: &Client<'_>) -> Self {
        let python = python();
        assert!(
            python.exists(),
            "{} is missing: run `cargo xtask setup` (it installs Django into tools/venv)",
            python.display()
        );
        let dir = tempfile::tempdir().expect("a temporary folder");
        let env = [
            ("PORTAL_DATA_DIR", dir.path().display().to_string()),
            ("PARTNER_LOGIN_ISSUER", client.issuer.to_owned()),
            ("PARTNER_LOGIN_CLIENT_ID", client.id.to_owned()),
            ("PARTNER_LOGIN_CLIENT_SECRET", client.secret.to_owned()),
            ("PYTHONUNBUFFERED", "1".to_owned()),
            ("PYTHONDONTWRITEBYTECODE", "1".to_owned()),
        ];
        let manage = |args: &[&str]| {
            let mut cmd = Command::new(&python);
            cmd.arg("manage.py")
                .args(args)
                .current_dir(project_dir())
                .envs(env.iter().map(|(k, v)| (k, v)));
            cmd
        };
        let migrate = manage(&["migrate", "--verbosity", "0"])
            .output()
            .expect("manage.py migrate runs");
        assert!(
            migrate.status.success(),
            "manage.py migrate failed: {}",
            String::from_utf8_lossy(&migrate.stderr)
        );
        let log = std::fs::File::create(dir.path().join("django.log")).expect("a log file");
        let address = format!("127.0.0.1:{port}");
        let child = manage(&["runserver", &address, "--noreload"])
            .stdout(log.try_clone().expect("the log file"))
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("manage.py runserver starts");
        // From here on, a panic drops the site: Django is killed and its log printed.
        let mut site = Self {
            child,
            url: Self::url_on(port),
            dir,
        };
        let deadline = Instant::now() + crate::WAIT;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = site.child.try_wait() {
                panic!("Django exited ({status}) before listening");
            }
            assert!(Instant::now() < deadline, "Django did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        site
    }

    /// What Django wrote so far (the request log, and any traceback).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("django.log")).unwrap_or_default()
    }
}

impl Drop for DjangoSite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- the Django site's log:\n{}", self.log());
        }
    }
}
