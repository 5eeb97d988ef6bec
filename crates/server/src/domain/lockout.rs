//! Smart lockout, as Azure AD B2C does it, as a pure state machine (the storage keeps it, the
//! sign-in handler drives it):
//!
//! - after [`THRESHOLD`] failed sign-ins an account is locked for [`FIRST_LOCKOUT_SECONDS`];
//!   each further failure locks it again. The first [`FIXED_LOCKOUTS`] lockouts last 60 s, later
//!   ones double, up to [`MAX_LOCKOUT_SECONDS`] (5 hours);
//! - the same wrong password typed again does not count again (the last [`RECENT_WRONG`] wrong
//!   passwords are remembered by their argon2 output);
//! - never more than [`MAX_CONSECUTIVE_FAILURES`] consecutive counted failures: the 100th locks
//!   the account until a password reset, with no expiry (NIST SP 800-63B-4 §3.2.2: "SHALL limit
//!   consecutive failed authentication attempts on a single subscriber account to no more than
//!   100"). Sign-in then answers as a time-based lockout does, with [`UNTIL_RESET_RETRY_SECONDS`]
//!   as its `Retry-After`, and again after that until the password is reset;
//! - besides, never more than [`MAX_FAILURES_PER_HOUR`] counted failures per account in an hour
//!   (rate limiting, OWASP ASVS 5.0 V6.3.1; the limit NIST sets is on consecutive failures, above);
//! - a success (or a password reset) clears it all.
//!
//! A guard is kept per normalised email, whether an account has it or not, so that a lockout
//! says nothing about which addresses have accounts (ASVS 5.0 V6.3.8).

pub const THRESHOLD: i64 = 10;
pub const FIRST_LOCKOUT_SECONDS: i64 = 60;
pub const FIXED_LOCKOUTS: i64 = 10;
pub const MAX_LOCKOUT_SECONDS: i64 = 5 * 3600;
pub const MAX_FAILURES_PER_HOUR: i64 = 100;
/// Consecutive counted failures that lock until a password reset (NIST SP 800-63B-4 §3.2.2).
pub const MAX_CONSECUTIVE_FAILURES: i64 = 100;
/// The `Retry-After` of a lock until a password reset: the longest a time-based lockout gives,
/// so that the answer tells nothing more than a lockout does. Trying again after it is refused
/// again unless the password was reset.
pub const UNTIL_RESET_RETRY_SECONDS: i64 = MAX_LOCKOUT_SECONDS;
pub const RECENT_WRONG: usize = 5;
pub const HOUR: i64 = 3600;

/// The lockout state of one email.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Guard {
    /// Failures counted since the last success (consecutive failures; at
    /// [`MAX_CONSECUTIVE_FAILURES`] the account is locked until a password reset).
    pub failures: i64,
    /// Lockouts since the last success.
    pub lockouts: i64,
    /// Unix seconds; locked while now < this.
    pub locked_until: i64,
    /// Fingerprints of the last wrong passwords, newest last.
    pub recent_wrong: Vec<String>,
    /// Start of the current hour window, and the failures counted in it.
    pub window_start: i64,
    pub window_failures: i64,
}

/// What a failed attempt did to the guard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Counted; the account is not locked.
    Counted,
    /// Counted, and the account is now locked for so many seconds.
    Locked(i64),
    /// Counted, and it was the [`MAX_CONSECUTIVE_FAILURES`]th in a row: the account is now
    /// locked until a password reset.
    LockedUntilReset,
    /// The same wrong password as a recent one: not counted again.
    Repeated,
}

/// How long the `n`-th lockout (1-based) lasts.
pub fn lockout_seconds(n: i64) -> i64 {
    if n <= FIXED_LOCKOUTS {
        return FIRST_LOCKOUT_SECONDS;
    }
    let doublings = u32::try_from(n - FIXED_LOCKOUTS)
        .unwrap_or(u32::MAX)
        .min(20);
    (FIRST_LOCKOUT_SECONDS << doublings).min(MAX_LOCKOUT_SECONDS)
}

impl Guard {
    /// True once [`MAX_CONSECUTIVE_FAILURES`] failures were counted in a row: locked with no
    /// expiry, until a password reset clears the guard (NIST SP 800-63B-4 §3.2.2).
    pub fn locked_until_reset(&self) -> bool {
        self.failures >= MAX_CONSECUTIVE_FAILURES
    }

    /// Seconds until a sign-in may be tried again, or `None` when it may be now. Locked until a
    /// password reset, it is [`UNTIL_RESET_RETRY_SECONDS`] however late it is.
    pub fn locked_for(&self, now: i64) -> Option<i64> {
        if self.locked_until_reset() {
            return Some(UNTIL_RESET_RETRY_SECONDS);
        }
        let lockout = self.locked_until - now;
        let hourly = if self.window_failures >= MAX_FAILURES_PER_HOUR {
            self.window_start + HOUR - now
        } else {
            0
        };
        let wait = lockout.max(hourly);
        (wait > 0).then_some(wait)
    }

