"""Strict span P/R/F1 of `kg extract --lines` (all default components combined) on the MSRA test split.

Usage: python benchmarks/msra_extract_eval.py [--data FILE] [--limit N]

Each test sentence is one input line; the command's JSON Lines output is scored against the gold
PER/LOC/ORG spans (an entity counts only when its type and exact span match). Programs and events
are not part of MSRA and are ignored.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from msra_eval import _default_test, read_test

TYPES = ("Person", "Place", "Organization")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python benchmarks/msra_extract_eval.py", description=__doc__)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args(argv)
    data = read_test(args.data or _default_test())
    if args.limit:
        data = data[: args.limit]
    text = "\n".join(t for t, _ in data) + "\n"
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "kg", "extract", "--lines"], input=text, capture_output=True,
                          text=True, check=True)
    elapsed = time.perf_counter() - t0
    lines = proc.stdout.splitlines()
    assert len(lines) == len(data), (len(lines), len(data))
    tp, fp, fn = Counter(), Counter(), Counter()
    for line, (sent, gold) in zip(lines, data, strict=True):
        rec = json.loads(line)
        assert rec["text"] == sent
        pred = {(e["start"], e["end"], e["type"]) for e in rec["entities"] if e["type"] in TYPES}
        for x in pred & gold:
            tp[x[2]] += 1
        for x in pred - gold:
            fp[x[2]] += 1
        for x in gold - pred:
            fn[x[2]] += 1
    print(f"{'type':14s} {'P':>6s} {'R':>6s} {'F1':>6s}")
    for ty in (*TYPES, "micro"):
        a = sum(tp.values()) if ty == "micro" else tp[ty]
        b = sum(fp.values()) if ty == "micro" else fp[ty]
        c = sum(fn.values()) if ty == "micro" else fn[ty]
        p = a / (a + b) if a + b else 0.0
        r = a / (a + c) if a + c else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{ty:14s} {p:6.4f} {r:6.4f} {f:6.4f}")
    chars = sum(len(t) for t, _ in data)
    print(f"{len(data)} sentences, {chars} characters in {elapsed:.1f} s (process start included): "
          f"{chars / elapsed:,.0f} characters/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
