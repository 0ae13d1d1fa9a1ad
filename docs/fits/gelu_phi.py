#!/usr/bin/env python3
"""Derives SpecialFunctions.GELU_PHI_P and GELU_PHI_Q and checks them as the vector kernel rounds.

The vector GELU is x Phi(c), c = x clamped to [-LIMIT, LIMIT], Phi(c) = 1/2 + c P(c^2) / Q(c^2).
P and Q come from the rational erf(z) = z A(z^2) / B(z^2) on [-4, 4] of Eigen's
generic_fast_erf_float (also XLA's), by z = x / sqrt(2): Phi(x) = 1/2 + erf(x / sqrt(2)) / 2, so
P_k = A_k / (2 sqrt(2) 2^k B_0) and Q_k = B_k / (2^k B_0), Q_0 = 1. LIMIT = 4 sqrt(2).

Prints P and Q (lowest degree first), then for float32 evaluation as PanamaActivations writes it
(with fused multiply-adds, and with a multiply and an add), the largest error against
0.5 x erfc(-x / sqrt(2)) in units of the golden element-wise tolerance (the larger of 4 ulp and
2^-22 max(1, |x|)) on a 2^-14 grid over [-7, 7] and a log grid near zero, and GELU past the limit
(exactly -0.0 below it, exactly x above it). Needs numpy.
"""
import math

import numpy as np

from float32_eval import fused, odd_rational, rounded, unfused

A = [-1.60960333262415e-02, -2.95459980854025e-03, -7.34990630326855e-04, -5.69250639462346e-05,
     -2.10102402082508e-06, 2.77068142495902e-08, -2.72614225801306e-10]
B = [-1.42647390514189e-02, -7.37332916720468e-03, -1.68282697438203e-03, -2.13374055278905e-04,
     -1.45660718464996e-05]
P = [a / (2 * math.sqrt(2) * 2**k * B[0]) for k, a in enumerate(A)]
Q = [b / (2**k * B[0]) for k, b in enumerate(B)]
LIMIT = np.float32(4 * math.sqrt(2))


def gelu(x, step):
    phi = rounded(odd_rational(x, P, Q, LIMIT, step).astype(np.float64) + 0.5)
    return rounded(x.astype(np.float64) * phi)


x = np.concatenate([np.arange(-7 * 2**14, 7 * 2**14 + 1) / 2**14,
                    np.geomspace(1e-30, 1, 5000), -np.geomspace(1e-30, 1, 5000)]).astype(np.float32)
xd = x.astype(np.float64)
exact = np.array([0.5 * v * math.erfc(-v / math.sqrt(2)) for v in xd])
ulp = np.spacing(np.abs(exact).astype(np.float32)).astype(np.float64)
tolerance = np.maximum(2**-22 * np.maximum(1, np.abs(xd)), 4 * ulp)
print("P:", ",\n".join(repr(v) for v in P))
print("Q:", ",\n".join(repr(v) for v in Q))
beyond = np.array([-1e30, -100, -LIMIT, LIMIT, 100, 1e30], dtype=np.float32)
for name, step in (("fused multiply-add", fused), ("multiply and add", unfused)):
    e = np.abs(gelu(x, step) - exact) / tolerance
    print(f"{name}: largest error {e.max():.3f} of the tolerance at x = {xd[e.argmax()]:.5f};"
          f" past the limit {beyond.tolist()} -> {gelu(beyond, step).tolist()}")
