#!/usr/bin/env python3
"""Prints bin/benchmark's table from JMH's JSON results (and PyTorch's, when present).

  report.py RESULTS_DIR [CHART.svg]
      reads RESULTS_DIR/jmh.json and, if there, RESULTS_DIR/pytorch.json and RESULTS_DIR/state.md;
      with CHART.svg, also draws the chart: throughput per op, ours vs PyTorch vs the copy bound.
      Where bin/benchmark --rounds N left RESULTS_DIR/round-2 ... round-N (each a jmh.json and a
      pytorch.json), also prints ours/PyTorch per op and size in every round, and their median.
"""
import json
import math
import os
import re
import statistics
import sys


def main(results, chart=None):
    with open(os.path.join(results, "jmh.json")) as f:
        runs = json.load(f)
    torch = {}
    torch_path = os.path.join(results, "pytorch.json")
    if os.path.exists(torch_path):
        with open(torch_path) as f:
            torch = json.load(f)

    kernels = {}   # (op, size) -> {impl: Melem/s}
    copies = {}    # size -> {method: Melem/s}: System.arraycopy, a Vector API copy loop, a plain loop
    windows = []   # rows of the window table
    operator = {}  # (op, window, rows, cols) -> microseconds per fired window
    json_costs = {}  # (method, dimension, numbers) -> microseconds per record
    for run in runs:
        name = run["benchmark"].rsplit(".", 2)
        cls, method = name[-2], name[-1]
        p = run.get("params", {})
        score = run["primaryMetric"]["score"]  # calls per second
        if cls == "KernelBenchmark":
            size = int(p["size"])
            op = p["op"] + (" in place" if p.get("inPlace") == "true" else "")
            kernels.setdefault((op, size), {})[p["impl"]] = score * size / 1e6
        elif cls == "CopyBenchmark":
            size = int(p["size"])
            copies.setdefault(size, {})[method] = score * size / 1e6
        elif cls == "WindowSoftmaxBenchmark":
            n, d = int(p["rows"]), int(p["cols"])
            windows.append((p["op"], method, n, d, p["impl"], score * n * d / 1e6))
        elif cls == "JsonRecordBenchmark":
            json_costs[(method, int(p["dimension"]), p.get("numbers", "float"))] = score
        elif cls == "WindowOperatorBenchmark":
            unit = run["primaryMetric"]["scoreUnit"]
            assert unit == "us/op", unit
            operator[(p["op"], p["window"], int(p["rows"]), int(p["cols"]))] = score

    # the memory bound is the fastest plain copy: JDK 25's arraycopy stub is slower than a loop at 1M;
    # for the ops run in place, the fastest read and write back of the same floats
    copy = {size: max(v for m, v in c.items() if m not in IN_PLACE)
            for size, c in copies.items() if any(m not in IN_PLACE for m in c)}
    in_place = {size: max(c[m] for m in IN_PLACE) for size, c in copies.items() if all(m in c for m in IN_PLACE)}
    in_place_only = bool(kernels) and all(op.endswith(" in place") for op, _ in kernels)
    print("| op | size | vector Melem/s | scalar Melem/s | vector/scalar | "
          + ("of in-place bound |" if in_place_only else "of copy bound |")
          + (" PyTorch Melem/s | ours/PyTorch |" if torch else ""))
    print("| --- | ---: | ---: | ---: | ---: | ---: |" + (" ---: | ---: |" if torch else ""))
    ratios = []
    for (op, size) in sorted(kernels, key=lambda k: (k[1], k[0])):
        r = kernels[(op, size)]
        v, s = r.get("vector"), r.get("scalar")
        bound = (in_place if op.endswith(" in place") else copy).get(size)
        row = [op, str(size), fmt(v), fmt(s), ratio(v, s), ratio(v, bound)]
        if torch:
            t = torch.get(op, {}).get(str(size))
            row += [fmt(t), ratio(v, t)]
            if v and t and not op.endswith(" in place"):
                ratios.append((size, v / t))
        print("| " + " | ".join(row) + " |")
    for size in sorted({k[1] for k in kernels}):
        rs = [x for s, x in ratios if s == size]
        if rs:
            print(f"\nGeometric mean of ours/PyTorch at size {size}: "
                  f"{math.exp(sum(math.log(x) for x in rs) / len(rs)):.2f}x over {len(rs)} ops")
    print_rounds(results)
    if copy:
        print("\nCopy bound, the fastest of System.arraycopy, a vector copy loop and a plain loop (Melem/s): "
              + ", ".join(f"{s}: {fmt(copy[s])} (arraycopy {fmt(copies[s].get('copy'))}, "
                          f"vector loop {fmt(copies[s].get('vectorCopy'))}, "
                          f"plain loop {fmt(copies[s].get('loopCopy'))})" for s in sorted(copy)))
    if in_place and any(op.endswith(" in place") for op, _ in kernels):
        print("\nIn-place bound (the ops run in place), the faster of a vector loop and a plain loop that read "
              "each float and write it back (Melem/s): "
              + ", ".join(f"{s}: {fmt(in_place[s])} (vector loop {fmt(copies[s]['vectorInPlace'])}, "
                          f"plain loop {fmt(copies[s]['loopInPlace'])})" for s in sorted(in_place)))
    if windows:
        print("\nWindow batch along dim 0 (ns per element flat across N = linear time):\n")
        print("| op | form | N x D | impl | Melem/s | ns per element |")
        print("| --- | --- | --- | --- | ---: | ---: |")
        for op, method, n, d, impl, m in sorted(windows):
            print(f"| {op} | {method} | {n} x {d} | {impl} | {fmt(m)} | {1e3 / m:.2f} |")
    if operator:
        print("\nWindow operator, one fired window of N records (sliding: size/slide = 10):\n")
        print("| op | N x D | tumbling us/window | sliding us/window | sliding / tumbling | tumbling ns/record | sliding ns/record |")
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
        # the softmax first, then the other steps along dim 0 (batch_norm)
        for (op, n, d) in sorted({(k[0], k[2], k[3]) for k in operator},
                                 key=lambda k: (k[0] != "softmax", k[0], k[1], k[2])):
            t, sl = operator.get((op, "tumbling", n, d)), operator.get((op, "sliding", n, d))
            print(f"| {op} | {n} x {d} | {fmt(t)} | {fmt(sl)} | {ratio(sl, t)} | "
                  f"{'-' if t is None else f'{t * 1e3 / n:.0f}'} | {'-' if sl is None else f'{sl * 1e3 / n:.0f}'} |")
    if json_costs:
        print("\nJSON record format, one record (what the JSON job does that a copy does not):\n")
        print("| D | numbers in | parse us/record | write us/record |")
        print("| ---: | --- | ---: | ---: |")
        for d, numbers in sorted({k[1:] for k in json_costs}, key=lambda k: (k[0], k[1] != "float")):
            label = "up to 9 digits (Float.toString)" if numbers == "float" else "up to 17 digits (Python's json.dumps)"
            print(f"| {d} | {label} | {json_costs.get(('parse', d, numbers), 0):.2f} | "
                  f"{json_costs.get(('write', d, numbers), 0):.2f} |")
    state_path = os.path.join(results, "state.md")
    if os.path.exists(state_path):
        print("\nWindow state per buffered record (checkpoint size, heap backend):\n")
        with open(state_path) as f:
            print(f.read().rstrip())
    if torch:
        print(f"\nPyTorch {torch.get('_version')} with {torch.get('_threads')} thread(s).")
    if chart:
        with open(chart, "w") as f:
            f.write(svg(kernels, copy, torch))


