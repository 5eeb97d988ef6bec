-- Social sign-in (issue 5). An account can be reached through OpenID Connect identities, each
-- the pair (issuer, subject): the only stable, unique key OpenID Connect Core §5.7 promises.
-- The email is kept for the operator's information, never used to find the identity again.
CREATE TABLE social_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    provider TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    email TEXT,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX social_identities_account ON social_identities (account_id);

-- One row per sign-in started at a provider, bound to the browser by a cookie holding `id`
-- (stored as its SHA-256) and to the provider's answer by `state` (also hashed). The PKCE
-- verifier and the nonce are needed in clear to finish; the row lives ten minutes and is
-- deleted when used.
CREATE TABLE social_flows (
    id_hash TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    state_hash TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    invitation_id TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX social_flows_expiry ON social_flows (expires_at);
