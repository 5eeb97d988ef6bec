//! Real mail: the server's messages through a real relay (aiosmtpd) that requires TLS (STARTTLS
//! or implicit) and AUTH, with a wrong password, and while the relay is down; the queue that
//! keeps a sign-up from waiting for the relay (issue 19, "Real mail").

use crate::helpers::{Backend, TestApp, PASSPHRASE, WAIT};
use crate::on_both_databases;
use partner_login_testkit::{
    free_port, RelayCertificates, RelayTls, TlsRelay, RELAY_PASSWORD, RELAY_USER,
};
use std::time::Duration;

on_both_databases!(a_reset_tells_the_owner_in_their_language);

/// The app sending to `url`, trusting the relay's throwaway CA (SQLite: the relay is what
/// these tests are about; the queue's SQL runs on both databases in every other mail test).
async fn app_sending_to(url: String, certificates: &RelayCertificates) -> TestApp {
    let ca = certificates.ca_file();
    TestApp::spawn_with(Backend::Sqlite, move |c| {
        c.smtp_url = Some(url.into());
        c.smtp_ca_file = Some(ca);
    })
    .await
}

/// Waits until the integer `sql` returns is at least `n`.
async fn wait_until_at_least(app: &TestApp, sql: &str, n: i64) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let value = app.count(sql).await;
        if value >= n {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{sql}: {n} within {WAIT:?} (got {value})"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the queue's message was tried at least `n` times.
async fn wait_for_attempts(app: &TestApp, n: i64) {
    wait_until_at_least(app, "SELECT COALESCE(MAX(attempts), 0) FROM mail_queue", n).await;
}

/// ASVS 5.0 V12.3.1: STARTTLS (required by the relay before AUTH and mail) with AUTH, the
/// relay's certificate checked against SMTP_CA_FILE.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_up_code_goes_out_over_starttls_with_auth() {
    let certificates = RelayCertificates::new().await;
    let relay = TlsRelay::start(RelayTls::StartTls, &certificates, free_port()).await;
    let app = app_sending_to(relay.url(RELAY_USER, RELAY_PASSWORD), &certificates).await;
    app.start_signup("tls@example.org", None).await;
    let mail = relay.wait_for("tls@example.org", WAIT).await;
    assert_eq!(mail.code().len(), 6);
    assert_eq!(
        relay.wait_for_refused_logins(0, WAIT).await,
        (1, 0),
        "one login"
    );
    // A sent message (and its code) leaves the database.
    wait_until_at_least(
        &app,
        "SELECT CASE WHEN COUNT(*) = 0 THEN 1 ELSE 0 END FROM mail_queue",
        1,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtps_sends_over_implicit_tls_with_auth() {
    let certificates = RelayCertificates::new().await;
    let relay = TlsRelay::start(RelayTls::Implicit, &certificates, free_port()).await;
    let app = app_sending_to(relay.url(RELAY_USER, RELAY_PASSWORD), &certificates).await;
    app.start_signup("smtps@example.org", None).await;
    let mail = relay.wait_for("smtps@example.org", WAIT).await;
    assert_eq!(mail.code().len(), 6);

    // ASVS 5.0 V12.3.1: a server whose URL would send the password in plain text does not
    // start, and says why without the password.
    let mut config = (*app.state.config).clone();
    config.smtp_url = Some("smtp://mailer:s3cret@mail.example.org:25?tls=none".into());
    let refused = partner_login_server::state(config)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        refused.contains("never sent over unencrypted SMTP"),
        "{refused}"
    );
    assert!(!refused.contains("s3cret"), "{refused}");
}

/// Without SMTP_CA_FILE the throwaway CA is not trusted: nothing is sent (never a certificate
/// accepted unchecked, ASVS 5.0 V12.3.2), and the message waits in the queue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_sends_nothing() {
    let certificates = RelayCertificates::new().await;
    let relay = TlsRelay::start(RelayTls::Implicit, &certificates, free_port()).await;
    let url = relay.url(RELAY_USER, RELAY_PASSWORD);
    let app = TestApp::spawn_with(Backend::Sqlite, move |c| {
        c.smtp_url = Some(url.into());
    })
    .await;
    app.start_signup("untrusted@example.org", None).await;
    wait_for_attempts(&app, 1).await;
    assert!(relay.messages().await.is_empty());
    assert_eq!(app.count("SELECT COUNT(*) FROM mail_queue").await, 1);
}

