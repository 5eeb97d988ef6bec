-- The OpenID Provider (issue 18). Portable across SQLite and PostgreSQL: TEXT, BIGINT unix
-- seconds. Every secret (client secret, authorization request id, code, access token) is stored
-- as its SHA-256, as the session id is.

-- How a session was made, for the tokens issued from it: `sid` is the OpenID Connect session id
-- (random, public: it names the session in ID and logout tokens, it never opens it), `idp`
-- `local` or the social provider's id, `amr` space-separated RFC 8176 values.
ALTER TABLE sessions ADD COLUMN sid TEXT;
ALTER TABLE sessions ADD COLUMN idp TEXT NOT NULL DEFAULT 'local';
ALTER TABLE sessions ADD COLUMN amr TEXT NOT NULL DEFAULT 'pwd';

-- The person's language (a BCP 47 tag), learnt at sign-up: the `locale` claim.
ALTER TABLE accounts ADD COLUMN locale TEXT;

-- The applications that sign people in through us (relying parties). Uris one per line, matched
-- as exact strings. A public client has no secret.
CREATE TABLE clients (
    id TEXT PRIMARY KEY,
    secret_hash TEXT,
    redirect_uris TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL,
    backchannel_logout_uri TEXT,
    initiate_login_uri TEXT,
    created_at BIGINT NOT NULL
);

-- The keys that sign ID and logout tokens. The newest one not superseded signs; a superseded
-- key stays published in the JWKS until the tokens it signed have expired, then is retired.
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL,
    private_key TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    superseded_at BIGINT
);

-- An authorization request waiting for the person to sign in, bound to the browser by a cookie
-- holding its id. `sign_in_after`: only a session whose sign-in is this recent answers it
-- (`prompt=login`, `max_age`).
CREATE TABLE authorization_requests (
    id_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    state TEXT,
    nonce TEXT,
    code_challenge TEXT,
    sign_in_after BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX authorization_requests_expiry ON authorization_requests (expires_at);

-- Authorization codes: single use, a minute, bound to the client, the redirect uri and the PKCE
-- challenge. `used_at` is kept so that a replay can revoke what the first use issued.
CREATE TABLE authorization_codes (
    code_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    sid TEXT NOT NULL,
    scope TEXT NOT NULL,
    nonce TEXT,
    code_challenge TEXT,
    auth_time BIGINT NOT NULL,
    idp TEXT NOT NULL,
    amr TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX authorization_codes_expiry ON authorization_codes (expires_at);

-- Access tokens for the userinfo endpoint, from the code that issued them.
CREATE TABLE access_tokens (
    token_hash TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL,
    client_id TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    scope TEXT NOT NULL,
    idp TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX access_tokens_code ON access_tokens (code_hash);

-- The clients that got an ID token in a session: who is told when it ends (Back-Channel
-- Logout 1.0).
CREATE TABLE session_clients (
    sid TEXT NOT NULL,
    client_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (sid, client_id)
);
