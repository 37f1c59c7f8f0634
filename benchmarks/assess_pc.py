"""Pc throughput: vectorised Foster 2D and SOCRATES max Pc against a per-conjunction scipy baseline.

Random LEO-like encounters (miss ~ km, combined sigmas 0.1-1 km, HBR 10 m).
Baseline, measured in the same run: scipy.integrate.dblquad of the 2D
Gaussian over the hard-body circle, one conjunction at a time (the textbook
Foster integral), and for max Pc a scipy minimize_scalar over the scale per
conjunction. Also prints the largest relative difference to the baseline,
and the max-Pc numba kernel against its numpy reference (``risk.peak_over_scale_reference``).

    python benchmarks/assess_pc.py [--n 2000]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import integrate, optimize

from ssa.assess import risk


def encounters(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    r1 = rng.normal(0, 1, (n, 3))
    r1 = 7000.0 * r1 / np.linalg.norm(r1, axis=1, keepdims=True)
    v1 = np.cross(r1, rng.normal(0, 1, (n, 3)))
    v1 = 7.5 * v1 / np.linalg.norm(v1, axis=1, keepdims=True)
    r2 = r1 + rng.normal(0, 1.0, (n, 3))
    v2 = v1 + rng.normal(0, 5.0, (n, 3))
    cov = np.einsum("ni,ij->nij", rng.uniform(0.1, 1.0, (n, 3)) ** 2, np.eye(3))
    return r1, v1, r2, v2, cov


def dblquad_pc(mx, my, sx, sy, hbr):
    def density(y, x):
        return np.exp(-0.5 * (((x + mx) / sx) ** 2 + ((y + my) / sy) ** 2)) / (2 * np.pi * sx * sy)

    value, _ = integrate.dblquad(density, -hbr, hbr, lambda x: -np.sqrt(hbr**2 - x**2),
                                 lambda x: np.sqrt(hbr**2 - x**2), epsabs=0, epsrel=1e-9)
    return value


def scalar_max_prob(miss, ratio, hbr):
    def neg(log_s):
        s = np.exp(log_s)
        return -risk.pc_plane(miss, 0.0, ratio * s, s, hbr)[0]

    k0 = np.log(miss / (np.sqrt(2) * ratio))
    res = optimize.minimize_scalar(neg, bracket=(k0 - 1, k0 + 1), tol=1e-10)
    return -res.fun


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    n, hbr = args.n, 0.010
    r1, v1, r2, v2, cov = encounters(n)
    mx, my, sx, sy, _ = risk.encounter_plane(r2 - r1, v2 - v1, cov, v1)

    t = time.perf_counter()
    ours, _ = risk.pc_foster(r2 - r1, v2 - v1, cov, hbr, v1)
    t_ours = time.perf_counter() - t
    m = min(n, 300)  # the baseline is slow: time a subset, scale per conjunction
    t = time.perf_counter()
    base = np.array([dblquad_pc(mx[i], my[i], sx[i], sy[i], hbr) for i in range(m)])
    t_base = (time.perf_counter() - t) * n / m
    nz = base > 1e-300
    err_pc = np.max(np.abs(ours[:m][nz] / base[nz] - 1))

    risk.max_probability(r2[:2] - r1[:2], v2[:2] - v1[:2], hbr, r1[:2], v1[:2], r2[:2], v2[:2])  # load the kernel
    t = time.perf_counter()
    mp, _ = risk.max_probability(r2 - r1, v2 - v1, hbr, r1, v1, r2, v2)
    t_mp = time.perf_counter() - t
    mxs, mys, sxs, sys_, _ = risk.encounter_plane(r2 - r1, v2 - v1, risk.socrates_covariance(r1, v1, r2, v2), v1)
    t = time.perf_counter()
    base_mp = np.array([scalar_max_prob(np.hypot(mxs[i], mys[i]), sxs[i] / sys_[i], hbr) for i in range(m)])
    t_base_mp = (time.perf_counter() - t) * n / m
    err_mp = np.max(np.abs(mp[:m] / base_mp - 1))
    miss = np.hypot(mxs, mys)
    far = miss > hbr
    t = time.perf_counter()  # the numpy reference of the max-Pc kernel, all conjunctions
    ref_mp, _ = risk.peak_over_scale_reference(miss[far], sxs[far] / sys_[far], np.full(far.sum(), hbr))
    t_ref_mp = time.perf_counter() - t
    err_ref = np.max(np.abs(mp[far] / ref_mp - 1))

    print(f"{n} conjunctions (baseline timed on {m}, scaled)")
    print("| quantity | ours (s) | baseline (s) | baseline / ours | max rel. difference |")
    print("|---|---:|---:|---:|---:|")
    print(f"| Foster 2D Pc | {t_ours:.3f} | {t_base:.3f} | {t_base / t_ours:.0f} | {err_pc:.1e} |")
    print(f"| SOCRATES max Pc + dilution | {t_mp:.3f} | {t_base_mp:.3f} | {t_base_mp / t_mp:.1f} | {err_mp:.1e} |")
    print(f"| max Pc: numba kernel against its numpy reference | {t_mp:.3f} | {t_ref_mp:.3f} | "
          f"{t_ref_mp / t_mp:.1f} | {err_ref:.1e} |")


if __name__ == "__main__":
    main()
