"""A gazetteer of China's administrative divisions (from cpca's data) plus countries and world places."""

from __future__ import annotations

import csv
import importlib.util
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path

from kg.lexicons import rows

__all__ = ["LEVELS", "Division", "Gazetteer", "gazetteer", "short_names"]

#: Levels of a :class:`Division`, highest first; ambiguous names resolve to the earliest level.
#: ``district`` is any county-level division (区, 县, 县级市, 旗, 林区, 特区).
LEVELS: tuple[str, ...] = ("country", "province", "city", "district", "foreign")

#: Code of the ``country`` entry China, the parent of every province.
_CHINA = "country:中国"

#: The word that ends an ethnic group's name (回族, 壮族).
_ETHNIC_WORD = "族"


@cache
def _suffixes() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, int], ...]]:
    """The endings of ``division_suffixes.tsv``: ``((ethnic ending, generic), …)`` and
    ``((plain ending, least remainder), …)``, in the file's order."""
    ethnic: list[tuple[str, str]] = []
    plain: list[tuple[str, int]] = []
    for cols in rows("division_suffixes.tsv"):
        if cols[1] == "ethnic":
            ethnic.append((cols[0], cols[2] if len(cols) > 2 else ""))
        else:
            plain.append((cols[0], int(cols[1])))
    return tuple(ethnic), tuple(plain)


