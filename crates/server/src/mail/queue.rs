//! The mail queue's rules: what a request does (`enqueue`: store and wake, never wait for the
//! relay) and what the worker does (`deliver_due`: claim, send, delete; or retry later; or give
//! up). The SQL is in `storage::mail_queue`.
//!
//! Bounded (OWASP ASVS 5.0 V2.4.1, no unbounded growth): at most [`MAX_QUEUED`] messages wait
//! (then a send fails, as a relay refusing would), and a message is given up after
//! [`LIFETIME_SECONDS`] or [`MAX_ATTEMPTS`] attempts, whichever comes first. Several instances
//! on one database share the queue: a message is claimed by one of them at a time, with a
//! lease ([`LEASE_SECONDS`]) that frees it if that instance dies while sending.

use super::{Email, Mailer};
use crate::storage;
use crate::storage::mail_queue::{self, Queued, StoredMessage};
use std::time::Duration;
use tracing::Instrument;

/// Messages waiting at most, all recipients together.
pub const MAX_QUEUED: i64 = 10_000;
/// A message not sent within a day is given up (and deleted).
pub const LIFETIME_SECONDS: i64 = 86_400;
/// Nor after this many attempts.
pub const MAX_ATTEMPTS: i64 = 20;
/// The longest wait between two attempts.
pub const MAX_DELAY_SECONDS: i64 = 3_600;
/// How long a claim holds a message (longer than lettre's 30-second timeouts of one send).
pub const LEASE_SECONDS: i64 = 300;
/// The worker looks at the queue at least this often (for messages other instances queued).
const POLL: Duration = Duration::from_secs(60);
/// Messages one instance sends at once (each on its own pooled relay connection): a burst of
/// sign-ups is not held behind one relay round trip per message.
pub const SENDERS: usize = 4;

/// Seconds to wait after the `attempts`-th failure: `retry_seconds`, doubled each time, at most
/// an hour.
pub fn delay_after(retry_seconds: u64, attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.clamp(1, 32) - 1).unwrap_or(31);
    let base = i64::try_from(retry_seconds).unwrap_or(MAX_DELAY_SECONDS);
    base.saturating_mul(1_i64 << doublings)
        .clamp(1, MAX_DELAY_SECONDS)
}

/// Stores a message for the worker and wakes it. Fails when the queue is full.
pub async fn enqueue(mailer: &Mailer, kind: &str, email: &Email) -> anyhow::Result<()> {
    let db = &mailer.0.db;
    let queued = mail_queue::count(db).await?;
    if queued >= MAX_QUEUED {
        tracing::error!(
            event = "mail_queue_full",
            queued,
            "the mail queue is full: is the relay down?"
        );
        anyhow::bail!("the mail queue is full ({queued} messages)");
    }
    let id = crate::domain::secrets::new_token();
    let message = StoredMessage {
        recipient: email.to.clone(),
        subject: email.subject.clone(),
        text_body: email.text.clone(),
        html_body: email.html.clone(),
    };
    mail_queue::insert(db, &id, kind, &message, storage::now()).await?;
    mailer.0.wake.notify_one();
    Ok(())
}

/// What one pass of the worker did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    pub failed: usize,
    pub given_up: usize,
}

/// Sends every message that is due, once each: deletes the sent ones, reschedules or gives up
/// the others.
pub async fn deliver_due(mailer: &Mailer) -> anyhow::Result<Pass> {
    let db = &mailer.0.db;
    let mut pass = Pass::default();
    let purged = mail_queue::purge_created_before(db, storage::now() - LIFETIME_SECONDS).await?;
    if purged > 0 {
        tracing::error!(
            event = "mail_given_up",
            messages = purged,
            "mail older than a day dropped"
        );
        pass.given_up += purged as usize;
    }
    while !mailer.is_stopped() {
        let now = storage::now();
        let Some(message) = mail_queue::claim(db, now, now + LEASE_SECONDS).await? else {
            return Ok(pass);
        };
        // There may be more: another sender takes the next while this one sends.
        mailer.0.wake.notify_one();
        let span = tracing::info_span!("mail", to = %message.message.recipient, kind = %message.kind,
            attempt = message.attempts);
        attempt(mailer, message, &mut pass).instrument(span).await?;
    }
    Ok(pass)
}

/// One attempt at a claimed message.
async fn attempt(mailer: &Mailer, message: Queued, pass: &mut Pass) -> anyhow::Result<()> {
    let db = &mailer.0.db;
    let email = Email {
        to: message.message.recipient.clone(),
        subject: message.message.subject.clone(),
        text: message.message.text_body.clone(),
        html: message.message.html_body.clone(),
    };
    match mailer.deliver(&email).await {
        Ok(()) => {
            mail_queue::delete(db, &message.id).await?;
            tracing::info!(event = "mail_sent");
            pass.sent += 1;
        }
        Err(error) => {
            let now = storage::now();
            let at = now + delay_after(mailer.0.retry_seconds, message.attempts);
            if message.attempts >= MAX_ATTEMPTS || at >= message.created_at + LIFETIME_SECONDS {
                mail_queue::delete(db, &message.id).await?;
                tracing::error!(event = "mail_given_up", %error, "the relay did not take it");
                pass.given_up += 1;
            } else {
                mail_queue::retry_at(db, &message.id, at).await?;
                tracing::warn!(event = "mail_failed", %error, retry_in_seconds = at - now);
                pass.failed += 1;
            }
        }
    }
    Ok(())
}

/// Runs the worker, [`SENDERS`] tasks, until [`Mailer::stop_worker`]: a pass whenever a message
/// is queued here (a sender that claims one wakes another, so a backlog is sent [`SENDERS`] at a
/// time), when the next retry is due, and at least every minute (for what other instances
/// queued).
pub fn spawn_worker(mailer: Mailer) {
    if !mailer.is_smtp() {
        return;
    }
    for _ in 0..SENDERS {
        let mailer = mailer.clone();
        tokio::spawn(async move {
            while !mailer.is_stopped() {
                if let Err(error) = deliver_due(&mailer).await {
                    tracing::warn!(event = "mail_queue_unavailable", %error);
                }
                let now = storage::now();
                let wait = match mail_queue::next_due(&mailer.0.db).await {
                    Ok(Some(due)) => Duration::from_secs(due.saturating_sub(now).max(1) as u64),
                    Ok(None) | Err(_) => POLL,
                };
                let _ = tokio::time::timeout(wait.min(POLL), mailer.0.wake.notified()).await;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_an_hour() {
        let delays: Vec<i64> = (1..=9).map(|n| delay_after(30, n)).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(delay_after(1, 1), 1);
        assert_eq!(delay_after(1, 3), 4);
        assert_eq!(delay_after(u64::MAX, 1), MAX_DELAY_SECONDS);
        assert_eq!(delay_after(30, 1_000), MAX_DELAY_SECONDS);
        assert_eq!(delay_after(0, 1), 1);
    }

    /// Over its day, a message is tried a bounded number of times at the default setting.
    #[test]
    fn a_message_is_given_up_within_a_day() {
        let mut elapsed = 0;
        let mut attempts = 0;
        while attempts < MAX_ATTEMPTS && elapsed < LIFETIME_SECONDS {
            attempts += 1;
            elapsed += delay_after(30, attempts);
        }
        assert_eq!(attempts, MAX_ATTEMPTS, "20 attempts fit in the day at 30 s");
    }
}
