"""Components registered by name, apart from their implementation, with entry-point plugins.

One :class:`Registry` per kind of component (:mod:`kg.relate` keeps the relation finders and
the event finders in two). A package adds components for kg by declaring, in its own
``pyproject.toml``::

    [project.entry-points."kg.relations"]
    my-relations = "my_package.kg_relations"

and registering them in that module (importing it is enough).
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from kg.errors import ComponentNotFound

__all__ = ["Registered", "Registry"]

C = TypeVar("C", bound=Callable[..., object])


@dataclass(frozen=True)
class Registered(Generic[C]):
    """A registered component: its name, one line saying what it does, the callable, whether
    a build runs it when none are named (``default``) and its ``scope`` (``"article"``: called
    once per article; ``"corpus"``: once per build)."""

    name: str
    description: str
    component: C
    default: bool = True
    scope: str = "article"


class Registry(Generic[C]):
    """Components of one kind, by name.

    Examples
    --------
    >>> r: Registry = Registry("greeter", "kg.doctest-greeters")
    >>> @r.register("hello", "says hello")
    ... def hello(name):
    ...     return f"hello {name}"
    >>> r.get("hello").component("kg"), r.names()
    ('hello kg', ['hello'])
    >>> r.get("bye")
    Traceback (most recent call last):
    ...
    kg.errors.ComponentNotFound: no greeter component named 'bye'; known: hello
    """

    def __init__(self, kind: str, group: str, builtins: str | None = None) -> None:
        self.kind = kind
        self.group = group
        self._builtins = builtins
        self._items: dict[str, Registered[C]] = {}
        self._loaded = False

    def register(self, name: str, description: str = "", *, default: bool = True,
                 scope: str = "article") -> Callable[[C], C]:
        """Register the decorated callable as ``name`` (re-registering a name replaces it)."""
        if scope not in ("article", "corpus"):
            raise ValueError(f"scope must be 'article' or 'corpus', not {scope!r}")

        def deco(component: C) -> C:
            doc = description or ((component.__doc__ or "").strip().splitlines() or [""])[0]
            self._items[name] = Registered(name, doc, component, default, scope)
            return component

        return deco

    def unregister(self, name: str) -> None:
        """Forget component ``name`` (a test's or a session's own component)."""
        self._load()
        self._items.pop(name, None)

    def _load(self) -> None:
        """Import the built-ins, and once per process the entry points of :attr:`group`."""
        if self._loaded:
            return
        self._loaded = True
        if self._builtins:
            importlib.import_module(self._builtins)
        from importlib.metadata import entry_points

        for ep in sorted(entry_points(group=self.group), key=lambda e: e.name):
            try:
                ep.load()
            except Exception as e:  # noqa: BLE001 - a broken plugin must not stop kg
                warnings.warn(f"kg {self.kind} plugin {ep.name!r} could not be loaded: {e}", stacklevel=2)

    def names(self) -> list[str]:
        """The registered names, sorted."""
        self._load()
        return sorted(self._items)

    def defaults(self) -> tuple[str, ...]:
        """The names a build runs when none are given, in registration order."""
        self._load()
        return tuple(n for n, r in self._items.items() if r.default)

    def get(self, name: str) -> Registered[C]:
        """The component registered as ``name``; :class:`~kg.errors.ComponentNotFound` lists the
        known names."""
        self._load()
        found = self._items.get(name)
        if found is None:
            known = ", ".join(sorted(self._items)) or "(none)"
            raise ComponentNotFound(f"no {self.kind} component named {name!r}; known: {known}")
        return found

    def resolve(self, names: Sequence[str] | None) -> list[Registered[C]]:
        """The components ``names`` (default: :meth:`defaults`), in the order given."""
        return [self.get(n) for n in (self.defaults() if names is None else names)]
