"""What a build keeps between builds: per-document extraction results and the build's manifest.

Layout inside an output folder (never read as a source, see :func:`kg.output.output_paths`)::

    exports/
      .cache/extract/<k[:2]>/<k>.json    the mentions of one document's sentences
      .generations/<id>/.manifest.json   what that generation was built from

A cache entry is keyed by :func:`entry_key`: the configuration the mentions depend on
(:func:`extraction_config`: kg's version, the code and lexicons of the package, the model
files, the extractor components), the document's content hash and the sentences it was split
into. It is JSON with a format name and version, and it is checked when read: an entry that is
corrupt, of another format or version, for another key, or whose mentions do not fit the
sentences is ignored (and recomputed), never trusted. Nothing is unpickled.

The manifest of a generation records the sources (each document's content hash and metadata,
the files skipped) and everything else the output depends on (:func:`build_config`); a build
whose manifest equals the current generation's has nothing to do.

Examples
--------
>>> import tempfile
>>> from kg.model import Mention
>>> cache = ExtractCache(Path(tempfile.mkdtemp()) / ".cache", "config")
>>> key = cache.key("sha", ["林晓峰说，"])
>>> cache.put(key, ["林晓峰说，"], [[Mention("林晓峰", "Person", 0, 3, 0.9, "ner")]])
>>> cache.get(key, ["林晓峰说，"])
[[Mention(text='林晓峰', type='Person', start=0, end=3, confidence=0.9, component='ner')]]
>>> cache.get(key, ["短句"]) is None  # its mentions do not fit these sentences: recomputed
True
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import secrets
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.model import Mention
from kg.output import CACHE

__all__ = [
    "CACHE",
    "MANIFEST",
    "ExtractCache",
    "entry_key",
    "extraction_config",
    "build_config",
    "read_manifest",
    "write_manifest",
    "digest",
]

#: The manifest file inside a generation.
MANIFEST = ".manifest.json"
_FORMAT = "kg-extract-cache"
_MANIFEST_FORMAT = "kg-build-manifest"
#: Bumped whenever the entry or manifest layout changes: older entries are then ignored.
VERSION = 1
_PACKAGE = Path(__file__).resolve().parent


def digest(value: object) -> str:
    """The SHA-256 of ``value`` written as canonical JSON.

    Examples
    --------
    >>> digest({"b": 1, "a": [2]}) == digest({"a": [2], "b": 1})
    True
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@lru_cache(maxsize=1)
def _package_files() -> tuple[tuple[str, str], ...]:
    """Every file of the kg package that can change what a build writes (code, lexicons, models,
    queries, ontology), with its hash. Read once per process."""
    out = []
    for p in sorted(_PACKAGE.rglob("*")):
        rel = p.relative_to(_PACKAGE)
        if not p.is_file() or "__pycache__" in rel.parts or p.suffix in (".pyc", ".pyo"):
            continue
        out.append((rel.as_posix(), _file_hash(p)))
    return tuple(out)


def _versions() -> dict[str, str]:
    from importlib import metadata

    from kg import __version__

    found = {"kg": __version__}
    for name in ("jieba", "cpca", "numpy", "rdflib", "pyoxigraph", "pyshacl", "python-crfsuite", "networkx"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = ""
    return found


def extraction_config(components: Sequence[str]) -> str:
    """The digest of everything one document's mentions depend on besides its text: kg's and
    its libraries' versions, every file of the package (code, lexicons, model files) and the
    extractor components, in order."""
    return digest({"versions": _versions(), "package": _package_files(), "components": list(components)})


def build_config(components: Sequence[str], relations: Sequence[str], events: Sequence[str],
                 date: str | None, options: Mapping[str, object]) -> dict[str, Any]:
    """Everything a build's output depends on besides its sources: the extraction configuration,
    the relation and event components, ``--date``, the ontology files in force (with their
    hashes) and the build's options (what it writes)."""
    from kg.schema import ontology_files

    return {
        "extraction": extraction_config(components),
        "relations": list(relations),
        "events": list(events),
        "date": date,
        "ontology": [[str(p), _file_hash(Path(p))] for p in ontology_files()],
        "options": dict(sorted(options.items())),
    }


def entry_key(config: str, sha256: str, inputs: Sequence[str]) -> str:
    """The cache key of one document: the extraction configuration, its content hash and the
    sentences the extractor reads (a page and a record with the same text split differently)."""
    h = hashlib.sha256(f"{_FORMAT}\x00{VERSION}\x00{config}\x00{sha256}\x00{len(inputs)}".encode())
    for t in inputs:
        h.update(b"\x00")
        h.update(t.encode("utf-8"))
    return h.hexdigest()


def _write_json(path: Path, value: object) -> None:
    """Write ``value`` as JSON to ``path`` atomically (a temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".tmp-{secrets.token_hex(6)}"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(value, fh, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _read_json(path: Path, limit: int = 1 << 30) -> Any:
    """The JSON value in ``path``, or None when it is missing, too large, a link or not JSON."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > limit:
            return None
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError, RecursionError):
        return None


