//! The sequential test both of the gate's tests use (crashed hosts in [`crate::gate`],
//! slow hosts in [`crate::slow`]): the log-likelihood ratios of a Bernoulli rate `p1`
//! against the baseline's `p0`, and the halt statistic, a mixture of several
//! alternatives. docs/delivery.md, "The gate", has the maths and why.
//!
//! In short: a single alternative `p0 + delta` is the most sensitive test of a small
//! regression, and the slowest to see a large one (each bad host moves it by only
//! `ln(p1 / p0)`, against a baseline bound of 12% some sixty crashes to halt a release
//! that crashes every host). The halt statistic is therefore the likelihood ratio
//! averaged over a set of alternatives, `p0 + delta`, `2 p0`, 50% and 90%, with equal
//! weights: each ratio is a martingale of mean 1 under `p0`, so their mean is one too,
//! and by Ville's inequality it reaches `k / alpha` with probability at most
//! `alpha / k` however often the gate looks. The mean is at least each ratio over the
//! number of alternatives, so it halts whenever any alternative alone would at its
//! Bonferroni share of `alpha`, and a release that crashes every host halts after a
//! handful of crashes.

/// The alternatives beside `p0 + delta`: a doubling of the baseline's rate, and the
/// catastrophic rates (half the hosts, nearly all of them).
const DOUBLING: f64 = 2.0;
const CATASTROPHIC: [f64; 2] = [0.5, 0.9];
/// No alternative reaches certainty: one good host would make its ratio zero.
const CEILING: f64 = 0.999;

/// The log-likelihood ratio of `bad` bad and `good` good hosts under rate `p1`
/// against rate `p0`.
pub fn llr(p0: f64, p1: f64, bad: u64, good: u64) -> f64 {
    bad as f64 * (p1 / p0).ln() + good as f64 * ((1.0 - p1) / (1.0 - p0)).ln()
}

/// The alternative of the advance test: the smallest regression to catch, `p0 + delta`
/// (at most 99.9%).
pub fn regression(p0: f64, delta: f64) -> f64 {
    (p0 + delta).min(CEILING)
}

/// The alternatives the halt statistic weighs, in ascending order, each above `p0`:
/// [`regression`] (always), `2 p0`, 50% and 90% (those below 100%), without repeats.
pub fn alternatives(p0: f64, delta: f64) -> Vec<f64> {
    let mut rates: Vec<f64> = std::iter::once(DOUBLING * p0)
        .chain(CATASTROPHIC)
        .filter(|p| *p > p0 && *p < 1.0)
        .chain(std::iter::once(regression(p0, delta)))
        .collect();
    rates.sort_by(f64::total_cmp);
    rates.dedup_by(|a, b| (*a - *b).abs() < 1e-12);
    rates
}

/// The logarithm of the mixture likelihood ratio: the mean over `alternatives` of each
/// one's likelihood ratio for `bad` bad and `good` good hosts against `p0` (0 with no
/// alternatives: no evidence either way).
pub fn mixture_llr(p0: f64, alternatives: &[f64], bad: u64, good: u64) -> f64 {
    let ratios: Vec<f64> = alternatives
        .iter()
        .map(|p1| llr(p0, *p1, bad, good))
        .collect();
    let Some(top) = ratios.iter().copied().reduce(f64::max) else {
        return 0.0;
    };
    // Log-sum-exp about the largest, so thousands of hosts do not overflow.
    let sum: f64 = ratios.iter().map(|l| (l - top).exp()).sum();
    top + (sum / ratios.len() as f64).ln()
}

/// The alternatives as the gate's figures print them: `1.20%/50.00%/90.00%`.
pub fn percentages(alternatives: &[f64]) -> String {
    let each: Vec<String> = alternatives
        .iter()
        .map(|p| format!("{:.2}%", 100.0 * p))
        .collect();
    each.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ratio_adds_one_term_per_host() {
        let (p0, p1) = (0.002, 0.012);
        assert!((llr(p0, p1, 1, 0) - 6f64.ln()).abs() < 1e-12);
        assert!((llr(p0, p1, 0, 1) - (0.988f64 / 0.998).ln()).abs() < 1e-12);
        assert!(
            (llr(p0, p1, 3, 7) - (3.0 * llr(p0, p1, 1, 0) + 7.0 * llr(p0, p1, 0, 1))).abs() < 1e-9
        );
    }

    #[test]
    fn the_alternatives_lie_above_the_baseline_without_repeats() {
        let close = |got: Vec<f64>, want: &[f64]| {
            got.len() == want.len() && got.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-12)
        };
        assert!(close(alternatives(0.01, 0.01), &[0.02, 0.5, 0.9]));
        assert!(close(alternatives(0.125, 0.01), &[0.135, 0.25, 0.5, 0.9]));
        assert!(close(alternatives(0.5, 0.01), &[0.51, 0.9]));
        assert!(close(alternatives(0.003, 0.01), &[0.006, 0.013, 0.5, 0.9]));
        assert!(close(alternatives(0.95, 0.2), &[0.999]));
    }

    #[test]
    fn the_mixture_is_the_mean_of_the_ratios() {
        let (p0, alts) = (0.05, alternatives(0.05, 0.01));
        let mean = alts.iter().map(|p1| llr(p0, *p1, 7, 40).exp()).sum::<f64>() / alts.len() as f64;
        assert!((mixture_llr(p0, &alts, 7, 40) - mean.ln()).abs() < 1e-9);
        // At least the best alternative at its share of alpha, never more than it.
        let best = alts
            .iter()
            .map(|p1| llr(p0, *p1, 7, 40))
            .fold(f64::MIN, f64::max);
        let m = mixture_llr(p0, &alts, 7, 40);
        assert!(m >= best - (alts.len() as f64).ln() - 1e-12 && m <= best + 1e-12);
        assert_eq!(mixture_llr(p0, &[], 7, 40), 0.0);
        // Ten thousand hosts do not overflow.
        assert!(mixture_llr(p0, &alts, 10_000, 0).is_finite());
    }
}
