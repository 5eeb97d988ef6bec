-- Sessions know how they were made (issue 20; OWASP ASVS 5.0 V7.5.2, NIST SP 800-63B-4 §2):
-- `aal` is the authentication assurance level the sign-in reached (`aal1` or `aal2`,
-- `domain::session::WayIn::aal`), carried into the ID tokens' `acr` through the authorization
-- codes; `passkey_id` is the passkey a session was made with (NULL for any other way in), so
-- that removing the passkey ends the sessions it made (`domain::passkeys::remove`). Not a
-- foreign key: a passkey's row goes while the sessions it made are ended in the same
-- transaction, and an account's deletion removes both.
ALTER TABLE sessions ADD COLUMN aal TEXT NOT NULL DEFAULT 'aal1';
ALTER TABLE sessions ADD COLUMN passkey_id TEXT;
-- Passkey sessions made before this migration (their `amr` says so) reached AAL2.
UPDATE sessions SET aal = 'aal2' WHERE amr = 'pop mfa';
CREATE INDEX sessions_passkey ON sessions (passkey_id);
-- The person's list of their sessions (`GET /api/sessions`) names each one by its `sid`
-- (public, random, never the session id nor its hash). Sessions older than 0007 have none:
-- they are ended here (a sign-in makes a new one with a `sid`).
DELETE FROM sessions WHERE sid IS NULL;

ALTER TABLE authorization_codes ADD COLUMN aal TEXT NOT NULL DEFAULT 'aal1';
