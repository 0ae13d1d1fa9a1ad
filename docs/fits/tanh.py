#!/usr/bin/env python3
"""Checks SpecialFunctions.TANH_P and TANH_Q as the vector kernel rounds them.

The vector tanh is c P(c^2) / Q(c^2), c = x clamped to [-10, 10], then clamped to [-1, 1]. P and Q
are Eigen's rational tanh for float (generic_fast_tanh_float) divided by Q's constant. Prints, for
float32 evaluation as PanamaMath.tanh writes it (with fused multiply-adds, and with a multiply and
an add), the largest error of tanh, tanhshrink and GELU's tanh form against float64 in units of the
golden element-wise tolerance (the larger of 4 ulp and 2^-22 max(1, |x|)), on a 2^-12 grid over
[-20, 20] and log grids near zero, and the values at the tails (exactly +-1, and GELU -0.0).
Needs numpy.
"""
import math

import numpy as np

from float32_eval import fused, odd_rational, rounded, unfused

A = [4.89352455891786e-03, 6.37261928875436e-04, 1.48572235717979e-05, 5.12229709037114e-08,
     -8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16]
B = [4.89352518554385e-03, 2.26843463243900e-03, 1.18534705686654e-04, 1.19825839466702e-06]
P = [a / B[0] for a in A]
Q = [b / B[0] for b in B]
LIMIT = np.float32(10)
f32 = np.float32


def tanh(x, step):
    return np.minimum(np.maximum(odd_rational(x, P, Q, LIMIT, step), f32(-1)), f32(1))


def gelu_tanh(x, step):
    with np.errstate(over="ignore"):
        inner = rounded(rounded(rounded(rounded(rounded(x * x) * f32(0.044715)) + 1) * x)
                        * f32(math.sqrt(2 / math.pi)))
    return rounded(rounded(x * f32(0.5)) * rounded(tanh(inner, step).astype(np.float64) + 1))


x = np.concatenate([np.arange(-20 * 2**12, 20 * 2**12 + 1) / 2**12, np.geomspace(1e-38, 1, 20000),
                    -np.geomspace(1e-38, 1, 20000)]).astype(np.float32)
xd = x.astype(np.float64)
with np.errstate(over="ignore"):
    inner = (xd + 0.044715 * xd**3) * math.sqrt(2 / math.pi)
exact = {"tanh": np.tanh(xd), "tanhshrink": xd - np.tanh(xd),
         "gelu(approximate=tanh)": 0.5 * xd * (1 + np.tanh(inner))}
tails = np.array([-1e30, -20, -10, 10, 20, 1e30], dtype=np.float32)
for name, step in (("fused multiply-add", fused), ("multiply and add", unfused)):
    t = tanh(x, step)
    got = {"tanh": t, "tanhshrink": rounded(xd - t), "gelu(approximate=tanh)": gelu_tanh(x, step)}
    for op, r in exact.items():
        ulp = np.spacing(np.abs(r).astype(np.float32)).astype(np.float64)
        e = np.abs(got[op] - r) / np.maximum(4 * ulp, 2**-22 * np.maximum(1, np.abs(xd)))
        print(f"{name}, {op}: largest error {e.max():.3f} of the tolerance at x = {xd[e.argmax()]:.5g}")
    print(f"{name}: tanh{tails.tolist()} = {tanh(tails, step).tolist()};"
          f" GELU's tanh form there = {gelu_tanh(tails, step).tolist()}")
