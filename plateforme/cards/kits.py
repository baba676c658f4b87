"""The debate kits' PDFs, built by the task queue and kept in the database.

Laying out a kit takes a noticeable time (fonts embedded, every line measured): it is done
once per published version and language, by a task enqueued when the version's publication
commits, and stored as a row (`CardKitPdf`) that every web server reads. The page asks for
it and, if it is not there yet (the queue is behind, or the kick was lost), says so and
enqueues it; the sweep builds what is missing in any case. A version never changes once
published, so neither does its kit: built once, served as is.
"""
from __future__ import annotations

import hashlib
import logging

from flask import current_app
from flask_babel import force_locale, get_locale
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..core.tasks import crontab, enqueue_after_commit, periodic_task, task
from ..core.transactions import immediate_transactions
from ..core.urls import external_url_for
from ..extensions import db
from ..observatory.models import DEFAULT_LICENCE
from .models import CardKitPdf, IssueCardVersion, VersionStatus
from .pdf import KitLinks, build_kit_pdf

log = logging.getLogger("plateforme.cards")

SWEEP_BATCH = 20  # versions per sweep: the sweep is a catch-up, not a rebuild of everything


def kit_language() -> str:
    """The reader's language among those kits are made in."""
    languages = current_app.config["LANGUAGES"]
    language = str(get_locale() or languages[0]).split("_")[0]
    return language if language in languages else languages[0]


def stored_kit(version_id: int, language: str) -> CardKitPdf | None:
    return db.session.execute(select(CardKitPdf).filter_by(version_id=version_id, language=language)).scalar_one_or_none()


def _links(version: IssueCardVersion) -> KitLinks:
    """The printed links, to SITE_URL (core/urls.py): a kit is built by the consumer."""
    return KitLinks(card=external_url_for("cards.show", card_id=version.card_id),
                    findings={f.id: external_url_for("observatory.finding", finding_id=f.id) for f in version.findings})


def build_kit(version_id: int, language: str) -> bool:
    """Lay out and store the kit of `version_id` in `language`; True if this call stored it.
    Only the card's public version gets one; an existing kit is left as it is."""
    with immediate_transactions():
        version = db.session.get(IssueCardVersion, version_id)
        if version is None or version.status != VersionStatus.PUBLISHED or stored_kit(version_id, language):
            db.session.rollback()
            return False
        with force_locale(language):
            pdf = build_kit_pdf(version.card, version, _links(version), DEFAULT_LICENCE)
        db.session.add(CardKitPdf(version_id=version_id, language=language, content=pdf,
                                  sha256=hashlib.sha256(pdf).hexdigest()))
        try:
            db.session.commit()
        except IntegrityError:  # another consumer stored it first: same version, same kit
            db.session.rollback()
            return False
    log.info("debate kit built: card version %s, %s, %s bytes", version_id, language, len(pdf))
    return True


@task()
def build_card_kits(version_id: int) -> None:
    """Every language's kit of a version just published (or asked for by a reader)."""
    for language in current_app.config["LANGUAGES"]:
        build_kit(version_id, language)


def kits_after_publication(version: IssueCardVersion) -> None:
    """Called in the transaction that publishes `version`: its kits are built once it commits."""
    enqueue_after_commit(db.session, build_card_kits, version.id)


def build_missing_kits(batch: int = SWEEP_BATCH) -> int:
    """Build the kits public versions lack (a lost kick, a language added); how many."""
    languages = current_app.config["LANGUAGES"]
    have = (select(func.count(CardKitPdf.id)).where(CardKitPdf.version_id == IssueCardVersion.id)
            .scalar_subquery())
    ids = db.session.execute(select(IssueCardVersion.id).where(IssueCardVersion.status == VersionStatus.PUBLISHED,
                                                               have < len(languages))
                             .order_by(IssueCardVersion.id).limit(batch)).scalars().all()
    db.session.rollback()
    return sum(build_kit(version_id, language) for version_id in ids for language in languages)


@periodic_task(crontab(minute="*/5"))
def sweep_card_kits() -> None:
    built = build_missing_kits()
    if built:
        log.info("debate kits caught up by the sweep: %s", built)
