"""The Frictionless data package of every public dataset: the observatory's four files, the
consultations and commitments, each survey's published results and, for a wave, its changes
since the previous wave, one tabular CSV resource each, described from the very column lists
that write the files (observatory/resources.py, consultations/exports.py,
surveys/publication.py, surveys/wave_publication.py).

Only CSV resources: the JSON twins are not tabular (and a `.json` path is read as a
descriptor by Frictionless tools); the catalogue (catalogue.py) lists them as distributions.
Survey results: the latest version of each published survey, at an address pinned to that
version (?version=N) — its bytes never change, and older versions, superseded by a public
correction, stay one parameter away (and in the bundle). `created`, `lastModified` and
`version` come from the data, so two requests with no change between them answer the same.

The same builder describes the open-data bundle (bundle.py), with `Paths` naming its members
instead of the site's addresses; there it also lists every older version of each survey's
results and the JSON document next to each survey file, so that every member is described.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from flask import url_for
from sqlalchemy import func, select

from ..accounts.models import Organisation
from ..consultations.exports import tabular_resources
from ..consultations.models import AuthorityResponse, Commitment, CommitmentUpdate, Consultation, Synthesis
from ..extensions import db
from ..observatory.models import DEFAULT_LICENCE, ExternalAction, Finding, FindingReview, Indicator, IndicatorValue
from ..observatory.resources import FINDINGS, RESOURCES, Resource
from ..surveys.models import PerceptionSurvey, Publication
from ..surveys.publication import CSV_COLUMNS as SURVEY_COLUMNS
from ..surveys.wave_publication import CHANGE_COLUMNS, previous_publication
from ..territories.models import Territory

LICENCE = {"name": "etalab-2.0", "title": DEFAULT_LICENCE,
           "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}
DIALECT = {"delimiter": ",", "lineTerminator": "\n", "quoteChar": "\"", "header": True}
PACKAGE_NAME = "donnees-ouvertes"

# Where a change shows: every table a file is read from, with its timestamp columns.
_STAMPED = (
    (Finding, ("updated_at", "published_at", "withdrawn_at")), (FindingReview, ("created_at",)),
    (Indicator, ("updated_at",)), (IndicatorValue, ("created_at",)), (ExternalAction, ("updated_at",)),
    (Organisation, ("created_at",)), (Consultation, ("updated_at", "published_at", "cancelled_at")),
    (Synthesis, ("published_at",)), (AuthorityResponse, ("published_at",)), (Commitment, ("updated_at",)),
    (CommitmentUpdate, ("created_at",)), (Publication, ("created_at",)),
)

_NAMED = (
    (Organisation.id, Organisation.name),
    (Territory.id, Territory.code, Territory.name, Territory.kind),
    (PerceptionSurvey.id, PerceptionSurvey.title, PerceptionSurvey.status, PerceptionSurvey.previous_wave_id),
)


@dataclass(frozen=True)
class DataState:
    last_modified: datetime | None
    version: str


def data_state() -> DataState:
    """The data's latest change and a version that moves with it.

    The version is the day of the latest change and a digest of each table's row count and
    latest timestamps, so a deletion (which leaves no timestamp) changes it too."""
    digest = hashlib.sha256()
    latest = None
    for model, names in _STAMPED:
        columns = [getattr(model, name) for name in names if hasattr(model, name)]
        row = db.session.execute(select(func.count(), *[func.max(c) for c in columns]).select_from(model)).one()
        digest.update(repr((model.__tablename__, tuple(row))).encode("utf-8"))
        for value in row[1:]:
            if value is not None and (latest is None or value > latest):
                latest = value
    # Names the package and the catalogue print but whose change leaves no timestamp: an
    # organisation renamed (contributors), a territory renamed (spatial coverage), a survey
    # retitled. Read whole: a few hundred short rows, and no count or date can stand for them.
    for columns in _NAMED:
        digest.update(repr(db.session.execute(select(*columns).order_by(columns[0])).all()).encode("utf-8"))
    day = latest.strftime("%Y.%m.%d") if latest is not None else "0"
    return DataState(latest, f"{day}-{digest.hexdigest()[:8]}")


@dataclass(frozen=True)
class Paths:
    """Where the package says each file is: at the site's addresses (site_paths) or in the
    open-data bundle (bundle.py), whose member names come from the same object."""
    observatory: Callable[[Resource, str], str]  # (resource, "csv" or "json")
    table: Callable[[str], str]                  # the consultations' files, by endpoint
    results: Callable[[Publication, str], str]   # a survey's published version, "csv" or "json"
    changes: Callable[[Publication, str], str]   # a wave's changes at that version, "csv" or "json"


def site_paths(file_url) -> Paths:
    def results(publication: Publication, fmt: str) -> str:
        return url_for("api.survey_results_csv" if fmt == "csv" else "api.survey_results",
                       survey_id=publication.survey_id, version=publication.version, _external=True)

    def changes(publication: Publication, fmt: str) -> str:
        return url_for("api.survey_changes_csv" if fmt == "csv" else "api.survey_changes",
                       survey_id=publication.survey_id, version=publication.version, _external=True)

    return Paths(file_url, lambda endpoint: url_for(endpoint, _external=True), results, changes)


def observatory_resource(resource: Resource, file_url) -> dict:
    fields = [resource.field(column) for column in resource.columns]
    if resource is FINDINGS:
        fields += [{"name": "reviewed_by", "type": "string",
                    "description": "Organisations qui ont approuvé le constat (relecture indépendante), une par ligne"},
                   {"name": "url", "type": "string", "format": "uri", "description": "Page du constat"}]
    key = resource.primary_key
    schema = {"fields": fields, "primaryKey": [key] if isinstance(key, str) else list(key), "missingValues": [""]}
    if resource.foreign_keys:
        schema["foreignKeys"] = [{"fields": _listed(fk["fields"]), "reference": {
            "resource": fk["reference"]["resource"], "fields": _listed(fk["reference"]["fields"])}}
            for fk in resource.foreign_keys]
    return {"name": resource.name, "path": file_url(resource, "csv"), "title": str(resource.title),
            "description": str(resource.description), "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "schema": schema, "dialect": DIALECT}


def _listed(value) -> list:
    return [value] if isinstance(value, str) else list(value)


def publications_by_survey() -> list[list[Publication]]:
    """Every published version of every survey, by survey, oldest version first."""
    publications = db.session.execute(
        select(Publication).join(PerceptionSurvey, PerceptionSurvey.id == Publication.survey_id)
        .order_by(Publication.survey_id, Publication.version)).scalars()
    return [list(versions) for _survey_id, versions in groupby(publications, key=lambda p: p.survey_id)]


def latest_publications() -> list[Publication]:
    """Each published survey's latest version, by survey."""
    newest = (select(Publication.survey_id, func.max(Publication.version).label("version"))
              .group_by(Publication.survey_id).subquery())
    return list(db.session.execute(
        select(Publication).join(newest, (newest.c.survey_id == Publication.survey_id)
                                 & (newest.c.version == Publication.version))
        .join(PerceptionSurvey, PerceptionSurvey.id == Publication.survey_id).order_by(Publication.survey_id)
    ).scalars())


