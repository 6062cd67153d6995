"""The extraction executors: a dask.distributed cluster gives the build of one machine, byte for byte, and a stopped process pool leaves nothing behind."""

from __future__ import annotations

import time
from pathlib import Path

import distributed  # in the test extra (CI installs it): never skipped
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import ComponentNotFound, ExecutorError
from kg.executors import CONNECT_TIMEOUT, ProcessExecutor, _on_worker
from kg.pipeline import build

UNREACHABLE = "tcp://127.0.0.1:1"
FAST = dict(view=False, analyze=False)

CITIES = ["江川", "临溪", "宁湾", "白石", "青岗", "云渡"]
NAMES = ["沈伯远", "卢晓晴", "邵文杰", "于静怡", "葛明轩", "温若兰"]


def _page(i: int) -> str:
    """A news page of invented people and places, long enough to make several dask tasks."""
    city, name, other = CITIES[i], NAMES[i], NAMES[(i + 1) % len(NAMES)]
    body = (f"{city}市交通运输局局长{name}表示，今年全市将新建公交线路{i + 3}条，方便群众出行。"
            f"{city}市人民政府副市长{other}出席了{city}大桥通车仪式并讲话。"
            f"据介绍，{city}大桥全长{i + 2}公里，由{city}城建集团承建，工期两年。")
    return f"date: 2025-03-1{i}\n## {city}市新建公交线路\n\n本报记者 {name}\n\n" + body * 12 + "\n"


def _sources(root: Path, n: int = 5) -> Path:
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (src / f"p{i}.md").write_text(_page(i), encoding="utf-8")
    return src


