"""The embedded, persistent RDF store (Oxigraph) behind one small interface.

rdflib stays the API for building and serializing graphs; the store holds the built graph on
disk so queries, analysis and exports do not re-extract or re-parse anything.

Examples
--------
>>> from kg.rdf import new_graph
>>> from kg.ns import RDF, resource
>>> from kg.schema import PERSON, entity_type
>>> person = entity_type(PERSON)
>>> g = new_graph().add((resource(person.segment, "甲"), RDF.type, person.iri))
>>> with Store.memory() as st:
...     n = st.replace(g)
...     n, bool(st.query(f"ASK {{ ?x a <{person.iri}> }}"))
(1, True)
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, overload

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import QueryError, StoreError
from kg.ns import KGO, NIF, PREFIXES, XSD

__all__ = ["DEFAULT_STORE", "LOADER_QUEUE", "Store", "Loader", "to_ox", "from_ox", "query_error", "store_location"]

#: Where ``kg build`` writes the store and ``kg query`` / ``kg export`` read it.
DEFAULT_STORE = Path("exports") / "store"

_XSD_STRING = str(XSD.string)
_XSD_INTEGER = str(XSD.integer)
# Oxigraph stores every xsd:integer-derived literal as xsd:integer; these properties are
# declared xsd:nonNegativeInteger (NIF's range), so reading the store restores that datatype
# and a graph read back from the store equals the graph that was loaded.
_NON_NEGATIVE = {str(NIF.beginIndex), str(NIF.endIndex), str(KGO.sentenceIndex)}
_PREFIXES = {k: str(v) for k, v in PREFIXES.items()}

#: How many pieces of text a :class:`Loader` holds while its thread loads one (its memory bound).
LOADER_QUEUE = 4


def to_ox(term: Node) -> Any:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store {term!r}")


@overload
def from_ox(term: None) -> None: ...
@overload
def from_ox(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node: ...
@overload
def from_ox(term: Any) -> Node | None: ...
def from_ox(term: Any) -> Node | None:
    """A pyoxigraph term as an rdflib term (``xsd:string`` literals become plain literals)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise TypeError(f"cannot convert {term!r}")


def query_error(exc: Exception, name: str | None = None) -> QueryError:
    """A one-line QueryError from a parser error (``error at 3:14: expected …``)."""
    msg = " ".join(str(exc).split())
    if msg.startswith("error at "):
        pos, _, rest = msg[len("error at ") :].partition(": ")
        line, _, col = pos.partition(":")
        if line.isdigit() and col.isdigit():
            msg = f"syntax error at line {line}, column {col}: {rest}"
    where = f"query {name!r}: " if name else ""
    return QueryError(f"{where}{msg}")


def store_location(path: str | os.PathLike[str]) -> Path:
    """Where the store at ``path`` really is: every link resolved.

    ``exports/store`` is a link through ``exports/current`` to one build's generation, so the
    location changes when a new build switches generations; a reader that keeps a store open
    compares locations to notice a new build. The path need not exist.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> (out / "gen1" / "store").mkdir(parents=True)
    >>> os.symlink("gen1", out / "current")
    >>> store_location(out / "current" / "store") == (out / "gen1" / "store").resolve()
    True
    """
    return Path(os.path.realpath(path))


def _quads(graph: Graph) -> Iterator[Any]:
    for s, p, o in graph:
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o))


