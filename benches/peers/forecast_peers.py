"""Speed and agreement of `riskmap backtest` against statsforecast's
cross_validation, on the same series, models and windows.

Series: every township x measure of the region's panel (as `riskmap run`
writes it: panel.parquet and panel_monthly.parquet), complete years only.
Windows: 5 yearly origins (the last 5 before the last complete year).
Models (7): Naive, HistoricAverage, WindowAverage(3), SESOpt on the yearly
series (h = 1); CrostonClassic, TSB(0.1, 0.1), ADIDA on the monthly series
(h = 12, step 12; the year's forecast is the sum of the 12 months). riskmap's
names: naive, historic_mean, moving_average, ses, croston, tsb, adida.

Usage:
  riskmap synth --preset province --seed 1 --out /tmp/prov
  riskmap run --data /tmp/prov --out /tmp/prov-run
  python3 benches/peers/forecast_peers.py --riskmap target/release/riskmap \
      --data /tmp/prov --panel /tmp/prov-run --out /tmp/prov-bt [--n-jobs N]
Prints timings and the largest disagreement per model.

Fair to statsforecast: a warm-up on a few series runs before the clock
starts (statsforecast 1.x compiled its models with numba on first call, a
one-off a user pays once per environment, not per run; 2.x has a compiled
C++ core, and the warm-up only takes first-call setup out of the timing),
and it uses every core by default (--n-jobs, default os.cpu_count()), as
riskmap does.
"""
import argparse
import os
import subprocess
import time

import numpy as np
import pandas as pd
import polars as pl
from statsforecast import StatsForecast
from statsforecast.models import (ADIDA, TSB, CrostonClassic, HistoricAverage, Naive,
                                  SimpleExponentialSmoothingOptimized, WindowAverage)

ap = argparse.ArgumentParser()
ap.add_argument("--riskmap", required=True)
ap.add_argument("--data", required=True)
ap.add_argument("--panel", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--n-jobs", type=int, default=os.cpu_count())
ap.add_argument("--last-year", type=int, default=2021)
a = ap.parse_args()

LAST = a.last_year
ORIGINS = f"{LAST - 5}..{LAST - 1}"
y = pl.read_parquet(f"{a.panel}/panel.parquet").filter(pl.col("year") <= LAST)
first = y["year"].min()
y = y.with_columns((pl.col("code") + "|" + pl.col("measure")).alias("unique_id"))
ydf = y.select("unique_id", pl.col("year").alias("ds"), pl.col("count").alias("y")).to_pandas()
m = pl.read_parquet(f"{a.panel}/panel_monthly.parquet").filter(pl.col("year") <= LAST)
m = m.with_columns((pl.col("code") + "|" + pl.col("measure")).alias("unique_id"),
                   ((pl.col("year") - first) * 12 + pl.col("month")).alias("ds"))
# The monthly panel keeps non-zero cells only: complete the grid with zeros
# for every series of a measure that has monthly records (riskmap does too).
monthly_measures = m["measure"].unique()
ids = y.filter(pl.col("measure").is_in(monthly_measures.implode()))["unique_id"].unique().sort()
grid = pl.DataFrame({"unique_id": ids}).join(pl.DataFrame({"ds": np.arange(1, (LAST - first + 1) * 12 + 1)}), how="cross")
m = grid.join(m.select("unique_id", "ds", pl.col("count").alias("y")), on=["unique_id", "ds"], how="left").with_columns(pl.col("y").fill_null(0.0))
mdf = m.sort("unique_id", "ds").to_pandas()
print(f"{ydf.unique_id.nunique()} yearly series ({first}-{LAST}), {mdf.unique_id.nunique()} monthly series")

YEARLY = lambda: [Naive(), HistoricAverage(), WindowAverage(window_size=3), SimpleExponentialSmoothingOptimized()]
MONTHLY = lambda: [CrostonClassic(), TSB(alpha_d=0.1, alpha_p=0.1), ADIDA()]
# Warm-up, untimed: every model's first call (numba compilation in statsforecast 1.x).
few = lambda df: df[df.unique_id.isin(df.unique_id.unique()[:4])]
StatsForecast(models=YEARLY(), freq=1, n_jobs=1).cross_validation(df=few(ydf), h=1, n_windows=5, step_size=1)
StatsForecast(models=MONTHLY(), freq=1, n_jobs=1).cross_validation(df=few(mdf), h=12, n_windows=5, step_size=12)

t = time.perf_counter()
sf = StatsForecast(models=YEARLY(),
                   freq=1, n_jobs=a.n_jobs)
cv_y = sf.cross_validation(df=ydf, h=1, n_windows=5, step_size=1)
t_y = time.perf_counter() - t
t = time.perf_counter()
sf = StatsForecast(models=MONTHLY(), freq=1, n_jobs=a.n_jobs)
cv_m = sf.cross_validation(df=mdf, h=12, n_windows=5, step_size=12)
t_m = time.perf_counter() - t
print(f"statsforecast cross_validation: yearly {t_y:.2f} s + monthly {t_m:.2f} s = {t_y + t_m:.2f} s (n_jobs={a.n_jobs})")

t = time.perf_counter()
r = subprocess.run([a.riskmap, "backtest", "--data", a.data, "--out", a.out, "--origins", ORIGINS,
                    "--models", "naive,historic_mean,moving_average,ses,croston,tsb,adida"],
                   check=True, capture_output=True, text=True)
t_r = time.perf_counter() - t
models_s = float(r.stdout.split("models ")[1].split(" s")[0])
print(f"riskmap backtest: {t_r:.2f} s end to end (reading and validating the raw region, the join, the panel, "
      f"7 models, scores, writing); models alone {models_s:.2f} s")
print(f"speed-up, models vs cross_validation: {(t_y + t_m) / models_s:.0f}x; end to end vs cross_validation: {(t_y + t_m) / t_r:.1f}x")

# Agreement on every prediction.
p = pl.read_parquet(f"{a.out}/predictions.parquet").with_columns((pl.col("code") + "|" + pl.col("measure")).alias("unique_id"))
sfy = pl.from_pandas(cv_y.reset_index() if "unique_id" not in cv_y.columns else cv_y)
sfm = pl.from_pandas(cv_m.reset_index() if "unique_id" not in cv_m.columns else cv_m)
sfm = sfm.with_columns((first + pl.col("cutoff") // 12 - 1).alias("origin"))
sfm = sfm.group_by("unique_id", "origin").agg(pl.col("CrostonClassic").sum(), pl.col("TSB").sum(), pl.col("ADIDA").sum())
sfy = sfy.rename({"cutoff": "origin"}).with_columns(pl.col("origin").cast(pl.Int32))
sfm = sfm.with_columns(pl.col("origin").cast(pl.Int32))
for ours, theirs, table in [("naive", "Naive", sfy), ("historic_mean", "HistoricAverage", sfy), ("moving_average", "WindowAverage", sfy),
                            ("ses", "SESOpt", sfy), ("croston", "CrostonClassic", sfm), ("tsb", "TSB", sfm), ("adida", "ADIDA", sfm)]:
    j = p.filter(pl.col("model") == ours).join(table.select("unique_id", "origin", theirs), on=["unique_id", "origin"], how="inner")
    j = j.filter(pl.col(theirs).is_not_nan())
    d = (j["mean"] - j[theirs]).abs()
    print(f"  {ours:<15} {j.height:>7} predictions compared, max |riskmap - statsforecast| = {d.max():.3g}")
