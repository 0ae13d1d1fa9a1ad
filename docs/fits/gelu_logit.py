#!/usr/bin/env python3
"""Refits SpecialFunctions.GELU_LOGIT: g(x) = logit(Phi(x)) = x P(x^2) on [0, 5.5], P of degree 6.

Weighted least squares with Lawson's iterations (which tend to the weighted minimax fit). A point's
weight is how far an error in g moves GELU = x / (1 + e^-g) against the golden rule's element-wise
tolerance 2^-22 max(1, |x|): |x| Phi (1 - Phi) / max(1, |x|) / 2^-22, floored at 1e-3 so that the
tail, where Phi is negligible, still keeps g increasing. Needs numpy. Prints the largest weighted
error (in units of the tolerance, before float rounding) and the coefficients, lowest degree first.
"""
import math

import numpy as np

LIMIT, TERMS = 5.5, 7
xs = np.linspace(1e-4, LIMIT, 40000)
phi = np.array([0.5 * math.erfc(-x / math.sqrt(2)) for x in xs])
g = np.array([math.log(math.erfc(-x / math.sqrt(2))) - math.log(math.erfc(x / math.sqrt(2))) for x in xs])
w = np.maximum(xs * phi * (1 - phi) / np.maximum(1, xs) / 2**-22, 1e-3)
a = np.stack([xs ** (2 * k + 1) for k in range(TERMS)], axis=1)
lawson = np.ones_like(xs)
for _ in range(100):
    sw = w * np.sqrt(lawson)
    c, *_ = np.linalg.lstsq(a * sw[:, None], g * sw, rcond=None)
    lawson *= np.abs(a @ c - g) * w
    lawson /= lawson.sum()
fit = a @ c
print("largest weighted error:", np.abs((fit - g) * w).max())
print("increasing on [0, limit]:", bool((np.diff(fit) > 0).all()), " g(limit) =", fit[-1])
print(",\n".join(repr(float(v)) for v in c))