class Store:
    """An Oxigraph store in a directory (``exports/store`` by default), or in memory.

    Open with :meth:`open`; use as a context manager or call :meth:`close`.
    """

    def __init__(self, inner: Any, path: Path | None, read_only: bool = False) -> None:
        self._store: Any = inner
        self.path = path
        self.read_only = read_only

    # --- opening ------------------------------------------------------------------------------
    @classmethod
    def open(
        cls, path: str | os.PathLike[str] = DEFAULT_STORE, create: bool = False, read_only: bool = False
    ) -> Store:
        """Open the store at ``path``; ``create`` makes it when missing.

        Raises :class:`~kg.errors.StoreError` (one line) when the store is missing, locked or
        unreadable.
        """
        p = Path(path)
        if not create and not (p / "CURRENT").is_file():
            if p.exists() and not p.is_dir():
                raise StoreError(f"{p} is not a store directory")
            if p.is_dir() and any(p.iterdir()):
                raise StoreError(f"{p} is not an RDF store (no Oxigraph data in it)")
            raise StoreError(f"no store at {p}; run `kg build` first or pass --store DIR")
        try:
            if create:
                p.mkdir(parents=True, exist_ok=True)
            inner = ox.Store.read_only(str(p)) if read_only else ox.Store(str(p))
        except OSError as e:
            reason = " ".join(str(e).split())
            if "lock" in reason.lower():
                raise StoreError(f"store {p} is in use by another process ({reason})") from None
            raise StoreError(f"cannot open store {p}: {reason}") from None
        return cls(inner, p, read_only)

    @classmethod
    def memory(cls) -> Store:
        """A temporary in-memory store (tests, one-off queries over a graph)."""
        return cls(ox.Store(), None)

    @classmethod
    def from_graph(cls, graph: Graph) -> Store:
        """An in-memory store holding ``graph``."""
        st = cls.memory()
        st.replace(graph)
        return st

    def close(self) -> None:
        """Flush and release the store (a closed store cannot be used again)."""
        if self._store is not None:
            if not self.read_only and self.path is not None:
                try:
                    self._store.flush()
                except OSError:  # pragma: no cover - nothing more to do on close
                    pass
            self._store = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def inner(self) -> Any:
        """The underlying ``pyoxigraph.Store``."""
        if self._store is None:
            raise StoreError(f"store {self.path or '(memory)'} is closed")
        return self._store

    def __len__(self) -> int:
        return len(self.inner)

    def __repr__(self) -> str:
        state = "closed" if self._store is None else f"{len(self)} triples"
        return f"<Store {self.path or '(memory)'}: {state}>"

    # --- writing ------------------------------------------------------------------------------
    def _writable(self) -> Any:
        if self.read_only:
            raise StoreError(f"store {self.path} is open read-only")
        return self.inner

    def replace(self, graph: Graph) -> int:
        """Replace the whole content by ``graph`` (bulk load); return the number of triples."""
        st = self._writable()
        st.clear()
        self.load_graph(graph)
        return len(st)

    def load_graph(self, graph: Graph) -> None:
        """Bulk-load ``graph`` into the default graph (fast; not transactional)."""
        self._writable().bulk_extend(_quads(graph))

    def load_file(self, path: str | os.PathLike[str], format: str | None = None) -> None:
        """Bulk-load an RDF file (format from the extension unless given, e.g. ``"nt"``)."""
        fmt = ox.RdfFormat.from_extension(format) if format else None
        try:
            self._writable().bulk_load(path=str(path), format=fmt)
        except SyntaxError as e:
            raise StoreError(f"{path}: {' '.join(str(e).split())}") from None

    def load_text(self, text: str, format: str = "ttl") -> None:
        """Bulk-load RDF text (a Turtle document unless told otherwise, e.g. ``"nt"``): a large
        file loaded in pieces this way takes memory in proportion to a piece, not to the file
        (Oxigraph's bulk loader of a whole file takes about 0.8 KB a triple)."""
        try:
            self._writable().bulk_load(input=text.encode("utf-8"), format=ox.RdfFormat.from_extension(format))
        except SyntaxError as e:
            raise StoreError(f"RDF text: {' '.join(str(e).split())}") from None

    def loader(self, format: str = "ttl") -> Loader:
        """A :class:`Loader` of RDF text into this store, on a thread of its own."""
        return Loader(self, format)

    def add_graph(self, graph: Graph, replace_predicates: bool = False) -> None:
        """Add the triples of ``graph`` in one transaction (e.g. analysis scores).

        With ``replace_predicates``, the triples already stored with any predicate used in
        ``graph`` are removed first, so writing scores twice does not duplicate them.
        """
        st = self._writable()
        if replace_predicates:
            for p in sorted({p for _, p, _ in graph}, key=str):
                for q in list(st.quads_for_pattern(None, to_ox(p), None, ox.DefaultGraph())):
                    st.remove(q)
        st.extend(_quads(graph))

    def update(self, text: str) -> None:
        """Run a SPARQL 1.1 Update (the kg prefixes are predeclared)."""
        try:
            self._writable().update(text, prefixes=_PREFIXES)
        except SyntaxError as e:
            raise query_error(e) from None

    def clear(self) -> None:
        """Remove every triple."""
        self._writable().clear()

    # --- reading ------------------------------------------------------------------------------
    def query(self, text: str, name: str | None = None, default_graph: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None) -> Any:
        """Run a SPARQL query (the kg prefixes are predeclared); return pyoxigraph's result.

        ``default_graph`` and ``named_graphs`` (IRIs) set the query's dataset, as the SPARQL
        protocol's ``default-graph-uri`` and ``named-graph-uri`` do; by default the store's
        default graph and all its named graphs. A syntax error, or a graph name that is not
        an IRI, raises :class:`~kg.errors.QueryError` with the position or the name.
        """
        dataset: dict[str, Any] = {}
        try:
            if default_graph is not None:
                dataset["default_graph"] = [ox.NamedNode(g) for g in default_graph]
            if named_graphs is not None:
                dataset["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        except ValueError as e:
            raise QueryError(f"a graph name is not an IRI: {' '.join(str(e).split())}") from None
        try:
            return self.inner.query(text, prefixes=_PREFIXES, **dataset)
        except SyntaxError as e:
            raise query_error(e, name) from None
        except OSError as e:
            raise StoreError(f"cannot read store {self.path}: {' '.join(str(e).split())}") from None

    def triples(self) -> Iterable[tuple[Node, Node, Node]]:
        """Every triple of every graph, as rdflib terms."""
        for q in self.inner.quads_for_pattern(None, None, None, None):
            o = q.object
            if (
                q.predicate.value in _NON_NEGATIVE
                and isinstance(o, ox.Literal)
                and o.datatype.value == _XSD_INTEGER
                and not o.value.startswith("-")
            ):
                yield (
                    from_ox(q.subject),
                    from_ox(q.predicate),
                    Literal(o.value, datatype=XSD.nonNegativeInteger),
                )
            else:
                yield from_ox(q.subject), from_ox(q.predicate), from_ox(o)

    def to_rdflib(self) -> Graph:
        """The whole store (named graphs merged) as an rdflib graph with the kg prefixes."""
        from kg.rdf import new_graph

        g = new_graph()
        for t in self.triples():
            g.add(t)
        return g

    def dump(self, path: str | os.PathLike[str], format: str = "nt") -> None:
        """Write the default graph with Oxigraph's own serializer (fast, not sorted)."""
        self.inner.dump(
            str(path),
            ox.RdfFormat.from_extension(format),
            from_graph=ox.DefaultGraph(),
            prefixes=_PREFIXES if format in ("ttl", "trig") else None,
        )


class Loader:
    """Bulk-loads pieces of RDF text into ``store`` (:meth:`Store.load_text`) on a thread of its
    own while the caller goes on, e.g. writing the next piece: Oxigraph's loader releases the GIL,
    so the load runs on another core. At most :data:`LOADER_QUEUE` pieces wait at a time.

    Call the loader with each piece; :meth:`close` (or leaving the ``with`` block) waits for the
    last and raises the first error of any load (:class:`~kg.errors.StoreError` for bad text),
    which a later call raises too. Leaving the block on an error drops the pieces still queued.

    Examples
    --------
    >>> with Store.memory() as st:
    ...     with st.loader() as load:
    ...         load("<http://example.org/a> <http://example.org/b> 1 .")
    ...         load("<http://example.org/a> <http://example.org/b> 2 .")
    ...     len(st)
    2
    """

    def __init__(self, store: Store, format: str = "ttl") -> None:
        self._store, self._format = store, format
        self._queue: queue.Queue[str | None] = queue.Queue(maxsize=LOADER_QUEUE)
        self._error: BaseException | None = None
        self._drop = False
        self._thread = threading.Thread(target=self._run, name="kg-store-loader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            text = self._queue.get()
            if text is None:
                return
            if self._error is None and not self._drop:
                try:
                    self._store.load_text(text, self._format)
                except BaseException as e:  # raised in the caller's thread
                    self._error = e

    def __call__(self, text: str) -> None:
        """Queue ``text`` to be loaded (waits while the queue is full)."""
        if self._error is not None:
            raise self._error
        if not self._thread.is_alive():
            raise StoreError("the store's loader is closed")
        self._queue.put(text)

    def _stop(self) -> None:
        """Let the thread finish what is queued (or drop it) and end."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def close(self) -> None:
        """Wait for every queued piece to be loaded; raise the first error of any."""
        self._stop()
        if self._error is not None:
            raise self._error

    def abandon(self) -> None:
        """Stop without loading what is still queued, nor raising any error (the caller failed);
        after `close`, nothing is left to do."""
        self._drop = True
        self._stop()

    def __enter__(self) -> Loader:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is not None:  # the caller failed: what is queued is not loaded, nor its errors raised
            self.abandon()
            return
        self.close()
