//! The inbox of the people in a test: the SMTP sink the server sends to, read message by message.

use crate::WAIT;
use partner_login_testkit::{Message, SmtpSink};
use std::collections::HashMap;
use std::sync::Mutex;

pub struct Mailbox {
    sink: SmtpSink,
    read: Mutex<HashMap<String, usize>>,
}

impl Mailbox {
    pub async fn start() -> Self {
        Self {
            sink: SmtpSink::start().await,
            read: Mutex::default(),
        }
    }

    pub fn url(&self) -> String {
        self.sink.url()
    }

    /// Waits for the next message to `to` not read yet, and marks it read.
    pub async fn next_to(&self, to: &str) -> Message {
        let already = *self
            .read
            .lock()
            .expect("mailbox lock")
            .get(to)
            .unwrap_or(&0);
        let mut all = self.sink.wait_for_count(to, already + 1, WAIT).await;
        self.read
            .lock()
            .expect("mailbox lock")
            .insert(to.to_owned(), already + 1);
        all.swap_remove(already)
    }
}
