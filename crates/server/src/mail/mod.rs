//! Outgoing mail: SMTP through lettre, or the development outbox when no SMTP server is set.
//! Every message is multipart: plain text and HTML.

pub mod templates;

use crate::storage::Db;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;
use sqlx::Row;

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
    /// Development only: messages kept in the database and shown at /dev/mailbox.
    Outbox(Db),
}

impl Mailer {
    pub fn new(smtp_url: Option<&str>, from: &str, db: &Db) -> anyhow::Result<Self> {
        match smtp_url {
            Some(url) => Ok(Mailer::Smtp {
                transport: transport(url)?,
                from: from.parse()?,
            }),
            None => Ok(Mailer::Outbox(db.clone())),
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
            Mailer::Outbox(db) => {
                sqlx::query(
                    "INSERT INTO dev_outbox (id, sent_at, recipient, subject, text_body, html_body)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(crate::domain::secrets::new_token())
                .bind(crate::storage::now())
                .bind(&email.to)
                .bind(&email.subject)
                .bind(&email.text)
                .bind(&email.html)
                .execute(db)
                .await?;
            }
        }
        tracing::info!("mail sent");
        Ok(())
    }

    /// The development outbox, newest first (empty with SMTP).
    pub async fn outbox(&self) -> anyhow::Result<Vec<Email>> {
        let Mailer::Outbox(db) = self else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "SELECT recipient, subject, text_body, html_body FROM dev_outbox ORDER BY sent_at DESC, id",
        )
        .fetch_all(db)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Email {
                    to: r.try_get("recipient")?,
                    subject: r.try_get("subject")?,
                    text: r.try_get("text_body")?,
                    html: r.try_get("html_body")?,
                })
            })
            .collect()
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