/// A wrong password: the sign-up is answered (the message is queued), the relay refuses the
/// login and the message is retried, not lost; an instance with the right password on the same
/// database then sends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_retried_until_the_relay_takes_the_mail() {
    let certificates = RelayCertificates::new().await;
    let relay = TlsRelay::start(RelayTls::StartTls, &certificates, free_port()).await;
    let app = app_sending_to(relay.url(RELAY_USER, "wrong password"), &certificates).await;
    app.start_signup("wrong@example.org", None).await;
    let (accepted, refused) = relay.wait_for_refused_logins(2, WAIT).await;
    assert_eq!(accepted, 0);
    assert!(refused >= 2, "retried");
    assert!(relay.messages().await.is_empty(), "nothing delivered");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mail_queue WHERE attempts >= 2")
            .await,
        1,
        "still queued"
    );

    // The operator fixes the password: a second instance on the same database sends it.
    let database_url = app.state.config.database_url.clone();
    let ca = certificates.ca_file();
    let url = relay.url(RELAY_USER, RELAY_PASSWORD);
    // The first instance stops (its attempt in hand, if any, ends with the message released),
    // and the message is made due at once rather than after its doubling delay.
    app.state.mailer.stop_worker();
    wait_until_at_least(
        &app,
        "SELECT CASE WHEN MAX(claimed_until) = 0 THEN 1 ELSE 0 END FROM mail_queue",
        1,
    )
    .await;
    app.exec("UPDATE mail_queue SET next_attempt_at = 0").await;
    let _fixed = TestApp::spawn_with(Backend::Sqlite, move |c| {
        c.database_url = database_url;
        c.smtp_url = Some(url.into());
        c.smtp_ca_file = Some(ca);
    })
    .await;
    let mail = relay.wait_for("wrong@example.org", WAIT).await;
    assert_eq!(mail.code().len(), 6);
}

/// The relay is down: the sign-up is answered at once all the same (its mail is queued, not
/// sent on the request path), and the mail arrives once the relay is up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_that_is_down_holds_no_request_and_gets_the_mail_when_up() {
    let certificates = RelayCertificates::new().await;
    let port = free_port();
    let url = TlsRelay::url_for(RelayTls::StartTls, port, RELAY_USER, RELAY_PASSWORD);
    let app = app_sending_to(url, &certificates).await;
    // Answered while nothing listens on the relay's port.
    let flow = app.start_signup("down@example.org", None).await;
    assert!(!flow.is_empty());
    wait_for_attempts(&app, 1).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM mail_queue").await, 1);

    let relay = TlsRelay::start(RelayTls::StartTls, &certificates, port).await;
    let mail = relay.wait_for("down@example.org", WAIT).await;
    let code = mail.code();
    let verified = app.verify(&flow, &code).await;
    assert_eq!(
        verified.status(),
        200,
        "the retried mail holds the flow's code"
    );
}

