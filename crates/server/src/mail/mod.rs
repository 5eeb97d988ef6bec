//! Outgoing mail: to the SMTP relay of `SMTP_URL` through the queue (`queue`), or to the
//! development outbox when `DEV_MAILBOX=true`. Every message is multipart: plain text and HTML.
//!
//! A request never waits for the relay: [`Mailer::send`] stores the message in the queue and
//! wakes the worker, which sends it, retries it with a doubling delay while the relay is slow,
//! down or refusing, and deletes it once sent (its body may hold a code).

pub mod queue;
pub mod smtp;
pub mod templates;

use crate::config::Config;
use crate::storage::Db;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;
use sqlx::Row;
use std::sync::Arc;
use tokio::sync::Notify;

#[derive(Clone, Debug, Serialize)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Where messages go; cheap to clone (one shared state).
#[derive(Clone)]
pub struct Mailer(Arc<Inner>);

struct Inner {
    delivery: Delivery,
    db: Db,
    /// Wakes the queue's worker when a message is queued.
    wake: Notify,
    /// Seconds before the first retry (`MAIL_RETRY_SECONDS`).
    retry_seconds: u64,
    /// Set when the server stops: the worker claims nothing more.
    stopped: std::sync::atomic::AtomicBool,
}

enum Delivery {
    Smtp {
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
    },
    /// Development only: messages kept in the database and shown at /dev/mailbox.
    Outbox,
}

impl Mailer {
    /// The relay of `SMTP_URL` (checked here: a bad URL, a password over plain SMTP or an
    /// unreadable `SMTP_CA_FILE` stop the start), or the development outbox.
    pub fn new(config: &Config, db: &Db) -> anyhow::Result<Self> {
        let delivery = match &config.smtp_url {
            Some(url) => {
                let relay = smtp::Relay::parse(url)?;
                tracing::info!(host = %relay.host, port = relay.port, security = ?relay.security,
                    auth = relay.credentials.is_some(), "mail relay");
                Delivery::Smtp {
                    transport: Box::new(relay.transport(config.smtp_ca_file.as_deref())?),
                    from: config.mail_from.parse()?,
                }
            }
            None => Delivery::Outbox,
        };
        Ok(Self(Arc::new(Inner {
            delivery,
            db: db.clone(),
            wake: Notify::new(),
            retry_seconds: config.mail_retry_seconds.max(1),
            stopped: std::sync::atomic::AtomicBool::new(false),
        })))
    }

    /// Sends a message: queues it for the relay and returns (or keeps it in the outbox). The
    /// recipient is logged, never the body (it may hold a code or a link).
    #[tracing::instrument(skip_all, fields(to = %email.to, subject_kind = kind))]
    pub async fn send(&self, kind: &'static str, email: Email) -> anyhow::Result<()> {
        match &self.0.delivery {
            Delivery::Smtp { .. } => {
                queue::enqueue(self, kind, &email).await?;
                tracing::info!("mail queued");
            }
            Delivery::Outbox => {
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
                .execute(&self.0.db)
                .await?;
                tracing::info!("mail kept in the development outbox");
            }
        }
        Ok(())
    }

    /// Hands a message to the relay now (the queue's worker calls it).
    async fn deliver(&self, email: &Email) -> anyhow::Result<()> {
        let Delivery::Smtp { transport, from } = &self.0.delivery else {
            anyhow::bail!("no relay");
        };
        let message = Message::builder()
            .from(from.clone())
            .to(email.to.parse()?)
            .subject(email.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))?;
        transport.send(message).await?;
        Ok(())
    }

    /// Stops the queue's worker (at shutdown): it finishes the message in hand and claims no
    /// other; what is left stays queued for the next start or another instance.
    pub fn stop_worker(&self) {
        self.0
            .stopped
            .store(true, std::sync::atomic::Ordering::SeqCst);
        // Every sender, waiting or about to wait.
        self.0.wake.notify_waiters();
        self.0.wake.notify_one();
    }

    fn is_stopped(&self) -> bool {
        self.0.stopped.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// True when mail goes to a relay (and so through the queue).
    pub fn is_smtp(&self) -> bool {
        matches!(self.0.delivery, Delivery::Smtp { .. })
    }

    /// The development outbox, newest first (empty with SMTP).
    pub async fn outbox(&self) -> anyhow::Result<Vec<Email>> {
        if self.is_smtp() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT recipient, subject, text_body, html_body FROM dev_outbox ORDER BY sent_at DESC, id",
        )
        .fetch_all(&self.0.db)
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
