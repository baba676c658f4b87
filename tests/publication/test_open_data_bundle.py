"""The open-data bundle: one zip of every public dataset, built by the task queue and served
as stored, at a stable address. Its members are byte for byte the files the site serves one
by one, described by a data package at its root that Frictionless validates once extracted;
before its first build the address says so (503, Retry-After), never a build here."""
from __future__ import annotations

import io
import json
import zipfile

import frictionless

from sqlalchemy import func, select

from plateforme.consultations.models import PhaseKind
from plateforme.core.tasks import huey
from plateforme.publication import bundle as bundle_module
from plateforme.publication.bundle import (
    build_bundle, build_bundle_task, bundle_members, rebuild_if_changed, zip_members,
)
from plateforme.publication.models import OpenDataBundle
from plateforme.surveys.publication import publish

from ..consultations.helpers import build_consultation
from ..core.test_task_queue import Completions, consumer, real_queue
from ..factories import make_survey, page_text
from ..observatory.helpers import Observatory
from ..surveys.test_waves import waves  # noqa: F401  (two published waves of one territory)
from ..surveys.corrections import publish_correction

URL = "/donnees/tout.zip"


def _bundles(db) -> int:
    db.session.rollback()
    return db.session.execute(select(func.count(OpenDataBundle.id))).scalar_one()


def _public_data(make, db):
    observatory = Observatory(make, db)
    observatory.finding(title="Les étudiants étrangers se concentrent à Lyon")
    observatory.value(observatory.indicator(), "200046977", 2024, 41250, source="Rectorat")
    build_consultation(make, current=PhaseKind.DEBATE)
    survey = make_survey(db, "closed")
    publish(survey)
    db.session.commit()
    return survey, observatory


def test_before_the_first_build_the_address_says_it_is_being_prepared(app, db, make, tmp_path):
    with real_queue(app, "sqlite", tmp_path):
        client = app.test_client()
        response = client.get(URL)
        assert response.status_code == 503 and response.headers["Retry-After"].isdigit()
        assert "en cours de préparation" in page_text(response)
        assert [task.name for task in huey.pending()] == [build_bundle_task.s().name]  # asked for, not built here
        assert "Archive en cours de préparation" in page_text(client.get("/observatoire/donnees"))
        assert _bundles(db) == 0
        with Completions(build_bundle_task.s().name, expected=1) as built, consumer():
            assert built.wait(60)
    assert _bundles(db) == 1 and app.test_client().get(URL).status_code == 200


def test_the_bundle_holds_exactly_the_individual_downloads(app, db, make):
    survey, _observatory = _public_data(make, db)
    assert build_bundle() is True
    client = app.test_client()
    response = client.get(URL)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    expected = {
        "observatoire/constats.csv": "/observatoire/donnees/constats.csv",
        "observatoire/indicateurs.csv": "/observatoire/donnees/indicateurs.csv",
        "observatoire/valeurs.csv": "/observatoire/donnees/valeurs.csv",
        "observatoire/actions-exterieures.csv": "/observatoire/donnees/actions-exterieures.csv",
        "consultations/consultations.csv": "/api/v1/consultations.csv",
        "consultations/engagements.csv": "/api/v1/commitments.csv",
        f"questionnaires/questionnaire-{survey.id}-v1.json": f"/questionnaires/{survey.id}/resultats/v1.json",
        f"questionnaires/questionnaire-{survey.id}-v1.csv": f"/api/v1/surveys/{survey.id}/results.csv",
    }
    assert sorted(archive.namelist()) == sorted([*expected, "datapackage.json"])
    for member, url in expected.items():
        assert archive.read(member) == client.get(url).get_data(), member
    assert "Les étudiants étrangers se concentrent à Lyon" in archive.read("observatoire/constats.csv").decode()
    # Served as stored, with validators: a client that has it gets a 304.
    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    assert client.get(URL, headers={"If-None-Match": etag}).status_code == 304
    page = page_text(client.get("/observatoire/donnees"))
    assert modified and "Archive construite le" in page
    assert "descripteur datapackage.json décrit chaque fichier de l'archive" in page  # what the zip holds


def test_the_sweep_stores_a_new_bundle_only_when_the_data_changed(app, db, make):
    observatory = _public_data(make, db)[1]
    assert rebuild_if_changed() is True
    first = app.test_client().get(URL).headers["ETag"]
    assert rebuild_if_changed() is False and _bundles(db) == 1  # nothing changed: nothing stored
    observatory.finding(title="Un second constat publié")
    assert rebuild_if_changed() is True and _bundles(db) == 1  # the older one is replaced
    response = app.test_client().get(URL)
    assert response.headers["ETag"] != first
    assert "Un second constat publié" in zipfile.ZipFile(io.BytesIO(response.get_data())).read(
        "observatoire/constats.csv").decode()


def test_a_failed_build_keeps_the_bundle_already_served(app, db, make, monkeypatch):
    observatory = _public_data(make, db)[1]
    build_bundle()
    before = app.test_client().get(URL).get_data()
    observatory.finding(title="Un second constat publié")

    def broken(_members):
        raise OSError("no space left")

    monkeypatch.setattr(bundle_module, "zip_members", broken)
    try:
        build_bundle()
    except OSError:
        pass
    else:
        raise AssertionError("the build should have failed")
    assert _bundles(db) == 1 and app.test_client().get(URL).get_data() == before


def test_with_the_queue_running_tasks_at_once_the_first_visit_gets_the_file(app, db):
    response = app.test_client().get(URL)
    assert response.status_code == 200 and zipfile.ZipFile(io.BytesIO(response.get_data())).namelist()


