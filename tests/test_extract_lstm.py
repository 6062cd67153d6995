"""Tests of the BiLSTM-CRF component (kg.extract.lstm) and the ``ner`` ensemble (kg.extract.ensemble)."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import ModelError
from kg.extract.crf import spans_from_labels
from kg.extract.ensemble import EnsembleTagger
from kg.extract.lstm import (
    COLUMNS,
    FLAGS,
    LABELS,
    LSTM_MODEL_PATH,
    BiLSTMTagger,
    char_columns,
    marginals,
    viterbi,
)
from kg.extract.registry import get, is_statistical, names
from kg.model import Mention

K = len(LABELS)


def _valid(labels: list[str]) -> bool:
    prev = "O"
    for lab in labels:
        p, t = (lab.split("-") + [""])[:2]
        pp, pt = (prev.split("-") + [""])[:2]
        if pp in ("B", "M"):
            if p not in ("M", "E") or t != pt:
                return False
        elif p in ("M", "E"):
            return False
        prev = lab
    return prev == "O" or prev[0] in "ES"


def _write_random_model(path, hidden=5, seed=0):
    """A model file with random weights and the vocabularies of a few characters."""
    rng = np.random.default_rng(seed)
    vocab = [["<pad>", "<unk>", "海", "河", "市", "林"] for _ in COLUMNS]
    d = 3 * len(COLUMNS) + len(FLAGS)
    arrays = {f"emb_{c}": rng.normal(size=(len(vocab[0]), 3)).astype(np.float16) for c in COLUMNS}
    for s in ("f", "b"):
        arrays[f"w_ih_{s}"] = rng.normal(size=(4 * hidden, d)).astype(np.float32)
        arrays[f"w_hh_{s}"] = rng.normal(size=(4 * hidden, hidden)).astype(np.float32)
        arrays[f"b_{s}"] = rng.normal(size=4 * hidden).astype(np.float32)
    arrays.update(w_out=rng.normal(size=(K, 2 * hidden)).astype(np.float32),
                  b_out=rng.normal(size=K).astype(np.float32),
                  trans=rng.normal(size=(K, K)).astype(np.float32),
                  start=rng.normal(size=K).astype(np.float32), end=rng.normal(size=K).astype(np.float32))
    meta = {"labels": list(LABELS), "columns": list(COLUMNS), "flags": list(FLAGS), "vocab": vocab,
            "hidden": hidden}
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(path, **arrays)
    return arrays


def _reference_emissions(arrays, text):
    """A plain LSTM written from its textbook equations, one direction at a time."""
    vocab = {s: i for i, s in enumerate(["<pad>", "<unk>", "海", "河", "市", "林"])}
    cols, flags = char_columns(text)
    x = np.concatenate([arrays[f"emb_{c}"].astype(np.float64)[[vocab.get(v, 1) for v in col]]
                        for c, col in zip(COLUMNS, cols, strict=True)] + [flags], axis=1)

    def sig(z):
        return 1 / (1 + np.exp(-z))

    def run(seq, s):
        h = np.zeros(arrays[f"w_hh_{s}"].shape[1])
        c = np.zeros_like(h)
        out = []
        for xt in seq:
            z = arrays[f"w_ih_{s}"] @ xt + arrays[f"w_hh_{s}"] @ h + arrays[f"b_{s}"]
            i, f, g, o = np.split(z, 4)
            c = sig(f) * c + sig(i) * np.tanh(g)
            h = sig(o) * np.tanh(c)
            out.append(h)
        return np.array(out)

    fw = run(x, "f")
    bw = run(x[::-1], "b")[::-1]
    return np.concatenate([fw, bw], axis=1) @ arrays["w_out"].T + arrays["b_out"]


def test_numpy_bilstm_matches_the_textbook_equations(tmp_path):
    path = tmp_path / "m.npz"
    arrays = _write_random_model(path)
    tagger = BiLSTMTagger(path)
    text = "海河市林某在海河"
    np.testing.assert_allclose(tagger.emissions(text), _reference_emissions(arrays, text),
                               rtol=1e-4, atol=1e-4)


def test_model_of_another_label_set_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    arrays = _write_random_model(path)
    meta = json.loads(str(arrays["meta"]))
    meta["flags"] = meta["flags"][:-1]
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(path, **arrays)
    with pytest.raises(ModelError, match="do not match"):
        BiLSTMTagger(path)


def test_missing_model_names_the_training_command(tmp_path):
    with pytest.raises(ModelError, match="training.student"):
        BiLSTMTagger(tmp_path / "none.npz")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="not a readable BiLSTM model"):
        BiLSTMTagger(bad)


def _brute_force(em, trans, start, end):
    """Every valid label path of a short sequence, with its probability."""
    n = em.shape[0]
    paths = []
    for path in itertools.product(range(K), repeat=n):
        labels = [LABELS[i] for i in path]
        if not _valid(labels):
            continue
        s = start[path[0]] + end[path[-1]] + sum(em[t, path[t]] for t in range(n))
        s += sum(trans[path[t - 1], path[t]] for t in range(1, n))
        paths.append((s, path))
    scores = np.array([s for s, _ in paths])
    probs = np.exp(scores - scores.max())
    probs /= probs.sum()
    return paths, probs


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 3), st.integers(0, 10_000))
def test_viterbi_and_marginals_agree_with_brute_force(n, seed):
    rng = np.random.default_rng(seed)
    em, trans = rng.normal(size=(n, K)) * 2, rng.normal(size=(K, K))
    start, end = rng.normal(size=K), rng.normal(size=K)
    paths, probs = _brute_force(em, trans, start, end)
    best = list(paths[int(np.argmax([s for s, _ in paths]))][1])
    assert viterbi(em, trans, start, end) == best
    expect = np.zeros((n, K))
    for (_, path), p in zip(paths, probs, strict=True):
        for t, i in enumerate(path):
            expect[t, i] += p
    np.testing.assert_allclose(marginals(em, trans, start, end), expect, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 40), st.integers(0, 10_000))
def test_viterbi_never_breaks_bmes(n, seed):
    rng = np.random.default_rng(seed)
    labels = [LABELS[i] for i in viterbi(rng.normal(size=(n, K)) * 5, rng.normal(size=(K, K)),
                                          np.zeros(K), np.zeros(K))]
    assert _valid(labels), labels


def test_char_columns_cover_every_character():
    text = "江北省青禾县县长司马安平说：“ABC１２３”。"
    cols, flags = char_columns(text)
    assert len(cols) == len(COLUMNS)
    assert all(len(c) == len(text) for c in cols)
    assert flags.shape == (len(text), len(FLAGS))
    assert cols[0][text.index("１")] == "0"  # full-width digits folded
    assert cols[1][0] == "江北"
    empty_cols, empty_flags = char_columns("")
    assert empty_cols == [[] for _ in COLUMNS] and empty_flags.shape == (0, len(FLAGS))


# ----- the shipped models --------------------------------------------------------------------

SENT = "海河市总工会主席林晓峰昨天在江北省青禾县考察时说，要把服务送到职工身边。"
EXPECT = {("海河市总工会", "Organization"), ("林晓峰", "Person"), ("江北省", "Place"), ("青禾县", "Place")}


@pytest.mark.parametrize("name", ["bilstm", "ner", "ensemble"])
def test_shipped_model_finds_invented_names(name):
    assert name in names() and is_statistical(name)
    found = list(get(name)(SENT))
    for m in found:
        assert isinstance(m, Mention) and SENT[m.start:m.end] == m.text and m.component == name
        assert 0 < m.confidence <= 1
    assert EXPECT <= {(m.text, m.type) for m in found}


@pytest.mark.parametrize("name", ["bilstm", "ner", "ensemble"])
def test_offsets_survive_chunks_and_latin_lines(name):
    text = "ABC only latin.\n\n" + SENT + "\n" + SENT
    found = list(get(name)(text))
    assert all(text[m.start:m.end] == m.text for m in found)
    assert [m.text for m in found].count("林晓峰") == 2


def test_ensemble_marginals_are_probabilities():
    ner = get("ensemble")
    p = ner.label_marginals(SENT)
    assert p.shape == (len(SENT), K)
    np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-6)


def test_ensemble_weight_is_checked_and_used():
    crf, lstm = get("crf"), get("bilstm")
    with pytest.raises(ValueError):
        EnsembleTagger(crf, lstm, weight=1.5)
    only_crf = EnsembleTagger(crf, lstm, weight=1.0).label_marginals(SENT)
    np.testing.assert_allclose(only_crf, np.array(crf.label_marginals(SENT, LABELS)).T, atol=1e-9)
    only_lstm = EnsembleTagger(crf, lstm, weight=0.0).label_marginals(SENT)
    np.testing.assert_allclose(only_lstm, lstm.label_marginals(SENT), atol=1e-9)


def test_shipped_models_are_small():
    # the package's models together stay within 40 MB (the extractor must install quickly)
    assert sum(p.stat().st_size for p in LSTM_MODEL_PATH.parent.iterdir() if p.is_file()) <= 40_000_000
    assert LSTM_MODEL_PATH.stat().st_size <= 20_000_000


def test_labels_spans_roundtrip():
    labels = get("ner").labels(SENT)
    assert _valid(labels)
    assert {(SENT[a:b]) for a, b, _ in spans_from_labels(labels)} >= {"林晓峰"}
