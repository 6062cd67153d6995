"""Lexicons live in kg/lexicons, not in code: the word lists' form, and Chinese left in code.

``python tests/test_lexicons.py`` prints the Chinese characters left in the string literals of
every module of ``kg`` (docstrings and comments do not count).
"""

from __future__ import annotations

import ast
import re
import string
from collections import Counter
from pathlib import Path

import pytest

from kg.lexicons import UI_CATALOGUE, chars, entries, table, ui, words

ROOT = Path(__file__).resolve().parents[1]
LEXICONS = ROOT / "kg" / "lexicons"
#: CJK ideographs (extension A, the unified block, compatibility ideographs); CJK punctuation
#: (、。“” …) is not counted.
CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")

#: The rule, date and byline modules whose word lists moved to kg/lexicons, and the number of
#: Chinese characters their code may still hold (labels such as 作者, grammar characters such as
#: 年 and 月 of the date grammar, single characters such as 该 and 某): 78 when this was set.
MOVED = (
    "kg/extract/programs.py", "kg/extract/phrases.py", "kg/extract/events.py", "kg/extract/rules.py",
    "kg/extract/combine.py", "kg/extract/lstm.py", "kg/extract/crf.py", "kg/extract/lac.py",
    "kg/extract/ensemble.py", "kg/extract/lexicon.py", "kg/extract/tokens.py", "kg/dates.py",
    "kg/ingest/byline.py", "kg/ingest/decode.py", "kg/confidence.py", "kg/lexicons/__init__.py",
)
BUDGET = 80


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                out.add(id(body[0].value))
    return out


def cjk_in_code(source: str) -> int:
    """Chinese characters in the string constants of ``source`` that are not docstrings.

    Examples
    --------
    >>> cjk_in_code("X = '会议'  # 注释")
    2
    """
    tree = ast.parse(source)
    docs = _docstrings(tree)
    return sum(len(CJK.findall(node.value)) for node in ast.walk(tree)
               if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs)


def counts() -> dict[str, int]:
    """``{module path: Chinese characters in its code}`` for every module of ``kg``."""
    return {p.relative_to(ROOT).as_posix(): cjk_in_code(p.read_text(encoding="utf-8"))
            for p in sorted((ROOT / "kg").rglob("*.py"))}


def _report(found: dict[str, int]) -> str:
    rows = [f"{n:5d}  {path}{'  *' if path in MOVED else ''}" for path, n in found.items() if n]
    mine = sum(found.get(p, 0) for p in MOVED)
    return "\n".join([*rows, f"{sum(found.values()):5d}  all of kg", f"{mine:5d}  the modules marked *"])


def test_measure_counts_literals_not_docstrings_or_comments():
    assert cjk_in_code('"""模块"""\n# 注释\nclass A:\n    """类"""\n') == 0
    assert cjk_in_code('X = ("会议", "大会")\n') == 4
    assert cjk_in_code('import re\nR = re.compile(rf"在({1}宣讲)")\n') == 3
    assert cjk_in_code('X = "、，。“”"\n') == 0  # punctuation


def test_moved_modules_hold_no_word_lists(capsys):
    found = counts()
    with capsys.disabled():
        print("\nChinese characters in string literals (docstrings and comments excluded):")
        print(_report(found))
    assert all(p in found for p in MOVED)
    assert sum(found[p] for p in MOVED) <= BUDGET, _report(found)


#: What the whole package may hold: labels (front-matter keys, byline roles, grammar characters),
#: not word lists (#11: under 400 characters in all). The report's and the view's labels and
#: sentences live in the message catalogue kg/lexicons/ui_zh.tsv: 136 when this was set.
PACKAGE_BUDGET = 166


def test_the_package_holds_messages_and_labels_not_word_lists():
    found = counts()
    assert sum(found.values()) <= PACKAGE_BUDGET, _report(found)


def _lexicon_files() -> list[Path]:
    return sorted(p for p in LEXICONS.iterdir() if p.suffix in (".txt", ".tsv"))


