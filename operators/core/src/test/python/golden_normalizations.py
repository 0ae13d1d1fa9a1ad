#!/usr/bin/python3
"""Appends the normalization cases to golden/activations.jsonl, from PyTorch 1.13 (CPU).

The first 525 lines are the shared golden file's, left as they are; this script rewrites every
line after them. Run it with the Python that has torch 1.13:

    /usr/bin/python3 operators/core/src/test/python/golden_normalizations.py

Per vector: layer_norm (F.layer_norm over the whole vector, no affine), normalize (F.normalize
along the vector), rms_norm (PyTorch 2.4's formula x / sqrt(mean(x^2) + eps), written out in
torch ops since 1.13 has no rms_norm), grouped softmax (x.view(G, -1).softmax(-1).view(-1)).
Along dim 0 of an [N, D] window: batch_norm (F.batch_norm in training mode, no affine; for N = 1,
where PyTorch refuses, its formula), min_max and max_abs (their formulas in torch ops).
running_batch_norm over count windows (the row's "window"): nn.BatchNorm1d(D, affine=False,
momentum) in eval mode for each record, then trained on each window as one batch. Each
case's `expected` is float32, its `expected_f64` the same in float64.
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "..", "resources", "golden", "activations.jsonl")
SHARED_LINES = 525


def fmt(v):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    # the shortest decimal that reads back to the same float32
    for digits in range(1, 18):
        s = "%.*g" % (digits, v)
        if float(torch.tensor(float(s), dtype=torch.float32)) == v:
            return float(s)
    return v


def row(case, op, params, dim, x, expected, expected64, window=None):
    extra = {} if window is None else {"window": "count(%d)" % window}
    return {
        "case": case,
        "op": op,
        "params": params,
        "dim": dim,
        "shape": list(x.shape),
        "input": [fmt(v) for v in x.flatten().tolist()],
        "expected": [fmt(v) for v in expected.flatten().tolist()],
        "expected_f64": [v if math.isfinite(v) else fmt(v) for v in expected64.flatten().tolist()],
        **extra,
    }


def rms_norm(x, eps):
    return x / torch.sqrt(x.pow(2).mean() + eps)


def batch_norm(x, eps):
    if x.shape[0] == 1:  # PyTorch refuses one value per channel in training mode
        mean = x.mean(0, keepdim=True)
        var = (x - mean).pow(2).mean(0, keepdim=True)
        return (x - mean) / torch.sqrt(var + eps)
    return F.batch_norm(x, None, None, training=True, eps=eps)


def min_max(x):
    lo = x.amin(0, keepdim=True)
    hi = x.amax(0, keepdim=True)
    rng = hi - lo
    y = (x - lo) / rng
    # a constant feature gives 0, as scikit-learn's MinMaxScaler
    return torch.where(rng == 0, torch.zeros_like(y), y)


def max_abs(x):
    m = torch.maximum(x.amax(0, keepdim=True).abs(), x.amin(0, keepdim=True).abs())
    m = torch.where(torch.isnan(x).any(0, keepdim=True), torch.full_like(m, math.nan), m)
    y = x / m
    return torch.where(m == 0, torch.zeros_like(y), y)


def running_batch_norm(x, momentum, eps, window):
    """Each record in eval mode by the statistics that the count windows before it left, each
    window then one training-mode batch (skipped when it holds one record: PyTorch refuses)."""
    d = x.shape[1]
    bn = torch.nn.BatchNorm1d(d, affine=False, momentum=momentum, eps=eps).to(x.dtype)
    out = []
    for start in range(0, x.shape[0], window):
        batch = x[start:start + window]
        bn.eval()
        with torch.no_grad():
            out.append(bn(batch))
            if batch.shape[0] > 1:
                bn.train()
                bn(batch)
    return torch.cat(out)


def vector_op(op, params):
    if op == "layer_norm":
        return lambda x: F.layer_norm(x, x.shape, eps=params.get("eps", 1e-5))
    if op == "normalize":
        p = {"2": 2.0, "1": 1.0, "inf": math.inf}[str(params.get("p", "2"))]
        return lambda x: F.normalize(x, p=p, dim=0, eps=params.get("eps", 1e-12))
    if op == "rms_norm":
        return lambda x: rms_norm(x, params.get("eps", torch.finfo(torch.float32).eps))
    g = params["groups"]
    t = params.get("temperature", 1.0)
    f = {"softmax": F.softmax, "log_softmax": F.log_softmax,
         "softmin": lambda v, dim: F.softmax(-v, dim=dim)}[op]
    return lambda x: f(x.view(g, -1) / t, dim=-1).reshape(-1)


def window_op(op, params):
    if op == "batch_norm":
        return lambda x: batch_norm(x, params.get("eps", 1e-5))
    return min_max if op == "min_max" else max_abs


def main():
    with open(GOLDEN) as f:
        lines = f.read().splitlines()
    shared = [json.loads(l) for l in lines[:SHARED_LINES]]
    inputs = {}
    for c in shared:
        inputs.setdefault(c["case"], torch.tensor(
            [float(v) for v in c["input"]], dtype=torch.float32).reshape(c["shape"]))
    nan, inf = math.nan, math.inf
    g = torch.Generator().manual_seed(28)
    vectors = {
        "seed_example": inputs["seed_example"],
        "special": inputs["special"],
        "normal_d1": inputs["normal_d1"],
        "normal_d17": inputs["normal_d17"],
        "wide_d1000": inputs["wide_d1000"],
        "constant_d5": torch.full([5], 3.25),
        "zeros_d4": torch.zeros(4),
        "offset_d64": (1e4 + torch.randn(64, generator=g)).float(),
        "tiny_d16": (1e-20 * torch.randn(16, generator=g)).float(),
        "with_nan_d6": torch.tensor([1.0, nan, 2.0, -1.0, 0.5, 3.0]),
        "with_inf_d6": torch.tensor([1.0, inf, 2.0, -1.0, 0.5, 3.0]),
        "with_neg_inf_d6": torch.tensor([1.0, -inf, 2.0, -1.0, 0.5, 3.0]),
    }
    grouped = {
        "normal_d12": torch.randn(12, generator=g).float() * 3,
        "nan_in_group_d12": torch.tensor([1.0, 2, 3, nan, 5, 6, -1, 0, 1, 2, 3, 4]),
        "normal_d1000": inputs["normal_d1000"],
    }
    windows = {
        "window_1x4": inputs["window_1x4"],
        "window_2x3": inputs["window_2x3"],
        "window_17x5": inputs["window_17x5"],
        "window_100x16": inputs["window_100x16"],
        "window_64x33": inputs["window_64x33"],
        "window_constant_6x3": torch.tensor([[2.0, 0.0, -1.5]] * 6),
        "window_nonfinite_4x4": torch.tensor([
            [1.0, nan, inf, -inf],
            [2.0, 1.0, 1.0, 1.0],
            [-3.0, 2.0, 2.0, 2.0],
            [0.5, 3.0, 3.0, 3.0]]),
        "window_offset_50x8": (1e4 + torch.randn(50, 8, generator=g)).float(),
    }
    cases = []
    vector_params = [
        ("layer_norm", {}), ("layer_norm", {"eps": 0.1}), ("layer_norm", {"eps": 0}),
        ("normalize", {}), ("normalize", {"p": "1"}), ("normalize", {"p": "inf"}),
        ("normalize", {"eps": 0.5}),
        ("rms_norm", {}), ("rms_norm", {"eps": 1e-6}), ("rms_norm", {"eps": 0}),
    ]
    for op, params in vector_params:
        f = vector_op(op, params)
        for name, x in vectors.items():
            cases.append(row(name, op, params, None, x, f(x), f(x.double())))
    for op, params in [("softmax", {"groups": 2}), ("log_softmax", {"groups": 4}),
                       ("softmin", {"groups": 3}), ("softmax", {"temperature": 2, "groups": 4})]:
        f = vector_op(op, params)
        for name, x in grouped.items():
            if x.numel() % params["groups"] == 0:
                cases.append(row(name, op, params, None, x, f(x), f(x.double())))
    for op, params in [("batch_norm", {}), ("batch_norm", {"eps": 0.1}),
                       ("min_max", {}), ("max_abs", {})]:
        f = window_op(op, params)
        for name, x in windows.items():
            cases.append(row(name, op, params, 0, x, f(x), f(x.double())))
    for params, window, names in [
        ({}, 4, ["window_17x5", "window_64x33", "window_nonfinite_4x4"]),
        ({"momentum": "None"}, 5, ["window_17x5", "window_100x16"]),
        ({"momentum": 0.5, "eps": 0.1}, 10, ["window_100x16", "window_offset_50x8"]),
        ({}, 1, ["window_5x8"]),
    ]:
        if "window_5x8" not in windows:
            windows["window_5x8"] = inputs["window_5x8"]
        m = params.get("momentum", 0.1)
        m = None if m == "None" else m
        eps = params.get("eps", 1e-5)
        for name in names:
            x = windows[name]
            cases.append(row(name, "running_batch_norm", params, 0, x,
                             running_batch_norm(x, m, eps, window),
                             running_batch_norm(x.double(), m, eps, window), window))
    with open(GOLDEN, "w") as out:
        for l in lines[:SHARED_LINES]:
            out.write(l + "\n")
        for c in cases:
            out.write(json.dumps(c) + "\n")
    print("%d shared cases kept, %d normalization cases written" % (SHARED_LINES, len(cases)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
