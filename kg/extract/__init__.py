"""Extraction: pluggable components that find mentions, and the combiner that merges them.

Built-in components (``kg extract --components`` lists them): ``ner`` (the default statistical
model for Person / Place / Organization, a BiLSTM-CRF), ``crf``, ``bilstm``, ``ensemble`` (the two
voting per character) and ``lac`` (Baidu LAC, optional), and the rules and lexicons ``persons``,
``organizations``, ``places``, ``programs`` and ``events``. :func:`extract` runs a list of them and combines their mentions.
"""

from __future__ import annotations

from collections.abc import Sequence

from kg.extract.combine import NAME_TYPES, combine
from kg.extract.registry import Component, description, get, is_statistical, names, produces, register
from kg.model import Mention

__all__ = ["Component", "DEFAULT_COMPONENTS", "extract", "extract_many", "get", "names", "register", "combine", "description"]

#: Components :func:`extract` runs when none are named.
DEFAULT_COMPONENTS: tuple[str, ...] = ("ner", "persons", "organizations", "places", "programs", "events")


def extract(text: str, components: Sequence[str] | None = None, nested: bool = False) -> list[Mention]:
    """Mentions in ``text`` (offsets into it) from ``components``, combined.

    Examples
    --------
    >>> [(m.text, m.type) for m in extract("海河市总工会主席林晓峰说，“职工之家”服务平台已上线。")]
    [('海河市总工会', 'Organization'), ('林晓峰', 'Person'), ('“职工之家”服务平台', 'Program')]
    """
    return extract_many([text], components, nested)[0]


def _names_only(component: str) -> bool:
    """True when ``component`` declared that it gives Person / Organization / Place names only."""
    types = produces(component)
    return types is not None and bool(types) and types <= set(NAME_TYPES)


def extract_many(texts: Sequence[str], components: Sequence[str] | None = None,
                 nested: bool = False) -> list[list[Mention]]:
    """:func:`extract` of several texts, one list of mentions per text, in order.

    A component that offers ``batch(texts) -> list[list[Mention]]`` (the statistical models do)
    gets all the texts in one call and runs them together, which is much faster than one call
    per text; the others are called once per text. The result is the same either way.

    In a mention list (``nested=False``) made with a statistical model among the components, the
    Person / Organization / Place names are the model's, and components that declare only such
    names (``persons``, ``organizations``, ``places``) are not run; see ``model_names_only`` of
    :func:`~kg.extract.combine.combine`.

    Examples
    --------
    >>> [[m.text for m in ms] for ms in extract_many(["林晓峰说，", "", "海河市总工会"])]
    [['林晓峰'], [], ['海河市总工会']]
    """
    live = [i for i, t in enumerate(texts) if t.strip()]
    sub = [texts[i] for i in live]
    wanted = list(components or DEFAULT_COMPONENTS)
    model_names_only = not nested and any(is_statistical(n) for n in wanted)
    if model_names_only:
        # a mention list takes its names from the model: rules that give only names add nothing
        wanted = [n for n in wanted if is_statistical(n) or not _names_only(n)]
    comps = [get(name) for name in wanted]
    batched: dict[int, list[list[Mention]]] = {}
    for k, comp in enumerate(comps):
        batch = getattr(comp, "batch", None)
        if callable(batch):
            batched[k] = batch(sub)
    # the other components run text by text, so they share each text's cached segmentation
    found: list[list[Mention]] = []
    for j, text in enumerate(sub):
        ms: list[Mention] = []
        for k, comp in enumerate(comps):
            ms.extend(batched[k][j] if k in batched else comp(text))
        found.append(ms)
    out: list[list[Mention]] = [[] for _ in texts]
    for i, ms in zip(live, found, strict=True):
        out[i] = combine(ms, nested=nested, text=texts[i], model_names_only=model_names_only)
    return out


from kg.extract import crf, ensemble, events, lac, lstm, programs, rules  # noqa: E402,F401  (register the built-ins)
