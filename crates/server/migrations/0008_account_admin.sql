-- Account administration (issue 19). Portable across SQLite and PostgreSQL: BIGINT unix seconds.
-- `disabled_at`: set by `accounts disable` (CLI) or `POST /api/admin/accounts/{account}/disable`;
-- while it is set no way in opens a session for the account, and the session lookup refuses the
-- account's sessions (`storage/sessions.rs::get`), so a sign-in racing the disable ends anyway.
ALTER TABLE accounts ADD COLUMN disabled_at BIGINT;

-- The OpenID Provider's grants, found by account when an account is disabled or deleted.
CREATE INDEX authorization_codes_account ON authorization_codes (account_id);
CREATE INDEX access_tokens_account ON access_tokens (account_id);
CREATE INDEX session_clients_account ON session_clients (account_id);
CREATE INDEX invitations_pending ON invitations (used_at, created_at);
CREATE INDEX invitations_email ON invitations (email);
