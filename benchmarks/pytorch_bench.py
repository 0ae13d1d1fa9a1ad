#!/usr/bin/env python3
"""PyTorch's own CPU kernels on the ops and sizes a KernelBenchmark run measured, single thread.

  pytorch_bench.py JMH_JSON
      reads JMH's results (bin/benchmark's jmh.json) and times PyTorch on each (op, size) of
      KernelBenchmark in it; prints JSON: {"<op>": {"<size>": melem_per_s}, "_version": "..."}.
      Where JMH ran an op in place (inPlace=true), PyTorch's in-place form of it is timed (relu_),
      as "<op> in place".
Each timing is the median of 15 batches of calls, after a warm-up.
"""
import json
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)

OPS = {
    "relu": lambda x, o: torch.relu(x),
    "relu6": lambda x, o: F.hardtanh(x, 0.0, 6.0),
    "leaky_relu": lambda x, o: torch._C._nn.leaky_relu(x, 0.01, out=o),
    "elu": lambda x, o: torch._C._nn.elu(x, 1.0, 1, 1, out=o),
    "selu": lambda x, o: torch.selu(x),
    "celu": lambda x, o: torch.celu(x, 1.0),
    "gelu": lambda x, o: torch._C._nn.gelu(x, out=o),
    "sigmoid": lambda x, o: torch.sigmoid(x, out=o),
    "silu": lambda x, o: torch._C._nn.silu(x, out=o),
    "mish": lambda x, o: torch._C._nn.mish(x, out=o),
    "softplus": lambda x, o: torch._C._nn.softplus(x, 1, 20, out=o),
    "softsign": lambda x, o: F.softsign(x),
    "tanh": lambda x, o: torch.tanh(x, out=o),
    "tanhshrink": lambda x, o: F.tanhshrink(x),
    "hardtanh": lambda x, o: torch._C._nn.hardtanh(x, -1.0, 1.0, out=o),
    "hardsigmoid": lambda x, o: torch._C._nn.hardsigmoid(x, out=o),
    "hardswish": lambda x, o: torch._C._nn.hardswish(x),
    "hardshrink": lambda x, o: torch.hardshrink(x, 0.5),
    "softshrink": lambda x, o: torch._C._nn.softshrink(x, 0.5, out=o),
    "threshold(0.1, 20)": lambda x, o: torch.threshold(x, 0.1, 20.0, out=o),
    "logsigmoid": lambda x, o: torch._C._nn.log_sigmoid(x, out=o),
    "prelu": lambda x, o: torch.prelu(x, PRELU_WEIGHT),
    "rrelu": lambda x, o: F.rrelu(x, 1.0 / 8, 1.0 / 3, training=False),
    "softmax": lambda x, o: torch._softmax(x, 0, False, out=o),
    "log_softmax": lambda x, o: torch._log_softmax(x, 0, False, out=o),
    "softmin": lambda x, o: F.softmin(x, dim=0),
    "layer_norm": lambda x, o: F.layer_norm(x, x.shape),
    "normalize": lambda x, o: F.normalize(x, dim=0),
    # PyTorch 2.4's rms_norm is this composite of ops (1.13 has none)
    "rms_norm": lambda x, o: x * torch.rsqrt(x.pow(2).mean() + RMS_EPS),
}
# the in-place forms (out is x), for KernelBenchmark's inPlace=true: ops whose repeats keep normal floats
OPS_IN_PLACE = {
    "relu": lambda x, o: torch.relu_(x),
    "relu6": lambda x, o: F.hardtanh_(x, 0.0, 6.0),
    "hardtanh": lambda x, o: F.hardtanh_(x, -1.0, 1.0),
    "hardsigmoid": lambda x, o: F.hardsigmoid(x, inplace=True),
}
RMS_EPS = torch.finfo(torch.float32).eps
PRELU_WEIGHT = torch.tensor([0.25])


def melems(fn, size):
    x = torch.randn(size) * 3
    o = torch.empty(size)
    fn(x, o)
    calls = max(1, int(20_000_000 / size))  # batches of ~20M elements: enough to time at 1M
    # warm up for half a second, then the median of 15 timed batches (the best of a few was noisy)
    deadline = time.perf_counter() + 0.5
    while time.perf_counter() < deadline:
        fn(x, o)
    times = []
    for _ in range(15):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn(x, o)
        times.append((time.perf_counter() - t0) / calls)
    times.sort()
    return size / times[len(times) // 2] / 1e6


def main(jmh_json):
    with open(jmh_json) as f:
        runs = [r["params"] for r in json.load(f) if r["benchmark"].endswith(".KernelBenchmark.apply")]
    result = {"_version": torch.__version__, "_threads": torch.get_num_threads()}
    for op, size, in_place in sorted({(p["op"], int(p["size"]), p.get("inPlace") == "true") for p in runs}):
        if in_place and op not in OPS_IN_PLACE:
            sys.exit(f"pytorch_bench.py: no in-place form of {op} here (one of {', '.join(OPS_IN_PLACE)})")
        fn = OPS_IN_PLACE[op] if in_place else OPS[op]
        result.setdefault(op + " in place" if in_place else op, {})[str(size)] = melems(fn, size)
    json.dump(result, sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
