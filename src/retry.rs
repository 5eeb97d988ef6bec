//! When `api.rs` sends a failed call again by itself: a pure policy (no DOM, no HTTP, no
//! clock), unit-tested natively.
//!
//! Only calls that are safe to repeat are retried, and only when the failure is one a moment
//! may cure: no answer at all (offline, connection reset, a gateway's 502/503/504 without a
//! problem document) or the server's own 503 `service_unavailable` (its database briefly
//! unavailable) or `busy` (its password-hashing queue full). At most [`MAX_TRIES`] tries in all; the wait before the next one is the
//! server's `Retry-After` when it gave one (never sooner), else an exponential backoff, and a
//! `Retry-After` longer than [`MAX_WAIT_MS`] ends the retries: the page then says "try again in
//! a moment" with the person's input kept, rather than sit busy for a long time.

/// Whether a call may be sent again without the person asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    /// Repeating it changes nothing the first try did not: a GET, or a POST the server answers
    /// idempotently (see the calls in `api.rs`).
    Safe,
    /// Each try may act again (send a mail, count a failure, use a flow): only the person
    /// sends it again, with the input the page kept.
    Never,
}

/// How one try ended, as far as retrying goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// No usable answer: a network error, or a gateway's 5xx without a problem document.
    NoAnswer,
    /// The server's 503 `service_unavailable` or `busy`, with the seconds of its `Retry-After`.
    Unavailable { retry_after: Option<u32> },
    /// A success or an answer to act on (a validation error, a wrong code, a 500...).
    Final,
}

/// Tries in all, the first included.
pub const MAX_TRIES: u32 = 3;
/// The first backoff; it doubles after each try.
pub const BACKOFF_MS: u32 = 1_000;
/// The longest wait before a retry; a longer `Retry-After` ends the retries.
pub const MAX_WAIT_MS: u32 = 10_000;

/// The milliseconds to wait before the next try, after `tries` tries (1 after the first) of
/// which the last ended in `outcome`; `None` when the last answer stands.
pub fn next_wait_ms(repeat: Repeat, tries: u32, outcome: Outcome) -> Option<u32> {
    if repeat == Repeat::Never || tries >= MAX_TRIES {
        return None;
    }
    let backoff = BACKOFF_MS.saturating_mul(1 << tries.saturating_sub(1).min(16));
    let wait = match outcome {
        Outcome::Final => return None,
        Outcome::NoAnswer | Outcome::Unavailable { retry_after: None } => backoff,
        // Honour the server: never sooner than it asked.
        Outcome::Unavailable {
            retry_after: Some(seconds),
        } => seconds.saturating_mul(1_000).max(BACKOFF_MS),
    };
    (wait <= MAX_WAIT_MS).then_some(wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNAVAILABLE_5: Outcome = Outcome::Unavailable {
        retry_after: Some(5),
    };

    #[test]
    fn answers_are_never_retried() {
        assert_eq!(next_wait_ms(Repeat::Safe, 1, Outcome::Final), None);
        assert_eq!(next_wait_ms(Repeat::Never, 1, Outcome::NoAnswer), None);
        assert_eq!(next_wait_ms(Repeat::Never, 1, UNAVAILABLE_5), None);
    }

    #[test]
    fn no_answer_backs_off_exponentially_for_three_tries_in_all() {
        assert_eq!(
            next_wait_ms(Repeat::Safe, 1, Outcome::NoAnswer),
            Some(1_000)
        );
        assert_eq!(
            next_wait_ms(Repeat::Safe, 2, Outcome::NoAnswer),
            Some(2_000)
        );
        assert_eq!(next_wait_ms(Repeat::Safe, 3, Outcome::NoAnswer), None);
        assert_eq!(
            next_wait_ms(Repeat::Safe, u32::MAX, Outcome::NoAnswer),
            None
        );
    }

    #[test]
    fn retry_after_is_honoured_never_sooner() {
        assert_eq!(next_wait_ms(Repeat::Safe, 1, UNAVAILABLE_5), Some(5_000));
        assert_eq!(next_wait_ms(Repeat::Safe, 2, UNAVAILABLE_5), Some(5_000));
        assert_eq!(next_wait_ms(Repeat::Safe, 3, UNAVAILABLE_5), None);
        // "Retry-After: 0" still waits the first backoff, so a retry never hammers.
        let now = Outcome::Unavailable {
            retry_after: Some(0),
        };
        assert_eq!(next_wait_ms(Repeat::Safe, 1, now), Some(BACKOFF_MS));
        let unsaid = Outcome::Unavailable { retry_after: None };
        assert_eq!(next_wait_ms(Repeat::Safe, 2, unsaid), Some(2_000));
    }

    #[test]
    fn a_long_retry_after_leaves_it_to_the_person() {
        let long = Outcome::Unavailable {
            retry_after: Some(60),
        };
        assert_eq!(next_wait_ms(Repeat::Safe, 1, long), None);
        let huge = Outcome::Unavailable {
            retry_after: Some(u32::MAX),
        };
        assert_eq!(next_wait_ms(Repeat::Safe, 1, huge), None);
        let edge = Outcome::Unavailable {
            retry_after: Some(10),
        };
        assert_eq!(next_wait_ms(Repeat::Safe, 1, edge), Some(MAX_WAIT_MS));
    }

    #[test]
    fn the_total_wait_is_bounded() {
        let mut total = 0;
        let mut tries = 1;
        while let Some(wait) = next_wait_ms(Repeat::Safe, tries, Outcome::NoAnswer) {
            total += wait;
            tries += 1;
        }
        assert_eq!(tries, MAX_TRIES);
        assert!(total <= (MAX_TRIES - 1) * MAX_WAIT_MS, "{total}");
    }
}
