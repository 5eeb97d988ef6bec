-- A credential version per account (issue 19, defect 5): a password reset (and any later
-- credential change) increments it, a session records the version of the credential its
-- sign-in verified, and the session lookup honours a session only while the two are equal
-- (OWASP ASVS 5.0 V7.4.3). A sign-in that verified the old password before a reset and
-- created its session after the reset's delete of the account's sessions carries the old
-- version, so it is not honoured. Existing sessions and accounts start at 0, equal.
ALTER TABLE accounts ADD COLUMN credential_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN credential_version BIGINT NOT NULL DEFAULT 0;
