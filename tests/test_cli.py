"""The ``kg`` command line through click's CliRunner, ``main()`` and ``python -m kg``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import __version__
from kg.cli import cli, main

PAGE = """date: 2025-05-08
## 杭州市总工会推出职工服务新举措

本报记者 林晓峰

杭州市总工会主席周文涛表示，“职工之家”服务平台已在全市上线。技术员高鹏、陈雨和李娜参加了比赛。
"""


def _run_main(monkeypatch, capsys, *args: str, stdin: str = "") -> tuple[int, str, str]:
    """Run the console entry point ``main()`` with ``args``; returns (exit code, stdout, stderr)."""
    import io

    monkeypatch.setattr(sys, "argv", ["kg", *args])
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exc:
        main()
        raise SystemExit(0)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    src = root / "src"
    src.mkdir()
    (src / "page.md").write_text(PAGE, encoding="utf-8")
    out = root / "out"
    result = CliRunner().invoke(cli, ["build", str(src), "--out", str(out), "--no-view"])
    return src, out, result


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output and "kg" in result.output


@pytest.mark.parametrize("command", [None, *sorted(cli.commands)])
def test_every_help_has_an_example(command):
    args = ["--help"] if command is None else [command, "--help"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Example" in result.output
    assert "Usage:" in result.output


def test_expected_commands_exist():
    assert {"build", "extract", "analyze", "view", "path", "query", "export"} <= set(cli.commands)


def test_build_prints_a_summary(built):
    _, out, result = built
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "read 1 file(s): 1 articles, 2 sentences"
    assert lines[1].startswith("found ") and " entities (" in lines[1] and "triples in" in lines[1]
    assert lines[-1].startswith("wrote ") and str(out / "kg.ttl") in lines[-1]
    assert (out / "kg.ttl").is_file() and (out / "store").is_dir()


def test_build_quiet_prints_nothing(tmp_path, built):
    src, _, _ = built
    result = CliRunner().invoke(cli, ["build", str(src), "--out", str(tmp_path / "q"), "--no-view", "-q",
                                      "--components", "persons,places"])
    assert result.exit_code == 0
    assert result.output == ""
    assert (tmp_path / "q" / "kg.ttl").is_file()


def test_extract_lines_one_json_line_per_input_line():
    lines = ["杭州市总工会主席周文涛说，平台已上线。", "", "技术员高鹏、陈雨和李娜参加了比赛。", "   ", "no Chinese here",
             "<script>alert(1)</script>"]
    result = CliRunner().invoke(cli, ["extract", "--lines"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = result.output.splitlines()
    assert len(out) == len(lines)
    records = [json.loads(x) for x in out]
    assert [r["text"] for r in records] == lines
    for r in records:
        for e in r["entities"]:
            assert r["text"][e["start"]:e["end"]] == e["text"]
            assert e["type"] in ("Person", "Organization", "Place", "Program", "Event")
            assert 0 < e["confidence"] <= 1 and e["component"] and e["entity"]
    assert [e["text"] for e in records[2]["entities"]] == ["高鹏", "陈雨", "李娜"]
    assert ("杭州市总工会", "Organization") in {(e["text"], e["type"]) for e in records[0]["entities"]}
    assert records[1]["entities"] == [] and records[4]["entities"] == []


def test_extract_lines_without_final_newline_and_crlf():
    result = CliRunner().invoke(cli, ["extract", "--lines"], input="林晓峰说好。\r\n\r\n周文涛表示同意。")
    assert result.exit_code == 0
    texts = [json.loads(x)["text"] for x in result.output.splitlines()]
    assert texts == ["林晓峰说好。", "", "周文涛表示同意。"]


def test_extract_file_and_components(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("杭州市总工会主席周文涛说。", encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(f), "--components", "places"])
    assert result.exit_code == 0
    rec = json.loads(result.output)
    assert {e["component"] for e in rec["entities"]} == {"places"}
    assert [e["entity"] for e in rec["entities"]] == ["杭州市"]


def test_extract_canonical_place_name():
    result = CliRunner().invoke(cli, ["extract", "--components", "places"], input="他来自广西。")
    ents = json.loads(result.output)["entities"]
    assert [(e["text"], e["entity"]) for e in ents] == [("广西", "广西壮族自治区")]


def test_extract_list_components():
    from kg.extract import names

    result = CliRunner().invoke(cli, ["extract", "--list-components"])
    assert result.exit_code == 0
    for n in names():
        assert n in result.output


def test_unknown_component_is_a_one_line_error(monkeypatch, capsys):
    code, out, err = _run_main(monkeypatch, capsys, "extract", "--components", "persons,nope", stdin="林晓峰说。")
    assert code != 0
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "nope" in err
    for n in ("persons", "organizations", "places", "programs", "events"):
        assert n in err


def test_unknown_component_with_standalone_mode_off():
    from kg.errors import ExtractorNotFound

    with pytest.raises(ExtractorNotFound, match="known: "):
        cli.main(["extract", "--components", "nope"], standalone_mode=False)


def test_unknown_component_via_python_m_kg():
    proc = subprocess.run([sys.executable, "-m", "kg", "extract", "--components", "nope"], input="林晓峰说。",
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parent.parent)
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "nope" in proc.stderr and "persons" in proc.stderr


def test_query_on_a_missing_store_is_a_one_line_error(monkeypatch, capsys, tmp_path):
    missing = tmp_path / "no-store"
    code, out, err = _run_main(monkeypatch, capsys, "query", "people", "--store", str(missing))
    assert code != 0
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("kg: error:") and "Traceback" not in err


def test_query_people_on_the_built_store(built):
    _, out, _ = built
    result = CliRunner().invoke(cli, ["query", "people", "--store", str(out / "store"), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "周文涛" in result.output and "高鹏" in result.output


def test_path_between_connected_entities(built):
    _, out, _ = built
    result = CliRunner().invoke(cli, ["path", "杭州市总工会", "杭州市", "--store", str(out / "store")])
    assert result.exit_code == 0, result.output
    assert "path 1" in result.output
    assert "杭州市总工会" in result.output and "杭州市" in result.output


def test_path_from_a_person_to_the_employer(built):
    _, out, _ = built
    result = CliRunner().invoke(cli, ["path", "周文涛", "杭州市总工会", "--store", str(out / "store")])
    assert result.exit_code == 0, result.output
    assert "周文涛" in result.output and "杭州市总工会" in result.output


def test_path_to_an_unknown_entity_is_an_error(monkeypatch, capsys, built):
    _, out, _ = built
    code, _, err = _run_main(monkeypatch, capsys, "path", "周文涛", "无此人", "--store", str(out / "store"))
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and "无此人" in err


def test_export_graphml(built, tmp_path):
    _, out, _ = built
    target = tmp_path / "kg.graphml"
    result = CliRunner().invoke(cli, ["export", "--format", "graphml", "--out", str(target),
                                      "--store", str(out / "store")])
    assert result.exit_code == 0, result.output
    assert target.is_file() and "周文涛" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("quiet", [[], ["-q"]])
def test_build_of_a_mistyped_source_fails_and_keeps_the_build(monkeypatch, capsys, built, quiet):
    _, out, _ = built
    before = (out / "kg.ttl").read_bytes()
    code, stdout, err = _run_main(monkeypatch, capsys, "build", str(out.parent / "typo"), "--out", str(out),
                                  "--no-view", *quiet)
    assert code == 1 and stdout == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("kg: error: nothing read from ") and "no such file or folder" in err
    assert "--allow-empty" in err
    assert (out / "kg.ttl").read_bytes() == before


def test_build_allow_empty(tmp_path):
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "typo"), "--out", str(tmp_path / "out"),
                                      "--no-view", "--allow-empty"])
    assert result.exit_code == 0, result.output
    assert "read 0 file(s)" in result.output and (tmp_path / "out" / "kg.ttl").is_file()


def test_build_help_documents_the_output_flags():
    result = CliRunner().invoke(cli, ["build", "--help"])
    for flag in ("--wait / --no-wait", "--allow-empty", ".generations", "current"):
        assert flag in result.output, flag


# --- every input error is one line and a documented exit code (issue #16) -----------------------

EVENT_PAGE = "## 海河市总工会召开座谈会\n\n5月8日，海河市总工会召开青年职工座谈会，林晓峰出席。\n"


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "2025-13-01", "tomorrow"])
def test_a_bad_date_is_a_one_line_usage_error(monkeypatch, capsys, tmp_path, date):
    (tmp_path / "a.md").write_text(EVENT_PAGE, encoding="utf-8")
    code, out, err = _run_main(monkeypatch, capsys, "build", str(tmp_path), "--out", str(tmp_path / "out"),
                               "--date", date, "-q")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("kg: error: Invalid value for '--date'") and "(see `kg build -h`)" in err
    assert not (tmp_path / "out").exists()


def test_a_front_matter_date_out_of_range_is_no_date(tmp_path):
    (tmp_path / "a.md").write_text("date: 9999-12-31\n" + EVENT_PAGE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(tmp_path), "--out", str(tmp_path / "out"), "--no-view", "-q"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args", [["nope"], ["build", "--jobs", "0"], ["query", "--format", "xml", "people"]])
def test_usage_errors_are_one_line_with_exit_code_2(monkeypatch, capsys, args):
    code, out, err = _run_main(monkeypatch, capsys, *args)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("kg: error: ")


def _kg(*args: str, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "kg", *args], input=stdin, capture_output=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)


def test_invalid_utf8_on_stdin_is_repaired_with_a_warning():
    proc = _kg("extract", "--components", "persons", stdin="王".encode() + b"\x8a" + "卫东说，".encode())
    err = proc.stderr.decode()
    assert proc.returncode == 0 and "Traceback" not in err and err.count("\n") == 1
    assert err.startswith("kg: warning: <stdin>: 1 invalid UTF-8 byte sequence replaced by U+FFFD")
    assert json.loads(proc.stdout)["text"] == "王\ufffd卫东说，"


def test_undecodable_stdin_is_a_one_line_error():
    proc = _kg("extract", stdin=b"caf\xe9 \xff\xfe\xfd\x80\x81 na\xefve " * 3)
    err = proc.stderr.decode()
    assert proc.returncode == 1 and proc.stdout == b"" and err.count("\n") == 1
    assert err.startswith("kg: error: <stdin>: not text in an encoding kg reads")


def test_extract_reads_gb18030_and_control_characters_become_spaces(tmp_path):
    p = tmp_path / "gb.txt"
    p.write_bytes("海河市总工会主席林晓峰\x07说\u202e。".encode("gb18030"))
    result = CliRunner().invoke(cli, ["extract", str(p), "--components", "persons"])
    assert result.exit_code == 0, result.output
    line = json.loads(result.output)
    assert line["text"] == "海河市总工会主席林晓峰 说 。"
    assert [e["text"] for e in line["entities"]] == ["林晓峰"]


def test_a_newline_in_a_file_name_does_not_forge_an_output_line(monkeypatch, capsys, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.md").write_text(EVENT_PAGE, encoding="utf-8")
    (src / "x\nwrote everything.jpg").write_bytes(b"\xff\xd8\xff")  # unsupported: reported as skipped
    code, _out, err = _run_main(monkeypatch, capsys, "build", str(src), "--out", str(tmp_path / "out"),
                                "--no-view", "--components", "persons")
    assert code == 0
    skipped = [line for line in err.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == 1 and "x\\nwrote everything.jpg" in skipped[0]
    assert not any(line.startswith("wrote everything") for line in err.splitlines())


def test_help_documents_the_exit_codes():
    result = CliRunner().invoke(cli, ["--help"])
    assert "exit code" in result.output and "2 for a usage error" in result.output and "130" in result.output
    assert "--allow-service" in CliRunner().invoke(cli, ["query", "--help"]).output


def test_a_focused_view_gets_its_own_file_and_leaves_the_full_view(built, tmp_path, monkeypatch):
    _, out, _ = built
    store = str(out / "store")
    monkeypatch.chdir(tmp_path)
    full = CliRunner().invoke(cli, ["view", "--store", store])
    assert full.exit_code == 0, full.output
    page = (tmp_path / "exports" / "kg.html").read_bytes()
    focused = CliRunner().invoke(cli, ["view", "--store", store, "--focus", "周文涛", "--hops", "1"])
    assert focused.exit_code == 0, focused.output
    assert (tmp_path / "exports" / "kg-周文涛.html").is_file()
    assert "kg-周文涛.html" in focused.output
    assert (tmp_path / "exports" / "kg.html").read_bytes() == page  # the full view is untouched
    mine = CliRunner().invoke(cli, ["view", "--store", store, "--focus", "周文涛", "--out", "mine.html"])
    assert mine.exit_code == 0 and (tmp_path / "mine.html").is_file()


def test_safe_name_keeps_no_path_separator():
    from kg.cli import safe_name

    assert safe_name("../../etc/passwd") == "etc_passwd"
    assert "/" not in safe_name("a/b\\c") and safe_name("...") == "focus"


@pytest.mark.parametrize("outcome", ["false", "error"])
def test_open_without_a_browser_says_so_in_one_line(built, tmp_path, monkeypatch, capsys, outcome):
    import webbrowser

    def no_browser(url: str, *args, **kwargs) -> bool:
        if outcome == "error":
            raise webbrowser.Error("could not locate runnable browser")
        return False

    monkeypatch.setattr(webbrowser, "open", no_browser)
    _, out, _ = built
    code, stdout, err = _run_main(monkeypatch, capsys, "view", "--store", str(out / "store"),
                                  "--out", str(tmp_path / "v.html"), "--open")
    assert code == 0 and "v.html" in stdout
    assert len(err.strip().splitlines()) == 1 and "browser" in err and "Traceback" not in err


@pytest.mark.parametrize("width", [80, 60])
def test_help_shows_every_command_summary_in_full(width):
    result = CliRunner().invoke(cli, ["--help"], terminal_width=width)
    assert result.exit_code == 0
    text = " ".join(result.output.split())  # the summaries may wrap, never end in "..."
    assert "..." not in text.split("Commands:")[1]
    for name, command in cli.commands.items():
        summary = command.get_short_help_str(limit=1000)
        assert " ".join(summary.split()) in text, name


def test_build_help_lists_every_input_format():
    text = " ".join(CliRunner().invoke(cli, ["build", "--help"]).output.split())
    for suffix in (".md", ".txt", ".jsonl", ".html"):
        assert suffix in text


def test_build_says_when_shacl_checked_a_sample_and_check_all_reads_every_document(tmp_path, monkeypatch):
    from synthetic import NEWS_PAGES

    import kg.pipeline

    src = tmp_path / "src"
    src.mkdir()
    for k, text in enumerate(NEWS_PAGES):
        (src / f"page{k}.md").write_text(text, encoding="utf-8")
    monkeypatch.setattr(kg.pipeline, "BESIDE_MIN_CHARS", 0)
    monkeypatch.setattr(kg.pipeline, "CHECK_CHARS", min(len(t) for t in NEWS_PAGES))
    args = ["build", str(src), "--out", str(tmp_path / "out"), "--no-view"]
    sampled = CliRunner().invoke(cli, args)
    assert sampled.exit_code == 0, sampled.output
    assert f"of {len(NEWS_PAGES)} documents, with their facts and the entities they mention" in sampled.output
    every = CliRunner().invoke(cli, [*args, "--check-all", "--json"])
    assert every.exit_code == 0, every.output
    assert json.loads(every.stdout.strip().splitlines()[-1])["checked"] == len(NEWS_PAGES)
    assert "--check-all" in CliRunner().invoke(cli, ["build", "--help"]).output
