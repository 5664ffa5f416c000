"""Peer values for riskmap-score: skewness (scipy), quantiles (numpy) and
Marshall's global empirical Bayes rates (PySAL esda), on fixed small datasets.

Usage: python3 benches/peers/score_peer.py OUT.json
(writes crates/riskmap-score/tests/peer_values.json when given that path)
"""
import json
import sys

import numpy as np
import scipy.stats
from esda.smoothing import Empirical_Bayes

# A skewed count-like vector (named "ladder") and a seeded Poisson sample.
ladder = [1.0, 2.0, 4.0, 8.0, 16.0]
rng = np.random.default_rng(7)
exposure = rng.uniform(0.5, 20.0, size=40).round(3)
true_rate = rng.gamma(2.0, 1.5, size=40)
counts = rng.poisson(exposure * true_rate).astype(float)

eb = Empirical_Bayes(counts, exposure).r.ravel()
b_sum = exposure.sum()
m = counts.sum() / b_sum
s2 = (exposure * (counts / exposure - m) ** 2).sum() / b_sum
a = s2 - m / (b_sum / len(counts))
assert a > 0, "the peer test needs a positive between-township variance (esda does not clamp)"

out = {
    "ladder": ladder,
    "ladder_skewness": float(scipy.stats.skew(ladder, bias=True)),
    "ladder_quantiles": {str(p): float(np.quantile(ladder, p)) for p in (0.05, 0.5, 0.95)},
    "eb_counts": counts.tolist(),
    "eb_exposure": exposure.tolist(),
    "eb_rates": eb.tolist(),
    "versions": {"numpy": np.__version__, "scipy": scipy.__version__},
}
with open(sys.argv[1], "w") as f:
    json.dump(out, f, indent=1)
