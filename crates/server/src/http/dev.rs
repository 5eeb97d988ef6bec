//! The development outbox: mail that would have been sent, for a machine with no SMTP server.
//! Mounted only when asked for (`DEV_MAILBOX=true`, and no SMTP_URL); a production
//! configuration never exposes it.

use crate::state::AppState;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dev/mailbox", get(mailbox))
        .route("/dev/mailbox.json", get(mailbox_json))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

async fn mailbox(State(state): State<AppState>) -> Html<String> {
    let mut body = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Development mailbox</title></head><body><h1>Development mailbox</h1>",
    );
    let mail = state.mailer.outbox().await.unwrap_or_default();
    if mail.is_empty() {
        body.push_str("<p>No mail yet.</p>");
    }
    for m in &mail {
        body.push_str(&format!(
            "<article><h2>{}</h2><p>To: {}</p><pre>{}</pre></article><hr>",
            escape(&m.subject),
            escape(&m.to),
            escape(&m.text)
        ));
    }
    body.push_str("</body></html>");
    Html(body)
}

async fn mailbox_json(State(state): State<AppState>) -> Json<Vec<crate::mail::Email>> {
    Json(state.mailer.outbox().await.unwrap_or_default())
}
