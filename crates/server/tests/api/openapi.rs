//! The OpenAPI document served at /api/openapi.json is the one kept in the repository.
//! `UPDATE_OPENAPI=1 cargo test -p partner-login-server openapi` rewrites the file.

use crate::helpers::{Backend, TestApp};

#[tokio::test]
async fn the_served_document_matches_the_committed_one() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let served: serde_json::Value = app.get("/openapi.json").await.json().await.unwrap();
    assert!(served["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/signup",
        "/api/signup/{flow_id}/verify",
        "/api/session",
        "/api/invitations/{token}",
    ] {
        assert!(served["paths"].get(path).is_some(), "{path} is documented");
    }
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    let pretty = serde_json::to_string_pretty(&served).unwrap() + "\n";
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&file, &pretty).unwrap();
    }
    let committed = std::fs::read_to_string(&file).expect("crates/server/openapi.json exists");
    assert_eq!(
        committed, pretty,
        "openapi.json drifted from the code: run UPDATE_OPENAPI=1 cargo test -p partner-login-server openapi"
    );
}
