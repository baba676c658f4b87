"""The open-data bundle: one zip of every public dataset, built by the task queue.

Its members are the very files the site serves one by one, written by the same functions, so
they cannot disagree: every dataset of the data package (datapackage.py) in its CSV — the
observatory's four files, the consultations and commitments, every published version of every
survey's results, each wave's changes since the previous wave — and, for the surveys, the JSON
document each CSV is written from. Not the spreadsheet variants (CSV for Excel, XLSX) nor the
observatory's JSON twins: the same rows in another form. At its root, `datapackage.json`
describes every member (its path in the zip, its size and SHA-256) with the very builder of
the served package; its version is a digest of the other members, with no date, so the same
data give the same bytes.

A periodic task rebuilds it when the data changed: when the page cache's change marks
(core/page_cache.py) show a write to one of its tables since the last look, or at every run
when there is no cache to ask; a build whose members are byte for byte those of the stored bundle stores
nothing, so the file's date (Last-Modified, shown on the open-data page) is that of its data.
It is kept in the database: every web server serves the same file.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import zipfile

from flask import current_app, url_for
from flask_babel import force_locale
from sqlalchemy import delete, select

from ..consultations.exports import stream_commitments_csv, stream_consultations_csv
from ..core.models import local_today
from ..core.page_cache import CHANGED_KEY, UNREACHABLE, _enabled as page_cache_enabled, untold_changes
from ..core.tasks import crontab, periodic_task, task
from ..core.transactions import immediate_transactions
from ..core.urls import site_address
from ..extensions import cache, db
from ..observatory.exports import finding_extra, stream_csv
from ..observatory.resources import FINDINGS, RESOURCES
from ..surveys.publication import publication_csv
from ..surveys.wave_publication import comparison_csv, comparison_document
from .datapackage import DataState, Paths, data_package, publications_by_survey
from .models import OpenDataBundle

log = logging.getLogger("plateforme.publication")

# The tables the members are read from: a write to one of them calls for a rebuild.
SOURCE_TABLES = ("finding", "finding_version", "finding_review", "indicator", "indicator_value", "external_action",
                 "organisation", "consultation", "consultation_phase", "synthesis", "authority_response",
                 "commitment", "commitment_update", "perception_survey", "survey_publication", "territory")
MARKS_KEY = "opendata:marks"
# Raise it when what the members hold changes (a new file, a new column): the running sites
# then rebuild their bundle at the next sweep (_change_marks).
BUNDLE_LAYOUT = 2
# Every member gets this date in the zip: the bytes depend on the data only.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
DESCRIPTOR = "datapackage.json"
TABLE_MEMBERS = {"api.consultations_csv": "consultations/consultations.csv",
                 "api.commitments_csv": "consultations/engagements.csv"}
# The members' names, for the files and for the descriptor's paths alike.
PATHS = Paths(
    observatory=lambda resource, fmt: f"observatoire/{resource.slug}.{fmt}",
    table=TABLE_MEMBERS.__getitem__,
    results=lambda p, fmt: f"questionnaires/questionnaire-{p.survey_id}-v{p.version}.{fmt}",
    changes=lambda p, fmt: f"questionnaires/questionnaire-{p.survey_id}-v{p.version}-evolution.{fmt}",
)


def _consultation_url(consultation_id: int) -> str:
    return url_for("consultations.show", consultation_id=consultation_id, _external=True)


def bundle_members() -> dict[str, bytes]:
    """Each file of the bundle, by its name in the zip, the descriptor included."""
    # The descriptor's titles are translated strings: the bundle is the same whoever asks.
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")):
        members = data_members()
        members[DESCRIPTOR] = descriptor(members)
    return members


def data_members() -> dict[str, bytes]:
    """The data files of the bundle, by their name in the zip."""
    members: dict[str, bytes] = {}
    prefix = url_for("observatory.findings", _external=True)
    for resource in RESOURCES.values():
        extra = finding_extra(lambda finding_id: f"{prefix}/{finding_id}") if resource is FINDINGS else None
        members[PATHS.observatory(resource, "csv")] = "".join(
            stream_csv(resource, resource.statement(), extra)).encode("utf-8")
    today = local_today()  # a commitment's "overdue" column follows the calendar
    members[PATHS.table("api.consultations_csv")] = "".join(
        stream_consultations_csv(today, _consultation_url)).encode("utf-8")
    members[PATHS.table("api.commitments_csv")] = "".join(
        stream_commitments_csv(today, _consultation_url)).encode("utf-8")
    for versions in publications_by_survey():
        for publication in versions:
            members[PATHS.results(publication, "json")] = publication.payload.encode("utf-8")
            members[PATHS.results(publication, "csv")] = publication_csv(publication).encode("utf-8")
        # A wave's changes at its latest version, as the data package lists them.
        latest = versions[-1]
        document = comparison_document(latest.survey, latest)
        if document is not None:
            members[PATHS.changes(latest, "csv")] = comparison_csv(document).encode("utf-8")
            members[PATHS.changes(latest, "json")] = current_app.json.response(document).get_data()  # as jsonify
    return members


def descriptor(members: dict[str, bytes]) -> bytes:
    """The data package of the bundle's members: the served package's builder, with the
    members' paths, sizes and SHA-256. No date: its version is the members' digest."""
    state = DataState(last_modified=None, version=data_version(members)[:16])
    package = data_package(None, current_app.config["SITE_NAME"], url_for("observatory.index", _external=True),
                           state, paths=PATHS, bundle=True)
    for resource in package["resources"]:
        content = members[resource["path"]]  # a resource without its member fails the build
        resource["bytes"], resource["hash"] = len(content), f"sha256:{hashlib.sha256(content).hexdigest()}"
    return (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def data_version(members: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(members):
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(members[name]).digest())
    return digest.hexdigest()


def zip_members(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            archive.writestr(zipfile.ZipInfo(name, date_time=ZIP_DATE), members[name],
                             compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def latest_bundle() -> OpenDataBundle | None:
    return db.session.execute(select(OpenDataBundle).order_by(OpenDataBundle.id.desc()).limit(1)).scalar_one_or_none()


def bundle_built_at():
    """When the served bundle was built (None before the first build), without its bytes."""
    return db.session.execute(select(OpenDataBundle.created_at).order_by(OpenDataBundle.id.desc())
                              .limit(1)).scalar_one_or_none()


def build_bundle() -> bool:
    """Build the bundle and store it if its data differ from the stored one's; True if stored."""
    # Stored and served to everyone: its links on SITE_URL, never on a request's Host.
    with site_address():
        members = bundle_members()
    # The exports read through server-side cursors, an option they set on the session's
    # connection: the writing below starts on a fresh one.
    db.session.close()
    version = data_version(members)
    with immediate_transactions():
        latest = latest_bundle()
        if latest is not None and latest.data_version == version:
            db.session.rollback()
            return False
        content = zip_members(members)
        db.session.add(OpenDataBundle(data_version=version, content=content,
                                      sha256=hashlib.sha256(content).hexdigest()))
        db.session.flush()
        newest = db.session.execute(select(OpenDataBundle.id).order_by(OpenDataBundle.id.desc()).limit(1)).scalar()
        db.session.execute(delete(OpenDataBundle).where(OpenDataBundle.id < newest))
        db.session.commit()
    log.info("open-data bundle built: %s files, %s bytes", len(members), len(content))
    return True


