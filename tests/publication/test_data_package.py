"""The data package of every public dataset, checked by the real `frictionless` library: the
descriptor and each file are downloaded through the app into a directory, the addresses
rewritten to the local copies, and `frictionless.validate` must find nothing wrong (types,
enum constraints, primary keys, the foreign keys commitments → consultations and values →
indicators)."""
from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlsplit

import frictionless
import pytest

from plateforme.consultations.models import AuthorityResponse, Commitment, CommitmentStatus
from plateforme.surveys.publication import publish

from ..factories import make_survey
from ..observatory.helpers import Observatory
from ..surveys.corrections import publish_correction
from .test_consultation_api import data  # noqa: F401  (public and non-public consultations, commitments)


URL = "/observatoire/donnees/datapackage.json"


@pytest.fixture
def published(make, db, data):  # noqa: F811
    observatory = Observatory(make, db)
    observatory.finding(title="Les étudiants étrangers se concentrent à Lyon")
    indicator = observatory.indicator()
    observatory.value(indicator, "200046977", 2024, 41250, source="Rectorat")
    observatory.value(indicator, "69266", 2024, 1200.5)
    survey = make_survey(db, "closed")
    publish(survey)
    publish_correction(survey, "Correction d'un libellé")  # the package points at version 2
    db.session.commit()
    return dict(data, survey=survey, observatory=observatory)


def _download(client, tmp_path) -> dict:
    """The descriptor with each resource fetched through the app and its path made local."""
    descriptor = client.get(URL).get_json()
    for resource in descriptor["resources"]:
        url = urlsplit(resource["path"])
        response = client.get(url.path + (f"?{url.query}" if url.query else ""))
        assert response.status_code == 200, resource["path"]
        name = f"{resource['name']}.csv"
        (tmp_path / name).write_bytes(response.get_data())
        resource["path"] = name
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    return descriptor


def test_frictionless_validates_the_package_of_every_public_dataset(client, published, tmp_path):
    descriptor = _download(client, tmp_path)
    survey = published["survey"]
    names = [r["name"] for r in descriptor["resources"]]
    assert names == ["findings", "indicators", "indicator_values", "external_actions", "consultations",
                     "commitments", f"survey-results-{survey.id}"]
    assert descriptor["resources"][-1]["version"] == "2"
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])
    assert report.stats["tasks"] == len(names)


def test_the_package_declares_enums_keys_and_a_licence_everywhere(client, published):
    descriptor = client.get(URL).get_json()
    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"
    by_name = {r["name"]: r for r in descriptor["resources"]}
    for resource in descriptor["resources"]:
        assert resource["profile"] == "tabular-data-resource" and resource["format"] == "csv"
        assert [licence["name"] for licence in resource["licenses"]] == ["etalab-2.0"]
        assert resource["licenses"][0]["path"].startswith("https://www.etalab.gouv.fr/")
    commitments = by_name["commitments"]["schema"]
    assert commitments["foreignKeys"] == [{"fields": ["consultation_id"],
                                           "reference": {"resource": "consultations", "fields": ["id"]}}]
    status = next(f for f in commitments["fields"] if f["name"] == "status")
    assert status["constraints"]["enum"] == ["planned", "in_progress", "done", "abandoned"]
    finding_status = next(f for f in by_name["findings"]["schema"]["fields"] if f["name"] == "status")
    assert finding_status["constraints"]["enum"] == ["published", "withdrawn"]  # only public ones
    direction = next(f for f in by_name["findings"]["schema"]["fields"] if f["name"] == "direction")
    assert direction["constraints"]["enum"] == ["inbound", "outbound", "both"]  # read from the column type
    consultation_status = next(f for f in by_name["consultations"]["schema"]["fields"] if f["name"] == "status")
    assert consultation_status["constraints"]["enum"] == ["published", "cancelled"]
    assert by_name["indicator_values"]["schema"]["primaryKey"] == ["indicator_id", "territory_code", "period"]


def test_a_value_outside_its_enum_fails_validation(client, published, tmp_path):
    """The check can fail: a commitment status the enum does not list is reported."""
    _download(client, tmp_path)
    path = tmp_path / "commitments.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",planned,", ",forgotten,", 1), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert "constraint-error" in {error[0] for error in report.flatten(["type"])}