/// Signs `email` up with the screens in `language` (the account's language), then signs out.
pub async fn signed_up_in(app: &TestApp, email: &str, language: &str) {
    let response = app
        .post(
            "/signup",
            serde_json::json!({"email": email, "invitation": null, "language": language}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body: serde_json::Value = response.json().await.unwrap();
    let flow = body["flow_id"].as_str().unwrap().to_owned();
    let code = app.nth_mail(email, 1).await.code();
    assert_eq!(app.verify(&flow, &code).await.status(), 200);
    assert_eq!(app.complete(&flow, PASSPHRASE).await.status(), 201);
    assert_eq!(app.delete("/session").await.status(), 204);
}

/// No run of six digits (no code) in a notice.
fn holds_no_code(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 6 {
            return false;
        }
    }
    true
}

/// ASVS 5.0 V6.3.7, NIST SP 800-63B-4 §4.2.3: a reset is followed by a notice to the owner, in
/// the account's language, saying when, and what to do if it was not them; no secret in it.
async fn a_reset_tells_the_owner_in_their_language(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = "celine@ngo.example";
    signed_up_in(&app, email, "fr").await;
    let (flow, code) = app.verified_reset(email, 2).await;
    let response = app
        .post(
            &format!("/password-reset/{flow}/complete"),
            serde_json::json!({"password": "copper heron valley 77",
                "password_confirmation": "copper heron valley 77"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let notice = app.nth_mail(email, 3).await;
    assert_eq!(
        notice.subject,
        "Le mot de passe de votre compte du Portail des partenaires des Nations Unies a été modifié"
    );
    assert!(
        notice
            .text
            .contains("(celine@ngo.example) a été modifié le 20"),
        "{}",
        notice.text
    );
    assert!(notice.text.contains(" UTC"), "when");
    assert!(notice.text.contains("Si ce n'était pas vous"), "what to do");
    assert!(
        notice.text.contains(&format!("{}/", app.url)),
        "the sign-in page"
    );
    assert!(!notice.raw.contains(&code), "not the reset code");
    assert!(
        holds_no_code(&notice.text) && !notice.text.contains('#'),
        "no secret"
    );
}

/// Two instances on one PostgreSQL database share the queue: their workers, both woken, claim
/// the same due messages concurrently, and each message is sent exactly once (the claim is one
/// atomic UPDATE, `storage/mail_queue.rs::claim`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgresql_send_each_message_once() {
    let first = TestApp::spawn(Backend::Postgres).await;
    let database_url = first.state.config.database_url.clone();
    let second = TestApp::spawn_with(Backend::Sqlite, move |c| c.database_url = database_url).await;
    let mail = |n: usize| partner_login_server::mail::Email {
        to: format!("shared{n}@example.org"),
        subject: format!("message {n}"),
        text: format!("body {n}"),
        html: format!("<p>body {n}</p>"),
    };
    let per_instance = 20;
    let mut sends = Vec::new();
    for n in 0..per_instance * 2 {
        let mailer = if n % 2 == 0 {
            first.state.mailer.clone()
        } else {
            second.state.mailer.clone()
        };
        let email = mail(n);
        sends.push(tokio::spawn(
            async move { mailer.send("test", email).await },
        ));
    }
    for send in sends {
        send.await.unwrap().unwrap();
    }
    // Every message arrives at one of the two relays…
    for n in 0..per_instance * 2 {
        let to = format!("shared{n}@example.org");
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let arrived = first.mail.messages().await.len() + second.mail.messages().await.len();
            let here = first
                .mail
                .messages()
                .await
                .iter()
                .chain(&second.mail.messages().await)
                .any(|m| m.to.contains(&to));
            if here {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{to} arrived ({arrived} in all)"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    // …and, once a last message through each instance has arrived after them (each worker
    // sends one message at a time), none arrived twice.
    first.state.mailer.send("test", mail(100)).await.unwrap();
    second.state.mailer.send("test", mail(101)).await.unwrap();
    for n in [100, 101] {
        let to = format!("shared{n}@example.org");
        let deadline = tokio::time::Instant::now() + WAIT;
        while !first
            .mail
            .messages()
            .await
            .iter()
            .chain(&second.mail.messages().await)
            .any(|m| m.to.contains(&to))
        {
            assert!(tokio::time::Instant::now() < deadline, "{to} arrived");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let mut recipients: Vec<String> = first
        .mail
        .messages()
        .await
        .into_iter()
        .chain(second.mail.messages().await)
        .flat_map(|m| m.to)
        .collect();
    let total = recipients.len();
    recipients.sort();
    recipients.dedup();
    assert_eq!(total, per_instance * 2 + 2, "each message sent once");
    assert_eq!(recipients.len(), total);
    assert_eq!(first.count("SELECT COUNT(*) FROM mail_queue").await, 0);
}

/// Nothing was ever queued: nothing in the queue and nothing at the sink. (A queued message is
/// in the queue until after the sink has it, so an empty queue and an empty sink at one moment
/// mean nothing was queued, not "not yet".)
pub async fn nothing_mailed(app: &TestApp) -> bool {
    app.count("SELECT COUNT(*) FROM mail_queue").await == 0 && app.mail.messages().await.is_empty()
}
