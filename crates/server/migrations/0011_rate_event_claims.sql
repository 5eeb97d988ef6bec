-- Limits count before the work, exactly (`domain::limits`): taking an action locks its
-- (kind, subject) row of `rate_subjects` for the length of one transaction (counted, then
-- recorded), so that concurrent requests of one subject are counted one after the other, on one
-- instance or several. Each event has a random claim, by which an action can be taken back (a
-- sign-in that turns out right was no failure); NULL for events recorded before.
ALTER TABLE rate_events ADD COLUMN claim TEXT;
CREATE TABLE rate_subjects (
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    touched_at BIGINT NOT NULL,
    PRIMARY KEY (kind, subject)
);
CREATE INDEX rate_subjects_touched_at ON rate_subjects (touched_at);
