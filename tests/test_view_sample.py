"""The bundled sample page, built end to end and opened in headless Chromium (with a screenshot)."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest

from kg.pipeline import build

SAMPLE = Path(__file__).resolve().parent.parent / "source"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="chromium and chromium-driver are not installed")
@pytest.mark.skipif(not SAMPLE.is_dir(), reason="no bundled sample")
def test_sample_view_renders_every_entity(tmp_path: Path) -> None:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    report = build([SAMPLE], tmp_path / "out")
    page = tmp_path / "out" / "kg.html"
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,900", f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        d.get(page.resolve().as_uri())
        end = time.time() + 60
        while not d.execute_script("return !!(window.kgView && window.kgView.stable)"):
            assert time.time() < end, "the view never reported stable"
            time.sleep(0.1)
        nodes = d.execute_script("return window.kgView.nodes.length")
        edges = d.execute_script("return window.kgView.edges.length")
        shown = d.execute_script("return window.kgView.network.body.nodeIndices.length")
        isolated = d.execute_script("return window.kgView.nodes.get({filter: n => n.iso}).length")
        boxes = d.execute_script("return window.kgView.labels")
        shot = tmp_path / "sample-view.png"
        d.save_screenshot(str(shot))
        errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        d.quit()
        shutil.rmtree(profile, ignore_errors=True)
    # byline authors are people in the graph too, so the view shows at least the extracted entities
    assert nodes >= report.entities
    assert edges >= report.relations // 4
    assert shot.stat().st_size > 10_000
    assert errors == []
    # the first screen: isolated entities hidden, names of the most central ones, none over another
    assert shown == nodes - isolated and isolated < nodes / 10
    assert len(boxes) >= 30
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"])
