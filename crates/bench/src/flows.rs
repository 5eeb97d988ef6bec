//! The user guide's requests, as the SPA sends them: sign-up (send code, verify, create), and
//! sign-in, each with the CSRF header.

use crate::load::{self, Stats, Until};
use partner_login_contract::api::{
    CompleteSignupRequest, EmailCodeFlowView, SignInRequest, StartEmailCodeRequest,
    VerifyCodeRequest, CSRF_HEADER, CSRF_HEADER_VALUE,
};
use partner_login_testkit::SmtpSink;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const PASSWORD: &str = "river mango lantern 42";

#[derive(Clone)]
pub struct Account {
    pub email: String,
}

fn post<T: serde::Serialize>(
    client: &reqwest::Client,
    url: String,
    body: &T,
) -> reqwest::RequestBuilder {
    client
        .post(url)
        .header(CSRF_HEADER, CSRF_HEADER_VALUE)
        .json(body)
}

fn start_signup(email: &str) -> StartEmailCodeRequest {
    StartEmailCodeRequest {
        email: email.to_owned(),
        invitation: None,
        language: None,
    }
}

/// Signs `n` people up through the whole flow (the code read from the SMTP sink).
pub async fn create_accounts(
    base: &str,
    sink: &SmtpSink,
    n: usize,
) -> Result<Vec<Account>, String> {
    let client = reqwest::Client::new();
    let run = base.rsplit(':').next().unwrap_or_default().to_owned();
    let mut accounts = Vec::new();
    for i in 0..n {
        let email = format!("member{i}.{run}@bench.example.org");
        let flow: EmailCodeFlowView =
            post(&client, format!("{base}/api/signup"), &start_signup(&email))
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .map_err(|e| format!("sign-up of {email}: {e}"))?
                .json()
                .await
                .map_err(|e| e.to_string())?;
        let code = sink.wait_for(&email, Duration::from_secs(30)).await.code();
        let verify = VerifyCodeRequest { code };
        post(
            &client,
            format!("{base}/api/signup/{}/verify", flow.flow_id),
            &verify,
        )
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| format!("verify of {email}: {e}"))?;
        let complete = CompleteSignupRequest {
            password: PASSWORD.into(),
            password_confirmation: PASSWORD.into(),
            display_name: format!("Member {i}"),
            given_name: "Member".into(),
            surname: format!("Number {i}"),
        };
        post(
            &client,
            format!("{base}/api/signup/{}/complete", flow.flow_id),
            &complete,
        )
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| format!("create of {email}: {e}"))?;
        accounts.push(Account { email });
    }
    Ok(accounts)
}

/// Sign-ins with the right password, round-robin over `accounts`, for `duration`.
pub async fn sign_ins(
    base: &str,
    accounts: &[Account],
    concurrency: usize,
    duration: Duration,
) -> Result<Stats, String> {
    let client = reqwest::Client::new();
    let url = format!("{base}/api/session");
    let accounts: Arc<[Account]> = accounts.into();
    let stats = load::run(concurrency, Until::Elapsed(duration), move |i| {
        let account = &accounts[i as usize % accounts.len()];
        let body = SignInRequest {
            email: account.email.clone(),
            password: PASSWORD.into(),
            invitation: None,
        };
        let request = post(&client, url.clone(), &body);
        Box::pin(async move { status(request).await })
    })
    .await;
    Ok(stats)
}

/// "Send verification code" for a new address each time, for `duration`; returns the flows
/// started, (email, flow id).
pub async fn send_codes(
    base: &str,
    concurrency: usize,
    duration: Duration,
) -> Result<(Stats, Vec<(String, String)>), String> {
    let client = reqwest::Client::new();
    let url = format!("{base}/api/signup");
    let run = base.rsplit(':').next().unwrap_or_default().to_owned();
    let started = Arc::new(Mutex::new(Vec::new()));
    let record = started.clone();
    let stats = load::run(concurrency, Until::Elapsed(duration), move |i| {
        let email = format!("new{i}.{run}@bench.example.org");
        let request = post(&client, url.clone(), &start_signup(&email));
        let record = record.clone();
        Box::pin(async move {
            let response = request.send().await.map_err(|e| e.to_string())?;
            let code = response.status().as_u16();
            if let Ok(flow) = response.json::<EmailCodeFlowView>().await {
                record
                    .lock()
                    .expect("not poisoned")
                    .push((email, flow.flow_id));
            }
            Ok(code)
        })
    })
    .await;
    let started = std::mem::take(&mut *started.lock().expect("not poisoned"));
    Ok((stats, started))
}

/// The code mailed for each flow, read from the SMTP sink: (flow id, code).
pub async fn codes_for(
    sink: &SmtpSink,
    flows: &[(String, String)],
) -> Result<Vec<(String, String)>, String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let mut by_address = HashMap::new();
        for message in sink.messages().await {
            for to in &message.to {
                by_address.insert(to.to_lowercase(), message.code());
            }
        }
        let codes: Vec<(String, String)> = flows
            .iter()
            .filter_map(|(email, flow)| {
                by_address
                    .get(&email.to_lowercase())
                    .map(|code| (flow.clone(), code.clone()))
            })
            .collect();
        if codes.len() == flows.len() {
            return Ok(codes);
        }
        if tokio::time::Instant::now() > deadline {
            return Err(format!(
                "{} of {} codes arrived at the SMTP sink",
                codes.len(),
                flows.len()
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// "Verify code" once for each flow, with its right code.
pub async fn verify_codes(
    base: &str,
    concurrency: usize,
    codes: Vec<(String, String)>,
) -> Result<Stats, String> {
    let client = reqwest::Client::new();
    let base = base.to_owned();
    let count = codes.len() as u64;
    let codes: Arc<[(String, String)]> = codes.into();
    let stats = load::run(concurrency, Until::Count(count), move |i| {
        let (flow, code) = &codes[i as usize];
        let body = VerifyCodeRequest { code: code.clone() };
        let request = post(&client, format!("{base}/api/signup/{flow}/verify"), &body);
        Box::pin(async move { status(request).await })
    })
    .await;
    Ok(stats)
}

async fn status(request: reqwest::RequestBuilder) -> load::Outcome {
    let response = request.send().await.map_err(|e| e.to_string())?;
    let code = response.status().as_u16();
    // Read the body so the connection goes back to the pool.
    let _ = response.bytes().await;
    Ok(code)
}
