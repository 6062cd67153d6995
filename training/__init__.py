"""Training and distillation commands for kg's models (not part of the installed package)."""

from pathlib import Path

#: The shared corpora beside the project (read for training and benchmarks only, never copied).
CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
