"""Read the project's hand-made development sets (references into ../shared/corpora) and build them.

The sets under ``benchmarks/`` hold no corpus text, only the corpus file, the record index and
character offsets; :func:`records` reads the records from ``../shared/corpora`` when a benchmark
runs, and :func:`build` builds them with kg as one JSON Lines file.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
#: Where the corpora are (beside the project; never copied into it).
CORPORA = ROOT.parent / "shared" / "corpora"

from kg.ingest import read_sources  # noqa: E402
from kg.model import Corpus  # noqa: E402
from kg.pipeline import make_corpus  # noqa: E402

__all__ = ["CORPORA", "load_dev", "records", "build"]

#: A record of a corpus: (file name, index of its line).
Record = tuple[str, int]


def load_dev(path: Path) -> list[dict]:
    """The annotations of a development set, one JSON object a line."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def records(dev: list[dict], corpora: Path = CORPORA) -> dict[Record, dict]:
    """The corpus records the annotated sentences come from (read from ``corpora``)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for d in dev:
        wanted[d["corpus"]].add(d["record"])
    out: dict[Record, dict] = {}
    for name, idx in wanted.items():
        with (corpora / name).open(encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i in idx:
                    out[(name, i)] = json.loads(line)
    return out


def build(recs: dict[Record, dict]) -> tuple[Corpus, dict[Record, str]]:
    """One JSON Lines file of the records (text, title, date), built with kg: the corpus and the
    document path of each record."""
    keys = sorted(recs)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dev.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for k in keys:
                r = recs[k]
                row = {"text": r["text"]} | ({"title": r["title"]} if r.get("title") else {}) \
                    | ({"date": r["date"]} if r.get("date") else {})
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        corpus = make_corpus(read_sources([path]))
        docs = {k: f"{path}:{n}" for n, k in enumerate(keys, 1)}
    return corpus, docs
