//! Outgoing mail: SMTP through lettre, or the development outbox when no SMTP server is set.
//! Every message is multipart: plain text and HTML.

pub mod templates;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug, Serialize)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// Development only: messages kept in memory and shown at /dev/mailbox.
    Outbox(Arc<Mutex<Vec<Email>>>),
}

impl Mailer {
    pub fn new(smtp_url: Option<&str>, from: &str) -> anyhow::Result<Self> {
        match smtp_url {
            Some(url) => Ok(Mailer::Smtp {
                transport: transport(url)?,
                from: from.parse()?,
            }),
            None => Ok(Mailer::Outbox(Arc::default())),
        }
    }

    /// Sends a message. The recipient is logged, never the body (it may hold a code or a link).
    #[tracing::instrument(skip_all, fields(to = %email.to, subject_kind = kind))]
    pub async fn send(&self, kind: &'static str, email: Email) -> anyhow::Result<()> {
        match self {
            Mailer::Smtp { transport, from } => {
                let message = Message::builder()
                    .from(from.clone())
                    .to(email.to.parse()?)
                    .subject(email.subject)
                    .multipart(MultiPart::alternative_plain_html(email.text, email.html))?;
                transport.send(message).await?;
            }
            Mailer::Outbox(outbox) => {
                if let Ok(mut outbox) = outbox.lock() {
                    outbox.push(email);
                }
            }
        }
        tracing::info!("mail sent");
        Ok(())
    }

    pub fn outbox(&self) -> Option<Vec<Email>> {
        match self {
            Mailer::Outbox(outbox) => outbox.lock().ok().map(|o| o.clone()),
            Mailer::Smtp { .. } => None,
        }
    }
}

/// `smtp://host[:port]`: a relay reached without TLS (a local MTA or a sink); TLS relays are
/// not supported yet.
fn transport(url: &str) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let rest = url
        .strip_prefix("smtp://")
        .ok_or_else(|| anyhow::anyhow!("SMTP_URL must start with smtp://"))?
        .trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (host, port.parse()?),
        None => (rest, 25),
    };
    Ok(
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .build(),
    )
}
