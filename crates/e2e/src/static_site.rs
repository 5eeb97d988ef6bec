//! A plain static file server, standing in for a CDN or for another site's pages: files from a
//! folder under a path prefix, `index.html` for client routes (the fallback rule README asks
//! operators to set up), and nothing else: no API, no special headers.

use axum::Router;
use std::path::{Path, PathBuf};
use tower_http::services::{ServeDir, ServeFile};

pub struct StaticSite {
    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub origin: String,
    /// The folder served (a copy the test may edit, such as `config.json`).
    pub dir: PathBuf,
    _shutdown: tokio::sync::oneshot::Sender<()>,
    _tmp: Option<tempfile::TempDir>,
}

impl StaticSite {
    /// Serves a copy of `dir` under `prefix` (`/login/`): `prefix` + a file serves the file,
    /// any other path under it serves `index.html`.
    pub async fn spa(dir: &Path, prefix: &str) -> Self {
        let tmp = tempfile::tempdir().expect("a temporary folder");
        for entry in std::fs::read_dir(dir).expect("the built SPA") {
            let entry = entry.expect("a file");
            std::fs::copy(entry.path(), tmp.path().join(entry.file_name())).expect("a copy");
        }
        let root = tmp.path().to_path_buf();
        let files = ServeDir::new(&root).fallback(ServeFile::new(root.join("index.html")));
        let prefix = prefix.trim_end_matches('/');
        let router = if prefix.is_empty() {
            Router::new().fallback_service(files)
        } else {
            Router::new().nest_service(prefix, files)
        };
        Self::serve(router, root, Some(tmp)).await
    }

    /// Serves fixed pages: `(path, html)`.
    pub async fn pages(pages: &[(&str, String)]) -> Self {
        let tmp = tempfile::tempdir().expect("a temporary folder");
        let mut router = Router::new();
        for (path, html) in pages {
            let file = page_file(tmp.path(), path);
            std::fs::write(&file, html).expect("a page");
            router = router.route_service(path, ServeFile::new(file));
        }
        let root = tmp.path().to_path_buf();
        Self::serve(router, root, Some(tmp)).await
    }

    /// Replaces the page at `path` (of a site made by [`StaticSite::pages`]).
    pub fn set_page(&self, path: &str, html: &str) {
        std::fs::write(page_file(&self.dir, path), html).expect("a page");
    }

    async fn serve(router: Router, dir: PathBuf, tmp: Option<tempfile::TempDir>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let origin = format!("http://{}", listener.local_addr().expect("an address"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Self {
            origin,
            dir,
            _shutdown: tx,
            _tmp: tmp,
        }
    }
}

fn page_file(dir: &Path, path: &str) -> PathBuf {
    dir.join(format!("page{}.html", path.replace('/', "_")))
}
