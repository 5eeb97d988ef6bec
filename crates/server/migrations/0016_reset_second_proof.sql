-- "Forgot your password?" of an account with a second factor (issue 20; OWASP ASVS 5.0 V6.4.3;
-- NIST SP 800-63B-4 §4.2 account recovery): after the emailed code, a second proof (the app's
-- code, a recovery code, or a passkey of the account) before the new password is set.
-- `second_proof`: NULL until proven; then what proved it (`app`, `recovery_code`, or
-- `passkey:<passkeys.id>`), which the session made by "Continue" reports in its `amr`.
-- `proof_wrong_tries`: wrong codes typed at this flow's second proof (5 end it).
ALTER TABLE email_code_flows ADD COLUMN second_proof TEXT;
ALTER TABLE email_code_flows ADD COLUMN proof_wrong_tries BIGINT NOT NULL DEFAULT 0;
