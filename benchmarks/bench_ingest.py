"""Benchmark ingestion: page text → documents, articles and sentences, in MB/s (not a test).

    python benchmarks/bench_ingest.py [--mb 4] [--runs 5] [--seed 7]

Generates a few MB of newspaper-page text with invented headlines, bylines, paragraphs cut by
column breaks, continuation marks and front matter, then measures (median of ``--runs``):

* ``kg.ingest.read_string`` on the whole page text (layout, bylines, sentence splitting);
* ``kg.ingest.read_sources`` on the same text written as a file (adds decoding and hashing).

Throughput is UTF-8 megabytes (10^6 bytes) of input per second.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.ingest import read_sources, read_string  # noqa: E402

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜林高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红晓峰鹏雨"
PLACES = ["杭州市", "宁波市", "湖北省", "武汉市", "成都市", "四川省", "南宁市", "海淀区", "朝阳区", "江汉区"]
BODIES = ["总工会", "人民医院", "职业技术学院", "机械有限公司", "交通运输局", "职工服务中心"]
CLAUSES = [
    "{org}主席{name}表示，今年将新建{n}个职工服务站",
    "技术员{name}、{name2}和{name3}参加了{place}职工技能大赛",
    "{place}推出“{word}”服务平台，覆盖职工{n}万余人次",
    "{n}月{d}日，{place}职工技能大赛颁奖仪式在会展中心举行",
    "劳动模范{name}在{org}宣讲",
    "{org}第{n}次会员代表大会第三次会议召开",
    "记者从{org}获悉，相关工作已全面展开",
    "依据《{place}安全生产条例》，企业须落实主体责任",
]
WORDS = ["职工之家", "暖心驿站", "技能加油站", "一站式", "云课堂", "匠心工坊"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _sentence(rng: random.Random) -> str:
    place = rng.choice(PLACES)
    return rng.choice(CLAUSES).format(
        org=place + rng.choice(BODIES), name=_name(rng), name2=_name(rng), name3=_name(rng), place=place,
        word=rng.choice(WORDS), n=rng.randint(2, 12), d=rng.randint(1, 28)) + rng.choice("。。。！")


def generate_page(target_bytes: int, seed: int = 7) -> str:
    """Page text of about ``target_bytes`` UTF-8 bytes: articles with headlines, bylines, paragraphs."""
    rng = random.Random(seed)
    parts = ["---\ndate: 2025-05-08\nnewspaper: 海河工人报\nedition: 第1版\n---\n"]
    size = len(parts[0].encode())
    while size < target_bytes:
        art = [f"## {rng.choice(PLACES)}{rng.choice(BODIES)}推出{rng.choice(WORDS)}新举措", "",
               f"### {rng.choice(WORDS)}进行时", "", f"本报记者 {_name(rng)} 本报通讯员 {_name(rng)}", ""]
        for _ in range(rng.randint(3, 8)):
            para = "".join(_sentence(rng) for _ in range(rng.randint(2, 6)))
            if rng.random() < 0.2:  # a column break inside the paragraph
                cut = rng.randint(5, len(para) - 5)
                para = para[:cut] + "\n\n" + para[cut:]
            art += [para, ""]
        if rng.random() < 0.3:
            art += [f"{_sentence(rng)}（下转第{rng.randint(2, 8)}版）", ""]
        block = "\n".join(art) + "\n"
        parts.append(block)
        size += len(block.encode())
    return "".join(parts)


def _median_time(fn, runs: int) -> tuple[float, object]:
    times = []
    result = None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=4.0, help="size of the generated page in MB (10^6 bytes)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    text = generate_page(int(args.mb * 1_000_000), args.seed)
    nbytes = len(text.encode("utf-8"))
    t_str, (doc, arts) = _median_time(lambda: read_string(text, "bench.md"), args.runs)
    n_sent = sum(len(a.sentences) for a in arts)
    print(f"page: {nbytes / 1e6:.2f} MB, {len(text):,} characters, {len(arts):,} articles, {n_sent:,} sentences")
    print(f"read_string : {t_str:.3f} s  {nbytes / 1e6 / t_str:.2f} MB/s  (median of {args.runs})")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.md"
        path.write_text(text, encoding="utf-8")
        t_src, ing = _median_time(lambda: read_sources([path], max_bytes=nbytes * 2), args.runs)
        assert not ing.skipped, ing.skipped
    print(f"read_sources: {t_src:.3f} s  {nbytes / 1e6 / t_src:.2f} MB/s  (median of {args.runs}, from a file)")


if __name__ == "__main__":
    main()