@dataclass(frozen=True)
class Division:
    """A place: an administrative division of China, China itself, or a foreign place.

    ``code`` is the 6-digit GB/T 2260 code for divisions of China (``"110108"``) and
    ``"<level>:<name>"`` for the entries of ``lexicons/places_extra.txt``. ``name`` is the
    full official name, ``short`` the other surface forms, ``parent`` the code of the
    enclosing place (``None`` at the top).
    """

    code: str
    name: str
    level: str
    parent: str | None = None
    short: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The full name followed by the short names."""
        return (self.name, *self.short)


def _lexicon(name: str) -> list[str]:
    text = files("kg.lexicons").joinpath(name).read_text(encoding="utf-8")
    return [s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")]


@lru_cache(maxsize=1)
def _ethnic_groups() -> tuple[str, ...]:
    return tuple(sorted(_lexicon("ethnic_groups.txt"), key=len, reverse=True))


def _strip_ethnic(stem: str) -> str:
    """Remove trailing ethnic-group names (昌吉回族 -> 昌吉) while two characters remain."""
    groups = _ethnic_groups()
    changed = True
    while changed:
        changed = False
        for g in groups:
            for tail in (g + _ETHNIC_WORD, g) if len(g) >= 2 else (g + _ETHNIC_WORD,):
                if stem.endswith(tail) and len(stem) - len(tail) >= 2:
                    stem = stem[: -len(tail)]
                    changed = True
                    break
            if changed:
                break
    return stem


def short_names(name: str) -> tuple[str, ...]:
    """Short forms of a full division name, derived by rule.

    Parameters
    ----------
    name : str
        Full official name of a division of China.

    Returns
    -------
    tuple of str
        The short forms, most common first; empty when the name has none.

    Examples
    --------
    >>> short_names("延边朝鲜族自治州")
    ('延边', '延边州')
    >>> short_names("广西壮族自治区"), short_names("杭州市"), short_names("海淀区")
    (('广西',), ('杭州',), ('海淀',))
    >>> short_names("忠县"), short_names("东乡族自治县")
    ((), ('东乡', '东乡县'))
    """
    ethnic, plain = _suffixes()
    for suffix, generic in ethnic:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            short = _strip_ethnic(stem)
            if short == stem and stem.endswith(_ETHNIC_WORD) and len(stem) > 2:
                short = stem[:-1]  # 东乡族自治县 -> 东乡
            out = [short]
            if generic:
                out.append(short + generic)
            return tuple(s for s in out if s != name)
    for suffix, keep in plain:
        if name.endswith(suffix) and len(name) - len(suffix) >= keep:
            return (name[: -len(suffix)],)
    return ()


def _rank(d: Division) -> int:
    return LEVELS.index(d.level)


class Gazetteer:
    """Places by code and by surface form (full or short name); build with :func:`gazetteer`.

    Examples
    --------
    >>> g = Gazetteer([Division("110000", "北京市", "province", None, ("北京",))])
    >>> [d.code for d in g.lookup("北京")], g.is_place("上海")
    (['110000'], False)
    """

    def __init__(self, divisions: list[Division]) -> None:
        self._by_code: dict[str, Division] = {d.code: d for d in divisions}
        full: dict[str, list[Division]] = {}
        short: dict[str, list[Division]] = {}
        for d in divisions:
            full.setdefault(d.name, []).append(d)
            for s in d.short:
                short.setdefault(s, []).append(d)
        index: dict[str, tuple[Division, ...]] = {}
        for name in full.keys() | short.keys():
            exact = sorted(full.get(name, ()), key=lambda d: (_rank(d), d.code))
            rest = sorted(
                (d for d in short.get(name, ()) if d not in exact), key=lambda d: (_rank(d), d.code)
            )
            index[name] = tuple(exact + rest)
        self._index = index

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Division]:
        return iter(self._by_code.values())

    def get(self, code: str) -> Division | None:
        """The division with this code, or ``None``."""
        return self._by_code.get(code)

    def lookup(self, name: str) -> list[Division]:
        """Every place called ``name``: full-name matches first, then by level (highest first) and code.

        Examples
        --------
        >>> [(d.name, d.level) for d in gazetteer().lookup("吉林")]
        [('吉林省', 'province'), ('吉林市', 'city')]
        >>> gazetteer().lookup("不存在的地方")
        []
        """
        return list(self._index.get(name, ()))

    def is_place(self, name: str) -> bool:
        """Whether ``name`` is a full or short name of some place.

        Examples
        --------
        >>> gazetteer().is_place("海淀"), gazetteer().is_place("海")
        (True, False)
        """
        return name in self._index

    def canonical(self, name: str) -> str:
        """The full official name of the place ``name`` most likely denotes.

        A full name is its own canonical name; an ambiguous short name resolves to the
        highest-level place (a province before a city before a district).

        Raises
        ------
        KeyError
            If ``name`` is not a place name (see :meth:`is_place`).

        Examples
        --------
        >>> gazetteer().canonical("杭州"), gazetteer().canonical("广西")
        ('杭州市', '广西壮族自治区')
        """
        found = self._index.get(name)
        if not found:
            raise KeyError(name)
        return found[0].name

    def parent(self, division: Division) -> Division | None:
        """The enclosing place (a district's city, or its province when it has no city)."""
        return self._by_code.get(division.parent) if division.parent else None

    def ancestors(self, division: Division) -> list[Division]:
        """Enclosing places, nearest first.

        Examples
        --------
        >>> g = gazetteer()
        >>> [d.name for d in g.ancestors(g.lookup("海淀区")[0])]
        ['北京市', '中国']
        """
        out: list[Division] = []
        d = self.parent(division)
        while d is not None and d not in out:
            out.append(d)
            d = self.parent(d)
        return out

    def resolve(self, name: str, context: Collection[str] = ()) -> Division | None:
        """The one division ``name`` denotes, read with the other place names of ``context``,
        or ``None`` when it is no division or stays ambiguous.

        A name of one division is that division. Of several, the readings with an enclosing
        division named in ``context`` win (朝阳区 beside 北京); otherwise, or when that leaves
        several, the first reading wins when it is a better one than the second — a full name
        before a short one, then the higher level (吉林 the province, not the city); two equal
        readings (two districts of one name, nothing else named) give ``None``.

        Examples
        --------
        >>> g = gazetteer()
        >>> g.resolve("吉林").name, g.resolve("杭州").code
        ('吉林省', '330100')
        >>> g.resolve("朝阳区") is None, g.resolve("朝阳区", {"北京市"}).code
        (True, '110105')
        >>> g.resolve("不存在的地方") is None
        True
        """
        found = self._index.get(name, ())
        if len(found) <= 1:
            return found[0] if found else None
        named = set(context) - {name}
        if named:
            near = [d for d in found if any(n in named for a in self.ancestors(d) for n in a.names)]
            if len(near) == 1:
                return near[0]
            if near:
                found = tuple(near)

        def reading(d: Division) -> tuple[bool, int]:
            return d.name != name, _rank(d)

        if len(found) == 1 or reading(found[0]) < reading(found[1]):
            return found[0]
        return None

    def names(self) -> Iterator[str]:
        """Every surface form (full and short names), each once, for building a matcher."""
        return iter(self._index)


def _cpca_adcodes() -> Path:
    """cpca's division table, found without importing cpca (its ``__init__`` loads a matcher
    and needs ``pkg_resources``, which recent setuptools no longer ship)."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the cpca package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


def _divisions_of_china() -> list[Division]:
    placeholders = set(_lexicon("admin_placeholders.txt"))
    rows: dict[str, str] = {}
    with _cpca_adcodes().open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows[row["adcode"][:6]] = row["name"].strip()
    out = []
    for code, name in sorted(rows.items()):
        if name in placeholders:
            continue
        if code[2:] == "0000":
            level, parent = "province", _CHINA
        elif code[4:] == "00":
            level, parent = "city", code[:2] + "0000"
        else:
            city = code[:4] + "00"
            level = "district"
            has_city = city in rows and rows[city] not in placeholders
            parent = city if has_city else code[:2] + "0000"  # municipalities, 省直辖县级行政区划
        out.append(Division(code, name, level, parent, short_names(name)))
    return out


def _extra_places() -> list[Division]:
    out = []
    for line in _lexicon("places_extra.txt"):
        level, name, *rest = line.split()
        parents = [t[1:] for t in rest if t.startswith("@")]
        aliases = tuple(t for t in rest if not t.startswith("@"))
        parent = f"foreign:{parents[0]}" if parents else None
        out.append(Division(f"{level}:{name}", name, level, parent, aliases))
    return out


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer, built once per process from cpca's table and ``lexicons/places_extra.txt``.

    Examples
    --------
    >>> g = gazetteer()
    >>> [d.name for d in g.ancestors(g.lookup("杭州")[0])]
    ['浙江省', '中国']
    """
    return Gazetteer(_extra_places() + _divisions_of_china())
