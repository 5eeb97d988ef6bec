//! The person's own sessions (OWASP ASVS 5.0 V7.5.2): `GET /api/sessions` lists the signed-in
//! account's live sessions, each named by a public id that is neither the cookie nor its
//! hash; `DELETE /api/sessions/{id}` ends one (another account's is 404; the caller's own is a
//! sign-out; another needs a sign-in within 5 minutes). The list is capped.

use crate::helpers::*;
use crate::on_both_databases;
use reqwest::Client;
use serde_json::{json, Value};

on_both_databases!(
    sessions_are_listed_and_ended_by_their_owner_only,
    the_list_is_capped_and_holds_only_live_sessions,
);

async fn list(app: &TestApp, browser: &Client) -> Vec<Value> {
    let answer = app.get_as(browser, "/sessions").await;
    assert_eq!(answer.status(), 200);
    answer.json::<Vec<Value>>().await.unwrap()
}

/// A browser signed in as `email` with the passphrase; returns it and its session cookie.
async fn browser_of(app: &TestApp, email: &str) -> (Client, String) {
    let browser = TestApp::new_client();
    let answer = app
        .post_as(
            &browser,
            "/session",
            json!({"email": email, "password": PASSPHRASE}),
        )
        .await;
    assert_eq!(answer.status(), 200);
    let cookie = session_cookie(&answer).unwrap();
    (browser, cookie)
}

async fn sessions_are_listed_and_ended_by_their_owner_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("amina@example.org").await;
    app.signed_up("bob@example.org").await;
    let (laptop, laptop_cookie) = browser_of(&app, "amina@example.org").await;
    let (phone, _) = browser_of(&app, "amina@example.org").await;
    let (bob, _) = browser_of(&app, "bob@example.org").await;
    assert_eq!(
        app.get_as(&TestApp::new_client(), "/sessions")
            .await
            .status(),
        401
    );

    let sessions = list(&app, &laptop).await;
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    let current: Vec<&Value> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    for s in &sessions {
        assert_eq!(s["aal"], "aal1");
        assert_eq!(s["amr"], json!(["pwd"]));
        assert_eq!(s["idp"], "local");
        assert!(s["created_at"].as_i64().is_some() && s["last_seen_at"].as_i64().is_some());
        // The id names the session and never opens it: not the cookie, not its hash.
        let id = s["id"].as_str().unwrap();
        assert_ne!(id, laptop_cookie);
        let hash = partner_login_server::domain::secrets::hash(&laptop_cookie);
        assert!(!hash.contains(id) && !id.contains(&hash[..16]), "{id}");
    }
    let laptop_id = current[0]["id"].as_str().unwrap().to_owned();
    let phone_id = sessions.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Bob sees his own session only, and cannot end Amina's: the same 404 as no session.
    let his = list(&app, &bob).await;
    assert_eq!(his.len(), 1);
    assert_ne!(his[0]["id"], laptop_id.as_str());
    let hers = format!("/sessions/{phone_id}");
    assert_eq!(app.delete_as(&bob, &hers).await.status(), 404);
    assert_eq!(
        app.delete_as(&bob, "/sessions/no-such-session")
            .await
            .status(),
        404
    );
    assert_eq!(app.get_as(&phone, "/session").await.status(), 200);

    // Ending another session needs a sign-in within 5 minutes (V7.5.2: "having authenticated
    // again"); the list does not.
    app.exec("UPDATE sessions SET created_at = created_at - 360")
        .await;
    let refused = app.delete_as(&laptop, &hers).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.json::<Value>().await.unwrap()["code"],
        "reauthentication_required"
    );
    assert_eq!(app.get_as(&phone, "/session").await.status(), 200);
    assert_eq!(list(&app, &laptop).await.len(), 2);
    let (laptop, _) = browser_of(&app, "amina@example.org").await;
    let laptop_id_now = list(&app, &laptop)
        .await
        .into_iter()
        .find(|s| s["current"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(laptop_id_now, laptop_id, "a new sign-in, a new session");
    // Ended: the phone is signed out at once, and the list no longer holds it.
    assert_eq!(app.delete_as(&laptop, &hers).await.status(), 204);
    assert_eq!(app.get_as(&phone, "/session").await.status(), 401);
    assert_eq!(app.delete_as(&laptop, &hers).await.status(), 404);
    let ids: Vec<String> = list(&app, &laptop)
        .await
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!ids.contains(&phone_id), "{ids:?}");

    // Ending the current session is a sign-out: the cookie goes, the session too.
    let own = app
        .delete_as(&laptop, &format!("/sessions/{laptop_id_now}"))
        .await;
    assert_eq!(own.status(), 204);
    let removal = own.headers()["set-cookie"].to_str().unwrap();
    assert!(removal.starts_with("partner_login_session=;"), "{removal}");
    assert_eq!(app.get_as(&laptop, "/session").await.status(), 401);
    assert_eq!(app.get_as(&bob, "/session").await.status(), 200);
}

/// No unbounded work or memory: at most 50 sessions listed, the most recently used first;
/// sessions past a timeout are not listed.
async fn the_list_is_capped_and_holds_only_live_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("amina@example.org").await;
    let (laptop, _) = browser_of(&app, "amina@example.org").await;
    let now = partner_login_server::storage::now();
    let values: Vec<String> = (0..60)
        .map(|i| {
            format!(
                "('hash-{i}', (SELECT id FROM accounts WHERE email = 'amina@example.org'), \
                 {now}, {}, 'sid-{i}', 'local', 'pwd', 0, 'aal1')",
                now - 100 - i
            )
        })
        .collect();
    app.exec(&format!(
        "INSERT INTO sessions (id_hash, account_id, created_at, last_seen_at, sid, idp, amr, \
         credential_version, aal) VALUES {}",
        values.join(", ")
    ))
    .await;
    // One idle past its timeout: never listed.
    app.exec(&format!(
        "INSERT INTO sessions (id_hash, account_id, created_at, last_seen_at, sid, idp, amr, \
         credential_version, aal) VALUES ('idle', (SELECT id FROM accounts WHERE email = \
         'amina@example.org'), {now}, {}, 'idle-sid', 'local', 'pwd', 0, 'aal1')",
        now - 24 * 3600
    ))
    .await;
    let sessions = list(&app, &laptop).await;
    assert_eq!(sessions.len(), 50);
    assert_eq!(sessions[0]["current"], true, "the most recently used first");
    assert_eq!(sessions[1]["id"], "sid-0");
    assert!(sessions.iter().all(|s| s["id"] != "idle-sid"));
}
