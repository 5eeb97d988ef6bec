-- The development outbox (only used when SMTP_URL is unset): kept in the database so that mail
-- sent by the `invite` command shows at /dev/mailbox of the running server.
CREATE TABLE dev_outbox (
    id TEXT PRIMARY KEY,
    sent_at BIGINT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL
);
