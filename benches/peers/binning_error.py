#!/usr/bin/env python3
"""Worst-case binning error of one point, relative to its kernel's peak, for the
binning schemes riskmap-raster's kernel density considers (the table in
crates/riskmap-raster/src/kde/mod.rs).

Usage: python3 binning_error.py

A point at fractional offset (u, v) in a cell is spread over nearby lattice nodes
with weights w(u)·w(v); the density the lattice gives at node s is
sum_g w_g K(s - g), the exact one is K(s - p). The error is the largest difference
over all nodes and over offsets u, v on an 8 x 8 sub-grid of the cell, divided by
K(0). Bandwidths are in lattice steps. For the cubic B-spline the Gaussian is
evaluated with sigma_c^2 = sigma^2 - 1/3 (and its normalisation), which removes the
variance the B-spline adds.
"""
import numpy as np


def quartic(r2, h):
    return np.where(r2 < h * h, (1 - r2 / (h * h)) ** 2, 0.0)


def gauss(r2, s):
    return np.exp(-r2 / (2 * s * s))


def w_linear(t):
    return {0: 1 - t, 1: t}


def w_lagrange(t):
    return {-1: -t * (t - 1) * (t - 2) / 6, 0: (t + 1) * (t - 1) * (t - 2) / 2,
            1: -(t + 1) * t * (t - 2) / 2, 2: (t + 1) * t * (t - 1) / 6}


def w_bspline(t):
    return {-1: (1 - t) ** 3 / 6, 0: (3 * t ** 3 - 6 * t ** 2 + 4) / 6,
            1: (-3 * t ** 3 + 3 * t ** 2 + 3 * t + 1) / 6, 2: t ** 3 / 6}


def max_error(kernel, bw, weights, var_corr=0.0):
    reach = int(np.ceil(bw * (5 if kernel is gauss else 1))) + 4
    xs = np.arange(-reach, reach + 1.0)
    X, Y = np.meshgrid(xs, xs)
    bwc = np.sqrt(bw * bw - var_corr) if kernel is gauss else bw
    amp = (bw / bwc) ** 2
    worst = 0.0
    for u in np.linspace(0, 1, 9)[:-1]:
        for v in np.linspace(0, 1, 9)[:-1]:
            exact = kernel((X - u) ** 2 + (Y - v) ** 2, bw)
            approx = 0.0
            for a, wa in weights(u).items():
                for b, wb in weights(v).items():
                    approx = approx + wa * wb * amp * kernel((X - a) ** 2 + (Y - b) ** 2, bwc)
            worst = max(worst, np.abs(approx - exact).max())
    return worst


if __name__ == "__main__":
    print("kernel,bandwidth_steps,linear,cubic_lagrange,cubic_bspline_corrected")
    for h in [4, 8, 12, 16, 20, 24, 32]:
        print(f"quartic,{h},{max_error(quartic, h, w_linear):.2e},{max_error(quartic, h, w_lagrange):.2e},")
    for s in [1, 1.5, 2, 2.5, 3, 4, 8]:
        print(f"gaussian,{s},{max_error(gauss, s, w_linear):.2e},{max_error(gauss, s, w_lagrange):.2e},"
              f"{max_error(gauss, s, w_bspline, 1 / 3):.2e}")
