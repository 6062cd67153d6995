"""Events on a hand-made development set: detection recall and precision, argument recall.

``benchmarks/events_dev.jsonl`` holds references only, never corpus text: one line per sentence
read by hand, ``{"corpus": FILE, "record": N, "sentence": [start, end], "events": [{"type",
"status", "trigger": [start, end], "arguments": [{"role", "span": [start, end]}]}], "part": "tune" | "held"}``
with offsets into the ``text`` of record N of ``../shared/corpora/FILE``. The ``tune`` part is the
set the rules were developed on; the ``held`` part was annotated later from other articles and is
not looked at when rules change (``--errors`` lists the errors of the tune part only, unless
``--errors-part`` says otherwise). Each part is reported on its own line, then both together. Sentences that report no
event are listed too (``"events": []``): what kg finds there counts against precision. This script
reads the text from there at run time, builds every record a sentence comes from as one article,
and compares the events of the graph with the annotation.

An event of the graph is *found* in a sentence when one of its mentions lies in the sentence; it
is *aligned* with a gold event when that mention overlaps the gold trigger. Detection recall is
the share of gold events aligned with a found event, precision the share of found event mentions
aligned with a gold event. An argument is recalled when the aligned event has it: the time when
the event's date phrase and the gold span share the text (one contains the other), the place when
a ``locatedIn`` place, and a participant (every role but time and place) when an entity of any
other fact between the event and an entity, has a mention overlapping the gold span (or a name
inside the gold text). Argument recall is counted over all gold arguments, found events or not.

    python benchmarks/events_eval.py [--dev benchmarks/events_dev.jsonl] [--corpora DIR] [--errors N]
                                     [--errors-part tune|held|all]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.devsets import CORPORA, build, load_dev, records  # noqa: E402
from kg.model import Corpus, Entity, EntityKey  # noqa: E402
from kg.schema import EVENT  # noqa: E402

#: Roles whose arguments are not participants.
TIME, PLACE = "time", "place"
#: The parts of the development set, in the order they are reported.
PARTS = ("tune", "held")
#: Predicates that place an event, or give its time (not participants).
NOT_PARTICIPANT = frozenset({"locatedIn", "date", "endDate", "deadCount", "injuredCount"})


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass
class Graph:
    """The events of a build, their mentions, dates and arguments."""

    corpus: Corpus
    entities: dict[EntityKey, Entity] = field(default_factory=dict)
    mentions: dict[str, list[tuple[int, int, Entity]]] = field(default_factory=lambda: defaultdict(list))
    args: dict[EntityKey, list[tuple[str, EntityKey]]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        self.entities = {e.key: e for e in self.corpus.entities}
        for e in self.corpus.entities:
            if e.type == EVENT:
                for ev in e.mentions:
                    self.mentions[ev.document].append((ev.start, ev.end, e))
        for r in self.corpus.relations:
            if r.literal or not isinstance(r.obj, EntityKey):
                continue
            if r.subject in self.entities and self.entities[r.subject].type == EVENT:
                self.args[r.subject].append((r.predicate, r.obj))
            elif self.entities.get(r.obj) is not None and self.entities[r.obj].type == EVENT:
                self.args[r.obj].append((r.predicate, r.subject))

    def in_sentence(self, doc: str, sent: tuple[int, int]) -> list[tuple[int, int, Entity]]:
        return [m for m in self.mentions.get(doc, ()) if sent[0] <= m[0] and m[1] <= sent[1]]

    def names(self, key: EntityKey) -> set[str]:
        e = self.entities.get(key)
        return {e.label, *e.aliases} if e is not None else {key.name}

    def at(self, key: EntityKey, doc: str, span: tuple[int, int], text: str) -> bool:
        """Is entity ``key`` named at ``span`` (a mention overlapping it, or a name inside it)?"""
        e = self.entities.get(key)
        if e is not None and any(ev.document == doc and _overlaps((ev.start, ev.end), span) for ev in e.mentions):
            return True
        gold = text[span[0]:span[1]]
        return any(len(n) >= 2 and n in gold for n in self.names(key))


def _time_ok(e: Entity, gold: str) -> bool:
    info = e.event
    phrase = getattr(info, "date_text", None) if info is not None else None
    return bool(phrase) and (phrase in gold or gold in phrase)


def evaluate(dev: list[dict], g: Graph, docs: dict[tuple[str, int], str], recs: dict, errors: int) -> dict:
    n = Counter()
    by_type: dict[str, Counter] = defaultdict(Counter)
    missed: list[str] = []
    wrong: list[str] = []
    for d in dev:
        key = (d["corpus"], d["record"])
        doc, text = docs[key], recs[key]["text"]
        sent = (d["sentence"][0], d["sentence"][1])
        found = g.in_sentence(doc, sent)
        n["sentences"] += 1
        n["predicted"] += len(found)
        aligned = [m for m in found if any(_overlaps((m[0], m[1]), tuple(ev["trigger"])) for ev in d["events"])]
        n["aligned"] += len(aligned)
        for m in found:
            if m not in aligned and len(wrong) < errors:
                wrong.append(f"{text[m[0]:m[1]]} ({m[2].event.kind if m[2].event else None})  | "
                             f"{text[sent[0]:sent[1]][:60]}")
        for ev in d["events"]:
            trig = (ev["trigger"][0], ev["trigger"][1])
            n["gold"] += 1
            by_type[ev["type"]]["gold"] += 1
            hits = [m[2] for m in found if _overlaps((m[0], m[1]), trig)]
            e = hits[0] if hits else None
            if e is not None:
                n["detected"] += 1
                by_type[ev["type"]]["detected"] += 1
                kind = e.event.kind if e.event is not None else None
                n["type_ok"] += kind == ev["type"]
                status = getattr(e.event, "status", None) or "happened"
                n["status_ok"] += status == ev["status"]
            elif len(missed) < errors:
                missed.append(f"{ev['type']} {text[trig[0]:trig[1]]}  | {text[sent[0]:sent[1]][:60]}")
            args = g.args.get(e.key, []) if e is not None else []
            for a in ev["arguments"]:
                span = (a["span"][0], a["span"][1])
                role = a["role"]
                slot = TIME if role == TIME else PLACE if role == PLACE else "participant"
                n[f"{slot}_gold"] += 1
                if e is None:
                    continue
                if slot == TIME:
                    ok = _time_ok(e, text[span[0]:span[1]])
                elif slot == PLACE:
                    ok = any(p == "locatedIn" and g.at(k, doc, span, text) for p, k in args)
                else:
                    ok = any(p not in NOT_PARTICIPANT and g.at(k, doc, span, text) for p, k in args)
                n[f"{slot}_found"] += ok
    return {"n": n, "by_type": by_type, "missed": missed, "wrong": wrong}


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "-"


def _row(name: str, n: Counter) -> str:
    return (f"| {name} | {n['sentences']} | {_ratio(n['detected'], n['gold'])} ({n['detected']}/{n['gold']}) "
            f"| {_ratio(n['aligned'], n['predicted'])} ({n['aligned']}/{n['predicted']}) "
            f"| {_ratio(n['type_ok'], n['detected'])} | {_ratio(n['status_ok'], n['detected'])} "
            f"| {_ratio(n['time_found'], n['time_gold'])} ({n['time_found']}/{n['time_gold']}) "
            f"| {_ratio(n['place_found'], n['place_gold'])} ({n['place_found']}/{n['place_gold']}) "
            f"| {_ratio(n['participant_found'], n['participant_gold'])} "
            f"({n['participant_found']}/{n['participant_gold']}) |")


def part_of(d: dict) -> str:
    """The part a sentence belongs to (``tune`` when the record does not say)."""
    return d.get("part", PARTS[0])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dev", type=Path, default=ROOT / "benchmarks" / "events_dev.jsonl")
    ap.add_argument("--corpora", type=Path, default=CORPORA)
    ap.add_argument("--errors", type=int, default=0, help="print this many misses and false events")
    ap.add_argument("--errors-part", choices=(*PARTS, "all"), default=PARTS[0],
                    help="the part whose errors --errors prints (default: tune; leave held alone)")
    args = ap.parse_args(argv)
    dev = load_dev(args.dev)
    recs = records(dev, args.corpora)
    t0 = time.perf_counter()
    corpus, docs = build(recs)
    g = Graph(corpus)
    parts = [(p, [d for d in dev if part_of(d) == p]) for p in PARTS]
    parts = [(p, ds) for p, ds in parts if ds] + [("all", dev)]
    results = {p: evaluate(ds, g, docs, recs, args.errors if p == args.errors_part else 0) for p, ds in parts}
    n = results["all"]["n"]
    print(f"{n['sentences']} sentences ({sum(1 for d in dev if d['events'])} with events), {n['gold']} gold events, "
          f"{n['predicted']} event mentions found; built in {time.perf_counter() - t0:.1f} s")
    print("| part | sentences | detection recall | precision | type right | status right | time recall "
          "| place recall | participant recall |")
    print("|---|---|---|---|---|---|---|---|---|")
    for p, _ in parts:
        print(_row(p, results[p]["n"]))
    res = results.get(args.errors_part, {"missed": [], "wrong": []})
    for line in res["missed"]:
        print("missed:", line)
    for line in res["wrong"]:
        print("false: ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