def _change_marks() -> str | None:
    """The page cache's change numbers of the source tables and the day; None without a cache."""
    if not page_cache_enabled() or untold_changes():
        return None
    try:
        marks = cache.get_many(*(CHANGED_KEY + table for table in SOURCE_TABLES))
    except UNREACHABLE:
        return None  # built, as without a cache
    # The layout and the site's address are part of it: a deployment that changes either is
    # rebuilt at the next sweep, not at the next change of data.
    site = current_app.config.get("SITE_URL") or ""
    return f"{BUNDLE_LAYOUT}|{site}|{local_today().isoformat()}|" + ",".join(str(mark or 0) for mark in marks)


def rebuild_if_changed() -> bool:
    """The sweep: build when a source table changed since the last look (or always, without a
    cache to tell); True if a new bundle was stored."""
    marks = _change_marks()
    if marks is not None and cache.get(MARKS_KEY) == marks and bundle_built_at() is not None:
        return False
    stored = build_bundle()
    if marks is not None:
        cache.set(MARKS_KEY, marks, timeout=0)
    return stored


@task()
def build_bundle_task() -> None:
    """Asked for by a visitor before the first build."""
    build_bundle()


@periodic_task(crontab(minute="*/5"))
def sweep_open_data_bundle() -> None:
    rebuild_if_changed()
