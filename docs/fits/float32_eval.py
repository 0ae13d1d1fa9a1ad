"""Float32 evaluation as the vector kernels round it, for the scripts beside this one.

rounded: to float32; fused: a * b + c with one rounding (a fused multiply-add; a * b of two float32
is exact in double); unfused: a multiply and an add, each rounded; odd_rational: c P(c^2) / Q(c^2)
with c clamped to [-limit, limit], P and Q lowest degree first, by Horner's rule with the given
step, as PanamaMath.polynomial and its callers compute it. Needs numpy.
"""
import numpy as np


def rounded(v):
    return np.asarray(v).astype(np.float32)


def fused(a, b, c):
    return rounded(a.astype(np.float64) * b + c)


def unfused(a, b, c):
    return rounded(rounded(a.astype(np.float64) * b) + np.asarray(c, dtype=np.float64))


def polynomial(s, coefficients, step):
    p = np.full_like(s, np.float32(coefficients[-1]))
    for k in range(len(coefficients) - 2, -1, -1):
        p = step(p, s, np.full_like(s, np.float32(coefficients[k])))
    return p


def odd_rational(x, p, q, limit, step):
    c = np.minimum(np.maximum(x, -limit), limit)
    s = rounded(c.astype(np.float64) * c)
    numerator = rounded(c.astype(np.float64) * polynomial(s, p, step))
    return rounded(numerator / polynomial(s, q, step).astype(np.float64))
