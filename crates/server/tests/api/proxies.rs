//! Behind a reverse proxy (issue 19, defect 3; OWASP ASVS 5.0 V2.4.1: anti-automation counts
//! per real client): a real nginx balancing two instances of the server on one PostgreSQL
//! database, as operators outgrow one machine. A session made through one instance is honoured
//! by the other; the per-email lockout and the per-client caps (failed sign-ins, code sends)
//! count across both; two clients behind the proxy are two clients (`TRUSTED_PROXIES`,
//! `X-Forwarded-For` read from the right); a client's own `X-Forwarded-For` does not let it
//! escape its cap; and without a trusted proxy, `X-Forwarded-For` is ignored.
//!
//! The clients are told apart by their source address on loopback (127.0.0.2, 127.0.0.3, …):
//! nginx appends it to `X-Forwarded-For`, and the instances see nginx's own 127.0.0.1 as peer.

use crate::helpers::{problem, session_cookie, session_status, Backend, TestApp, PASSPHRASE};
use crate::on_both_databases;
use partner_login_contract::api::{CSRF_HEADER, CSRF_HEADER_VALUE};
use partner_login_testkit::Nginx;
use reqwest::{Client, Response};
use serde_json::json;
use std::collections::BTreeSet;
use std::net::IpAddr;

