"""Expected values for riskmap-forecast's peer tests.

Writes, into the folder given as the only argument (the crate's
tests/fixtures/):

- forecast_panel_monthly.csv: a small seeded panel (14 series x 7 years x 12
  months of counts: some intermittent, some all zero, some busy), the input;
- forecast_statsforecast.csv: statsforecast's forecasts on it (model, series,
  origin = last fitted year, mean = the year's forecast): Naive,
  HistoricAverage, WindowAverage(3) and SimpleExponentialSmoothingOptimized
  on the yearly sums (h = 1), CrostonClassic, CrostonSBA, TSB(0.1, 0.1) and
  ADIDA on the monthly series (h = 12, the year's forecast is the sum of the
  12 monthly forecasts), each through cross_validation with 3 windows;
- forecast_metrics.json: scipy / properscoring values for the metric tests.

Usage: python3 benches/peers/forecast_expected.py crates/riskmap-forecast/tests/fixtures
Needs: pip install statsforecast scipy properscoring pandas numpy
"""
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import properscoring as ps
from scipy import stats
from scipy.special import xlogy
from statsforecast import StatsForecast
from statsforecast.models import (ADIDA, TSB, CrostonClassic, CrostonSBA, HistoricAverage, Naive,
                                  SimpleExponentialSmoothingOptimized, WindowAverage)

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(20210601)
YEARS = list(range(2015, 2022))
rates = [0.0, 0.0, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.5, 3.0, 6.0, 0.05, 0.3, 12.0]
rows = []
for s, r in enumerate(rates):
    trend = 1.0 + 0.06 * (s % 3 - 1)
    for yi, y in enumerate(YEARS):
        for m in range(12):
            lam = r * trend ** yi * rng.gamma(2.0, 0.5)
            rows.append((s, y, m + 1, int(rng.poisson(lam))))
monthly = pd.DataFrame(rows, columns=["series", "year", "month", "count"])
monthly.to_csv(out / "forecast_panel_monthly.csv", index=False)

yearly = monthly.groupby(["series", "year"], as_index=False)["count"].sum()
ydf = pd.DataFrame({"unique_id": yearly.series, "ds": yearly.year, "y": yearly["count"].astype(float)})
mdf = pd.DataFrame({"unique_id": monthly.series, "ds": (monthly.year - 2015) * 12 + monthly.month,
                    "y": monthly["count"].astype(float)})

res = []
sf = StatsForecast(models=[Naive(), HistoricAverage(), WindowAverage(window_size=3),
                           SimpleExponentialSmoothingOptimized()], freq=1, n_jobs=1)
cv = sf.cross_validation(df=ydf, h=1, n_windows=3, step_size=1)
for name, ours in [("Naive", "naive"), ("HistoricAverage", "historic_mean"), ("WindowAverage", "moving_average"),
                   ("SESOpt", "ses")]:
    for _, r in cv.iterrows():
        res.append((ours, int(r.unique_id), int(r.cutoff), float(r[name])))
sf = StatsForecast(models=[CrostonClassic(), CrostonSBA(), TSB(alpha_d=0.1, alpha_p=0.1), ADIDA()], freq=1, n_jobs=1)
cv = sf.cross_validation(df=mdf, h=12, n_windows=3, step_size=12)
cv["origin"] = 2015 + (cv.cutoff // 12) - 1
for name, ours in [("CrostonClassic", "croston"), ("CrostonSBA", "sba"), ("TSB", "tsb"), ("ADIDA", "adida")]:
    sums = cv.groupby(["unique_id", "origin"])[name].sum()
    for (uid, origin), v in sums.items():
        res.append((ours, int(uid), int(origin), float(v)))
pd.DataFrame(res, columns=["model", "series", "origin", "mean"]).to_csv(out / "forecast_statsforecast.csv", index=False,
                                                                       float_format="%.17g")

# Metrics.
y = np.array([0, 3, 1, 7, 2, 2, 0, 12, 5, 1], float)
mu = np.array([0.4, 2.5, 1.0, 4.0, 2.0, 3.5, 0.0, 9.0, 6.0, 1.2])
metrics = {
    "y": y.tolist(), "mu": mu.tolist(),
    "poisson_deviance": float(np.mean(2 * (xlogy(y, y / np.maximum(mu, 1e-6)) - (y - np.maximum(mu, 1e-6))))),
    "spearman": float(stats.spearmanr(mu, y).statistic),
}
crps = []
for mean, size, obs in [(0.3, None, 0), (0.3, None, 2), (4.0, None, 4), (4.0, 1.5, 9), (57.5, None, 40),
                        (57.5, 3.0, 120), (900.0, None, 870), (2.5, 0.4, 0), (2.5, 0.4, 31)]:
    dist = stats.poisson(mean) if size is None else stats.nbinom(size, size / (size + mean))
    k = np.arange(0, int(dist.ppf(1 - 1e-15)) + obs + 10)
    value = float(np.sum((dist.cdf(k) - (obs <= k)) ** 2))
    crps.append({"mean": mean, "size": size, "y": obs, "crps": value,
                 "p10": float(dist.ppf(0.1)), "p50": float(dist.ppf(0.5)), "p90": float(dist.ppf(0.9))})
metrics["crps"] = crps
# An empirical pmf (an ensemble of integer draws) against properscoring's crps_ensemble.
ens = rng.poisson(3.0, size=40).astype(float)
metrics["ensemble"] = {"members": ens.tolist(),
                       "cases": [{"y": float(o), "crps": float(ps.crps_ensemble(o, ens))} for o in [0, 2, 3, 5.5, 11]]}
(out / "forecast_metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
print("wrote", out)