def _statement_table(publication: Publication, columns) -> dict:
    """What a survey's CSV files share: one line per statement of a published version."""
    return {
        "version": str(publication.version),
        "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "schema": {"fields": [{"name": n, "type": t, "description": d} for n, t, d in columns],
                   "primaryKey": ["survey_id", "version", "key"], "missingValues": [""]},
        "dialect": DIALECT,
    }


def survey_resource(publication: Publication, path: str | None = None, name: str | None = None) -> dict:
    """A survey's published version; at its API address unless `path` says otherwise."""
    survey = publication.survey
    return {
        "name": name or f"survey-results-{survey.id}",
        "path": path or site_paths(None).results(publication, "csv"),
        "title": f"Résultats du questionnaire « {survey.title} » (version {publication.version})",
        "description": "Une ligne par affirmation : la part d'accord des habitants (pondérée, avec son intervalle "
                       "de confiance), l'estimation des personnes élues et l'écart. Les chiffres sous les seuils "
                       "de petits effectifs ne sont pas publiés.",
        **_statement_table(publication, SURVEY_COLUMNS),
    }


def survey_changes_resource(publication: Publication, paths: Paths) -> dict | None:
    """A wave's changes since the previous wave (wave_publication.py), for the version the
    package lists; None when the survey repeats no published wave. Its address is pinned to
    this wave's version, but the file follows the previous wave's latest version (a
    correction of that wave is taken at once): the package's version moves with it."""
    before = previous_publication(publication.survey)
    if before is None:
        return None
    survey = publication.survey
    return {
        "name": f"survey-changes-{survey.id}",
        "path": paths.changes(publication, "csv"),
        "title": f"Évolution depuis la vague précédente : « {survey.title} » (version {publication.version})",
        "description": "Une ligne par affirmation : la variation, depuis la vague précédente du même "
                       "questionnaire sur le même territoire, de la part d'accord des habitants et de l'écart "
                       "entre élus et habitants, avec leurs intervalles à 95 %. Une variation n'est pas publiée "
                       "quand l'une des deux vagues masque le chiffre.",
        **_statement_table(publication, CHANGE_COLUMNS),
    }