/// A browser whose connections leave from `address` (a loopback address of its own).
fn browser_from(address: &str) -> Client {
    Client::builder()
        .cookie_store(true)
        .local_address(address.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

async fn sign_in(browser: &Client, base: &str, email: &str, password: &str) -> Response {
    browser
        .post(format!("{base}/api/session"))
        .header(CSRF_HEADER, CSRF_HEADER_VALUE)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn refused_code(response: Response) -> String {
    assert_eq!(response.status(), 429);
    problem(response).await["code"].as_str().unwrap().to_owned()
}

/// The upstreams that answered the requests nginx logged from `first` on, checking they are
/// both instances.
fn both_served(nginx: &Nginx, first: usize, instances: &BTreeSet<String>, what: &str) {
    let served: BTreeSet<String> = nginx.forwarded()[first..]
        .iter()
        .map(|f| f.upstream.clone())
        .collect();
    assert_eq!(&served, instances, "{what}: both instances answered");
}

/// Events counted against nginx itself or against an address a client wrote.
const AGAINST_PROXY_OR_SPOOFED: &str =
    "SELECT COUNT(*) FROM rate_events WHERE subject IN ('127.0.0.1', '9.9.9.9')";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_behind_nginx_are_one_service_and_tell_clients_apart() {
    let (first, second) = TestApp::spawn_pair(|config| {
        config.trusted_proxies = "127.0.0.1".parse().unwrap();
        config.sign_in_failures_per_client_hour = 4;
        config.code_sends_per_client_hour = 2;
    })
    .await;
    let upstreams = [
        first.state.config.listen_addr,
        second.state.config.listen_addr,
    ];
    let instances: BTreeSet<String> = upstreams.iter().map(ToString::to_string).collect();
    let nginx = tokio::task::spawn_blocking(move || Nginx::start(&upstreams))
        .await
        .unwrap();
    let proxy = nginx.url();
    let email = "amina.diallo@example.org";
    first.signed_up(email).await;
    // The sign-up's code send and check, from this process straight to the instance.
    let counted_directly = first.count(AGAINST_PROXY_OR_SPOOFED).await;

    // (a) A session made through one instance is honoured by the other.
    let amina = browser_from("127.0.0.2");
    let signed_in = sign_in(&amina, &proxy, email, PASSPHRASE).await;
    assert_eq!(signed_in.status(), 200);
    let session = session_cookie(&signed_in).expect("a session");
    for _ in 0..4 {
        let status = amina
            .get(format!("{proxy}/api/session"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200, "every instance sees the session");
    }
    both_served(&nginx, 0, &instances, "sign-in and session reads");
    assert_eq!(session_status(&first, &session).await, 200, "directly");
    assert_eq!(session_status(&second, &session).await, 200, "directly");

    // (b) The per-client cap counts across both instances: 4 failures, then 429.
    let attacker = browser_from("127.0.0.2");
    let before = nginx.forwarded().len();
    for i in 0..4 {
        let failed = sign_in(
            &attacker,
            &proxy,
            &format!("guess{i}@example.org"),
            "wrong 1",
        )
        .await;
        assert_eq!(failed.status(), 401, "failure {}", i + 1);
    }
    both_served(&nginx, before, &instances, "the four failures");
    for _ in 0..2 {
        let capped = sign_in(&attacker, &proxy, "guess9@example.org", "wrong 1").await;
        assert_eq!(
            refused_code(capped).await,
            "rate_limited",
            "the cap, on either"
        );
    }

    // (d) Its own X-Forwarded-For does not get it out: nginx appends its real address.
    for spoofed in ["9.9.9.9", "127.0.0.3", "127.0.0.1"] {
        let capped = attacker
            .post(format!("{proxy}/api/session"))
            .header(CSRF_HEADER, CSRF_HEADER_VALUE)
            .header("x-forwarded-for", spoofed)
            .json(&json!({"email": "guess9@example.org", "password": "wrong 1"}))
            .send()
            .await
            .unwrap();
        assert_eq!(refused_code(capped).await, "rate_limited", "{spoofed}");
    }

    // (c) Another client behind the same proxy still signs in (before TRUSTED_PROXIES, every
    // client behind the proxy was 127.0.0.1, and this was refused).
    let colleague = browser_from("127.0.0.3");
    assert_eq!(
        sign_in(&colleague, &proxy, email, PASSPHRASE)
            .await
            .status(),
        200
    );
    assert_eq!(
        first.count(AGAINST_PROXY_OR_SPOOFED).await,
        counted_directly,
        "nothing is counted against the proxy or a spoofed address"
    );

    // (b) The per-email lockout counts across both instances (and across clients): the tenth
    // failure, from three clients in turn, each under its own cap, locks the address.
    let before = nginx.forwarded().len();
    let mut failure = 0;
    for (from, failures) in [("127.0.0.4", 4), ("127.0.0.5", 4), ("127.0.0.6", 1)] {
        let guesser = browser_from(from);
        for _ in 0..failures {
            failure += 1;
            let failed = sign_in(&guesser, &proxy, email, &format!("wrong guess {failure}")).await;
            assert_eq!(failed.status(), 401, "failure {failure}");
        }
    }
    let tenth = sign_in(&browser_from("127.0.0.6"), &proxy, email, "wrong guess 10").await;
    assert_eq!(refused_code(tenth).await, "account_locked");
    both_served(&nginx, before, &instances, "the ten failures");
    for _ in 0..2 {
        let locked = sign_in(&browser_from("127.0.0.7"), &proxy, email, PASSPHRASE).await;
        assert_eq!(
            refused_code(locked).await,
            "account_locked",
            "on either instance"
        );
    }
    // Another cap, the code sends, counts across both instances too, per client.
    let before = nginx.forwarded().len();
    let start_signup = |from: &'static str, email: &'static str| {
        let url = format!("{proxy}/api/signup");
        async move {
            browser_from(from)
                .post(url)
                .header(CSRF_HEADER, CSRF_HEADER_VALUE)
                .json(&json!({"email": email, "invitation": null}))
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        start_signup("127.0.0.8", "new.one@example.org")
            .await
            .status(),
        201
    );
    assert_eq!(
        start_signup("127.0.0.8", "new.two@example.org")
            .await
            .status(),
        201
    );
    both_served(&nginx, before, &instances, "the two code sends");
    for _ in 0..2 {
        let capped = start_signup("127.0.0.8", "new.three@example.org").await;
        assert_eq!(
            refused_code(capped).await,
            "rate_limited",
            "on either instance"
        );
    }
    assert_eq!(
        start_signup("127.0.0.9", "new.three@example.org")
            .await
            .status(),
        201
    );

    let clients: BTreeSet<String> = nginx.forwarded().iter().map(|f| f.client.clone()).collect();
    assert!(
        clients.contains("127.0.0.7"),
        "the clients reached nginx from their own address"
    );
}

on_both_databases!(forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy);

/// Without `TRUSTED_PROXIES`, or from a peer outside it, `X-Forwarded-For` is whatever the
/// client wrote: it is ignored, and the peer is the client.
async fn forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(backend: Backend) {
    for trusted in ["", "10.0.0.0/8"] {
        let app = TestApp::spawn_with(backend, |config| {
            config.trusted_proxies = trusted.parse().unwrap();
            config.sign_in_failures_per_client_hour = 2;
        })
        .await;
        let attempt = |from: &'static str, forwarded_for: &'static str| {
            let url = app.api("/session");
            async move {
                browser_from(from)
                    .post(url)
                    .header(CSRF_HEADER, CSRF_HEADER_VALUE)
                    .header("x-forwarded-for", forwarded_for)
                    .json(&json!({"email": "someone@example.org", "password": "wrong 1"}))
                    .send()
                    .await
                    .unwrap()
            }
        };
        // A new spoofed address each time: still one client.
        assert_eq!(attempt("127.0.0.2", "9.9.9.1").await.status(), 401);
        assert_eq!(attempt("127.0.0.2", "9.9.9.2").await.status(), 401);
        let capped = attempt("127.0.0.2", "9.9.9.3").await;
        assert_eq!(refused_code(capped).await, "rate_limited", "{trusted:?}");
        // Another peer naming the capped one is not capped.
        assert_eq!(attempt("127.0.0.3", "127.0.0.2").await.status(), 401);
        let spoofed = app
            .count("SELECT COUNT(*) FROM rate_events WHERE subject LIKE '9.9.9.%'")
            .await;
        assert_eq!(spoofed, 0, "{trusted:?}");
    }
}
