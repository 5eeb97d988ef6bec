-- Outgoing mail waiting for the relay (SMTP_URL), sent off the request path by the mail worker
-- (`mail::queue`): a request stores its message here and answers at once. A message is deleted
-- as soon as the relay takes it (its body may hold a code or a link), retried with a doubling
-- delay when it does not, and given up (deleted, with a log) after 24 hours or 20 attempts.
-- `claimed_until`: the lease of the instance sending it, so that several instances on one
-- database never send a message twice at once; a lease that ran out (a crash) frees it again.
CREATE TABLE mail_queue (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX mail_queue_due ON mail_queue (next_attempt_at);
