//! Social sign-in (issue 5) in headless Chromium against a real OpenID provider on loopback
//! (panva's oidc-provider, started by the testkit): the four buttons of the seed, an invited
//! colleague signing in with one of them, a cancelled sign-in, and a stranger.

use partner_login_e2e::flows::sign_in_at_the_provider;
use partner_login_e2e::{mail::Mailbox, Browser, TestServer};
use partner_login_testkit::{OidcClient, OidcProvider};

/// The seed's four providers, in its order, with its labels.
const SEED: [(&str, &str); 4] = [
    ("unicef", "UNICEF Employee"),
    ("unhcr", "UNHCR Employee"),
    ("wfp", "WFP Employee"),
    ("google", "Google"),
];

/// A server whose four social buttons all lead to one real provider (four clients, one per
/// button, as an operator registers one application per identity provider).
struct Social {
    server: TestServer,
    _provider: OidcProvider,
}

fn start(smtp: &str) -> Social {
    let port = partner_login_e2e::free_port();
    let server_url = format!("http://127.0.0.1:{port}");
    let clients: Vec<OidcClient> = SEED
        .iter()
        .map(|(id, _)| OidcClient {
            client_id: format!("partner-login-{id}"),
            client_secret: format!("{id}-client-secret-for-tests"),
            redirect_uri: format!("{server_url}/api/social/{id}/callback"),
        })
        .collect();
    let provider = OidcProvider::start(&clients, serde_json::json!({}));
    let mut env: Vec<(String, String)> = vec![(
        "OIDC_PROVIDERS".to_owned(),
        SEED.map(|(id, _)| id).join(","),
    )];
    for client in &clients {
        let id = client
            .client_id
            .trim_start_matches("partner-login-")
            .to_uppercase();
        env.push((format!("OIDC_{id}_ISSUER"), provider.issuer.clone()));
        env.push((format!("OIDC_{id}_CLIENT_ID"), client.client_id.clone()));
        env.push((
            format!("OIDC_{id}_CLIENT_SECRET"),
            client.client_secret.clone(),
        ));
    }
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let server = TestServer::start_on(port, Some(smtp), &env);
    Social {
        server,
        _provider: provider,
    }
}

#[tokio::test]
async fn an_invited_colleague_signs_in_with_unicef_and_lands_on_the_portal() {
    let mailbox = Mailbox::start().await;
    let social = start(&mailbox.url());
    let browser = Browser::start().await;
    let email = "abena.owusu@unicef.example";
    let link = social
        .server
        .invite(email, "Northern Water Alliance", Some("Kwame Asare"))
        .await;
    let _invitation = mailbox.next_to(email).await;

    browser.goto(&link).await;
    browser.wait_text("Northern Water Alliance").await;
    browser.click_button("Sign in").await;
    browser.wait_text("Sign in with your social account").await;
    // The seed's four buttons, in its order, with "OR" before the account form.
    let expected = SEED.map(|(_, label)| label.to_owned());
    browser
        .wait_until(
            || async {
                let buttons = browser
                    .client
                    .find_all(fantoccini::Locator::Css("section.social button.provider"))
                    .await
                    .map_err(|e| e.to_string())?;
                let mut labels = Vec::new();
                for button in buttons {
                    labels.push(button.text().await.map_err(|e| e.to_string())?);
                }
                if labels == expected {
                    Ok(())
                } else {
                    Err(format!("{labels:?}"))
                }
            },
            &format!("the provider buttons {expected:?}"),
        )
        .await;
    browser.wait_text("OR").await;

    browser.click_button("UNICEF Employee").await;
    // The provider's sign-in page, with the invited address already filled in (login_hint).
    let login = browser.wait_xpath("//input[@name='login']").await;
    browser
        .wait_until(
            || async {
                match login.prop("value").await {
                    Ok(Some(value)) if value == email => Ok(()),
                    seen => Err(format!("{seen:?}")),
                }
            },
            "the invited address offered to the provider",
        )
        .await;
    sign_in_at_the_provider(&browser, email).await;

    // Back signed in on the portal, the invitation accepted.
    browser.wait_path("/portal").await;
    browser
        .wait_text_in("organization", "Northern Water Alliance")
        .await;

    // The session is real: a reload keeps the colleague signed in.
    browser.client.refresh().await.expect("reload");
    browser.wait_path("/portal").await;
    browser.wait_xpath("//*[@id='organization']").await;
    browser.close().await;
}

#[tokio::test]
async fn a_cancelled_sign_in_comes_back_with_the_message_and_the_typed_address() {
    let mailbox = Mailbox::start().await;
    let social = start(&mailbox.url());
    let browser = Browser::start().await;
    browser.goto(&social.server.url).await;
    browser
        .fill("Email Address", "kojo.mensah@ngo.example")
        .await;
    browser.click_button("Google").await;
    browser.wait_xpath("//input[@name='login']").await;
    browser.click_button("[ Cancel ]").await;

    browser
        .wait_text("Sign-in was cancelled. Choose an option to try again.")
        .await;
    browser.wait_path("/").await;
    // The error code is taken out of the address bar.
    browser.wait_no_query().await;
    // What the user typed survives the trip to the provider.
    browser
        .wait_value("Email Address", "kojo.mensah@ngo.example")
        .await;
    // The message is where a screen reader user lands.
    browser.wait_focus("social-error").await;
    browser.close().await;
}

#[tokio::test]
async fn a_stranger_is_told_an_invitation_is_needed() {
    let mailbox = Mailbox::start().await;
    let social = start(&mailbox.url());
    let browser = Browser::start().await;
    browser.goto(&social.server.url).await;
    browser.click_button("WFP Employee").await;
    sign_in_at_the_provider(&browser, "stranger@elsewhere.example").await;

    browser.wait_path("/social/invitation-needed").await;
    browser
        .wait_text("This email address has not been invited")
        .await;
    browser.wait_text("stranger@elsewhere.example").await;
    // No session was opened: the portal sends the stranger to sign in.
    browser.click_button("Back to sign in").await;
    browser
        .wait_text("Sign in with your existing account")
        .await;
    browser.goto(&format!("{}/portal", social.server.url)).await;
    browser
        .wait_text("Sign in with your existing account")
        .await;
    browser.close().await;
}
