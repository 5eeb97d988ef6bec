-- Second factors after a password (issue 20; OWASP ASVS 5.0 V6.3.3, V6.5; NIST SP 800-63B-4
-- §3.1.2 look-up secrets, §3.1.4 single-factor OTP authenticators).
--
-- `authenticator_apps`: at most one per account (its primary key). `secret` is the RFC 6238
-- seed sealed with AES-256-GCM under the key of MFA_ENCRYPTION_KEY_FILE (hex of the 12-byte
-- nonce followed by the ciphertext and tag; the account id is the associated data, so a row
-- copied onto another account does not open): never the seed in clear (NIST SP 800-63B-4
-- §3.1.4.2: OTP verifier secrets are protected at rest). `confirmed_at` is NULL until a valid
-- code confirms the enrolment; only then is the app a factor. `last_step` is the last time
-- step (Unix time / 30) accepted: a code of that step or earlier is refused (ASVS 5.0 V6.5.1,
-- one use). Replaced by a new enrolment until confirmed; removed by DELETE.
CREATE TABLE authenticator_apps (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id),
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    last_step BIGINT NOT NULL
);

-- Recovery codes (look-up secrets): 10 per set, 120 bits each, stored only as their SHA-256
-- (ASVS 5.0 V6.5.2 / NIST SP 800-63B-4 §3.1.2.2: 112 bits or more may be hashed with an
-- approved one-way function, no salt or password hash needed). A code used is deleted
-- (`DELETE … RETURNING`: one use under concurrency); a new set deletes the old one.
CREATE TABLE recovery_codes (
    code_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX recovery_codes_account_id ON recovery_codes (account_id);

-- A password sign-in waiting for its second step: the password was right, no session yet.
-- `id_hash`: the SHA-256 of the flow id, which only the browser that proved the password holds
-- (an HttpOnly cookie). Bound to its account, and to the credential version read with the
-- password (a reset since voids the session it would make). Lives 5 minutes; one use:
-- taken out (`DELETE … RETURNING`) by the finish that succeeds; `attempts` counts wrong codes
-- (5 end it). The shared periodic purge deletes the ones left behind.
CREATE TABLE second_factor_flows (
    id_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    credential_version BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX second_factor_flows_expires_at ON second_factor_flows (expires_at);
