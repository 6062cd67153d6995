"""Relations on a hand-made development set: recall and precision per predicate.

``benchmarks/relations_dev.jsonl`` holds references only, never corpus text: one line per
sentence read by hand, ``{"corpus": FILE, "record": N, "sentence": [start, end], "facts": [{
"predicate", "subject": [start, end], "subject_type", "object": [start, end], "object_type"}], "part":
"tune" | "held"}`` with offsets into the ``text`` of record N of ``../shared/corpora/FILE``. The
``tune`` part is the set the rules were developed on; the ``held`` part was annotated later from
other records and is not looked at when rules change (``--errors`` lists the errors of the tune
part only, unless ``--errors-part`` says otherwise). Each part is scored on its own, then both
together. This script reads the
text from there at run time, builds every record a sentence comes from as one article (news
records whole, résumé records one line each) and compares the facts kg states with evidence in
each sentence with the facts written down for it.

A predicted fact matches a gold one when its predicate is the gold predicate, its subject and
object have a mention overlapping the gold spans in that sentence (a literal object equals the
gold text). ``alias`` is checked on the entities: the entity named at the long form has the short
form among its names. Precision counts the facts kg states in those sentences between entities
of the predicate's domain and range; facts read off names (components ``name-rule``,
``name-structure``, ``gazetteer``) count when they match and are not counted against precision,
since the sentences were annotated for what they state, not for what names contain.

    python benchmarks/relations_eval.py [--dev benchmarks/relations_dev.jsonl] [--corpora DIR] [--errors N]
                                        [--errors-part tune|held|all]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.devsets import CORPORA, build, load_dev, records  # noqa: E402
from kg.model import Corpus, Entity, EntityKey, Relation  # noqa: E402
from kg.schema import schema  # noqa: E402

#: Components whose facts are read off names, not stated by the sentence.
NAME_COMPONENTS = frozenset({"name-rule", "name-structure", "gazetteer"})
_QUOTES = "“”‘’\"《》"
#: The parts of the development set, in the order they are reported.
PARTS = ("tune", "held")


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class Scorer:
    def __init__(self, corpus: Corpus, docs: dict[tuple[str, int], str], recs: dict[tuple[str, int], dict]):
        self.corpus = corpus
        self.docs = docs
        self.recs = recs
        self.by_key: dict[EntityKey, Entity] = {e.key: e for e in corpus.entities}
        self.by_doc: dict[str, list[Relation]] = defaultdict(list)
        for r in corpus.relations:
            for d in {ev.document for ev in r.evidence}:
                self.by_doc[d].append(r)
        self.mentions: dict[str, list[tuple[int, int, Entity]]] = defaultdict(list)
        for e in corpus.entities:
            for ev in e.mentions:
                self.mentions[ev.document].append((ev.start, ev.end, e))

    def spans(self, doc: str, key: EntityKey, sent: tuple[int, int]) -> list[tuple[int, int]]:
        e = self.by_key.get(key)
        if e is None:
            return []
        return [(ev.start, ev.end) for ev in e.mentions if ev.document == doc and _overlaps((ev.start, ev.end), sent)]

    def predicted(self, doc: str, sent: tuple[int, int], predicate: str) -> list[Relation]:
        out = []
        for r in self.by_doc.get(doc, ()):
            if r.predicate == predicate and any(ev.document == doc and _overlaps((ev.start, ev.end), sent)
                                                for ev in r.evidence):
                out.append(r)
        return out

    def entity_at(self, doc: str, span: tuple[int, int], type_: str) -> list[Entity]:
        return [e for a, b, e in self.mentions.get(doc, ()) if e.type == type_ and _overlaps((a, b), span)]


def matches(sc: Scorer, doc: str, sent: tuple[int, int], text: str, r: Relation, g: dict) -> bool:
    if not any(_overlaps(s, tuple(g["subject"])) for s in sc.spans(doc, r.subject, sent)):
        return False
    if g["object_type"] == "literal":
        return isinstance(r.obj, str) and r.obj.strip(_QUOTES) == text[g["object"][0]:g["object"][1]]
    return isinstance(r.obj, EntityKey) and any(_overlaps(s, tuple(g["object"])) for s in sc.spans(doc, r.obj, sent))


def in_range(sc: Scorer, r: Relation, g_types: tuple[str, str]) -> bool:
    subj = sc.by_key.get(r.subject)
    if subj is None or subj.type != g_types[0]:
        return False
    if g_types[1] == "literal":
        return isinstance(r.obj, str)
    obj = sc.by_key.get(r.obj) if isinstance(r.obj, EntityKey) else None
    return obj is not None and obj.type == g_types[1]


def part_of(d: dict) -> str:
    """The part a sentence belongs to (``tune`` when the record does not say)."""
    return str(d.get("part", PARTS[0]))


def score(dev: list[dict], sc: Scorer, errors: int, title: str = "") -> None:
    known = {p.name for p in schema().predicates}
    gold_n: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    found: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    types: dict[str, tuple[str, str]] = {}
    ent_gold: Counter[str] = Counter()
    ent_hit: Counter[str] = Counter()
    missed: list[str] = []
    wrong: list[str] = []
    for d in dev:
        key = (d["corpus"], d["record"])
        doc, text = sc.docs[key], sc.recs[key]["text"]
        sent = (d["sentence"][0], d["sentence"][1])
        by_pred: dict[str, list[dict]] = defaultdict(list)
        for g in d["facts"]:
            by_pred[g["predicate"]].append(g)
            types[g["predicate"]] = (g["subject_type"], g["object_type"])
            for role in ("subject", "object"):
                t = g[f"{role}_type"]
                if t == "literal":
                    continue
                ent_gold[t] += 1
                if sc.entity_at(doc, tuple(g[role]), t):
                    ent_hit[t] += 1
        for p, gs in by_pred.items():
            gold_n[p] += len(gs)
            if p == "alias":
                for g in gs:
                    short = text[g["object"][0]:g["object"][1]]
                    ents = sc.entity_at(doc, tuple(g["subject"]), g["subject_type"])
                    if any(short == e.label or short in e.aliases for e in ents):
                        hit[p] += 1
                    elif len(missed) < errors:
                        missed.append(f"alias {text[g['subject'][0]:g['subject'][1]]} = {short}")
                continue
            preds = sc.predicted(doc, sent, p) if p in known else []
            for g in gs:
                if any(matches(sc, doc, sent, text, r, g) for r in preds):
                    hit[p] += 1
                else:
                    missed.append(f"{p}: {text[g['subject'][0]:g['subject'][1]]} → "
                                  f"{text[g['object'][0]:g['object'][1]]}   | {text[sent[0]:sent[1]][:60]}")
        for p in types:
            if p == "alias" or p not in known:
                continue
            for r in sc.predicted(doc, sent, p):
                if not in_range(sc, r, types[p]):
                    continue
                ok = any(matches(sc, doc, sent, text, r, g) for g in by_pred.get(p, ()))
                if not ok and set(r.component.split("+")) <= NAME_COMPONENTS:
                    continue
                found[p] += 1
                correct[p] += ok
                if not ok:
                    o = r.obj if isinstance(r.obj, str) else sc.by_key[r.obj].label
                    wrong.append(f"{p}: {sc.by_key[r.subject].label} → {o} [{r.component}]   | "
                                 f"{text[sent[0]:sent[1]][:60]}")
    if title:
        print(f"\n{title}: {len(dev)} sentences, {sum(len(d['facts']) for d in dev)} facts")
    print(f"{'predicate':<18} {'gold':>5} {'found':>6} {'P':>6} {'R':>6}")
    for p in sorted(gold_n, key=lambda x: (-gold_n[x], x)):
        prec = f"{correct[p] / found[p]:.2f}" if found[p] else "  -  "
        if p == "alias":
            prec = "  n/a"
        print(f"{p:<18} {gold_n[p]:>5} {found[p]:>6} {prec:>6} {hit[p] / gold_n[p]:>6.2f}")
    g, h = sum(ent_gold.values()), sum(ent_hit.values())
    per = ", ".join(f"{t} {ent_hit[t]}/{ent_gold[t]}" for t in sorted(ent_gold))
    print(f"entity recall of subjects/objects: {h / g:.2f} ({per})")
    if errors:
        print("\nmissed:", *missed[:errors], sep="\n  ")
        print("\nwrong:", *wrong[:errors], sep="\n  ")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dev", type=Path, default=Path(__file__).parent / "relations_dev.jsonl")
    ap.add_argument("--corpora", type=Path, default=CORPORA, help="the folder of the corpus files")
    ap.add_argument("--errors", type=int, default=0, help="list up to N misses and wrong facts")
    ap.add_argument("--errors-part", choices=(*PARTS, "all"), default=PARTS[0],
                    help="the part whose errors --errors prints (default: tune; leave held alone)")
    args = ap.parse_args(argv)
    if not args.corpora.is_dir():
        print(f"no corpora at {args.corpora}", file=sys.stderr)
        return 1
    dev = load_dev(args.dev)
    recs = records(dev, args.corpora)
    t0 = time.perf_counter()
    corpus, docs = build(recs)
    print(f"{len(dev)} sentences from {len(recs)} records, {sum(len(d['facts']) for d in dev)} facts; "
          f"built in {time.perf_counter() - t0:.1f} s")
    sc = Scorer(corpus, docs, recs)
    parts = [(p, [d for d in dev if part_of(d) == p]) for p in PARTS]
    for p, ds in [*((p, ds) for p, ds in parts if ds), ("all", dev)]:
        score(ds, sc, args.errors if p == args.errors_part else 0, p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
