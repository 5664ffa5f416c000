"""Expected values for riskmap-forecast's BYM2 test, from an independent
implementation in numpy and scipy.

For a small region (7 townships: a connected group of 6 on a 2 x 3 grid with
queen contiguity, and one island), 5 years of counts, an exposure and one
covariate, and fixed hyperparameters (sigma, phi, theta), computes:

- the BYM2 prior: the intrinsic CAR structure R = D - W of each connected
  group, its generalised inverse by numpy's pinv, scaled so that the
  geometric mean of its diagonal is 1 (Riebler et al. 2016); an island's
  spatial part has variance 1; Sigma = (1 - phi) I + phi S, Q = inv(Sigma);
- the mode of the log joint (NB or Poisson log-likelihood, the BYM2 prior
  on b, N(0, 1/p_k) priors on the fixed effects: 1e-6 on the intercept, 100 on
  the trend, 1 on the standardised covariate) by scipy's trust-exact Newton
  with the exact gradient and Hessian;
- the Laplace evidence at the mode with the Fisher information
  w = mu theta / (mu + theta):
  l(mode) - 1/2 tau b'Qb + 1/2 (log|Q| + n log tau) - 1/2 beta'P beta
  + 1/2 log|P| - 1/2 log|H|.

Writes bym2_expected.json into the folder given as the only argument
(crates/riskmap-forecast/tests/fixtures).
Needs: pip install numpy scipy
"""
import json
import sys
from pathlib import Path

import numpy as np
from scipy import optimize
from scipy.special import gammaln

rng = np.random.default_rng(16)
n, T = 7, 5
# 2 x 3 grid (0 1 2 / 3 4 5), queen: every pair within one step; 6 is an island.
coords = {i: (i % 3, i // 3) for i in range(6)}
neighbours = [[j for j in range(6) if j != i and max(abs(coords[i][0] - coords[j][0]),
                                                      abs(coords[i][1] - coords[j][1])) == 1]
              for i in range(6)] + [[]]
exposure = rng.uniform(2.0, 9.0, size=(n, T + 1)).round(3)
covariate = rng.normal(size=n).round(3)
rate = np.exp(0.3 * (covariate - covariate.mean()) / covariate.std() + rng.normal(0, 0.5, n))
counts = rng.poisson(exposure[:, :T] * rate[:, None] * np.exp(0.05 * (np.arange(T) - T + 1))).astype(float)

# Design: intercept, trend (years from the last known one), standardised covariate.
z = (covariate - covariate.mean()) / covariate.std()
X = np.array([[1.0, s - (T - 1), z[i]] for i in range(n) for s in range(T)])
A = np.hstack([X, np.kron(np.eye(n), np.ones((T, 1)))])  # rows: township-major
y = counts.reshape(-1)
off = np.log(exposure[:, :T]).reshape(-1)
p = 3
prior = np.array([1e-6, 100.0, 1.0])

# The BYM2 structure.
S = np.zeros((n, n))
group = [list(range(6)), [6]]
scales = []
for g in group:
    if len(g) == 1:
        S[g[0], g[0]] = 1.0
        continue
    R = np.zeros((len(g), len(g)))
    for a, i in enumerate(g):
        for b, j in enumerate(g):
            if i == j:
                R[a, b] = len(neighbours[i])
            elif j in neighbours[i]:
                R[a, b] = -1.0
    Rp = np.linalg.pinv(R)
    scale = np.exp(np.mean(np.log(np.diag(Rp))))
    scales.append(scale)
    S[np.ix_(g, g)] = Rp / scale


def case(sigma, phi, theta):
    Sigma = (1 - phi) * np.eye(n) + phi * S
    Q = np.linalg.inv(Sigma)
    tau = 1 / sigma**2
    nb = np.isfinite(theta)

    def loglik(v):
        mu = np.exp(off + A @ v)
        if nb:
            return np.sum(gammaln(y + theta) - gammaln(theta) - gammaln(y + 1)
                          + theta * np.log(theta / (theta + mu)) + y * np.log(mu / (theta + mu)))
        return np.sum(y * np.log(mu) - mu - gammaln(y + 1))

    def neg(v):
        b = v[p:]
        return -loglik(v) + 0.5 * tau * b @ Q @ b + 0.5 * np.sum(prior * v[:p] ** 2)

    def grad(v):
        mu = np.exp(off + A @ v)
        score = theta * (y - mu) / (mu + theta) if nb else y - mu
        g = -A.T @ score
        g[:p] += prior * v[:p]
        g[p:] += tau * Q @ v[p:]
        return g

    def hess(v, fisher=False):
        mu = np.exp(off + A @ v)
        if nb:
            w = mu * theta / (mu + theta) if fisher else (y + theta) * mu * theta / (mu + theta) ** 2
        else:
            w = mu
        H = A.T @ (w[:, None] * A)
        H[:p, :p] += np.diag(prior)
        H[p:, p:] += tau * Q
        return H

    v0 = np.zeros(p + n)
    v0[0] = np.log((y.sum() + 0.5) / np.exp(off).sum())
    res = optimize.minimize(neg, v0, jac=grad, hess=hess, method="trust-exact",
                            options={"gtol": 1e-12, "maxiter": 500})
    v = res.x
    for _ in range(20):  # polish with plain Newton steps on the exact Hessian
        v = v - np.linalg.solve(hess(v), grad(v))
    assert np.max(np.abs(grad(v))) < 1e-9, np.max(np.abs(grad(v)))
    b = v[p:]
    H = hess(v, fisher=True)
    evidence = (loglik(v) - 0.5 * tau * b @ Q @ b
                + 0.5 * (np.linalg.slogdet(Q)[1] + n * np.log(tau))
                - 0.5 * np.sum(prior * v[:p] ** 2) + 0.5 * np.sum(np.log(prior))
                - 0.5 * np.linalg.slogdet(H)[1])
    return {"sigma": sigma, "phi": phi, "size": None if not nb else theta,
            "mode": v.tolist(), "evidence": evidence}


out = {
    "first_year": 2016,
    "counts": counts.tolist(),
    "exposure": exposure.tolist(),
    "covariate": covariate.tolist(),
    "neighbours": neighbours,
    "icar_scale": scales,
    "cases": [case(0.6, 0.4, 5.0), case(1.2, 0.9, np.inf), case(0.3, 0.0, 2.5)],
}
Path(sys.argv[1], "bym2_expected.json").write_text(json.dumps(out, indent=1) + "\n")
print("wrote", Path(sys.argv[1], "bym2_expected.json"))
