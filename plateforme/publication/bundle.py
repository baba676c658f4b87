"""The open-data bundle: one zip of every public dataset, built by the task queue.

Its members are the very files the site serves one by one (the observatory's CSV, the
consultations' and commitments' CSV, every published version of every survey's results in
JSON and CSV), written by the same functions, so they cannot disagree. A periodic task
rebuilds it when the data changed: when the page cache's change marks (core/page_cache.py)
show a write to one of its tables since the last look, or at every run when there is no
cache to ask; a build whose members are byte for byte those of the stored bundle stores
nothing, so the file's date (Last-Modified, shown on the open-data page) is that of its data.
It is kept in the database: every web server serves the same file.
"""
from __future__ import annotations

import hashlib
import io
import logging
import zipfile

from flask import current_app, has_request_context, url_for
from sqlalchemy import delete, select

from ..consultations.exports import stream_commitments_csv, stream_consultations_csv
from ..core.models import local_today
from ..core.page_cache import CHANGED_KEY, _enabled as page_cache_enabled
from ..core.tasks import crontab, periodic_task, task
from ..core.transactions import immediate_transactions
from ..extensions import cache, db
from ..observatory.exports import finding_extra, stream_csv
from ..observatory.resources import FINDINGS, RESOURCES
from ..surveys.models import PerceptionSurvey, Publication
from ..surveys.publication import publication_csv
from .models import OpenDataBundle

log = logging.getLogger("plateforme.publication")

# The tables the members are read from: a write to one of them calls for a rebuild.
SOURCE_TABLES = ("finding", "finding_version", "finding_review", "indicator", "indicator_value", "external_action",
                 "organisation", "consultation", "consultation_phase", "synthesis", "authority_response",
                 "commitment", "commitment_update", "perception_survey", "survey_publication", "territory")
MARKS_KEY = "opendata:marks"
# Every member gets this date in the zip: the bytes depend on the data only.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def _consultation_url(consultation_id: int) -> str:
    return url_for("consultations.show", consultation_id=consultation_id, _external=True)


def bundle_members() -> dict[str, bytes]:
    """Each file of the bundle, by its name in the zip."""
    members: dict[str, bytes] = {}
    prefix = url_for("observatory.findings", _external=True)
    for resource in RESOURCES.values():
        extra = finding_extra(lambda finding_id: f"{prefix}/{finding_id}") if resource is FINDINGS else None
        members[f"observatoire/{resource.slug}.csv"] = "".join(
            stream_csv(resource, resource.statement(), extra)).encode("utf-8")
    today = local_today()  # a commitment's "overdue" column follows the calendar
    members["consultations/consultations.csv"] = "".join(
        stream_consultations_csv(today, _consultation_url)).encode("utf-8")
    members["consultations/engagements.csv"] = "".join(
        stream_commitments_csv(today, _consultation_url)).encode("utf-8")
    publications = db.session.execute(
        select(Publication).join(PerceptionSurvey).order_by(Publication.survey_id, Publication.version)).scalars()
    for publication in publications:
        name = f"questionnaires/questionnaire-{publication.survey_id}-v{publication.version}"
        members[f"{name}.json"] = publication.payload.encode("utf-8")
        members[f"{name}.csv"] = publication_csv(publication).encode("utf-8")
    return members


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
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        members = bundle_members()
    else:
        with current_app.test_request_context():  # a consumer: the configured host (as emails do)
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
    if not page_cache_enabled():
        return None
    marks = cache.get_many(*(CHANGED_KEY + table for table in SOURCE_TABLES))
    return f"{local_today().isoformat()}|" + ",".join(str(mark or 0) for mark in marks)


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