def _mentions(rows: object, text: str) -> list[Mention] | None:
    """The mentions of one sentence from their cached rows, or None when a row does not fit."""
    if not isinstance(rows, list):
        return None
    out = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 5):
            return None
        typ, start, end, conf, comp = row
        if not (isinstance(typ, str) and isinstance(comp, str) and type(start) is int and type(end) is int
                and 0 <= start < end <= len(text) and isinstance(conf, (int, float))
                and not isinstance(conf, bool) and math.isfinite(conf)):
            return None
        out.append(Mention(text[start:end], typ, start, end, float(conf), comp))
    return out


class ExtractCache:
    """Per-document extraction results on disk (``<out>/.cache/extract/``).

    Write it only while holding the output folder's lock (:func:`kg.output.lock_output`);
    entries are written atomically, so a killed build leaves whole entries or none.
    """

    def __init__(self, root: str | os.PathLike[str], config: str, read: bool = True) -> None:
        self.root = Path(root) / "extract"
        #: the extraction configuration the entries are for (:func:`extraction_config`)
        self.config = config
        #: read entries (``False``: every document is extracted again, entries are rewritten)
        self.read = read
        self.used: set[str] = set()
        self.hits = 0
        self.misses = 0

    def key(self, sha256: str, inputs: Sequence[str]) -> str:
        """The key of a document with content hash ``sha256`` whose sentences read ``inputs``."""
        return entry_key(self.config, sha256, inputs)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str, inputs: Sequence[str]) -> list[list[Mention]] | None:
        """The cached mentions of each of ``inputs`` under ``key``, or None (missing, corrupt,
        foreign or not fitting the sentences)."""
        self.used.add(key)
        found = self._load(key, inputs) if self.read else None
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def _load(self, key: str, inputs: Sequence[str]) -> list[list[Mention]] | None:
        data = _read_json(self._path(key))
        if not (isinstance(data, dict) and data.get("format") == _FORMAT and data.get("version") == VERSION
                and data.get("key") == key):
            return None
        sentences = data.get("sentences")
        if not isinstance(sentences, list) or len(sentences) != len(inputs):
            return None
        out = []
        for rows, text in zip(sentences, inputs, strict=True):
            ms = _mentions(rows, text)
            if ms is None:
                return None
            out.append(ms)
        return out

    def put(self, key: str, inputs: Sequence[str], found: Sequence[Sequence[Mention]]) -> None:
        """Store the mentions ``found`` in each of ``inputs`` under ``key``."""
        self.used.add(key)
        rows = [[[m.type, m.start, m.end, m.confidence, m.component] for m in ms] for ms in found]
        try:
            _write_json(self._path(key), {"format": _FORMAT, "version": VERSION, "key": key, "sentences": rows})
        except OSError:  # a cache that cannot be written only costs time
            pass

    def prune(self, keep: Iterable[str] | None = None) -> int:
        """Remove the entries not in ``keep`` (default: those this build used); returns how many."""
        keep = set(self.used if keep is None else keep)
        removed = 0
        if not self.root.is_dir():
            return 0
        for sub in self.root.iterdir():
            if not sub.is_dir() or sub.is_symlink():
                continue
            for p in sub.iterdir():
                if p.name.endswith(".json") and p.name[:-5] in keep:
                    continue
                p.unlink(missing_ok=True)
                removed += 1
        return removed


def read_manifest(generation: str | os.PathLike[str] | None) -> dict[str, Any] | None:
    """The manifest of a generation folder, or None (none, unreadable, another format)."""
    if generation is None:
        return None
    data = _read_json(Path(generation) / MANIFEST)
    if isinstance(data, dict) and data.get("format") == _MANIFEST_FORMAT and data.get("version") == VERSION:
        return data
    return None


def write_manifest(generation: str | os.PathLike[str], config: Mapping[str, Any], sources: Any,
                   report: Mapping[str, Any]) -> None:
    """Write the manifest of a generation: its configuration, sources and build report."""
    _write_json(Path(generation) / MANIFEST, {"format": _MANIFEST_FORMAT, "version": VERSION,
                                              "config": dict(config), "sources": sources,
                                              "report": dict(report)})
