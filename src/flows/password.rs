//! Live feedback on a new password, as the person types: pure, so it is tested natively.
//! The rules are the contract crate's [`PasswordPolicy`]; the "too common" check needs the
//! server's list and arrives as a field error on "Create".

use partner_login_contract::PasswordPolicy;

/// What the hint under "New Password" says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feedback {
    /// Nothing typed yet: state the rule (at least `min`, `recommended` is best).
    Rule { min: u32, recommended: u32 },
    /// Shorter than the minimum: how many characters so far.
    TooShort { count: u32, min: u32 },
    /// Long enough, shorter than recommended.
    BelowRecommended { recommended: u32 },
    /// At least the recommended length.
    Good,
}

/// The feedback for `password` under `policy` (characters are Unicode code points, as the
/// policy counts them).
pub fn feedback(policy: &PasswordPolicy, password: &str) -> Feedback {
    let count = u32::try_from(password.chars().count()).unwrap_or(u32::MAX);
    if count == 0 {
        Feedback::Rule {
            min: policy.min_chars,
            recommended: policy.recommended_chars,
        }
    } else if count < policy.min_chars {
        Feedback::TooShort {
            count,
            min: policy.min_chars,
        }
    } else if policy.below_recommended(password) {
        Feedback::BelowRecommended {
            recommended: policy.recommended_chars,
        }
    } else {
        Feedback::Good
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: PasswordPolicy = PasswordPolicy::STANDARD;

    #[test]
    fn walks_from_rule_to_good() {
        assert_eq!(
            feedback(&P, ""),
            Feedback::Rule {
                min: 8,
                recommended: 15
            }
        );
        assert_eq!(feedback(&P, "abc"), Feedback::TooShort { count: 3, min: 8 });
        assert_eq!(
            feedback(&P, "abcdefgh"),
            Feedback::BelowRecommended { recommended: 15 }
        );
        assert_eq!(feedback(&P, "correct horse battery"), Feedback::Good);
    }

    #[test]
    fn counts_code_points() {
        assert_eq!(
            feedback(&P, "密码密"),
            Feedback::TooShort { count: 3, min: 8 }
        );
    }
}
