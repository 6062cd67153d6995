"""Label unlabelled news with a teacher (our earlier models + Baidu LAC) for the student model.

Usage::

    git show 584f2f2:kg/models/ner_bilstm.npz > /tmp/kg-train/teacher_bilstm.npz
    python -m training.silver --teacher-bilstm /tmp/kg-train/teacher_bilstm.npz --out /tmp/kg-train/silver.jsonl
    # reads ../shared/corpora/news_unlabelled.jsonl (4,585 People's Daily articles, 2019-2020)

The output is never part of the repository (the corpus may be read for training only). One JSON
object a line: ``{"text": chunk, "spans": [[start, end, "PER"|"LOC"|"ORG"], ...], "doc": n}``,
one line per sentence chunk (:func:`kg.extract.crf.split_chunks`) of each distinct article.

The teacher: the names of the CRF and the MSRA-only BiLSTM-CRF voting (the ``ensemble``
component with the BiLSTM-CRF that shipped before the student, :data:`TEACHER_BILSTM_COMMIT`;
strong on this kind of text), plus the names that only LAC finds where they found nothing (LAC
was trained on far more, and more varied, text: companies and brands without a suffix, foreign
people), when they pass :func:`plausible_extra`. Where the two overlap or disagree, the models win.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from training import CORPORA

if TYPE_CHECKING:
    from kg.extract.ensemble import EnsembleTagger

__all__ = ["TEACHER_BILSTM_COMMIT", "plausible_extra", "teacher", "teach", "main"]

#: The commit whose ``kg/models/ner_bilstm.npz`` is the teacher's BiLSTM-CRF (trained on MSRA only).
TEACHER_BILSTM_COMMIT = "584f2f2410a5959f943607a0982acd4269c23c9e"
_TYPE_LABEL = {"Person": "PER", "Place": "LOC", "Organization": "ORG"}
Span = tuple[int, int, str]


#: jieba dictionary tags of words that may be names (proper nouns, abbreviations, Latin words).
_NAME_TAGS = frozenset({"nr", "nrfg", "nrt", "ns", "nt", "nz", "j", "eng"})
#: Bodies named by their kind alone (县政府, 人民法院): not names.
_GENERIC = re.compile(r"^[省市县区乡镇村州]?(级|直)?(人民)?(政府|法院|检察院|人大|政协|党委|纪委|团委|党支部|"
                      r"委办局|机关|部门|单位)$|^(人民法院|人民检察院|人大|政协|中直|乡镇|共产党)$")


def _no_common_word(name: str) -> bool:
    """``name`` is not a dictionary word of a non-name part of speech (陈年, 判决, 金融)."""
    from kg.extract.tokens import pos

    tag = pos(name)
    return not tag or tag in _NAME_TAGS


def plausible_extra(text: str, start: int, end: int, typ: str) -> bool:
    """Whether a name that only LAC found is kept.

    LAC marks many common words as names in formal news (县政府, 从一, 判决, 陈年 on held-out
    MSRA sentences), so an extra name must look like one: it is not a kind of body, not a
    dictionary word of a non-name part of speech, an organization ends with an organization
    word or is a proper noun / abbreviation / Latin word, a person starts with a surname (2-4
    characters) or is a foreign name written with a middle dot, a place is one the gazetteer knows.
    """
    from kg.extract.crf import _resources
    from kg.extract.lexicon import words
    from kg.extract.phrases import match_suffix
    from kg.extract.tokens import pos
    from kg.gazetteer import gazetteer

    name = text[start:end]
    if len(name) < 2 or not name.strip() or not _no_common_word(name):
        return False
    if typ == "Organization":
        if _GENERIC.match(name) or name in words("ethnic_groups.txt"):
            return False
        return bool(pos(name)) or bool(match_suffix(name, "org_suffixes.txt")) or name.isascii()
    if typ == "Person":
        _seg, lex = _resources()
        if "·" in name or "•" in name:
            return True
        return 2 <= len(name) <= 4 and (name[0] in lex.surnames1 or name[:2] in lex.surnames2)
    return gazetteer().is_place(name)


def _company_like(name: str) -> bool:
    """A LAC organization that may replace the person names inside it: no common word, no kind
    of body, two characters or more."""
    return len(name) >= 2 and _no_common_word(name) and not _GENERIC.match(name)


def merge(text: str, ours: Iterable[Span], lac: Iterable[Span]) -> list[Span]:
    """The teacher's spans: ``ours``, plus ``lac`` spans that overlap none of ours and pass
    :func:`plausible_extra`; and a LAC organization replaces the people ours found inside it
    (a company named without a suffix reads like a person's name: 康力 | 电梯).

    Examples
    --------
    >>> merge("任青禾电梯总经理", [(1, 3, "Person")], [(1, 5, "Organization")])
    [(1, 5, 'Organization')]
    """
    out = sorted(set(ours))
    for a, b, t in sorted(set(lac)):
        if t != "Organization":
            continue
        inside = [o for o in out if a <= o[0] and o[1] <= b]
        crossing = [o for o in out if o[0] < b and a < o[1] and not (a <= o[0] and o[1] <= b)]
        if inside and not crossing and all(o[2] == "Person" for o in inside) \
                and _company_like(text[a:b]):
            out = sorted([o for o in out if o not in inside] + [(a, b, t)])
    covered = {i for a, b, _ in out for i in range(a, b)}
    for a, b, t in sorted(set(lac)):
        if not covered.intersection(range(a, b)) and plausible_extra(text, a, b, t):
            out.append((a, b, t))
            covered.update(range(a, b))
    return sorted(out)


def teacher(bilstm: Path) -> EnsembleTagger:
    """The teacher's models: the shipped CRF and the BiLSTM-CRF of ``bilstm`` voting per character."""
    from kg.extract import get
    from kg.extract.ensemble import EnsembleTagger
    from kg.extract.lstm import BiLSTMTagger

    return EnsembleTagger(get("crf"), BiLSTMTagger(bilstm), component="ensemble")  # type: ignore[arg-type]


def teach(chunks: Sequence[str], models: EnsembleTagger) -> list[list[Span]]:
    """Teacher spans (ontology types) of each chunk: ``models`` (see :func:`teacher`) and LAC."""
    from kg.extract import get

    ours = models.batch(chunks)
    theirs = get("lac").batch(chunks)  # type: ignore[attr-defined]
    return [merge(c, [(m.start, m.end, m.type) for m in o], [(m.start, m.end, m.type) for m in t])
            for c, o, t in zip(chunks, ours, theirs, strict=True)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.silver", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--news", type=Path, default=CORPORA / "news_unlabelled.jsonl")
    ap.add_argument("--out", type=Path, required=True, help="JSON Lines to write (outside the repository)")
    ap.add_argument("--teacher-bilstm", type=Path, required=True,
                    help=f"the teacher's BiLSTM-CRF: kg/models/ner_bilstm.npz of commit {TEACHER_BILSTM_COMMIT[:7]}")
    ap.add_argument("--limit", type=int, default=0, help="only the first N articles")
    ap.add_argument("--block", type=int, default=2000, help="chunks labelled per call")
    args = ap.parse_args(argv)
    from kg.extract.crf import _HAN, split_chunks

    seen: set[str] = set()
    jobs: list[tuple[int, str]] = []
    with open(args.news, encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if args.limit and n >= args.limit:
                break
            text = json.loads(line)["text"]
            if text in seen:  # reprints and crawl repeats
                continue
            seen.add(text)
            jobs.extend((n, text[a:b]) for a, b in split_chunks(text) if _HAN.search(text, a, b))
    models = teacher(args.teacher_bilstm)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with open(args.out, "w", encoding="utf-8") as out:
        for k in range(0, len(jobs), args.block):
            block = jobs[k:k + args.block]
            for (doc, chunk), spans in zip(block, teach([c for _, c in block], models), strict=True):
                out.write(json.dumps({"text": chunk, "spans": [[a, b, _TYPE_LABEL[t]] for a, b, t in spans],
                                      "doc": doc}, ensure_ascii=False) + "\n")
            print(f"{k + len(block)}/{len(jobs)} chunks, {time.perf_counter() - t0:.0f}s",
                  file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
