"""Who carries out a program (某局推出某机制) and who received an honour (张三荣获某称号)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from kg.extract.lexicon import table, words
from kg.model import ArticleFacts, EntityKey, Relation, SentenceFacts, Spot
from kg.relate import confidence as conf
from kg.relate.titles import clause_floor
from kg.schema import ORGANIZATION, PERSON, PROGRAM

__all__ = ["implements", "awards"]

#: How far after a program an implementing verb may follow (某会将某机制全面推广).
VERB_AFTER = 12
#: How far before a program, in its clause, an implementing verb may stand when no organization
#: is named (…推出了某机制: the article's main organization).
VERB_BEFORE = 6
#: The longest stretch between a person and an honour (张三去年荣获某称号).
AWARD_GAP = 12
#: The particle of a plan (某会将与某公司…).
_WILL = "将"
#: Punctuation an award never reaches over.
_AWARD_STOPS = "，。；"


def _has_verb(text: str) -> bool:
    return any(v in text for v in table("implement_verbs.txt"))


def _subject(text: str, pr: Spot, orgs: Sequence[Spot]) -> Spot | None:
    """The nearest organization before the program with an implementing verb in between."""
    for o in sorted((o for o in orgs if o.end <= pr.start), key=lambda o: -o.end):
        between = text[o.end:pr.start]
        if _has_verb(between) or (_WILL in between and _has_verb(text[pr.end:pr.end + VERB_AFTER])):
            return o
    return None


def _partners(text: str, pr: Spot, subject: Spot, orgs: Sequence[Spot]) -> Iterator[Spot]:
    """Partners of the subject: 某会将与某公司建立…, 联合某台打造…"""
    joins = words("partner_words.txt")
    for o in orgs:
        if o is subject or o.end > pr.start:
            continue
        first, second = (o, subject) if o.end <= subject.start else (subject, o)
        glue = text[first.end:second.start].strip()
        if glue.removeprefix(_WILL) in joins:
            yield o


def _sentence_programs(s: SentenceFacts, main_org: EntityKey | None) -> Iterator[Relation]:
    text, ev = s.text, s.evidence
    orgs = s.of_type(ORGANIZATION)
    for pr in s.of_type(PROGRAM):
        subject = _subject(text, pr, orgs)
        if subject is not None:
            yield Relation(subject.key, "implements", pr.key, (ev,), conf.IMPLEMENTS, "implements-rule")
            for o in _partners(text, pr, subject, orgs):
                yield Relation(o.key, "implements", pr.key, (ev,), conf.IMPLEMENTS_PARTNER, "implements-rule")
            continue
        before = text[clause_floor(text, pr.start):pr.start]
        verbs = table("implement_verbs.txt")
        if main_org and not orgs and any(before.endswith(v) or v in before[-VERB_BEFORE:] for v in verbs):
            yield Relation(main_org, "implements", pr.key, (ev,), conf.IMPLEMENTS_MAIN_ORGANIZATION,
                           "implements-rule")


def implements(article: ArticleFacts) -> Iterator[Relation]:
    """ORG + implementing verb + PROGRAM (and its partners): the organization implements it."""
    main_org = article.main_organization()
    for s in article.sentences:
        yield from _sentence_programs(s, main_org)


def _sentence_awards(s: SentenceFacts) -> Iterator[Relation]:
    verbs = table("award_verbs.txt")
    for p in s.of_type(PERSON):
        for pr in (x for x in s.of_type(PROGRAM) if x.start > p.end):
            between = s.text[p.end:pr.start]
            if len(between) <= AWARD_GAP and any(v in between for v in verbs) and \
                    not any(c in between for c in _AWARD_STOPS):
                yield Relation(p.key, "honour", pr.key, (s.evidence,), conf.AWARD, "award-rule")


def awards(article: ArticleFacts) -> Iterator[Relation]:
    """PERSON … 荣获 / 获评 PROGRAM: an honour."""
    for s in article.sentences:
        yield from _sentence_awards(s)