IN_PLACE = ("vectorInPlace", "loopInPlace")  # CopyBenchmark's in-place bound


def vector_ratios(folder):
    """{(op, size): ours (vector) / PyTorch} of the KernelBenchmark runs in FOLDER's jmh.json and pytorch.json."""
    with open(os.path.join(folder, "jmh.json")) as f:
        runs = json.load(f)
    with open(os.path.join(folder, "pytorch.json")) as f:
        torch = json.load(f)
    ratios = {}
    for run in runs:
        p = run.get("params", {})
        if not run["benchmark"].endswith(".KernelBenchmark.apply") or p.get("impl") != "vector":
            continue
        size = int(p["size"])
        op = p["op"] + (" in place" if p.get("inPlace") == "true" else "")
        t = torch.get(op, {}).get(str(size))
        if t:
            ratios[(op, size)] = run["primaryMetric"]["score"] * size / 1e6 / t
    return ratios


def print_rounds(results):
    """bin/benchmark --rounds: ours/PyTorch in each round (round 1 is RESULTS_DIR's own run) and the median."""
    later = sorted((int(m.group(1)), d) for d in os.listdir(results)
                   if (m := re.fullmatch(r"round-(\d+)", d)))
    if not later:
        return
    rounds = [vector_ratios(results)] + [vector_ratios(os.path.join(results, d)) for _, d in later]
    print(f"\nours/PyTorch by round ({len(rounds)} rounds, each our run of the ops and then PyTorch's, "
          "one after the other; the median of the rounds' ratios):\n")
    print("| op | size | " + " | ".join(f"round {k}" for k in range(1, len(rounds) + 1)) + " | median |")
    print("| --- | ---: |" + " ---: |" * (len(rounds) + 1))
    medians = []
    for op, size in sorted(rounds[0], key=lambda k: (k[1], k[0])):
        rs = [r.get((op, size)) for r in rounds]
        known = [x for x in rs if x]
        median = statistics.median(known)
        if not op.endswith(" in place"):
            medians.append((size, median))
        print(f"| {op} | {size} | " + " | ".join(ratio(x, 1) for x in rs) + f" | {median:.2f} |")
    for size in sorted({s for s, _ in medians}):
        ms = [x for s, x in medians if s == size]
        print(f"\nGeometric mean of the medians at size {size}: "
              f"{math.exp(sum(math.log(x) for x in ms) / len(ms)):.2f}x over {len(ms)} ops")


