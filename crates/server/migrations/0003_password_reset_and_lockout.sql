-- Password reset reuses the sign-up flow's rules (a code by email, the same caps), so both kinds
-- of flow share one table, told apart by `purpose` ('signup' or 'password_reset').
ALTER TABLE signup_flows RENAME TO email_flows;
ALTER TABLE email_flows ADD COLUMN purpose TEXT NOT NULL DEFAULT 'signup';

-- Smart lockout (issue 4), keyed by the normalised email whether or not an account has it, so
-- that locking reveals nothing about which addresses have accounts. `recent_wrong` holds the
-- argon2 outputs of the last wrong passwords (as strong as the password hash itself), so the
-- same wrong password typed again does not count again. `version` guards concurrent updates.
CREATE TABLE sign_in_guards (
    email TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    lockouts BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    recent_wrong TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    window_failures BIGINT NOT NULL,
    version BIGINT NOT NULL
);

-- Failed sign-ins per client address, for the per-client throttle.
CREATE TABLE sign_in_failures (
    client TEXT NOT NULL,
    failed_at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_client ON sign_in_failures (client, failed_at);

CREATE INDEX sessions_account ON sessions (account_id);
