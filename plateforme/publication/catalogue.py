"""The catalogue of every public dataset, for portals to harvest (data.gouv.fr, data.europa.eu):
DCAT-AP in JSON-LD, and the schema.org `Dataset` form search engines read on the pages.

Both are written from one list of entries, itself made from the data package's resources
(datapackage.py, so from the column lists behind the files): a dataset is in the catalogue
exactly when it is in the package. Each carries the etalab-2.0 licence (on every
distribution too), the territories it covers with their official codes and the Code
officiel géographique edition, its period, its update frequency, version and last change.
Every CSV is listed in its three forms (core/spreadsheet.py): the CSV, the CSV for Excel and
the XLSX workbook — the latter only where the file is short enough to be served as one.

The catalogue validates against DCAT-AP 3.0.0 SHACL shapes (tests/publication/test_catalogue_shacl.py:
the project's own, and the official ones when given). Those check the class of each value (a format
is a dct:MediaTypeOrExtent, a frequency a dct:Frequency…) and a validator may not load the EU
authority tables that say so: each value from a controlled vocabulary states its class here,
and a concept its label, so the document validates on its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import request, url_for
from flask_babel import get_locale

from ..core.page_cache import UNREACHABLE
from ..core.spreadsheet import XLSX_MIMETYPE, fits_a_workbook
from ..extensions import cache
from ..observatory.resources import RESOURCES
from ..surveys.models import Publication
from ..territories.reference import COG_YEAR
from .coverage import COVERAGE, coverage
from .datapackage import LICENCE, DataState, data_package, latest_publications, survey_resource

LICENCE_URI = LICENCE["path"]
COG_URI = "https://www.insee.fr/fr/information/2560452"  # INSEE's Code officiel géographique
EU = "http://publications.europa.eu/resource/authority/"  # the EU's authority tables (controlled vocabularies)
FREQUENCY = EU + "frequency/"
FILE_TYPE = EU + "file-type/"  # DCAT-AP's vocabulary for dct:format
THEMES = EU + "data-theme"
MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"
# The EU data themes the datasets fall under, with the table's labels (a skos:Concept needs one).
THEME_LABELS = {"INTR": ("Questions internationales", "International issues"),
                "REGI": ("Régions et villes", "Regions and cities"),
                "GOVE": ("Gouvernement et secteur public", "Government and public sector"),
                "SOCI": ("Population et société", "Population and society")}
GOVERNMENT = {"external_actions", "consultations", "commitments"}  # what the authorities do and decide
# What each form of a file is, for a user choosing one in a portal (dct:description).
FORM_DESCRIPTIONS = {
    "csv": "CSV en UTF-8, cellules séparées par des virgules\u00a0; colonnes décrites dans le paquet de données "
           "(datapackage.json).",
    "csv-excel": "Le même CSV pour Excel en français\u00a0: UTF-8 avec BOM, cellules séparées par des "
                 "points-virgules, virgule décimale.",
    "xlsx": "Le même tableau en classeur XLSX, chaque cellule typée selon sa colonne.",
    "json": "Les mêmes données en JSON.",
}
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/", "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#", "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#", "adms": "http://www.w3.org/ns/adms#",
    "vcard": "http://www.w3.org/2006/vcard/ns#", "dcatap": "http://data.europa.eu/r5r/",
}
# schema.org on a page: at most this many places (a dataset of every commune would weigh
# megabytes in the page's head); the catalogue lists them all.
PAGE_PLACES = 100
CACHE_SECONDS = 24 * 3600  # a new version has a new key; this only bounds what is kept


def cached(kind: str, state: DataState, build):
    """`build()`, kept in the shared cache under the data's version: the same data give the same
    document, and reading the coverage of every dataset costs far more than the version does."""
    key = f"opendata:{kind}:{state.version}:{get_locale()}:{request.host_url}"  # addresses are absolute
    try:
        value = cache.get(key)
    except UNREACHABLE:
        return build()
    if value is None:
        value = build()
        try:
            cache.set(key, value, timeout=CACHE_SECONDS)
        except UNREACHABLE:
            pass  # built again next time
    return value


@dataclass(frozen=True)
class Distribution:
    url: str
    media_type: str
    format: str  # the file type (CSV, XLSX, JSON)
    key: str     # its part of the distribution's @id
    label: str   # its part of the distribution's title


def _with_format(url: str, variant: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode([*parse_qsl(parts.query), ("format", variant)])))


def csv_forms(csv_url: str, workbook: bool = True) -> list[Distribution]:
    """A CSV and its spreadsheet variants; the XLSX one only if `workbook` (the file is not
    past the row limit above which it is refused)."""
    forms = [Distribution(csv_url, "text/csv", "CSV", "csv", "CSV"),
             Distribution(_with_format(csv_url, "excel"), "text/csv", "CSV", "csv-excel", "CSV pour Excel")]
    if workbook:
        forms.append(Distribution(_with_format(csv_url, "xlsx"), XLSX_MIMETYPE, "XLSX", "xlsx", "XLSX"))
    return forms


@dataclass
class Entry:
    name: str
    title: str
    description: str
    distributions: list[Distribution]
    territories: list[dict]
    period: tuple
    frequency: str                             # EU frequency code: CONT, IRREG…
    modified: datetime | None
    version: str
    keywords: list[str] = field(default_factory=list)
    page: str | None = None                    # the page that presents it, when it has one of its own


def entries(state: DataState, file_url, site_name: str, site_url: str, places: int | None = None) -> list[Entry]:
    """One entry per dataset of the data package, with what the catalogue says of it (at most
    `places` territories each when given: a page's schema.org shows a sample)."""
    descriptor = data_package(file_url, site_name, site_url, state)
    latest = latest_publications()
    publications = {f"survey-results-{p.survey_id}": p for p in latest}
    changes = {f"survey-changes-{p.survey_id}": p for p in latest}
    out = []
    covered = {}  # the indicators cover what their values cover: read once
    for resource in descriptor["resources"]:
        if resource["name"] in publications:
            out.append(publication_entry(publications[resource["name"]], resource))
            continue
        if resource["name"] in changes:
            out.append(changes_entry(changes[resource["name"]], resource))
            continue
        reader = COVERAGE[resource["name"]]
        if reader not in covered:
            covered[reader] = coverage(resource["name"], limit=places)
        territories, period = covered[reader]
        observed = next((r for r in RESOURCES.values() if r.name == resource["name"]), None)
        # The consultations' and commitments' files are never refused as XLSX.
        distributions = csv_forms(resource["path"], observed is None or fits_a_workbook(observed.statement()))
        if observed is not None:  # the observatory's files have a JSON twin
            distributions.append(Distribution(resource["path"][:-4] + ".json", "application/json", "JSON", "json",
                                              "JSON"))
        out.append(Entry(name=resource["name"], title=resource["title"],
                         description=resource.get("description") or resource["title"], distributions=distributions,
                         territories=territories, period=period, frequency="CONT", modified=state.last_modified,
                         version=state.version))
    return out


def publication_entry(publication: Publication, resource: dict | None = None) -> Entry:
    """A survey's published version as a dataset: its CSV and JSON, pinned to that version; a
    new version comes only with a public correction (irregular updates)."""
    resource = resource or survey_resource(publication)
    territories, period = coverage(resource["name"], publication.survey)
    json_url = url_for("api.survey_results", survey_id=publication.survey_id, version=publication.version,
                       _external=True)
    return Entry(name=resource["name"], title=resource["title"], description=resource["description"],
                 distributions=[*csv_forms(resource["path"]),
                                Distribution(json_url, "application/json", "JSON", "json", "JSON")],
                 territories=territories, period=period, frequency="IRREG", modified=publication.created_at,
                 version=str(publication.version), keywords=["questionnaire", "perception"],
                 page=url_for("surveys.results_version", survey_id=publication.survey_id,
                              version=publication.version, _external=True))


def changes_entry(publication: Publication, resource: dict) -> Entry:
    """A wave's changes since the previous wave: its CSV and JSON at this wave's version. The
    period runs from the previous wave's opening to this wave's closing; the file changes
    when either wave publishes a correction (irregular updates)."""
    survey = publication.survey
    territories, (_opens, closes) = coverage(resource["name"], survey)
    previous = survey.previous_wave
    json_url = url_for("api.survey_changes", survey_id=publication.survey_id, version=publication.version,
                       _external=True)
    modified = max(publication.created_at, previous.latest_publication.created_at)
    return Entry(name=resource["name"], title=resource["title"], description=resource["description"],
                 distributions=[*csv_forms(resource["path"]),
                                Distribution(json_url, "application/json", "JSON", "json", "JSON")],
                 territories=territories, period=(previous.opens_at, closes), frequency="IRREG",
                 modified=modified, version=str(publication.version),
                 keywords=["questionnaire", "perception", "vagues"],
                 # The wave's results page shows the changes, statement by statement.
                 page=url_for("surveys.results", survey_id=publication.survey_id, _external=True))


def _typed(value) -> dict | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return {"@value": value.isoformat(timespec="seconds"), "@type": "xsd:dateTime"}
    return {"@value": value.isoformat(), "@type": "xsd:date"}


def _concept(uri: str, **labels: str) -> dict:
    return {"@id": uri, "@type": "skos:Concept",
            "skos:prefLabel": [{"@value": text, "@language": lang} for lang, text in labels.items()]}


def _licence() -> dict:
    # Etalab 2.0 asks only that the source be credited: ADMS's "attribution" type of licence.
    return {"@id": LICENCE_URI, "@type": "dct:LicenseDocument", "dct:identifier": LICENCE["name"],
            "dct:title": LICENCE["title"],
            "dct:type": _concept("http://purl.org/adms/licencetype/Attribution", en="Attribution")}


def _themes(name: str) -> list[dict]:
    """Every dataset is about the internationalisation of territories; the authorities' own
    action and decisions are also government, the residents' answers population."""
    codes = ["INTR", "REGI"] + (["GOVE"] if name in GOVERNMENT else []) + (
        ["SOCI"] if name.startswith("survey-") else [])
    return [dict(_concept(f"{THEMES}/{code}", fr=THEME_LABELS[code][0], en=THEME_LABELS[code][1]),
                 **{"skos:inScheme": {"@id": THEMES}}) for code in codes]


def _distribution(entry: Entry, d: Distribution, catalogue_url: str) -> dict:
    return {
        "@id": f"{catalogue_url}#{entry.name}-{d.key}", "@type": "dcat:Distribution",
        "dct:title": f"{entry.title} — {d.label}", "dct:description": _french(FORM_DESCRIPTIONS[d.key]),
        "dct:format": {"@id": FILE_TYPE + d.format, "@type": "dct:MediaTypeOrExtent"},
        "dcat:accessURL": {"@id": d.url}, "dcat:downloadURL": {"@id": d.url},
        "dcat:mediaType": {"@id": MEDIA_TYPE + d.media_type, "@type": "dct:MediaType"}, "dct:license": _licence(),
        # Every address stays: a survey's file is pinned to its version, the others are kept current.
        "dcatap:availability": _concept(EU + "planned-availability/STABLE", en="stable"),
    }


def _location(territory: dict) -> dict:
    return {"@type": "dct:Location", "dct:identifier": territory["code"], "skos:prefLabel": territory["name"],
            "dct:type": territory["kind"],
            "skos:inScheme": {"@id": COG_URI, "dct:title": f"Code officiel géographique {COG_YEAR}",
                              "owl:versionInfo": str(COG_YEAR)}}


def _french(text: str) -> dict:
    return {"@value": text, "@language": "fr"}


def dcat_dataset(entry: Entry, catalogue_url: str, landing_page: str, publisher: dict, contact: dict) -> dict:
    start, end = entry.period
    temporal = {"@type": "dct:PeriodOfTime"}
    if start is not None:
        temporal["dcat:startDate"] = _typed(start)
    if end is not None:
        temporal["dcat:endDate"] = _typed(end)
    dataset = {
        "@id": f"{catalogue_url}#{entry.name}", "@type": "dcat:Dataset", "dct:identifier": entry.name,
        "dct:title": _french(entry.title), "dct:description": _french(entry.description),
        "dct:publisher": publisher, "dcat:contactPoint": contact, "dct:license": _licence(),
        "dct:accessRights": {"@id": EU + "access-right/PUBLIC", "@type": "dct:RightsStatement"},
        "dct:spatial": [_location(t) for t in entry.territories], "dct:temporal": temporal,
        "dct:accrualPeriodicity": {"@id": FREQUENCY + entry.frequency, "@type": "dct:Frequency"},
        "owl:versionInfo": entry.version, "dcat:landingPage": {"@id": entry.page or landing_page, "@type": "foaf:Document"},
        "dcat:keyword": entry.keywords or ["données ouvertes"], "dcat:theme": _themes(entry.name),
        "dcat:distribution": [_distribution(entry, d, catalogue_url) for d in entry.distributions],
    }
    if entry.modified is not None:
        dataset["dct:modified"] = _typed(entry.modified)
    return dataset


def dcat_catalogue(items: list[Entry], state: DataState, catalogue_url: str, landing_page: str,
                   site_name: str, site_url: str, contact_email: str) -> dict:
    """The DCAT-AP catalogue as a JSON-LD document."""
    publisher = {"@id": site_url, "@type": "foaf:Agent", "foaf:name": site_name}
    contact = {"@id": f"{catalogue_url}#contact", "@type": "vcard:Kind", "vcard:fn": site_name,
               "vcard:hasEmail": {"@id": f"mailto:{contact_email}"}}
    catalogue = {
        "@context": CONTEXT, "@id": catalogue_url, "@type": "dcat:Catalog",
        "dct:title": _french(f"{site_name} — données ouvertes"),
        "dct:description": _french("Constats, indicateurs et action extérieure des collectivités, consultations "
                                   "publiques, engagements et résultats des questionnaires, sous Licence Ouverte "
                                   "2.0 (etalab-2.0)."),
        "dct:publisher": publisher, "dct:license": _licence(),
        "foaf:homepage": {"@id": landing_page, "@type": "foaf:Document"},
        "dct:language": {"@id": EU + "language/FRA", "@type": "dct:LinguisticSystem"},
        "dcat:themeTaxonomy": {"@id": THEMES, "@type": "skos:ConceptScheme",
                               "dct:title": {"@value": "Data theme", "@language": "en"}},
        "owl:versionInfo": state.version,
        "dcat:dataset": [dcat_dataset(entry, catalogue_url, landing_page, publisher, contact) for entry in items],
    }
    if state.last_modified is not None:
        catalogue["dct:modified"] = _typed(state.last_modified)
    return catalogue


def schema_org(entry: Entry, page_url: str, catalogue_url: str, site_name: str) -> dict:
    """The dataset as a schema.org `Dataset`, for a page's <script type="application/ld+json">."""
    start, end = entry.period
    dataset = {
        "@context": "https://schema.org", "@type": "Dataset", "@id": f"{catalogue_url}#{entry.name}",
        "name": entry.title, "description": entry.description, "url": page_url, "inLanguage": "fr",
        "license": LICENCE_URI, "isAccessibleForFree": True, "version": entry.version,
        "creator": {"@type": "Organization", "name": site_name},
        "includedInDataCatalog": {"@type": "DataCatalog", "name": f"{site_name} — données ouvertes",
                                  "url": catalogue_url},
        "spatialCoverage": [{"@type": "Place", "name": t["name"], "identifier": {
            "@type": "PropertyValue", "propertyID": f"COG {COG_YEAR}", "value": t["code"]}}
            for t in entry.territories[:PAGE_PLACES]],
        "distribution": [{"@type": "DataDownload", "contentUrl": d.url, "encodingFormat": d.media_type,
                          "license": LICENCE_URI} for d in entry.distributions],
    }
    if start is not None or end is not None:
        dataset["temporalCoverage"] = f"{_iso_day(start) or '..'}/{_iso_day(end) or '..'}"
    if entry.modified is not None:
        dataset["dateModified"] = entry.modified.isoformat(timespec="seconds")
    return dataset


def _iso_day(value) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, date) else None