    /// Records a failed sign-in with the wrong password's fingerprint.
    pub fn fail(&mut self, fingerprint: &str, now: i64) -> Failure {
        if self.recent_wrong.iter().any(|f| f == fingerprint) {
            return Failure::Repeated;
        }
        self.recent_wrong.push(fingerprint.to_owned());
        if self.recent_wrong.len() > RECENT_WRONG {
            self.recent_wrong.remove(0);
        }
        if now - self.window_start >= HOUR {
            self.window_start = now;
            self.window_failures = 0;
        }
        self.window_failures += 1;
        self.failures += 1;
        if self.failures >= THRESHOLD {
            self.lockouts += 1;
            self.locked_until = now + lockout_seconds(self.lockouts);
        }
        if self.locked_until_reset() {
            return Failure::LockedUntilReset;
        }
        match self.locked_for(now) {
            Some(seconds) => Failure::Locked(seconds),
            None => Failure::Counted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail_n(guard: &mut Guard, n: usize, now: i64) -> Failure {
        let mut last = Failure::Counted;
        for i in 0..n {
            last = guard.fail(&format!("wrong-{now}-{i}"), now);
        }
        last
    }

    #[test]
    fn ten_failures_lock_for_a_minute() {
        let mut g = Guard::default();
        assert_eq!(fail_n(&mut g, 9, 1000), Failure::Counted);
        assert_eq!(g.locked_for(1000), None);
        assert_eq!(g.fail("tenth", 1000), Failure::Locked(60));
        assert_eq!(g.locked_for(1030), Some(30));
        assert_eq!(g.locked_for(1060), None);
    }

    #[test]
    fn each_further_failure_locks_again_and_later_lockouts_grow_to_five_hours() {
        let mut g = Guard::default();
        let mut now = 0;
        fail_n(&mut g, 10, now);
        for n in 2..=10 {
            now += 61;
            assert_eq!(
                g.fail(&format!("again-{n}"), now),
                Failure::Locked(60),
                "{n}"
            );
        }
        now += 61;
        assert_eq!(g.fail("eleventh lockout", now), Failure::Locked(120));
        now += 121;
        assert_eq!(g.fail("twelfth lockout", now), Failure::Locked(240));
        assert_eq!(lockout_seconds(18), 15_360);
        assert_eq!(lockout_seconds(19), 5 * 3600);
        assert_eq!(lockout_seconds(1000), 5 * 3600);
    }

    #[test]
    fn the_same_wrong_password_does_not_count_again() {
        let mut g = Guard::default();
        for _ in 0..50 {
            g.fail("same typo", 5);
        }
        assert_eq!(g.failures, 1);
        assert_eq!(g.locked_for(5), None);
    }

    #[test]
    fn only_the_last_few_wrong_passwords_are_remembered() {
        let mut g = Guard::default();
        for i in 0..=RECENT_WRONG {
            g.fail(&format!("p{i}"), 5);
        }
        assert_eq!(g.recent_wrong.len(), RECENT_WRONG);
        assert_eq!(g.fail("p0", 5), Failure::Counted, "p0 was forgotten");
    }

    /// NIST SP 800-63B-4 §3.2.2: 100 consecutive failures, however slow, lock until a reset.
    #[test]
    fn a_hundred_consecutive_failures_lock_until_a_password_reset() {
        let mut g = Guard::default();
        let mut now = 0;
        for n in 1..MAX_CONSECUTIVE_FAILURES {
            // Each try waits out the lock before it, and the hour's cap never bites.
            now += g.locked_for(now).unwrap_or(0) + HOUR;
            let outcome = g.fail(&format!("guess {n}"), now);
            assert_ne!(outcome, Failure::LockedUntilReset, "{n}");
        }
        assert_eq!(g.failures, MAX_CONSECUTIVE_FAILURES - 1);
        now += g.locked_for(now).unwrap_or(0) + HOUR;
        assert_eq!(g.locked_for(now), None, "the 99th failure's lock is over");
        assert_eq!(g.fail("the hundredth", now), Failure::LockedUntilReset);
        assert!(g.locked_until_reset());
        for later in [now, now + MAX_LOCKOUT_SECONDS + 1, now + 365 * 24 * HOUR] {
            assert_eq!(
                g.locked_for(later),
                Some(UNTIL_RESET_RETRY_SECONDS),
                "{later}"
            );
        }
        // A password reset clears the guard (`storage::guards::clear`).
        assert_eq!(Guard::default().locked_for(now), None);
    }

    /// The hourly cap (ASVS 5.0 V6.3.1 rate limiting), apart from NIST's consecutive cap above.
    #[test]
    fn never_more_than_a_hundred_failures_an_hour() {
        let mut g = Guard {
            window_start: 0,
            window_failures: MAX_FAILURES_PER_HOUR - 1,
            ..Guard::default()
        };
        assert_eq!(g.fail("the hundredth", 600), Failure::Locked(3000));
        assert_eq!(g.locked_for(3599), Some(1));
        assert_eq!(g.locked_for(3600), None);
        // A new hour opens a new window.
        assert_eq!(g.fail("next hour", 3600), Failure::Counted);
        assert_eq!(g.window_failures, 1);
    }
}
