//! A small seeded random stream over PCG (portable: the same numbers on every platform).

use rand_core::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// A random stream with the few draws the simulation needs.
pub(crate) struct Random(Pcg64Mcg);

/// SplitMix64 finaliser: spreads (seed, child) into unrelated stream seeds.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Random {
    /// The stream of one child under one seed.
    pub(crate) fn for_child(seed: u64, child: u64) -> Self {
        Random(Pcg64Mcg::seed_from_u64(mix(seed ^ mix(child))))
    }

    /// A number in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        // 53 random bits, exactly representable.
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// An integer in [lo, hi] (lo when hi < lo).
    pub(crate) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = u64::try_from(hi - lo).unwrap_or(0).saturating_add(1);
        lo + i64::try_from(self.0.next_u64() % span).unwrap_or(0)
    }

    /// A geometric number of days with the given mean, at least 1.
    pub(crate) fn geometric(&mut self, mean: f64) -> i64 {
        let p = 1.0 / mean.max(1.0);
        if p >= 1.0 {
            return 1;
        }
        let u = self.unit().max(f64::MIN_POSITIVE);
        let draw = (u.ln() / (1.0 - p).ln()).floor();
        1 + (draw.min(3650.0) as i64)
    }

    /// A lognormal draw with the given median and spread (sigma of the log).
    pub(crate) fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        // Box-Muller.
        let u1 = self.unit().max(f64::MIN_POSITIVE);
        let u2 = self.unit();
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        median * (sigma * z).exp()
    }

    /// One of `items` by weight (the first when all weights are zero).
    pub(crate) fn pick<T: Copy>(&mut self, items: &[(T, f64)]) -> Option<T> {
        let total: f64 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.unit() * total;
        for (item, weight) in items {
            if x < *weight {
                return Some(*item);
            }
            x -= weight;
        }
        items.first().map(|(item, _)| *item)
    }
}
