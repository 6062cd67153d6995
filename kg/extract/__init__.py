"""Extraction: pluggable components that find mentions, and the combiner that merges them.

Built-in components (``kg extract --components`` lists them): ``crf`` (a statistical model for
Person / Place / Organization), ``persons``, ``organizations``, ``places``, ``programs`` and
``events`` (rules and lexicons). :func:`extract` runs a list of them and combines their mentions.
"""

from __future__ import annotations

from collections.abc import Sequence

from kg.extract.combine import combine
from kg.extract.registry import Component, description, get, names, register
from kg.model import Mention

__all__ = ["Component", "DEFAULT_COMPONENTS", "extract", "get", "names", "register", "combine", "description"]

#: Components :func:`extract` runs when none are named.
DEFAULT_COMPONENTS: tuple[str, ...] = ("crf", "persons", "organizations", "places", "programs", "events")


def extract(text: str, components: Sequence[str] | None = None, nested: bool = False) -> list[Mention]:
    """Mentions in ``text`` (offsets into it) from ``components``, combined.

    Examples
    --------
    >>> [(m.text, m.type) for m in extract("海河市总工会主席林晓峰说，“职工之家”服务平台已上线。")]
    [('海河市总工会', 'Organization'), ('林晓峰', 'Person'), ('“职工之家”服务平台', 'Program')]
    """
    if not text.strip():
        return []
    found: list[Mention] = []
    for name in components or DEFAULT_COMPONENTS:
        found.extend(get(name)(text))
    return combine(found, nested=nested, text=text)


from kg.extract import crf, events, programs, rules  # noqa: E402,F401  (register the built-ins)
