-- Passkeys (WebAuthn, issue 20; OWASP ASVS 5.0 V6.5, NIST SP 800-63B-4 §3.1.7 and §3.2.5:
-- phishing-resistant, verifier-impersonation resistant authenticators). Each row is one
-- credential of one account: `credential_id` is the authenticator's credential id
-- (base64url), unique across accounts (W3C WebAuthn L3 §7.1 step 26: a credential id already
-- registered is refused); `passkey` is webauthn-rs's `Passkey` as JSON (public key, counter,
-- flags: no secret); `user_handle` is the WebAuthn user id the authenticator keeps (one per
-- account, random, never the email); `backup_eligible` / `backup_state` (0/1) say "synced" or
-- "this device only".
CREATE TABLE passkeys (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    credential_id TEXT NOT NULL,
    user_handle TEXT NOT NULL,
    passkey TEXT NOT NULL,
    name TEXT NOT NULL,
    backup_eligible BIGINT NOT NULL,
    backup_state BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    CONSTRAINT passkeys_credential_id_key UNIQUE (credential_id)
);
CREATE INDEX passkeys_account_id ON passkeys (account_id);

-- A registration or a sign-in begun and not yet finished: webauthn-rs's ceremony state (the
-- challenge and the rules to check the answer by) as JSON, kept here rather than in memory so
-- that any instance can finish what another began. One use: finishing deletes the row whatever
-- the outcome; `expires_at` bounds its life (5 minutes), and the shared periodic purge deletes
-- the ones left behind. `id_hash` is the SHA-256 of the ceremony id the browser holds.
-- `account_id`: the account registering (NULL for a sign-in, where nobody is known yet).
CREATE TABLE webauthn_ceremonies (
    id_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    account_id TEXT REFERENCES accounts (id),
    state TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX webauthn_ceremonies_expires_at ON webauthn_ceremonies (expires_at);