def svg(kernels, copy, torch):
    """Horizontal bars per op, one panel per size, log scale: ours (vector), PyTorch, the copy bound."""
    sizes = sorted({k[1] for k in kernels})
    ops = sorted({k[0] for k in kernels})
    bar, gap, label_w, plot_w, top = 7, 6, 130, 330, 50
    panel_h = len(ops) * (2 * bar + gap)
    width = label_w + len(sizes) * (plot_w + 40) + 10
    height = top + panel_h + 60
    lo, hi = 10.0, 100_000.0  # Melem/s, log axis

    def x(v):
        return plot_w * (math.log10(max(v, lo)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="10">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="10" y="16" font-size="13">Throughput per op, Melem/s (log scale), single thread: '
           f'ours (vector) vs PyTorch vs the copy bound</text>',
           f'<rect x="10" y="24" width="10" height="8" fill="#1f77b4"/><text x="24" y="32">ours (Java Vector API)</text>',
           f'<rect x="150" y="24" width="10" height="8" fill="#ff7f0e"/><text x="164" y="32">PyTorch</text>',
           f'<line x1="230" y1="28" x2="245" y2="28" stroke="#d62728" stroke-width="2"/>'
           f'<text x="249" y="32">copy bound (faster of arraycopy, vector loop)</text>']
    for i, op in enumerate(ops):
        y = top + i * (2 * bar + gap) + bar + 3
        out.append(f'<text x="{label_w - 6}" y="{y}" text-anchor="end">{op}</text>')
    for pi, size in enumerate(sizes):
        x0 = label_w + pi * (plot_w + 40)
        out.append(f'<text x="{x0}" y="{top - 6}" font-size="11">size {size:,}</text>')
        for tick in (10, 100, 1_000, 10_000, 100_000):
            tx = x0 + x(tick)
            out.append(f'<line x1="{tx:.1f}" y1="{top}" x2="{tx:.1f}" y2="{top + panel_h}" stroke="#ddd"/>')
            out.append(f'<text x="{tx:.1f}" y="{top + panel_h + 12}" text-anchor="middle">{tick:,}</text>')
        for i, op in enumerate(ops):
            y = top + i * (2 * bar + gap)
            v = kernels.get((op, size), {}).get("vector")
            t = torch.get(op, {}).get(str(size)) if torch else None
            if v:
                out.append(f'<rect x="{x0}" y="{y}" width="{x(v):.1f}" height="{bar}" fill="#1f77b4">'
                           f'<title>{op} {size}: ours {v:,.0f}</title></rect>')
            if t:
                out.append(f'<rect x="{x0}" y="{y + bar}" width="{x(t):.1f}" height="{bar}" fill="#ff7f0e">'
                           f'<title>{op} {size}: PyTorch {t:,.0f}</title></rect>')
        c = copy.get(size)
        if c:
            cx = x0 + x(c)
            out.append(f'<line x1="{cx:.1f}" y1="{top}" x2="{cx:.1f}" y2="{top + panel_h}" stroke="#d62728" '
                       f'stroke-width="2"/>')
    out.append(f'<text x="10" y="{height - 12}" fill="#555">Regenerate: bin/benchmark (writes this file); '
               f'numbers and machine in README.md</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def fmt(x):
    return "-" if x is None else f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def ratio(a, b):
    return "-" if not a or not b else f"{a / b:.2f}"


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/results", sys.argv[2] if len(sys.argv) > 2 else None)
