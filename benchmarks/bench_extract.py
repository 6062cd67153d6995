"""Benchmark extraction: ``kg.extract.extract`` over generated news-like sentences, characters/s (not a test).

    python benchmarks/bench_extract.py [--chars 200000] [--runs 3] [--seed 11] [--cpu 0]

Generates at least ``--chars`` characters of varied sentences with invented people and bodies
(titles before names, speech verbs, enumerations, quoted programs, laws, meetings, ceremonies,
lectures, plain sentences without names) and runs, pinned to one CPU core:

* the whole extraction (the default components, combined) as the build does it: sentences handed
  to ``extract_many`` in groups of about 50,000 characters (``kg.pipeline.GROUP_CHARS``), so the
  statistical models run many sentences together;
* the same, one ``extract(sentence)`` call per sentence;
* each registered component alone on the same sentences (in groups when it has ``batch``).

The segmentation caches (``kg.extract.phrases.tokens_of``, the models' jieba cache) are cleared
before every run, so each run pays for jieba. Figures are medians of ``--runs``. ``events`` runs ``persons`` inside it.

Names listed after the first one (X、Y和Z) have three characters: a two-character name that jieba
tags as a word (高洋 'ns') sends ``find_persons`` into an endless loop (a known bug, see
tests/test_extract_rules.py::test_enumeration_with_a_rejected_name_terminates).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.extract import DEFAULT_COMPONENTS, extract, extract_many, get, names  # noqa: E402
from kg.extract.phrases import tokens_of  # noqa: E402
from kg.extract.tokens import forget as forget_segments  # noqa: E402
from kg.pipeline import GROUP_CHARS  # noqa: E402

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜林高欧阳"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红晓峰鹏雨文远"
PLACES = ["杭州市", "宁波市", "湖北省", "武汉市", "成都市", "四川省", "南宁市", "海淀区", "朝阳区", "江汉区",
          "广西", "内蒙古", "浙江省温州市", "四川省绵阳市"]
BODIES = ["总工会", "人民医院", "职业技术学院", "精密机械有限公司", "交通运输局", "职工服务中心", "供电公司",
          "总工会劳动保护委员会", "人民法院", "青年志愿者协会"]
TITLES = ["车间主任", "技术员", "工程师", "劳动模范", "主席", "副主席", "快递员", "班组长", "法律援助律师"]
VERBS = ["说", "表示", "介绍", "指出", "强调", "透露", "坦言"]
WORDS = ["职工之家", "暖心驿站", "技能加油站", "一站式", "云课堂", "匠心工坊", "安薪", "夏送清凉"]
TEMPLATES = [
    "{org}{title}{name}{verb}，今年将新建{n}个职工服务站。",
    "{title}{name}、{name2}和{name3}参加了{place}职工技能大赛。",
    "{place}推出“{word}”服务平台，覆盖职工{n}万余人次。",
    "{n}月{d}日，{place}职工技能大赛颁奖仪式在会展中心举行。",
    "{title}{name}在{org}宣讲。",
    "{org}第{n}届职工代表大会第三次会议召开，{name}当选主席。",
    "记者从{org}获悉，相关工作已全面展开。",
    "依据《{place}安全生产条例》，企业须落实主体责任。",
    "{name}{verb}：“我们要把服务送到车间，让职工少跑腿。”",
    "要平衡各方利益，形成共建共享的新格局。",
    "某服饰公司负责人说，该公司今年订单增长了{n}成。",
    "{place}{org2}与{org}签订合作协议，共建“{word}”工作机制。",
    "近年来，{place}深化产业工人技能提升行动，累计培训{n}万人次。",
    "市民可拨打12345政务服务热线反映问题，{name}{verb}，热线已接到{n}百个电话。",
]


def _name(rng: random.Random, given: tuple[int, ...] = (1, 2, 2)) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice(given)))


def generate_sentences(min_chars: int, seed: int = 11) -> list[str]:
    """Varied news-like sentences, at least ``min_chars`` characters in all."""
    rng = random.Random(seed)
    out: list[str] = []
    total = 0
    while total < min_chars:
        place = rng.choice(PLACES)
        s = rng.choice(TEMPLATES).format(
            org=place + rng.choice(BODIES), org2=rng.choice(BODIES), title=rng.choice(TITLES), name=_name(rng),
            name2=_name(rng, (2,)), name3=_name(rng, (2,)), verb=rng.choice(VERBS), place=place, word=rng.choice(WORDS),
            n=rng.randint(2, 12), d=rng.randint(1, 28))
        out.append(s)
        total += len(s)
    return out


def _pin(cpu: int) -> str:
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {cpu})
            return f"pinned to CPU {cpu}"
        except OSError as e:
            return f"not pinned ({e})"
    return "not pinned (no sched_setaffinity)"


def _groups(sentences: list[str]) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    size = 0
    for s in sentences:
        if size + len(s) > GROUP_CHARS and groups[-1]:
            groups.append([])
            size = 0
        groups[-1].append(s)
        size += len(s)
    return groups


def _run(fn, sentences: list[str], runs: int, grouped: bool = False) -> tuple[float, int]:
    """Median seconds of ``runs`` runs of ``fn`` over ``sentences`` (one call per sentence, or
    with ``grouped`` one call per group of sentences), and the mentions found."""
    times = []
    found = 0
    groups = _groups(sentences)
    for _ in range(runs):
        tokens_of.cache_clear()
        forget_segments()
        t = time.perf_counter()
        if grouped:
            found = sum(len(ms) for g in groups for ms in fn(g))
        else:
            found = sum(len(list(fn(s))) for s in sentences)
        times.append(time.perf_counter() - t)
    return statistics.median(times), found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--cpu", type=int, default=0, help="CPU core to pin to")
    ap.add_argument("--no-components", action="store_true", help="only the whole extraction")
    args = ap.parse_args()

    pinned = _pin(args.cpu)
    sentences = generate_sentences(args.chars, args.seed)
    chars = sum(len(s) for s in sentences)
    print(f"{len(sentences):,} sentences, {chars:,} characters; {pinned}; median of {args.runs}", flush=True)
    # warm up: jieba's dictionary, the CRF model, lexicons, the gazetteer
    extract(sentences[0])
    for n in names():
        get(n)(sentences[0])
    comps = ",".join(DEFAULT_COMPONENTS)
    t, found = _run(extract_many, sentences, args.runs, grouped=True)
    print(f"{'extract_many (' + comps + ')':60s} {t:7.2f} s  {chars / t:9,.0f} chars/s  "
          f"{found:,} mentions", flush=True)
    t, found = _run(extract, sentences, args.runs)
    print(f"{'  one sentence per call':60s} {t:7.2f} s  {chars / t:9,.0f} chars/s  "
          f"{found:,} mentions", flush=True)
    if args.no_components:
        return
    for n in names():
        comp = get(n)
        batch = getattr(comp, "batch", None)
        t, found = _run(batch or comp, sentences, args.runs, grouped=batch is not None)
        how = " (batch)" if batch else ""
        print(f"{'  ' + n + how:60s} {t:7.2f} s  {chars / t:9,.0f} chars/s  {found:,} mentions", flush=True)

if __name__ == "__main__":
    main()
