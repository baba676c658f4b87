"""Issue-card operations: draft a card, change its draft, start a new version of a
published card, submit a version, publish it or send it back with a note.

A published version is never changed: a change is a new draft version (a copy of the
public one, evidence included) with a change note, published in its turn; the version it
replaces becomes SUPERSEDED and stays readable in the history. Refusals are `CardError`s
naming the form field they concern; nothing is saved when one is raised.
"""
from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..core.models import utcnow
from ..core.permissions import PREDICATES
from ..core.sanitize import clean_line
from ..extensions import db
from ..observatory.services import OBSERVED_KINDS
from ..territories.models import Territory
from .evidence import available_findings, available_values
from .kits import kits_after_publication
from .models import (
    CardTransitionError, IssueCard, IssueCardVersion, PoliticalStatus, VersionStatus, card_version_finding,
)

log = logging.getLogger("plateforme.cards")

TEXT_LIMIT = 10000


class CardError(ValueError):
    """A refusal the person can act on; `field` names the form field when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class CardInput:
    title: str
    summary: str
    political_status: PoliticalStatus | str
    stakes: str = ""
    known: str = ""
    unknown: str = ""
    questions: str = ""
    finding_ids: list = field(default_factory=list)
    value_ids: list = field(default_factory=list)


def _kept(ch: str) -> bool:
    # No-break spaces are not "printable" for Python, but French typography needs them (« … »).
    return ch.isprintable() or ch == "\t" or unicodedata.category(ch) == "Zs"


def clean_text(text: str | None) -> str:
    """Multi-line text: line breaks kept, other control characters dropped, ends trimmed."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = ["".join(ch for ch in line if _kept(ch)).rstrip() for line in lines]
    return "\n".join(kept).strip()


def _ids(raw, message: str, field_name: str) -> set[int]:
    try:
        ids = {int(str(value).strip()) for value in raw or []}
    except ValueError:
        raise CardError(message, field_name)
    if any(i < 1 or i > 2**31 - 1 for i in ids):
        raise CardError(message, field_name)
    return ids


def _evidence(territory: Territory, data: CardInput):
    """The findings and values the input cites, checked against what the territory offers."""
    finding_ids = _ids(data.finding_ids, _("Un des constats choisis n'existe pas."), "findings")
    findings = available_findings(territory, finding_ids) if finding_ids else []
    if len(findings) != len(finding_ids):
        raise CardError(_("Seuls les constats publiés de ce territoire, de ses communes ou de son "
                          "intercommunalité peuvent être cités. Un des constats choisis ne l'est pas "
                          "(ou plus) : décochez-le."), "findings")
    value_ids = _ids(data.value_ids, _("Un des chiffres choisis n'existe pas."), "values")
    values = available_values(territory, value_ids) if value_ids else []
    if len(values) != len(value_ids):
        raise CardError(_("Seuls les chiffres de l'observatoire pour ce territoire, ses communes ou son "
                          "intercommunalité peuvent être cités. Un des chiffres choisis ne l'est pas : "
                          "décochez-le."), "values")
    return sorted(findings, key=lambda f: f.id), sorted(values, key=lambda v: v.id)


def _apply(version: IssueCardVersion, territory: Territory, data: CardInput) -> None:
    title = clean_line(data.title)
    if len(title) < 5 or len(title) > 200:
        raise CardError(_("Donnez à la fiche un titre de 5 à 200 caractères."), "title")
    summary = clean_text(data.summary)
    if not summary:
        raise CardError(_("Écrivez le résumé en langage courant."), "summary")
    try:
        status = PoliticalStatus(data.political_status)
    except ValueError:
        raise CardError(_("Dites si le sujet est consensuel, invisible ou clivant."), "political_status")
    texts = {"summary": summary, "stakes": clean_text(data.stakes), "known": clean_text(data.known),
             "unknown": clean_text(data.unknown), "questions": clean_text(data.questions)}
    for name, text in texts.items():
        if len(text) > TEXT_LIMIT:
            raise CardError(_("%(limit)s caractères au plus.", limit="10 000"), name)
    with db.session.no_autoflush:
        findings, values = _evidence(territory, data)
    version.title = title
    version.political_status = status
    for name, text in texts.items():
        setattr(version, name, text)
    version.findings = findings
    version.indicator_values = values


def create_card(author: User, territory: Territory | None, data: CardInput) -> IssueCard:
    """A new card on `territory`, with its first version as a draft written by `author`."""
    if territory is None:
        raise CardError(_("Ce territoire est introuvable : recommencez en choisissant le territoire."), "territory")
    if territory.kind not in OBSERVED_KINDS:
        raise CardError(_("Choisissez l'intercommunalité, une commune ou un arrondissement."), "territory")
    version = IssueCardVersion(number=1, status=VersionStatus.DRAFT, author=author)
    _apply(version, territory, data)
    card = IssueCard(territory=territory, created_by=author, title=version.title,
                     political_status=version.political_status)
    version.card = card
    db.session.add(card)
    db.session.flush()
    log.info("issue card %s drafted by user %s", card.id, author.id)
    return card


def _clean_change_note(change_note: str | None) -> str:
    change_note = clean_line(change_note)
    if not change_note:
        raise CardError(_("Dites en une phrase ce qui change dans cette nouvelle version."), "change_note")
    if len(change_note) > 500:
        raise CardError(_("500 caractères au plus."), "change_note")
    return change_note


