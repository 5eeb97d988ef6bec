//! An SMTP sink: a real RFC 5321 server (EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET,
//! NOOP, QUIT) on 127.0.0.1, keeping every message it accepts. Mail clients (lettre) talk to it
//! over TCP exactly as they would to a relay; nothing is mocked.

use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, Notify};

/// A received message: its envelope and its decoded parts.
#[derive(Clone, Debug)]
pub struct Message {
    pub from: String,
    pub to: Vec<String>,
    /// The whole message as received (headers and body).
    pub raw: String,
    pub subject: String,
    /// The text of the body, quoted-printable and soft line breaks undone.
    pub text: String,
}

impl Message {
    /// The first run of exactly six digits in the subject or the body.
    pub fn code(&self) -> String {
        for source in [&self.subject, &self.text] {
            let chars: Vec<char> = source.chars().collect();
            let mut i = 0;
            while i < chars.len() {
                if chars[i].is_ascii_digit() {
                    let start = i;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                    if i - start == 6 {
                        return chars[start..i].iter().collect();
                    }
                } else {
                    i += 1;
                }
            }
        }
        panic!("no 6-digit code in message {:?}", self.subject)
    }

    /// The first `http://` or `https://` link of the body.
    pub fn link(&self) -> String {
        let start = self
            .text
            .find("http://")
            .or_else(|| self.text.find("https://"))
            .expect("a link in the message");
        self.text[start..]
            .split(|c: char| c.is_whitespace() || c == '<' || c == '"')
            .next()
            .unwrap_or_default()
            .to_owned()
    }
}

/// The messages a test server received, and a wake-up for each arrival (shared with the TLS
/// relay of `aiosmtpd.rs`).
#[derive(Default)]
pub(crate) struct Inbox {
    messages: Mutex<Vec<Message>>,
    arrived: Notify,
}

impl Inbox {
    pub(crate) async fn push(&self, message: Message) {
        self.messages.lock().await.push(message);
        self.arrived.notify_waiters();
    }

    pub(crate) async fn messages(&self) -> Vec<Message> {
        self.messages.lock().await.clone()
    }

    /// Waits until at least `n` messages were delivered to `to`, and returns them all.
    pub(crate) async fn wait_for_count(
        &self,
        to: &str,
        n: usize,
        timeout: Duration,
    ) -> Vec<Message> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.arrived.notified();
            let found: Vec<Message> = self
                .messages()
                .await
                .into_iter()
                .filter(|m| m.to.iter().any(|r| r.eq_ignore_ascii_case(to)))
                .collect();
            if found.len() >= n {
                return found;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "{n} message(s) to {to} did not arrive within {timeout:?} (got {})",
                    found.len()
                );
            }
        }
    }
}

pub struct SmtpSink {
    port: u16,
    inbox: Arc<Inbox>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let inbox = Arc::new(Inbox::default());
        let task = {
            let inbox = inbox.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let inbox = inbox.clone();
                    tokio::spawn(async move {
                        let _ = session(stream, inbox).await;
                    });
                }
            })
        };
        Self { port, inbox, task }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub async fn messages(&self) -> Vec<Message> {
        self.inbox.messages().await
    }

    /// Waits until at least `n` messages were delivered to `to`, and returns them all.
    pub async fn wait_for_count(&self, to: &str, n: usize, timeout: Duration) -> Vec<Message> {
        self.inbox.wait_for_count(to, n, timeout).await
    }

    /// Waits for the first message to `to`.
    pub async fn wait_for(&self, to: &str, timeout: Duration) -> Message {
        self.wait_for_count(to, 1, timeout).await.remove(0)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn address(arg: &str) -> String {
    let arg = arg.split_once(':').map(|(_, a)| a).unwrap_or(arg).trim();
    let arg = arg.split_whitespace().next().unwrap_or_default();
    arg.trim_start_matches('<').trim_end_matches('>').to_owned()
}

async fn session(stream: TcpStream, inbox: Arc<Inbox>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write
        .write_all(b"220 partner-login-testkit ESMTP sink\r\n")
        .await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => {
                write
                    .write_all(b"250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    .await?
            }
            "HELO" => write.write_all(b"250 localhost\r\n").await?,
            "MAIL" => {
                from = address(&command[4..]);
                to.clear();
                write.write_all(b"250 OK\r\n").await?;
            }
            "RCPT" => {
                to.push(address(&command[4..]));
                write.write_all(b"250 OK\r\n").await?;
            }
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut raw = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    let l = line.trim_end_matches(['\r', '\n']);
                    if l == "." {
                        break;
                    }
                    raw.push_str(l.strip_prefix('.').unwrap_or(l));
                    raw.push('\n');
                }
                inbox.push(parse(&from, &to, raw)).await;
                write.write_all(b"250 OK: queued\r\n").await?;
            }
            "RSET" => {
                from.clear();
                to.clear();
                write.write_all(b"250 OK\r\n").await?;
            }
            "NOOP" => write.write_all(b"250 OK\r\n").await?,
            "QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            _ => write.write_all(b"502 Command not implemented\r\n").await?,
        }
    }
}