@pytest.mark.parametrize("path", _lexicon_files(), ids=lambda p: p.name)
def test_lexicon_file_has_header_and_no_duplicates(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines and lines[0].startswith("# ") and len(lines[0]) > 12, f"{path.name}: no comment header"
    seen: Counter[tuple[str, str]] = Counter()
    section = ""
    for line in lines:
        s = line.rstrip()
        if not s or s.lstrip().startswith("#"):
            continue
        if s.startswith("[") and s.endswith("]"):  # ner_features.txt: [section]
            section = s
            continue
        seen[(section, s.split("\t")[0].strip())] += 1
    assert seen, f"{path.name}: no entries"
    dupes = sorted(k for (_, k), n in seen.items() if n > 1)
    assert not dupes, f"{path.name}: duplicate entries {dupes}"


def test_lexicon_files_are_package_data():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"lexicons/*"' in pyproject


def test_loader_keeps_file_order_and_values():
    assert entries("event_noun_triggers.txt")[:2] == ("常委会会议", "全体会议")  # longest first, as in the file
    assert set(entries("program_triggers.txt")) == words("program_triggers.txt")
    assert table("date_relative_days.tsv")["昨天"] == "-1"
    assert "市" in chars("level_refs") and len(set(chars("level_refs"))) == len(chars("level_refs"))


def test_char_classes_have_a_comment_each():
    lines = (LEXICONS / "char_classes.tsv").read_text(encoding="utf-8").splitlines()
    for k, line in enumerate(lines):
        if line and not line.startswith("#"):
            name, _, value = line.partition("\t")
            assert value and lines[k - 1].startswith("#"), f"char_classes.tsv: {name} has no comment"
            assert len(set(value)) == len(value), f"char_classes.tsv: {name} repeats a character"


if __name__ == "__main__":
    print(_report(counts()))


# ---------------------------------------------------------------- the message catalogue (ui_zh.tsv)

#: A catalogue placeholder in the view's page template and script.
UI_PLACEHOLDER = re.compile(r"@@ui:([a-z][a-z0-9_.]*)@@")


def _catalogue() -> dict[str, str]:
    out = {}
    for line in (LEXICONS / UI_CATALOGUE).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, text = line.partition("\t")
            out[key] = text
    return out


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def ui_uses() -> list[tuple[str, str, set[str] | None]]:
    """Every use of a catalogue key in ``kg``: ``(where, key, fields given)``; fields are None for a
    ``@@ui:KEY@@`` placeholder of a template (filled without fields). A call whose key is not a
    literal is reported with the key ``<not a literal>``, except the filling of the placeholders
    (``ui(m.group(1))``: its keys are the placeholders'). Docstrings do not count."""
    uses: list[tuple[str, str, set[str] | None]] = []
    for path in sorted((ROOT / "kg").rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (
                (isinstance(node.func, ast.Name) and node.func.id == "ui")
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "ui")
            ):
                arg = node.args[0] if node.args else None
                if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr == "group":
                    continue  # a placeholder's key, from a match
                key = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else "<not a literal>"
                uses.append((f"{where}:{node.lineno}", key, {k.arg for k in node.keywords if k.arg}))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                uses.extend((f"{where}:{node.lineno}", m.group(1), None) for m in UI_PLACEHOLDER.finditer(node.value))
    return uses


def test_every_ui_key_in_code_is_in_the_catalogue_and_every_catalogue_key_is_used():
    catalogue = _catalogue()
    uses = ui_uses()
    assert uses, "no use of kg.lexicons.ui found: the scan is broken"
    unknown = sorted(f"{where}: {key}" for where, key, _ in uses if key not in catalogue)
    assert not unknown, f"keys used in code but not in {UI_CATALOGUE} (or not literal): {unknown}"
    unused = sorted(set(catalogue) - {key for _, key, _ in uses})
    assert not unused, f"keys of {UI_CATALOGUE} that no code uses: {unused}"


def test_ui_calls_fill_exactly_the_fields_of_their_text():
    catalogue = _catalogue()
    wrong = []
    for where, key, given in ui_uses():
        want = _fields(catalogue[key])
        if (given or set()) != want:
            wrong.append(f"{where}: {key} has fields {sorted(want)}, given {sorted(given or ())}")
    assert not wrong, wrong


def test_catalogue_texts_are_plain_text_without_edge_spaces():
    catalogue = _catalogue()
    assert len(catalogue) > 40
    for key, text in catalogue.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*", key), key
        assert text and text == text.strip(), f"{key}: a text starts or ends with a space"
        assert not set(text) & set("<>&\"'\\@"), f"{key}: markup or escapes in {text!r} (the code escapes)"
    assert ui("view.title") == catalogue["view.title"]
    assert ui("report.community", index=3, size=1200) == catalogue["report.community"].format(index=3, size=1200)
    assert "1,200" in ui("report.community", index=3, size=1200)


def test_unknown_ui_key_is_a_key_error_naming_it():
    with pytest.raises(KeyError, match="report.no_such_label"):
        ui("report.no_such_label")
