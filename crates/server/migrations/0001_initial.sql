-- Portable across SQLite and PostgreSQL (sqlx's Any driver): TEXT, BIGINT unix seconds.
CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    organization TEXT NOT NULL,
    inviter TEXT,
    language TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    given_name TEXT NOT NULL,
    surname TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT accounts_email_key UNIQUE (email)
);

CREATE TABLE memberships (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    organization TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, organization)
);

CREATE TABLE signup_flows (
    id_hash TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    invitation_id TEXT,
    language TEXT,
    account_exists BIGINT NOT NULL,
    code_hash TEXT,
    code_sent_at BIGINT NOT NULL,
    code_expires_at BIGINT NOT NULL,
    code_wrong_tries BIGINT NOT NULL,
    flow_wrong_tries BIGINT NOT NULL,
    verified_at BIGINT,
    completed_at BIGINT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE code_sends (
    email TEXT NOT NULL,
    client TEXT NOT NULL,
    sent_at BIGINT NOT NULL
);
CREATE INDEX code_sends_email ON code_sends (email, sent_at);
CREATE INDEX code_sends_client ON code_sends (client, sent_at);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
