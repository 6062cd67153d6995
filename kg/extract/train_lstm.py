"""Train the BiLSTM-CRF NER model (kg/models/ner_bilstm.npz) on the MSRA training split.

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
from kg.extract.train import FORBIDDEN, default_data, read_bmes

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
        enc.append((ids, flags, np.array(y, dtype=np.int64)))
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


def train(data: Path, out: Path, epochs: int = 12, hidden: int = 128, batch: int = 32,
          lr: float = 2e-3, dropout: float = 0.4, dev: int = 2000, seed: int = 7,
          limit: int | None = None, threads: int = 2, unk_drop: float = 0.0) -> dict[str, float]:
    """Train on ``data`` (the last ``dev`` sentences held out to pick the epoch); write ``out``."""
    import torch
    from torch import nn

    if data.name in FORBIDDEN:
        raise SystemExit(f"{data.name} contains MSRA test sentences; train on msra_train.txt only")
    torch.manual_seed(seed)
    random.seed(seed)
    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    sents = [(t, y) for t, y in read_bmes(data) if len(t) == len(y)]
    if limit:
        sents = sents[:limit]
    train_s, dev_s = sents[:-dev], sents[-dev:]
    tr, vocab = encode(train_s)
    dv, _ = encode(dev_s, vocab)
    t1 = time.perf_counter()
    print(f"encoded {len(tr)} + {len(dv)} sentences in {t1 - t0:.0f}s", file=sys.stderr, flush=True)
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
                fl[r, :L] = torch.from_numpy(rows[i][1])
                y[r, :L] = torch.from_numpy(rows[i][2])
            mask = torch.arange(n).unsqueeze(0) < lens.unsqueeze(1)
            yield g, ids, fl, y, lens, mask

    def span_set(labels):
        from kg.extract.crf import spans_from_labels
        return set(spans_from_labels([LABELS[i] for i in labels]))

    def evaluate() -> float:
        net.eval()
        tp = fp = fn = 0
        trans_np = net.trans.detach().numpy().astype(np.float64)
        start_np = net.start.detach().numpy().astype(np.float64)
        end_np = net.end.detach().numpy().astype(np.float64)
        with torch.no_grad():
            for g, ids, fl, _y, lens, _mask in batches(dv, 64, False):
                em = net.emissions(ids, fl, lens)
                for r, i in enumerate(g):
                    L = int(lens[r])
                    path = viterbi(em[r, :L].numpy().astype(np.float64), trans_np, start_np, end_np)
                    pred = span_set(path)
                    gold = span_set(dv[i][2].tolist())
                    tp += len(pred & gold)
                    fp += len(pred - gold)
                    fn += len(gold - pred)
        net.train()
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    best, best_state, history = -1.0, None, []
    for ep in range(epochs):
        te = time.perf_counter()
        total = 0.0
        if ep == epochs - 2:
            for grp in opt.param_groups:
                grp["lr"] = lr / 4
        for _g, ids, fl, y, lens, mask in batches(tr, batch, True):
            if unk_drop:
                # some characters and bigrams read as unknown: the model learns to rely on the
                # word and lexicon features too, as it must for names it never saw
                for k in (COLUMNS.index("ch"), COLUMNS.index("bi")):
                    col = ids[:, :, k]
                    drop = (torch.rand(col.shape) < unk_drop) & (col > 1)
                    ids[:, :, k] = torch.where(drop, torch.ones_like(col), col)
            opt.zero_grad()
            loss = net.nll(net.emissions(ids, fl, lens), y, mask) / len(lens)
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
            total += float(loss.detach()) * len(lens)
        f = evaluate()
        history.append(round(f, 4))
        print(f"epoch {ep + 1}: loss {total / len(tr):.3f} dev F1 {f:.4f} "
              f"({time.perf_counter() - te:.0f}s)", file=sys.stderr, flush=True)
        if f > best:
            best = f
            best_state = {n: p.detach().clone() for n, p in net.state_dict().items()}
    net.load_state_dict(best_state)
    sd = net.state_dict()
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
            "vocab": vocab_lists, "hidden": hidden, "dims": DIMS,
            "trained": {"data": data.name, "sentences": len(tr), "dev": len(dv), "epochs": epochs,
                        "lr": lr, "batch": batch, "dropout": dropout, "seed": seed,
                        "unk_drop": unk_drop,
                        "dev_f1": history}}
    arrays["meta"] = np.array(json.dumps(meta, ensure_ascii=False))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.stem + ".tmp.npz")
    np.savez_compressed(tmp, **compact(arrays))
    tmp.replace(out)
    return {"sentences": len(tr), "dev_f1": round(best, 4), "seconds": round(time.perf_counter() - t0),
            "model_bytes": out.stat().st_size}


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m kg.extract.train_lstm [--data PATH] [--out PATH] [--epochs N]``."""
    ap = argparse.ArgumentParser(prog="python -m kg.extract.train_lstm", description=__doc__)
    ap.add_argument("--data", type=Path, default=None, help="training file (default: MSRA train split)")
    ap.add_argument("--out", type=Path, default=LSTM_MODEL_PATH, help="model file to write")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--dropout", type=float, default=0.4)
    ap.add_argument("--dev", type=int, default=2000, help="last N training sentences held out")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--limit", type=int, default=None, help="use only the first N sentences")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--unk-drop", type=float, default=0.0,
                    help="probability that a character / bigram reads as unknown in training")
    args = ap.parse_args(argv)
    stats = train(args.data or default_data(), args.out, args.epochs, args.hidden, args.batch,
                  args.lr, args.dropout, args.dev, args.seed, args.limit, args.threads, args.unk_drop)
    print(" ".join(f"{k}={v}" for k, v in stats.items()), f"out={args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