def json_document(resource: dict, path: str, description: str) -> dict:
    """The JSON document a survey's CSV resource is written from, as a file resource (not a
    table): listed in the bundle's package only, next to its CSV."""
    return {"name": f"{resource['name']}-json", "path": path, "title": f"{resource['title']} (JSON)",
            "description": description, "version": resource["version"], "profile": "data-resource",
            "format": "json", "mediatype": "application/json", "encoding": "utf-8"}


RESULTS_DOCUMENT = ("Le document publié de cette version, octet pour octet : son empreinte SHA-256 est celle "
                    "qu'affiche la page des résultats et que porte le CSV.")
CHANGES_DOCUMENT = ("Les mêmes variations que le CSV, avec le décompte des écarts réduits ou accrus et le texte "
                    "de chaque affirmation à la vague précédente.")


def survey_resources(versions: list[Publication], paths: Paths, documents: bool = False) -> list[dict]:
    """A published survey's files: the results of each of `versions` (the latest one last,
    named without its version), and its changes at that version when it is a wave; with
    `documents`, each followed by its JSON document."""
    out = []
    latest = versions[-1]
    for publication in versions:
        name = None if publication is latest else f"survey-results-{publication.survey_id}-v{publication.version}"
        resource = survey_resource(publication, paths.results(publication, "csv"), name)
        out.append(resource)
        if documents:
            out.append(json_document(resource, paths.results(publication, "json"), RESULTS_DOCUMENT))
    changes = survey_changes_resource(latest, paths)
    if changes is not None:
        out.append(changes)
        if documents:
            out.append(json_document(changes, paths.changes(latest, "json"), CHANGES_DOCUMENT))
    return out


def data_package(file_url, site_name: str, site_url: str, state: DataState | None = None,
                 paths: Paths | None = None, bundle: bool = False) -> dict:
    """The descriptor: every public dataset as a tabular resource, each with its licence.

    With `bundle` (and the bundle's `paths`): every version of each survey's results and the
    JSON document of each survey file as well, the bundle's every member; the package is then
    no longer all tables (profile data-package)."""
    state = state or data_state()
    paths = paths or site_paths(file_url)
    resources = [observatory_resource(resource, paths.observatory) for resource in RESOURCES.values()]
    resources += tabular_resources(paths.table)
    surveys = publications_by_survey() if bundle else [[latest] for latest in latest_publications()]
    resources += [resource for versions in surveys for resource in survey_resources(versions, paths, bundle)]
    for resource in resources:
        resource["licenses"] = [LICENCE]
    organisations = db.session.execute(select(Organisation.name).order_by(Organisation.name)).scalars().all()
    descriptor = {
        "profile": "data-package" if bundle else "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": f"{site_name} — données ouvertes",
        "description": "Constats, indicateurs, valeurs et action extérieure des collectivités ; consultations "
                       "publiques et engagements des réponses officielles ; résultats publiés des questionnaires "
                       "de perception et leur évolution d'une vague à l'autre. Les chiffres marqués "
                       "« illustratif » sont des données de démonstration.",
        "homepage": site_url,
        "version": state.version,
        "licenses": [LICENCE],
        "sources": [{"title": name} for name in organisations],
        "contributors": [{"title": name, "role": "author"} for name in organisations],
        "resources": resources,
    }
    if state.last_modified is not None:
        descriptor["created"] = descriptor["lastModified"] = state.last_modified.isoformat(timespec="seconds")
    return descriptor
