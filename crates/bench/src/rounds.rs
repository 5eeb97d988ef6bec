//! The sign-in bench in rounds (issue 21): on a shared machine the pure argon2id rate moves
//! between runs (105.6 → 121.2 hashes/s back to back), so one pure run then one HTTP run cannot
//! say whether sign-ins reach 90 % of it. The bench alternates them, round after round, and
//! compares the medians; the per-round ratios' spread says how far one run could be trusted.

use serde::Serialize;

/// One round: the pure rate, then the HTTP run right after it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Round {
    pub pure_hashes_per_second: f64,
    pub sign_ins_per_second: f64,
}

impl Round {
    /// This round's sign-ins per second over its own pure rate.
    pub fn ratio(&self) -> f64 {
        self.sign_ins_per_second / self.pure_hashes_per_second
    }
}

/// What the rounds say together.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub pure_median: f64,
    pub sign_ins_median: f64,
    /// `sign_ins_median / pure_median`: the figure compared with the budget.
    pub ratio_of_medians: f64,
    /// The lowest and highest per-round ratio.
    pub ratio_min: f64,
    pub ratio_max: f64,
}

/// The median (the mean of the two middle values for an even count); NaN when empty.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

pub fn summarize(rounds: &[Round]) -> Summary {
    let pure: Vec<f64> = rounds.iter().map(|r| r.pure_hashes_per_second).collect();
    let http: Vec<f64> = rounds.iter().map(|r| r.sign_ins_per_second).collect();
    let ratios = rounds.iter().map(Round::ratio);
    let (pure_median, sign_ins_median) = (median(&pure), median(&http));
    Summary {
        pure_median,
        sign_ins_median,
        ratio_of_medians: sign_ins_median / pure_median,
        ratio_min: ratios.clone().fold(f64::NAN, f64::min),
        ratio_max: ratios.fold(f64::NAN, f64::max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(pure: f64, http: f64) -> Round {
        Round {
            pure_hashes_per_second: pure,
            sign_ins_per_second: http,
        }
    }

    #[test]
    fn medians_of_odd_even_and_empty_lists() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[7.0]), 7.0);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn the_ratio_is_of_the_medians_and_the_spread_is_per_round() {
        // The rounds' own ratios: 0.8, 0.9, 1.0, 0.75, 0.95.
        let rounds = [
            round(100.0, 80.0),
            round(110.0, 99.0),
            round(90.0, 90.0),
            round(120.0, 90.0),
            round(100.0, 95.0),
        ];
        let s = summarize(&rounds);
        assert_eq!(s.pure_median, 100.0);
        assert_eq!(s.sign_ins_median, 90.0);
        assert_eq!(s.ratio_of_medians, 0.9);
        assert_eq!(s.ratio_min, 0.75);
        assert_eq!(s.ratio_max, 1.0);
    }

    #[test]
    fn no_rounds_give_no_figure() {
        let s = summarize(&[]);
        assert!(s.ratio_of_medians.is_nan());
        assert!(s.ratio_min.is_nan() && s.ratio_max.is_nan());
    }
}
