//! Account administration through the admin API (`/api/admin/…`) and the command line
//! (`partner-login-server accounts …`, `invitations …`): every route behind the token, what a
//! disabled account can no longer do, what a deletion removes.

use crate::helpers::{
    problem, session_cookie, session_status, Backend, TestApp, ADMIN_TOKEN, PASSPHRASE,
};
use crate::on_both_databases;
use crate::social::{app_with_provider, new_browser, session_of, sign_in_with_provider};
use reqwest::{Client, Method, Response};
use serde_json::{json, Value};

on_both_databases!(
    every_admin_route_needs_one_of_the_tokens,
    a_disabled_account_cannot_sign_in_and_its_sessions_end_at_once,
    a_disabled_account_cannot_sign_in_with_its_provider_and_unlink_removes_the_identity,
    deleting_an_account_removes_what_it_owns,
    pending_invitations_are_listed_a_page_at_a_time_and_revoked,
    the_command_line_administers_accounts,
);

const SECOND_TOKEN: &str = "rotated-admin-token-9876543210";

async fn admin(app: &TestApp, method: Method, path: &str) -> Response {
    Client::new()
        .request(method, app.api(path))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
}

async fn body(response: Response) -> Value {
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

/// A browser signed in as `email` with [`PASSPHRASE`]; returns it and its session id.
async fn signed_in(app: &TestApp, email: &str) -> (Client, String) {
    let browser = TestApp::new_client();
    let response = app
        .post_as(
            &browser,
            "/session",
            json!({"email": email, "password": PASSPHRASE}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let id = session_cookie(&response).unwrap();
    (browser, id)
}

/// OWASP ASVS 5.0 V8.2.1, V13.2: every admin operation checks the token on every call: none is
/// 401, a wrong one 403 (a problem document each); either of two configured tokens works, so
/// that one can be replaced without downtime.
async fn every_admin_route_needs_one_of_the_tokens(backend: Backend) {
    let app = TestApp::spawn_with(backend, |config| {
        config.admin_token = Some(format!("{ADMIN_TOKEN}, {SECOND_TOKEN}"));
        config.admin_refusals_per_client_hour = 100;
    })
    .await;
    app.signed_up("amina@ngo.example").await;
    let routes = [
        (Method::GET, "/admin/accounts"),
        (Method::GET, "/admin/accounts/amina@ngo.example"),
        (
            Method::POST,
            "/admin/accounts/amina@ngo.example/end-sessions",
        ),
        (Method::POST, "/admin/accounts/amina@ngo.example/disable"),
        (Method::POST, "/admin/accounts/amina@ngo.example/enable"),
        (
            Method::DELETE,
            "/admin/accounts/amina@ngo.example/identities/unicef",
        ),
        (Method::GET, "/admin/invitations"),
        (Method::DELETE, "/admin/invitations/nobody@ngo.example"),
        (Method::DELETE, "/admin/accounts/amina@ngo.example"),
    ];
    for (method, path) in &routes {
        let none = Client::new()
            .request(method.clone(), app.api(path))
            .send()
            .await
            .unwrap();
        assert_eq!(none.status(), 401, "{method} {path} without a token");
        assert_eq!(problem(none).await["code"], "unauthenticated");
        for wrong in [
            "wrong-token-0123456789",
            &ADMIN_TOKEN[..ADMIN_TOKEN.len() - 1],
            &format!("{ADMIN_TOKEN},{SECOND_TOKEN}"),
        ] {
            let refused = Client::new()
                .request(method.clone(), app.api(path))
                .bearer_auth(wrong)
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), 403, "{method} {path} with {wrong}");
            assert_eq!(problem(refused).await["code"], "forbidden");
        }
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts").await,
        1,
        "nothing was done without the token"
    );
    // Both tokens work, on every route (the last one deletes the account).
    for (i, (method, path)) in routes.iter().enumerate() {
        let token = if i % 2 == 0 {
            ADMIN_TOKEN
        } else {
            SECOND_TOKEN
        };
        let answer = Client::new()
            .request(method.clone(), app.api(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = answer.status().as_u16();
        // Unlinking an identity the account does not have, and revoking invitations of an
        // address that has none, are "not found" (past the token).
        let expected: &[u16] = if path.contains("identities") || path.contains("nobody") {
            &[404]
        } else {
            &[200, 204]
        };
        assert!(expected.contains(&status), "{method} {path}: {status}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);
}

/// Issue 19: a disabled account cannot sign in by any way (here: its password, and a password
/// reset), its sessions end at once, and the session lookup refuses a session of a disabled
/// account even if one was left (a sign-in that raced the disable). `enable` restores it.
/// `end-sessions` ends every session and leaves the account usable.
async fn a_disabled_account_cannot_sign_in_and_its_sessions_end_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.invite("amina@ngo.example", "Sahel Relief").await;
    let flow = app.start_signup("amina@ngo.example", Some(&token)).await;
    let code = app.nth_mail("amina@ngo.example", 2).await.code();
    app.verify(&flow, &code).await;
    assert_eq!(app.complete(&flow, PASSPHRASE).await.status(), 201);
    app.signed_up("lee@ngo.example").await;
    let (_first, first) = signed_in(&app, "amina@ngo.example").await;
    let (_second, second) = signed_in(&app, "amina@ngo.example").await;

    // List and show.
    let list = body(admin(&app, Method::GET, "/admin/accounts").await).await;
    let accounts = list["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[0]["email"], "amina@ngo.example", "by email");
    assert_eq!(accounts[0]["display_name"], "Amina D.");
    assert_eq!(accounts[0]["memberships"], 1);
    assert!(accounts[0].get("disabled_at").is_none());
    assert_eq!(accounts[1]["email"], "lee@ngo.example");
    assert!(list.get("next_after").is_none(), "one page");
    let page = body(admin(&app, Method::GET, "/admin/accounts?limit=1").await).await;
    assert_eq!(page["accounts"].as_array().unwrap().len(), 1);
    assert_eq!(page["next_after"], "amina@ngo.example");
    let next = body(
        admin(
            &app,
            Method::GET,
            "/admin/accounts?limit=1&after=amina@ngo.example",
        )
        .await,
    )
    .await;
    assert_eq!(next["accounts"][0]["email"], "lee@ngo.example");
    assert!(next.get("next_after").is_none());
    let zero = admin(&app, Method::GET, "/admin/accounts?limit=0").await;
    assert_eq!(zero.status(), 400);
    assert_eq!(problem(zero).await["code"], "bad_request");
    // Past the page's maximum: refused as the OpenAPI document says, not quietly cut.
    for path in [
        "/admin/accounts?limit=1001",
        "/admin/invitations?limit=2147483648",
    ] {
        let over = admin(&app, Method::GET, path).await;
        assert_eq!(over.status(), 400, "{path}");
    }
    let shown = body(admin(&app, Method::GET, "/admin/accounts/Amina@NGO.example").await).await;
    assert_eq!(shown["email"], "amina@ngo.example");
    assert_eq!(shown["organizations"][0]["organization"], "Sahel Relief");
    assert_eq!(shown["sessions"], 2);
    assert_eq!(shown["has_password"], true);
    assert!(shown.get("password_hash").is_none() && !shown.to_string().contains("argon2"));
    let id = shown["id"].as_str().unwrap().to_owned();
    let by_id = body(admin(&app, Method::GET, &format!("/admin/accounts/{id}")).await).await;
    assert_eq!(by_id["email"], "amina@ngo.example");
    let unknown = admin(&app, Method::GET, "/admin/accounts/nobody@ngo.example").await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(problem(unknown).await["code"], "not_found");

    // The lookup itself refuses a disabled account's session (a session stored by a sign-in
    // that raced the disable is worth nothing), and honours it again once enabled.
    app.exec("UPDATE accounts SET disabled_at = 1 WHERE email = 'amina@ngo.example'")
        .await;
    assert_eq!(session_status(&app, &first).await, 401);
    app.exec("UPDATE accounts SET disabled_at = NULL").await;
    assert_eq!(session_status(&app, &first).await, 200);

    // Disable: both sessions end at once.
    let disabled = body(
        admin(
            &app,
            Method::POST,
            "/admin/accounts/amina@ngo.example/disable",
        )
        .await,
    )
    .await;
    assert_eq!(disabled["sessions_ended"], 2);
    assert_eq!(session_status(&app, &first).await, 401);
    assert_eq!(session_status(&app, &second).await, 401);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE a.email = 'amina@ngo.example'").await,
        0
    );
    let shown = body(admin(&app, Method::GET, "/admin/accounts/amina@ngo.example").await).await;
    assert!(shown["disabled_at"].as_i64().is_some());
    assert_eq!(shown["sessions"], 0);

    // The right password: told it is disabled (the holder proved who they are); a wrong one
    // gets the answer anyone gets (ASVS 5.0 V6.3.8).
    let refused = app.sign_in("amina@ngo.example", PASSPHRASE).await;
    assert_eq!(refused.status(), 403);
    assert!(session_cookie(&refused).is_none());
    assert_eq!(problem(refused).await["code"], "account_disabled");
    let wrong = app
        .sign_in("amina@ngo.example", "not the passphrase 1")
        .await;
    assert_eq!(problem(wrong).await["code"], "invalid_credentials");
    // A password reset completes nothing: no session, and the password is unchanged.
    let (reset, _) = app.verified_reset("amina@ngo.example", 3).await;
    let completed = app
        .post(
            &format!("/password-reset/{reset}/complete"),
            json!({"password": "a brand new passphrase 7", "password_confirmation": "a brand new passphrase 7"}),
        )
        .await;
    assert_eq!(completed.status(), 403);
    assert!(session_cookie(&completed).is_none());
    assert_eq!(problem(completed).await["code"], "account_disabled");
    // An invitation accepted onto it, with the right password: refused, no membership added.
    let invited = app.invite("amina@ngo.example", "Delta Aid").await;
    let accepted = app
        .post(
            "/session",
            json!({"email": "amina@ngo.example", "password": PASSPHRASE, "invitation": invited}),
        )
        .await;
    assert_eq!(problem(accepted).await["code"], "account_disabled");
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships").await, 1);
    assert_eq!(
        app.get(&format!("/invitations/{invited}")).await.status(),
        200,
        "still unused"
    );
    // Disabling twice keeps the first time.
    let again = body(
        admin(
            &app,
            Method::POST,
            "/admin/accounts/amina@ngo.example/disable",
        )
        .await,
    )
    .await;
    assert_eq!(again["sessions_ended"], 0);

    // Enable: the old password works again.
    let enabled = admin(
        &app,
        Method::POST,
        "/admin/accounts/amina@ngo.example/enable",
    )
    .await;
    assert_eq!(enabled.status(), 204);
    let shown = body(admin(&app, Method::GET, "/admin/accounts/amina@ngo.example").await).await;
    assert!(shown.get("disabled_at").is_none());
    let (_browser, third) = signed_in(&app, "amina@ngo.example").await;
    let (_lee, lee) = signed_in(&app, "lee@ngo.example").await;

    // End sessions: every session of this account ends, the account stays usable, and other
    // accounts' sessions live on.
    let ended = body(
        admin(
            &app,
            Method::POST,
            &format!("/admin/accounts/{id}/end-sessions"),
        )
        .await,
    )
    .await;
    assert_eq!(ended["sessions_ended"], 1);
    assert_eq!(session_status(&app, &third).await, 401);
    assert_eq!(session_status(&app, &lee).await, 200);
    signed_in(&app, "amina@ngo.example").await;
    let missing = admin(
        &app,
        Method::POST,
        "/admin/accounts/nobody@ngo.example/disable",
    )
    .await;
    assert_eq!(missing.status(), 404);
}

/// A disabled account cannot sign in with its social provider either (the real OpenID provider
/// of `social.rs`); its identity can be unlinked, after which the provider's sign-in reaches the
/// account only by linking again through its verified address.
async fn a_disabled_account_cannot_sign_in_with_its_provider_and_unlink_removes_the_identity(
    backend: Backend,
) {
    let (app, _provider) = app_with_provider(backend, json!({}), str::to_owned).await;
    app.signed_up("lee@ngo.example").await;
    let browser = new_browser();
    let to = sign_in_with_provider(&browser, &app, "lee@ngo.example", None).await;
    assert_eq!(to, format!("{}/portal", app.url));
    let listed = body(admin(&app, Method::GET, "/admin/accounts").await).await;
    assert_eq!(listed["accounts"][0]["social_providers"], json!(["unicef"]));
    let shown = body(admin(&app, Method::GET, "/admin/accounts/lee@ngo.example").await).await;
    assert_eq!(shown["identities"][0]["provider"], "unicef");
    assert_eq!(shown["identities"][0]["subject"], "lee@ngo.example");

    body(
        admin(
            &app,
            Method::POST,
            "/admin/accounts/lee@ngo.example/disable",
        )
        .await,
    )
    .await;
    assert_eq!(
        session_of(&browser, &app).await.status(),
        401,
        "ended at once"
    );
    let other = new_browser();
    let to = sign_in_with_provider(&other, &app, "lee@ngo.example", None).await;
    assert_eq!(to, format!("{}/?social_error=account_disabled", app.url));
    assert_eq!(session_of(&other, &app).await.status(), 401);

    let unlinked = admin(
        &app,
        Method::DELETE,
        "/admin/accounts/lee@ngo.example/identities/unicef",
    )
    .await;
    assert_eq!(unlinked.status(), 204);
    assert_eq!(app.count("SELECT COUNT(*) FROM social_identities").await, 0);
    let shown = body(admin(&app, Method::GET, "/admin/accounts/lee@ngo.example").await).await;
    assert_eq!(shown["identities"], json!([]));
    let again = admin(
        &app,
        Method::DELETE,
        "/admin/accounts/lee@ngo.example/identities/unicef",
    )
    .await;
    assert_eq!(again.status(), 404);
    // Still disabled: a new sign-in at the provider links nothing and opens nothing.
    let third = new_browser();
    let to = sign_in_with_provider(&third, &app, "lee@ngo.example", None).await;
    assert_eq!(to, format!("{}/?social_error=account_disabled", app.url));
    assert_eq!(app.count("SELECT COUNT(*) FROM social_identities").await, 0);
}

/// Deleting an account removes its sessions, memberships, social identities and OpenID
/// Provider grants, and nothing of other accounts.
async fn deleting_an_account_removes_what_it_owns(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.invite("amina@ngo.example", "Sahel Relief").await;
    let flow = app.start_signup("amina@ngo.example", Some(&token)).await;
    let code = app.nth_mail("amina@ngo.example", 2).await.code();
    app.verify(&flow, &code).await;
    assert_eq!(app.complete(&flow, PASSPHRASE).await.status(), 201);
    app.signed_up("lee@ngo.example").await;
    let (_browser, session) = signed_in(&app, "amina@ngo.example").await;
    let (_lee, lee) = signed_in(&app, "lee@ngo.example").await;
    let id: String =
        sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'amina@ngo.example'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    app.exec(&format!(
        "INSERT INTO social_identities (issuer, subject, provider, account_id, email, created_at, last_used_at)
         VALUES ('https://id.example', 's-1', 'unicef', '{id}', 'amina@ngo.example', 1, 1)"
    ))
    .await;
    app.exec(&format!(
        "INSERT INTO access_tokens (token_hash, code_hash, client_id, account_id, scope, idp, expires_at)
         VALUES ('t', 'c', 'portal', '{id}', 'openid', 'local', 99999999999)"
    ))
    .await;
    let owned = |table: &str| format!("SELECT COUNT(*) FROM {table} WHERE account_id = '{id}'");
    for table in [
        "sessions",
        "memberships",
        "social_identities",
        "access_tokens",
    ] {
        assert_eq!(app.count(&owned(table)).await, 1, "{table} before");
    }

    let deleted = admin(&app, Method::DELETE, &format!("/admin/accounts/{id}")).await;
    assert_eq!(deleted.status(), 204);
    for table in [
        "sessions",
        "memberships",
        "social_identities",
        "access_tokens",
    ] {
        assert_eq!(app.count(&owned(table)).await, 0, "{table} after");
    }
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM accounts WHERE id = '{id}'"))
            .await,
        0
    );
    assert_eq!(session_status(&app, &session).await, 401);
    assert_eq!(session_status(&app, &lee).await, 200, "others untouched");
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
    let gone = admin(&app, Method::GET, "/admin/accounts/amina@ngo.example").await;
    assert_eq!(gone.status(), 404);
    let again = admin(&app, Method::DELETE, &format!("/admin/accounts/{id}")).await;
    assert_eq!(again.status(), 404);
    // The address can sign up afresh.
    let flow = app.start_signup("amina@ngo.example", None).await;
    let code = app.nth_mail("amina@ngo.example", 3).await.code();
    app.verify(&flow, &code).await;
    assert_eq!(app.complete(&flow, PASSPHRASE).await.status(), 201);
}

/// Pending invitations, a page at a time, of one address or all; a revoked invitation's link
/// no longer works; used ones are not pending.
async fn pending_invitations_are_listed_a_page_at_a_time_and_revoked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let first = app.invite("ines@ngo.example", "Sahel Relief").await;
    let second = app.invite("ines@ngo.example", "Delta Aid").await;
    let third = app.invite("omar@ngo.example", "Sahel Relief").await;
    let used = app.invite("lee@ngo.example", "Sahel Relief").await;
    let flow = app.start_signup("lee@ngo.example", Some(&used)).await;
    let code = app.nth_mail("lee@ngo.example", 2).await.code();
    app.verify(&flow, &code).await;
    assert_eq!(app.complete(&flow, PASSPHRASE).await.status(), 201);

    // The first of the address one minute older (the same second otherwise).
    app.exec("UPDATE invitations SET created_at = created_at - 60 WHERE organization = 'Sahel Relief' AND email = 'ines@ngo.example'")
        .await;
    let all = body(admin(&app, Method::GET, "/admin/invitations").await).await;
    let listed = all["invitations"].as_array().unwrap();
    assert_eq!(listed.len(), 3, "the used one is not pending: {all}");
    assert!(listed.iter().all(|i| i["email"] != "lee@ngo.example"));
    assert!(!all.to_string().contains(&first), "no token in the listing");
    // Pages of two: all three, each once.
    let page = body(admin(&app, Method::GET, "/admin/invitations?limit=2").await).await;
    assert_eq!(page["invitations"].as_array().unwrap().len(), 2);
    let after = page["next_after"].as_str().unwrap().to_owned();
    let rest = body(
        admin(
            &app,
            Method::GET,
            &format!("/admin/invitations?limit=2&after={after}"),
        )
        .await,
    )
    .await;
    assert_eq!(rest["invitations"].as_array().unwrap().len(), 1);
    assert!(rest.get("next_after").is_none());
    let mut ids: Vec<&str> = page["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["invitations"].as_array().unwrap())
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    let ines = body(
        admin(
            &app,
            Method::GET,
            "/admin/invitations?email=Ines@ngo.example",
        )
        .await,
    )
    .await;
    let ines = ines["invitations"].as_array().unwrap().clone();
    assert_eq!(ines.len(), 2);
    assert_eq!(ines[0]["organization"], "Sahel Relief", "oldest first");
    let bad = admin(&app, Method::GET, "/admin/invitations?email=not-an-address").await;
    assert_eq!(bad.status(), 422);

    // Revoke one by id: its link is gone, the other of the address stays.
    let id = ines[0]["id"].as_str().unwrap();
    let revoked = admin(&app, Method::DELETE, &format!("/admin/invitations/{id}")).await;
    assert_eq!(revoked.status(), 204);
    let link = app.get(&format!("/invitations/{first}")).await;
    assert_eq!(link.status(), 404);
    assert_eq!(problem(link).await["code"], "invitation_not_found");
    assert_eq!(
        app.get(&format!("/invitations/{second}")).await.status(),
        200
    );
    let again = admin(&app, Method::DELETE, &format!("/admin/invitations/{id}")).await;
    assert_eq!(again.status(), 404);
    // A sign-up with the revoked link is refused.
    let refused = app
        .post(
            "/signup",
            json!({"email": "ines@ngo.example", "invitation": first}),
        )
        .await;
    assert_eq!(problem(refused).await["code"], "invitation_not_found");
    // Revoke by address: every pending one of it.
    let by_email = admin(&app, Method::DELETE, "/admin/invitations/omar@ngo.example").await;
    assert_eq!(by_email.status(), 204);
    assert_eq!(
        app.get(&format!("/invitations/{third}")).await.status(),
        404
    );
    // A used invitation is not revoked (it is history, not pending).
    let used_id: String =
        sqlx::query_scalar("SELECT id FROM invitations WHERE email = 'lee@ngo.example'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    let not_pending = admin(
        &app,
        Method::DELETE,
        &format!("/admin/invitations/{used_id}"),
    )
    .await;
    assert_eq!(not_pending.status(), 404);
    let left = body(admin(&app, Method::GET, "/admin/invitations").await).await;
    assert_eq!(left["invitations"].as_array().unwrap().len(), 1);
}

/// Runs the server's binary against the app's database, as an operator would.
pub(crate) async fn cli(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_partner-login-server"))
        .args(args)
        .env_clear()
        .env("DATABASE_URL", &app.state.config.database_url)
        // The server starts only with mail somewhere (issue 19, defect 6): the test's relay.
        .env("SMTP_URL", app.mail.url())
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// The command line: `accounts list`, `show`, `disable`, `enable`, `end-sessions`, `unlink`,
/// `delete`, and `invitations list`, `revoke`, against the same database the server uses.
async fn the_command_line_administers_accounts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.invite("amina@ngo.example", "Sahel Relief").await;
    let flow = app.start_signup("amina@ngo.example", Some(&token)).await;
    let code = app.nth_mail("amina@ngo.example", 2).await.code();
    app.verify(&flow, &code).await;
    assert_eq!(app.complete(&flow, PASSPHRASE).await.status(), 201);
    let (_browser, session) = signed_in(&app, "amina@ngo.example").await;
    let pending = app.invite("ines@ngo.example", "Delta Aid").await;

    let (ok, out, err) = cli(&app, &["accounts", "list"]).await;
    assert!(ok, "{err}");
    let line = out.lines().next().unwrap();
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        line.starts_with("amina@ngo.example\tAmina D.\tcreated 20"),
        "{line}"
    );
    assert!(
        line.contains("\tenabled\t1 membership(s)\tsocial: -"),
        "{line}"
    );

    let (ok, out, err) = cli(&app, &["accounts", "show", "--email", "amina@ngo.example"]).await;
    assert!(ok, "{err}");
    for expected in [
        "email: amina@ngo.example",
        "display name: Amina D.",
        "status: enabled",
        "password: set",
        "sessions: 2",
        "organization: Sahel Relief",
    ] {
        assert!(out.lines().any(|l| l == expected), "{expected} in {out}");
    }
    assert!(!out.contains("argon2"), "no secret: {out}");

    let (ok, out, err) = cli(
        &app,
        &["accounts", "disable", "--email", "amina@ngo.example"],
    )
    .await;
    assert!(ok, "{err}");
    assert_eq!(
        out.trim(),
        "Account amina@ngo.example disabled; 2 session(s) ended."
    );
    assert_eq!(session_status(&app, &session).await, 401, "ended at once");
    let refused = app.sign_in("amina@ngo.example", PASSPHRASE).await;
    assert_eq!(problem(refused).await["code"], "account_disabled");
    let (_, out, _) = cli(&app, &["accounts", "list"]).await;
    assert!(out.contains("\tdisabled 20"), "{out}");

    let (ok, _, err) = cli(
        &app,
        &["accounts", "enable", "--email", "amina@ngo.example"],
    )
    .await;
    assert!(ok, "{err}");
    let (_two, second) = signed_in(&app, "amina@ngo.example").await;
    let (ok, out, err) = cli(
        &app,
        &["accounts", "end-sessions", "--email", "amina@ngo.example"],
    )
    .await;
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "1 session(s) of amina@ngo.example ended.");
    assert_eq!(session_status(&app, &second).await, 401);

    let (ok, out, err) = cli(&app, &["invitations", "list"]).await;
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
    let id = out.split('\t').next().unwrap().to_owned();
    assert!(out.contains("\tines@ngo.example\tDelta Aid\t"), "{out}");
    let (ok, out, err) = cli(&app, &["invitations", "revoke", "--id", &id]).await;
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "1 invitation(s) revoked.");
    assert_eq!(
        app.get(&format!("/invitations/{pending}")).await.status(),
        404
    );

    // Mistakes are said plainly, with a failing exit status.
    let (ok, _, err) = cli(&app, &["accounts", "show", "--email", "nobody@ngo.example"]).await;
    assert!(
        !ok && err.contains("nobody@ngo.example: not found"),
        "{err}"
    );
    let (ok, _, err) = cli(
        &app,
        &[
            "accounts",
            "unlink",
            "--email",
            "amina@ngo.example",
            "--provider",
            "unicef",
        ],
    )
    .await;
    assert!(!ok && err.contains("not found"), "{err}");
    let (ok, _, _) = cli(&app, &["accounts", "show"]).await;
    assert!(!ok, "an account must be named");

    let (ok, out, err) = cli(
        &app,
        &["accounts", "delete", "--email", "amina@ngo.example"],
    )
    .await;
    assert!(ok, "{err}");
    assert_eq!(
        out.trim(),
        "Account amina@ngo.example deleted; 0 session(s) ended."
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships").await, 0);
}
