-- Wrong password-reset codes per address, across flows (issue 19, defect 4; NIST SP 800-63B-4
-- §3.2.2): kept per normalised email whether or not an account has it, so that the cap says
-- nothing about which addresses have accounts (ASVS 5.0 V6.3.8). Not purged by time: only a
-- proof of the mailbox (a right code, a used reset link) clears a row (`domain::email_code`).
CREATE TABLE reset_code_failures (
    email TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Past the cap, a reset mail carries a one-time link instead of a code: the SHA-256 of its
-- 256-bit token, bound to its flow; replaced by "Send new code", cleared when used.
ALTER TABLE email_code_flows ADD COLUMN link_hash TEXT;
CREATE UNIQUE INDEX email_code_flows_link_hash ON email_code_flows (link_hash);
