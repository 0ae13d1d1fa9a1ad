#!/usr/bin/env python3
"""Prints bin/benchmark's table from JMH's JSON results (and PyTorch's, when present).

  report.py RESULTS_DIR      reads RESULTS_DIR/jmh.json and, if there, RESULTS_DIR/pytorch.json
"""
import json
import math
import os
import sys


def main(results):
    with open(os.path.join(results, "jmh.json")) as f:
        runs = json.load(f)
    torch = {}
    torch_path = os.path.join(results, "pytorch.json")
    if os.path.exists(torch_path):
        with open(torch_path) as f:
            torch = json.load(f)

    kernels = {}   # (op, size) -> {impl: Melem/s}
    copy = {}      # size -> Melem/s
    windows = []   # rows of the window table
    for run in runs:
        name = run["benchmark"].rsplit(".", 2)
        cls, method = name[-2], name[-1]
        p = run.get("params", {})
        score = run["primaryMetric"]["score"]  # calls per second
        if cls == "KernelBenchmark":
            size = int(p["size"])
            kernels.setdefault((p["op"], size), {})[p["impl"]] = score * size / 1e6
        elif cls == "CopyBenchmark":
            size = int(p["size"])
            copy[size] = score * size / 1e6
        elif cls == "WindowSoftmaxBenchmark":
            n, d = int(p["rows"]), int(p["cols"])
            windows.append((p["op"], method, n, d, p["impl"], score * n * d / 1e6))

    print("| op | size | vector Melem/s | scalar Melem/s | vector/scalar | of copy bound |"
          + (" PyTorch Melem/s | ours/PyTorch |" if torch else ""))
    print("| --- | ---: | ---: | ---: | ---: | ---: |" + (" ---: | ---: |" if torch else ""))
    ratios = []
    for (op, size) in sorted(kernels, key=lambda k: (k[1], k[0])):
        r = kernels[(op, size)]
        v, s = r.get("vector"), r.get("scalar")
        row = [op, str(size), fmt(v), fmt(s), ratio(v, s), ratio(v, copy.get(size))]
        if torch:
            t = torch.get(op, {}).get(str(size))
            row += [fmt(t), ratio(v, t)]
            if v and t:
                ratios.append((size, v / t))
        print("| " + " | ".join(row) + " |")
    for size in sorted({k[1] for k in kernels}):
        rs = [x for s, x in ratios if s == size]
        if rs:
            print(f"\nGeometric mean of ours/PyTorch at size {size}: "
                  f"{math.exp(sum(math.log(x) for x in rs) / len(rs)):.2f}x over {len(rs)} ops")
    if copy:
        print("\nCopy bound (System.arraycopy, Melem/s): "
              + ", ".join(f"{s}: {fmt(copy[s])}" for s in sorted(copy)))
    if windows:
        print("\n| op | form | N x D | impl | Melem/s |")
        print("| --- | --- | --- | --- | ---: |")
        for op, method, n, d, impl, m in sorted(windows):
            print(f"| {op} | {method} | {n} x {d} | {impl} | {fmt(m)} |")
    if torch:
        print(f"\nPyTorch {torch.get('_version')} with {torch.get('_threads')} thread(s).")


def fmt(x):
    return "-" if x is None else f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def ratio(a, b):
    return "-" if not a or not b else f"{a / b:.2f}"


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/results")
