-- Anti-automation counters (OWASP ASVS 5.0 V2.4.1) for the actions that had none: code checks,
-- invitations through the admin API and social sign-in starts, per client address. One row per
-- event, counted over the last hour, purged after a day (as are code_sends and
-- sign_in_failures).
CREATE TABLE rate_events (
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    happened_at BIGINT NOT NULL
);
CREATE INDEX rate_events_subject ON rate_events (kind, subject, happened_at);
CREATE INDEX code_sends_sent_at ON code_sends (sent_at);
CREATE INDEX sign_in_failures_failed_at ON sign_in_failures (failed_at);