def _archive(app) -> zipfile.ZipFile:
    response = app.test_client().get(URL)
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def test_the_bundle_describes_itself_and_frictionless_validates_it(app, db, make, tmp_path):
    """Extracted, the zip is a data package: every resource is a member, every member (but
    the descriptor) a resource, with its size and SHA-256, and the data validate."""
    survey, _observatory = _public_data(make, db)
    publish_correction(survey, "Correction d'un libellé")  # both versions are in the bundle
    db.session.commit()
    build_bundle()
    archive = _archive(app)
    archive.extractall(tmp_path)
    descriptor = json.loads(archive.read("datapackage.json"))
    paths = [resource["path"] for resource in descriptor["resources"]]
    assert sorted(paths) == sorted(name for name in archive.namelist() if name != "datapackage.json")
    assert len(set(paths)) == len(paths) and "created" not in descriptor
    by_name = {resource["name"]: resource for resource in descriptor["resources"]}
    assert by_name[f"survey-results-{survey.id}"]["version"] == "2"
    assert by_name[f"survey-results-{survey.id}-v1"]["path"] == f"questionnaires/questionnaire-{survey.id}-v1.csv"
    assert by_name[f"survey-results-{survey.id}-json"]["format"] == "json"
    # The served package's datasets are all there, with the same columns.
    served = app.test_client().get("/observatoire/donnees/datapackage.json").get_json()
    for resource in served["resources"]:
        assert by_name[resource["name"]]["schema"] == resource["schema"], resource["name"]
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])
    assert report.stats["tasks"] == len(paths)
    # The sizes and digests are checked: a member altered after the build is reported.
    constats = tmp_path / "observatoire" / "constats.csv"
    constats.write_bytes(constats.read_bytes() + b"\n")
    assert not frictionless.validate(str(tmp_path / "datapackage.json")).valid


def test_a_waves_changes_are_in_the_bundle_as_the_api_serves_them(app, db, waves, tmp_path):  # noqa: F811
    first, second = waves
    build_bundle()
    archive = _archive(app)
    client = app.test_client()
    name = f"questionnaires/questionnaire-{second.id}-v1-evolution"
    assert archive.read(f"{name}.csv") == client.get(f"/api/v1/surveys/{second.id}/changes.csv").get_data()
    assert archive.read(f"{name}.csv") == client.get(
        f"/api/v1/surveys/{second.id}/changes.csv?version=1").get_data()
    assert archive.read(f"{name}.json") == client.get(f"/api/v1/surveys/{second.id}/changes").get_data()
    # The first wave repeats nothing: no changes of its own.
    assert not [n for n in archive.namelist() if n.startswith(f"questionnaires/questionnaire-{first.id}-")
                and "evolution" in n]
    names = [r["name"] for r in json.loads(archive.read("datapackage.json"))["resources"]]
    assert names[-2:] == [f"survey-changes-{second.id}", f"survey-changes-{second.id}-json"]
    archive.extractall(tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])


def test_the_same_data_give_the_same_bytes(app, db, make):
    """The descriptor carries no build date: a second build is byte for byte the first one,
    so nothing new is stored and the file keeps its date."""
    _public_data(make, db)
    assert build_bundle() is True
    stored = app.test_client().get(URL)
    with app.test_request_context():
        again = zip_members(bundle_members())
    assert again == stored.get_data()
    assert build_bundle() is False and _bundles(db) == 1
    assert app.test_client().get(URL).headers["ETag"] == stored.headers["ETag"]


def test_the_descriptor_is_the_same_in_any_language(app, db, make):
    """A first build asked for by an English-speaking visitor (the queue's immediate mode)
    must not give an English descriptor that the next build would replace."""
    _public_data(make, db)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        english = bundle_members()["datapackage.json"]
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert bundle_members()["datapackage.json"] == english
    assert "Constats de l'observatoire" in english.decode("utf-8")



def test_the_bundle_links_to_site_url_whoever_builds_it(app, db, make):
    """The stored file is served to everyone: its links start with SITE_URL, neither with the
    Host a visitor's request claims (the queue's immediate mode builds in that request) nor
    with the consumer's localhost."""
    _public_data(make, db)
    app.config["SITE_URL"] = "https://plateforme.example.org"
    try:
        with app.test_request_context(base_url="http://forged.example.net"):
            assert build_bundle() is True
        archive = _archive(app)
        assert build_bundle() is False  # as the consumer builds it, without a request: the same bytes
    finally:
        app.config["SITE_URL"] = None
    assert json.loads(archive.read("datapackage.json"))["homepage"] == "https://plateforme.example.org/observatoire/"
    for name in archive.namelist():
        text = archive.read(name).decode("utf-8")
        assert "forged" not in text and "localhost" not in text, name
    for name in ("consultations/consultations.csv", "observatoire/constats.csv"):
        assert "https://plateforme.example.org/" in archive.read(name).decode("utf-8"), name


def test_a_new_site_address_is_rebuilt_at_the_next_sweep_not_at_the_next_change(app, db, make, cached,
                                                                                monkeypatch):
    """With the cache on, the sweep skips a build while no source table changed; a site
    moved to another address (or a deployment with another layout) must not keep serving a
    zip whose links lead to the old one until some data change."""
    _public_data(make, db)
    monkeypatch.setitem(app.config, "SITE_URL", "https://ancienne.example.fr")
    assert rebuild_if_changed() is True
    assert rebuild_if_changed() is False  # nothing changed: not even built
    monkeypatch.setitem(app.config, "SITE_URL", "https://donnees.example.fr")
    assert rebuild_if_changed() is True
    archive = zipfile.ZipFile(io.BytesIO(app.test_client().get(URL).get_data()))
    constats = archive.read("observatoire/constats.csv").decode()
    assert "https://donnees.example.fr/observatoire/constats/" in constats and "ancienne" not in constats
