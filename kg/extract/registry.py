"""Register extractor components by name and look them up.

A component is a callable ``component(text) -> list[Mention]`` whose mention offsets point into
``text``. Components are registered by name with a factory, apart from their implementation, so a
user adds or swaps one without touching the pipeline::

    from kg.extract import register

    @register("my-lexicon")
    def make_my_lexicon():
        def component(text):
            ...
        return component

A component may also offer ``batch(texts) -> list[list[Mention]]`` (one list per text, in order)
to process many texts in one call; :func:`kg.extract.extract_many` uses it when present.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kg.errors import ExtractorNotFound
from kg.model import Mention

__all__ = ["Component", "register", "get", "names", "description", "is_statistical", "produces"]

Component = Callable[[str], Iterable[Mention]]

_FACTORIES: dict[str, Callable[[], Component]] = {}
_DOCS: dict[str, str] = {}
_INSTANCES: dict[str, Component] = {}
_STATISTICAL: set[str] = set()
_PRODUCES: dict[str, frozenset[str]] = {}


def register(name: str, description: str = "", statistical: bool = False,
             types: Iterable[str] | None = None,
             ) -> Callable[[Callable[[], Component]], Callable[[], Component]]:
    """Register ``factory`` under ``name`` (decorator). Re-registering a name replaces it.

    ``statistical=True`` marks a trained sequence model: the combiner lets its spans lead in a
    mention list and checks its names against the lexicons before they enter the graph.
    ``types`` declares the mention types the component can give (unknown when not given).

    Examples
    --------
    >>> @register("doctest-upper", "marks runs of Latin capitals")
    ... def make():
    ...     import re
    ...     return lambda text: [Mention(m.group(), "Organization", m.start(), m.end(), 0.5, "doctest-upper")
    ...                          for m in re.finditer(r"[A-Z]{2,}", text)]
    >>> [m.text for m in get("doctest-upper")("在WHO和UN")]
    ['WHO', 'UN']
    """

    def deco(factory: Callable[[], Component]) -> Callable[[], Component]:
        _FACTORIES[name] = factory
        _DOCS[name] = description or ((factory.__doc__ or "").strip().splitlines() or [""])[0]
        _INSTANCES.pop(name, None)
        if types is None:
            _PRODUCES.pop(name, None)
        else:
            _PRODUCES[name] = frozenset(types)
        if statistical:
            _STATISTICAL.add(name)
        else:
            _STATISTICAL.discard(name)
        return factory

    return deco


_PLUGINS_LOADED = False


def _load_builtins() -> None:
    """Import the built-in components, and once per process the ``kg.extractors`` entry points.

    A package registers components for kg by declaring, in its own ``pyproject.toml``::

        [project.entry-points."kg.extractors"]
        my-lexicon = "my_package.kg_components"

    (the module is imported; its ``@register`` decorators do the rest).
    """
    global _PLUGINS_LOADED
    import kg.extract  # noqa: F401  (registers the built-ins)

    if _PLUGINS_LOADED:
        return
    _PLUGINS_LOADED = True
    from importlib.metadata import entry_points

    for ep in sorted(entry_points(group="kg.extractors"), key=lambda e: e.name):
        try:
            ep.load()
        except Exception as e:  # noqa: BLE001 - a broken plugin must not stop kg
            import warnings

            warnings.warn(f"kg extractor plugin {ep.name!r} could not be loaded: {e}", stacklevel=2)


def names() -> list[str]:
    """The registered component names, sorted."""
    _load_builtins()
    return sorted(_FACTORIES)


def is_statistical(component: str) -> bool:
    """True when ``component`` (a name, or names joined by ``+`` after a merge) includes a
    component registered with ``statistical=True``.

    Examples
    --------
    >>> is_statistical("crf"), is_statistical("persons+crf"), is_statistical("persons")
    (True, True, False)
    """
    _load_builtins()
    return any(part in _STATISTICAL for part in component.split("+"))


def produces(name: str) -> frozenset[str] | None:
    """The mention types component ``name`` declared (None: not declared, may be any).

    Examples
    --------
    >>> sorted(produces("persons")), produces("no-such-component")
    (['Person'], None)
    """
    _load_builtins()
    return _PRODUCES.get(name)


def description(name: str) -> str:
    """One line describing component ``name``."""
    _load_builtins()
    return _DOCS.get(name, "")


def get(name: str) -> Component:
    """The component registered as ``name`` (built once per process).

    Raises
    ------
    ExtractorNotFound
        If no component has that name; the message lists the known names.

    Examples
    --------
    >>> get("no-such-component")
    Traceback (most recent call last):
    ...
    kg.errors.ExtractorNotFound: no extractor component named 'no-such-component'; known: ...
    """
    _load_builtins()
    if name not in _FACTORIES:
        raise ExtractorNotFound(
            f"no extractor component named {name!r}; known: {', '.join(sorted(_FACTORIES))}")
    if name not in _INSTANCES:
        _INSTANCES[name] = _FACTORIES[name]()
    return _INSTANCES[name]