@pytest.fixture(scope="module")
def cluster():
    """One local cluster of two worker processes for the module (their models load once)."""
    c = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                 dashboard_address="127.0.0.1:0")
    yield c
    c.close()


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The sources and the kg.ttl of a build on this machine alone."""
    root = tmp_path_factory.mktemp("local")
    src = _sources(root)
    report = build([src], root / "out", jobs=1, **FAST)
    assert report.extracted == 5
    return src, (root / "out" / "kg.ttl").read_bytes()


def test_a_build_on_a_dask_cluster_writes_the_bytes_of_a_local_build(cluster, local, tmp_path):
    from distributed import Client, get_task_stream

    src, ttl = local
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        with get_task_stream(client) as stream:
            report = build([src], tmp_path / "out", executor="dask", scheduler=cluster.scheduler_address, **FAST)
    assert (report.extracted, report.reused) == (5, 0)
    assert (tmp_path / "out" / "kg.ttl").read_bytes() == ttl
    ran = [t for t in stream.data if str(t["key"]).startswith("_on_worker")]
    assert len(ran) >= 2  # the extraction ran as tasks on the cluster's workers
    assert {t["worker"] for t in ran} <= set(cluster.scheduler.workers)


def test_a_second_dask_build_extracts_only_what_changed(cluster, local, tmp_path):
    src, _ = local
    src2 = tmp_path / "src"
    src2.mkdir()
    for p in src.iterdir():
        (src2 / p.name).write_bytes(p.read_bytes())
    first = build([src2], tmp_path / "out", executor="dask", scheduler=cluster.scheduler_address, **FAST)
    assert (first.extracted, first.reused) == (5, 0)
    (src2 / "p5.md").write_text(_page(5), encoding="utf-8")
    second = build([src2], tmp_path / "out", executor="dask", scheduler=cluster.scheduler_address, **FAST)
    assert (second.extracted, second.reused, second.unchanged) == (1, 5, False)
    whole = build([src2], tmp_path / "whole", jobs=1, **FAST)
    assert whole.extracted == 6
    assert (tmp_path / "out" / "kg.ttl").read_bytes() == (tmp_path / "whole" / "kg.ttl").read_bytes()


def test_the_executor_is_not_part_of_the_configuration(local, tmp_path):
    """A build that switches executor finds its sources unchanged: the scheduler is not even asked."""
    src, ttl = local
    build([src], tmp_path / "out", jobs=1, **FAST)
    again = build([src], tmp_path / "out", executor="dask", scheduler=UNREACHABLE, **FAST)
    assert again.unchanged and (tmp_path / "out" / "kg.ttl").read_bytes() == ttl


def test_an_unreachable_scheduler_fails_fast_and_keeps_the_previous_build(local, tmp_path):
    src, ttl = local
    build([src], tmp_path / "out", jobs=1, **FAST)
    generations = sorted((tmp_path / "out" / ".generations").iterdir())
    for scheduler in (UNREACHABLE, "no-port-here", "udp://127.0.0.1:1"):
        t0 = time.monotonic()
        with pytest.raises(ExecutorError, match="cannot reach a dask scheduler at") as e:
            build([src], tmp_path / "out", executor="dask", scheduler=scheduler, full=True, **FAST)
        assert scheduler in str(e.value)
        assert time.monotonic() - t0 < CONNECT_TIMEOUT + 10
    assert (tmp_path / "out" / "kg.ttl").read_bytes() == ttl
    assert sorted((tmp_path / "out" / ".generations").iterdir()) == generations


def test_without_a_scheduler_a_build_starts_its_own_cluster_and_closes_it(local, tmp_path):
    import psutil

    src, ttl = local
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    report = build([src], tmp_path / "out", executor="dask", jobs=1, **FAST)
    assert report.extracted == 5 and (tmp_path / "out" / "kg.ttl").read_bytes() == ttl
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        left = {p.pid for p in psutil.Process().children(recursive=True) if p.is_running()
                and p.status() != psutil.STATUS_ZOMBIE} - before
        if not left:
            break
        time.sleep(0.2)
    assert not left  # the build's own cluster (its nanny and worker) is gone


def test_an_unknown_executor_lists_the_known_ones_before_reading(tmp_path):
    with pytest.raises(ComponentNotFound, match="no executor component named 'spark'; known: dask, process"):
        build([tmp_path / "nowhere"], tmp_path / "out", executor="spark")
    assert not (tmp_path / "out").exists()


def test_a_worker_without_the_builds_kg_refuses_the_task(monkeypatch):
    import kg.executors
    from kg.cache import extraction_config

    monkeypatch.setattr(kg.executors, "_checked", [])
    monkeypatch.setattr(kg.executors, "_one_thread", lambda: None)  # this process keeps its threads
    assert _on_worker(["海河"], len, extraction_config(())) == 1
    with pytest.raises(ExecutorError, match="runs another kg than the build"):
        _on_worker(["海河"], len, "0" * 64)


def test_kg_build_executor_dask_scheduler(cluster, local, tmp_path, monkeypatch, capsys):
    import sys

    from kg.cli import main

    src, ttl = local
    result = CliRunner().invoke(cli, ["build", str(src), "--out", str(tmp_path / "out"), "--no-view", "-q",
                                      "--scheduler", cluster.scheduler_address, "--executor", "dask"])
    assert result.exit_code == 0, result.output
    # --no-view also leaves out the analysis, as FAST does
    assert (tmp_path / "out" / "kg.ttl").read_bytes() == ttl

    def run(*args: str) -> tuple[int, str]:
        monkeypatch.setattr(sys, "argv", ["kg", "build", str(src), "--out", str(tmp_path / "other"), *args])
        with pytest.raises(SystemExit) as exc:
            main()
        return int(exc.value.code or 0), capsys.readouterr().err

    code, err = run("--executor", "spark")
    assert code == 2 and "known: dask, process" in err and "--executor" in err
    code, err = run("--executor", "process", "--scheduler", cluster.scheduler_address)
    assert code == 2 and "--scheduler is for --executor dask" in err
    code, err = run("--scheduler", "no-port-here")  # --scheduler alone means dask
    assert code == 1 and err.startswith("kg: error: cannot reach a dask scheduler at 'no-port-here'")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "other" / "kg.ttl").exists()


def test_a_stopped_process_pool_has_closed_its_wake_up_pipe():
    """After ``abort`` the pool's manager thread has ended (and closed its wake-up pipe), so the
    interpreter's exit cannot write to that pipe while it closes (a traceback after Ctrl-C)."""
    ex = ProcessExecutor(2, ["persons"])
    assert list(ex.map(abs, [-1, -2, 3])) == [1, 2, 3]
    manager = ex._pool._executor_manager_thread
    wakeup = ex._pool._executor_manager_thread_wakeup
    procs = list(ex._pool._processes.values())
    ex.abort()
    assert not manager.is_alive() and wakeup._closed
    assert not any(p.is_alive() for p in procs)