def test_version_and_dates_are_stable_until_the_data_change(client, published, db):
    first = client.get(URL)
    again = client.get(URL)
    descriptor = first.get_json()
    assert again.get_json()["version"] == descriptor["version"]
    assert again.get_json()["created"] == descriptor["created"] == descriptor["lastModified"]
    assert client.get(URL, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    commitment = db.session.query(Commitment).join(AuthorityResponse).filter(
        Commitment.status == CommitmentStatus.PLANNED).first()
    db.session.delete(commitment)  # a deletion leaves no timestamp: the version moves anyway
    db.session.commit()
    assert client.get(URL).get_json()["version"] != descriptor["version"]


def test_a_renamed_organisation_or_territory_moves_the_version_and_the_etag(client, published, db):
    """Renames leave no timestamp and no count behind; a client holding the old ETag must not
    be told (304) that the contributors or the catalogue's place names are still current."""
    from plateforme.accounts.models import Organisation
    from plateforme.territories.models import Territory

    package, catalogue = client.get(URL), client.get("/donnees/catalogue.jsonld")
    organisation = db.session.query(Organisation).order_by(Organisation.id).first()
    organisation.name = "Observatoire renommé"
    db.session.commit()
    renamed = client.get(URL, headers={"If-None-Match": package.headers["ETag"]})
    assert renamed.status_code == 200 and renamed.headers["ETag"] != package.headers["ETag"]
    assert {"title": "Observatoire renommé", "role": "author"} in renamed.get_json()["contributors"]
    territory = db.session.query(Territory).filter_by(code="69266").one()
    territory.name = "Villeurbanne-la-Neuve"
    db.session.commit()
    harvested = client.get("/donnees/catalogue.jsonld", headers={"If-None-Match": catalogue.headers["ETag"]})
    assert harvested.status_code == 200 and "Villeurbanne-la-Neuve" in harvested.get_data(as_text=True)


# --- a wave's changes since the previous wave (issue 24, part 2) -------------------------

from ..surveys.test_waves import waves  # noqa: E402,F401  (two published waves of one territory)


def test_a_waves_changes_are_a_resource_of_the_package_and_validate(client, waves, tmp_path):  # noqa: F811
    first, second = waves
    descriptor = _download(client, tmp_path)
    names = [r["name"] for r in descriptor["resources"]]
    # The first wave repeats nothing: only its results; the second has its changes too.
    assert names[-3:] == [f"survey-results-{first.id}", f"survey-results-{second.id}", f"survey-changes-{second.id}"]
    assert f"survey-changes-{first.id}" not in names
    changes = descriptor["resources"][-1]
    assert [f["name"] for f in changes["schema"]["fields"]][:7] == [
        "survey_id", "version", "sha256", "previous_survey_id", "previous_version", "previous_sha256", "key"]
    rows = list(csv.DictReader(io.StringIO((tmp_path / changes["path"]).read_text(encoding="utf-8"))))
    # s1, s2 compared, s4 new, s3 removed: one row per statement key of either wave.
    assert sorted((row["key"], row["status"]) for row in rows) == [
        ("s1", "compared"), ("s2", "compared"), ("s3", "removed"), ("s4", "new")]
    assert {row["previous_survey_id"] for row in rows} == {str(first.id)}
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])
    assert report.stats["tasks"] == len(names)


def test_the_changes_resource_is_pinned_to_the_version_the_package_lists(client, db, waves):  # noqa: F811
    _first, second = waves
    publish_correction(second, "Correction d'un libellé")
    db.session.commit()
    changes = next(r for r in client.get(URL).get_json()["resources"] if r["name"] == f"survey-changes-{second.id}")
    assert changes["version"] == "2" and urlsplit(changes["path"]).query == "version=2"


@pytest.mark.parametrize("url", [URL, "/donnees/catalogue.jsonld"])
def test_the_descriptors_are_revalidated_and_differ_by_language(client, published, url):  # noqa: F811
    """Like every data answer: kept by caches but asked again (Cache-Control), one ETag per
    language (their titles are translated), a 304 to a client whose copy is current."""
    french = client.get(url)
    english = client.get(url, headers={"Accept-Language": "en"})
    assert french.headers["Cache-Control"] == "public, no-cache" and "Accept-Language" in french.headers["Vary"]
    assert french.headers["ETag"] != english.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": french.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Access-Control-Allow-Origin"] == "*"
    other = client.get(url, headers={"If-None-Match": french.headers["ETag"], "Accept-Language": "en"})
    assert other.status_code == 200  # the English copy is another representation