def update_draft(version: IssueCardVersion, data: CardInput, change_note: str | None = None) -> IssueCardVersion:
    """Change a draft version (and, from version 2 on, its change note when given).
    Submitted and published versions are never edited."""
    if not version.is_editable:
        raise CardError(refusal_to_edit(version))
    if change_note is not None and version.number > 1:
        version.change_note = _clean_change_note(change_note)
    _apply(version, version.card.territory, data)
    card = version.card
    if card.published_version_id is None:
        # Lists show the title of a card never published too (to its authors and moderators).
        card.title, card.political_status = version.title, version.political_status
    card.updated_at = utcnow()
    db.session.flush()
    return version


def refusal_to_edit(version: IssueCardVersion) -> str:
    """Why this version cannot be edited, and what to do instead."""
    if version.status == VersionStatus.SUBMITTED:
        return _("La version %(n)s attend sa publication : elle ne peut plus être modifiée. Une personne de la "
                 "modération peut vous la renvoyer avec ses remarques.", n=version.number)
    return _("La version %(n)s est publiée : on ne modifie jamais une version publiée. Créez une nouvelle version, "
             "en disant ce qui change ; la version actuelle reste en ligne jusqu'à la publication de la nouvelle.",
             n=version.number)


def start_new_version(card: IssueCard, by: User, data: CardInput | None, change_note: str) -> IssueCardVersion:
    """A new draft version of a published card, with a public note saying what changes.

    Without `data`, the new version starts as a copy of the public one, evidence included
    (the form starts from that copy too).
    """
    working = card.working_version
    if working is not None:
        raise CardError(_("La version %(n)s est déjà en cours (%(status)s) : terminez-la avant d'en commencer une "
                          "autre.", n=working.number, status=_status_word(working.status)))
    if card.published_version_id is None:
        raise CardError(_("Cette fiche n'est pas encore publiée : modifiez son brouillon."))
    change_note = _clean_change_note(change_note)
    version = IssueCardVersion(number=card.latest_version.number + 1, status=VersionStatus.DRAFT, author=by,
                               change_note=change_note)
    _apply(version, card.territory, data if data is not None else copy_of(card.published_version))
    version.card = card  # attached once complete: an autoflush never meets a half-built row
    card.updated_at = utcnow()
    db.session.add(version)
    db.session.flush()
    log.info("issue card %s: version %s started by user %s", card.id, version.number, by.id)
    return version


def copy_of(version: IssueCardVersion) -> CardInput:
    """The content of `version` as input for a new one (what the new-version form starts from)."""
    return CardInput(title=version.title, summary=version.summary, political_status=version.political_status,
                     stakes=version.stakes, known=version.known, unknown=version.unknown,
                     questions=version.questions, finding_ids=[f.id for f in version.findings],
                     value_ids=[v.id for v in version.indicator_values])


def _status_word(status: VersionStatus) -> str:
    from .labels import VERSION_STATUS_LABELS

    return str(VERSION_STATUS_LABELS[status])


def _move(version: IssueCardVersion, status: VersionStatus) -> None:
    try:
        version.move_to(status)
    except CardTransitionError:
        raise CardError(_("Cette action n'est pas possible : la version %(n)s est %(status)s.",
                          n=version.number, status=_status_word(version.status)))


def submit_version(version: IssueCardVersion, by: User) -> None:
    """Send a draft to the moderators of the territory for publication."""
    if not version.title.strip() or not version.summary.strip():
        raise CardError(_("Une fiche a besoin d'un titre et d'un résumé avant d'être soumise."))
    _move(version, VersionStatus.SUBMITTED)
    version.card.updated_at = utcnow()
    db.session.flush()
    log.info("issue card %s: version %s submitted by user %s", version.card_id, version.number, by.id)


def publish_version(version: IssueCardVersion, by: User) -> None:
    """Make a submitted version the card's public one; the one it replaces is superseded."""
    card = version.card
    if not PREDICATES["can_publish_card"](by, card):
        raise CardError(_("Seule la modération du territoire (ou l'administration) publie une fiche."))
    if version.status != VersionStatus.SUBMITTED:
        raise CardError(_("Cette action n'est pas possible : la version %(n)s est %(status)s.",
                          n=version.number, status=_status_word(version.status)))
    previous = card.published_version
    if previous is not None and previous.id != version.id:
        _move(previous, VersionStatus.SUPERSEDED)
    _move(version, VersionStatus.PUBLISHED)
    version.published_by = by
    version.review_note = ""
    card.published_version = version
    card.title, card.political_status = version.title, version.political_status
    now = utcnow()
    card.first_published_at = card.first_published_at or now
    card.updated_at = now
    db.session.flush()
    kits_after_publication(version)
    log.info("issue card %s: version %s published by user %s", card.id, version.number, by.id)


def return_to_draft(version: IssueCardVersion, by: User, note: str) -> None:
    """Send a submitted version back to its authors, with the moderator's note."""
    if not PREDICATES["can_publish_card"](by, version.card):
        raise CardError(_("Seule la modération du territoire (ou l'administration) relit une fiche."))
    note = clean_text(note)
    if len(note) < 5:
        raise CardError(_("Expliquez aux auteurs ce qu'il faut revoir (5 caractères au moins)."), "note")
    _move(version, VersionStatus.DRAFT)
    version.review_note = note[:TEXT_LIMIT]
    version.card.updated_at = utcnow()
    db.session.flush()
    log.info("issue card %s: version %s sent back by user %s", version.card_id, version.number, by.id)


def cards_citing_finding(finding_id: int) -> list[IssueCard]:
    """Published cards whose public version cites the finding, most recently updated first."""
    stmt = (select(IssueCard)
            .join(card_version_finding, card_version_finding.c.version_id == IssueCard.published_version_id)
            .where(card_version_finding.c.finding_id == finding_id)
            .order_by(IssueCard.updated_at.desc(), IssueCard.id.desc()))
    return list(db.session.execute(stmt).scalars())