/// Undoes quoted-printable (RFC 2045 §6.7) for a body part.
fn quoted_printable(text: &str) -> String {
    let mut bytes = Vec::new();
    let raw = text.replace("=\n", "");
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&raw[i + 1..i + 3], 16) {
                bytes.push(v);
                i += 3;
                continue;
            }
        }
        bytes.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Decodes an RFC 2047 encoded-word subject (`=?utf-8?q?…?=` or `=?utf-8?b?…?=`) well enough
/// for tests; plain subjects pass through.
fn decode_subject(subject: &str) -> String {
    let mut out = String::new();
    // RFC 2047 §6.2: the space between two encoded words is not part of the text; any other
    // space is.
    let mut previous_encoded = false;
    for word in subject.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        let decoded = if lower.starts_with("=?utf-8?q?") && word.ends_with("?=") {
            Some(quoted_printable(
                &word[10..word.len() - 2].replace('_', " "),
            ))
        } else if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
            Some(base64(&word[10..word.len() - 2]))
        } else {
            None
        };
        let joined = previous_encoded && decoded.is_some();
        if !out.is_empty() && !joined {
            out.push(' ');
        }
        previous_encoded = decoded.is_some();
        out.push_str(decoded.as_deref().unwrap_or(word));
    }
    out
}

fn base64(input: &str) -> String {
    const TABLE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in input.bytes() {
        let Some(v) = TABLE.iter().position(|t| *t == c) else {
            continue;
        };
        bits = (bits << 6) | v as u32;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn parse(from: &str, to: &[String], raw: String) -> Message {
    let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    let unfolded = head.replace("\n ", " ").replace("\n\t", " ");
    let subject = unfolded
        .lines()
        .find_map(|l| l.strip_prefix("Subject:"))
        .map(|s| decode_subject(s.trim()))
        .unwrap_or_default();
    // Take the text/plain part of a multipart body, or the whole body.
    let mut text = body.to_owned();
    if let Some(pos) = body.find("Content-Type: text/plain") {
        let part = &body[pos..];
        let (part_head, rest) = part.split_once("\n\n").unwrap_or((part, ""));
        let end = rest.find("\n--").unwrap_or(rest.len());
        let content = &rest[..end];
        text = if part_head.contains("quoted-printable") {
            quoted_printable(content)
        } else if part_head.contains("base64") {
            base64(&content.replace('\n', ""))
        } else {
            content.to_owned()
        };
    }
    Message {
        from: from.to_owned(),
        to: to.to_vec(),
        raw,
        subject,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_quoted_printable_and_subjects() {
        assert_eq!(quoted_printable("caf=C3=A9 =\nok"), "café ok");
        assert_eq!(
            decode_subject("=?utf-8?b?Y29kZTogNzAxNDQ5?="),
            "code: 701449"
        );
        assert_eq!(
            decode_subject("Unies a =?utf-8?b?w6l0w6k=?= modifi=?utf-8?q?=C3=A9?="),
            "Unies a été modifi=?utf-8?q?=C3=A9?="
        );
        assert_eq!(decode_subject("=?utf-8?q?a?= =?utf-8?q?_b?= c"), "a b c");
        let m = Message {
            from: String::new(),
            to: vec![],
            raw: String::new(),
            subject: "Your code: 701449".into(),
            text: "see http://x/invitation#abc\n".into(),
        };
        assert_eq!(m.code(), "701449");
        assert_eq!(m.link(), "http://x/invitation#abc");
    }
}
