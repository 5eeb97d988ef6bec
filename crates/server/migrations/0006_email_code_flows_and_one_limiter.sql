-- One concept, one name: the flows that mail a code (sign-up and password reset) are
-- "email-code flows", told apart by their kind ('signup' or 'password_reset', the contract's
-- `EmailCodeKind::as_str`).
ALTER TABLE email_flows RENAME TO email_code_flows;
ALTER TABLE email_code_flows RENAME COLUMN purpose TO kind;

-- One limiter (`domain::limits`): code sends and failed sign-ins are counted in `rate_events`
-- like every other "so many an hour" cap. The counts of the last day come along.
INSERT INTO rate_events (kind, subject, happened_at)
    SELECT 'code_send_to_email', email, sent_at FROM code_sends;
INSERT INTO rate_events (kind, subject, happened_at)
    SELECT 'code_send', client, sent_at FROM code_sends;
INSERT INTO rate_events (kind, subject, happened_at)
    SELECT 'sign_in_failure', client, failed_at FROM sign_in_failures;
DROP TABLE code_sends;
DROP TABLE sign_in_failures;
CREATE INDEX rate_events_happened_at ON rate_events (happened_at);
