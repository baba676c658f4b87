"""Card operations: drafting with evidence, versions, transitions, supersession, refusals."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plateforme.cards.models import IssueCard, IssueCardVersion, PoliticalStatus, VersionStatus
from plateforme.cards.services import (
    CardError, cards_citing_finding, create_card, publish_version, return_to_draft, start_new_version,
    submit_version, update_draft,
)

from .helpers import BRON, card_input


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_draft_card_keeps_its_content_and_evidence_in_version_1(cards, db):
    card = cards.draft(finding_ids=[cards.finding.id], value_ids=[str(cards.value_villeurbanne.id)])
    version = card.latest_version
    assert (version.number, version.status) == (1, VersionStatus.DRAFT)
    assert version.author_id == cards.elected.id and card.created_by_id == cards.elected.id
    assert [f.id for f in version.findings] == [cards.finding.id]
    assert [v.id for v in version.indicator_values] == [cards.value_villeurbanne.id]
    assert version.question_list == ["Faut-il construire des logements dédiés ?", "Comment mieux les accueillir ?"]
    assert card.published_version_id is None and not card.is_public
    assert card.title == "L'accueil des étudiants étrangers"


@pytest.mark.parametrize("overrides, field", [
    ({"title": "Bof"}, "title"),
    ({"title": "   "}, "title"),
    ({"summary": "  \n "}, "summary"),
    ({"political_status": "tiede"}, "political_status"),
    ({"finding_ids": ["abc"]}, "findings"),
    ({"finding_ids": [999999]}, "findings"),
    ({"value_ids": [999999]}, "values"),
])
def test_bad_input_is_refused_with_the_field_and_nothing_saved(cards, db, overrides, field):
    with pytest.raises(CardError) as refusal:
        create_card(cards.elected, cards.epci, card_input(**overrides))
    assert refusal.value.field == field and refusal.value.message
    db.session.rollback()
    assert _count(db, IssueCard) == 0 and _count(db, IssueCardVersion) == 0


def test_only_published_findings_can_be_cited(cards, db):
    withdrawn = cards.obs.finding(title="Un constat retiré de la circulation")
    from plateforme.observatory.services import withdraw_finding

    withdraw_finding(withdrawn, cards.obs.author, "Les chiffres ont été corrigés par la source.")
    db.session.commit()
    for finding in (cards.draft_finding, withdrawn):
        with pytest.raises(CardError) as refusal:
            create_card(cards.elected, cards.epci, card_input(finding_ids=[finding.id]))
        assert refusal.value.field == "findings"
        db.session.rollback()


def test_evidence_comes_from_the_territory_its_communes_and_its_epci(cards, db):
    # A card on the Métropole cites what is observed in its communes.
    card = cards.draft(finding_ids=[cards.finding_bron.id], value_ids=[cards.value_bron.id])
    assert card.latest_version.findings == [cards.finding_bron]
    # A card on Villeurbanne cites the Métropole's figures, not Bron's.
    card = cards.draft(territory=cards.villeurbanne, finding_ids=[cards.finding.id],
                       value_ids=[cards.value_epci.id, cards.value_villeurbanne.id])
    assert len(card.latest_version.indicator_values) == 2
    for overrides in ({"finding_ids": [cards.finding_bron.id]}, {"value_ids": [cards.value_bron.id]}):
        with pytest.raises(CardError):
            create_card(cards.elected, cards.villeurbanne, card_input(**overrides))
        db.session.rollback()


def test_a_card_needs_an_observed_territory(cards, db, make):
    from plateforme.territories.models import TerritoryKind

    with pytest.raises(CardError) as refusal:
        create_card(cards.elected, None, card_input())
    assert refusal.value.field == "territory"
    departement = make.territory("69", TerritoryKind.DEPARTEMENT)
    if departement is not None:
        with pytest.raises(CardError):
            create_card(cards.elected, departement, card_input())


def test_publishing_sets_the_public_version_and_denormalised_fields(cards, db):
    card = cards.submitted(political_status=PoliticalStatus.DIVISIVE)
    version = card.latest_version
    assert version.status == VersionStatus.SUBMITTED and version.submitted_at is not None
    publish_version(version, cards.moderator)
    db.session.commit()
    assert card.published_version_id == version.id and card.is_public
    assert version.status == VersionStatus.PUBLISHED and version.published_by_id == cards.moderator.id
    assert version.published_at is not None and card.first_published_at is not None
    assert card.political_status == PoliticalStatus.DIVISIVE


def test_a_new_version_replaces_the_public_one_only_once_published(cards, db):
    card = cards.published(finding_ids=[cards.finding.id])
    first_published_at = card.first_published_at
    v1 = card.published_version
    v2 = cards.new_version(card, title="L'accueil des étudiants et chercheurs étrangers",
                           finding_ids=[cards.finding_villeurbanne.id], value_ids=[cards.value_epci.id])
    assert (v2.number, v2.status, v2.change_note) == (2, VersionStatus.DRAFT, "Chiffres 2024 ajoutés")
    assert card.published_version_id == v1.id and card.title == "L'accueil des étudiants étrangers"
    submit_version(v2, cards.elected)
    publish_version(v2, cards.moderator)
    db.session.commit()
    db.session.refresh(v1)
    assert v1.status == VersionStatus.SUPERSEDED and v2.status == VersionStatus.PUBLISHED
    assert card.published_version_id == v2.id
    assert card.title == "L'accueil des étudiants et chercheurs étrangers"
    assert card.first_published_at == first_published_at
    assert [f.id for f in v1.findings] == [cards.finding.id]  # the old version keeps its evidence


def test_a_new_version_starts_as_a_copy_of_the_public_one_evidence_included(cards, db):
    card = cards.published(finding_ids=[cards.finding.id], value_ids=[cards.value_epci.id])
    version = start_new_version(card, cards.moderator, None, "Mise à jour")
    db.session.commit()
    public = card.published_version
    assert (version.title, version.summary, version.questions) == (public.title, public.summary, public.questions)
    assert version.findings == [cards.finding] and version.indicator_values == [cards.value_epci]
    assert version.author_id == cards.moderator.id and version.status == VersionStatus.DRAFT


def test_a_new_version_needs_a_change_note_and_no_other_version_in_progress(cards, db):
    card = cards.published()
    with pytest.raises(CardError) as refusal:
        start_new_version(card, cards.elected, card_input(), "  ")
    assert refusal.value.field == "change_note"
    db.session.rollback()
    cards.new_version(card)
    with pytest.raises(CardError) as refusal:
        start_new_version(card, cards.elected, card_input(), "Encore une")
    assert "déjà en cours" in refusal.value.message
    db.session.rollback()
    assert [v.number for v in card.versions] == [1, 2]


def test_published_and_submitted_versions_are_never_edited(cards, db):
    card = cards.published()
    with pytest.raises(CardError) as refusal:
        update_draft(card.published_version, card_input(title="Un autre titre pour la fiche"))
    assert "nouvelle version" in refusal.value.message
    db.session.rollback()
    db.session.expire_all()
    assert card.published_version.title == "L'accueil des étudiants étrangers"
    submitted = cards.submitted()
    with pytest.raises(CardError):
        update_draft(submitted.latest_version, card_input())
    db.session.rollback()


def test_sent_back_with_a_note_then_edited_and_resubmitted(cards, db):
    card = cards.submitted()
    version = card.latest_version
    with pytest.raises(CardError) as refusal:
        return_to_draft(version, cards.moderator, "")
    assert refusal.value.field == "note"
    db.session.rollback()
    cards.send_back(card)
    assert version.status == VersionStatus.DRAFT and version.review_note == "Précisez la source des chiffres."
    update_draft(version, card_input(summary="Un résumé plus précis."))
    submit_version(version, cards.elected)
    db.session.commit()
    assert version.status == VersionStatus.SUBMITTED and version.summary == "Un résumé plus précis."


def test_only_a_moderator_of_the_territory_or_an_admin_publishes(cards, db, make):
    card = cards.submitted()
    for person in (cards.elected, make.moderator(BRON), make.partner()):
        with pytest.raises(CardError):
            publish_version(card.latest_version, person)
        db.session.rollback()
    assert card.latest_version.status == VersionStatus.SUBMITTED
    publish_version(card.latest_version, cards.admin)
    db.session.commit()
    assert card.is_public


def test_moves_the_lifecycle_forbids_are_refused_in_words(cards, db):
    card = cards.draft()
    with pytest.raises(CardError) as refusal:
        publish_version(card.latest_version, cards.moderator)
    assert "brouillon" in refusal.value.message
    db.session.rollback()
    published = cards.published()
    with pytest.raises(CardError):
        submit_version(published.published_version, cards.elected)
    db.session.rollback()


def test_cards_citing_a_finding_are_those_whose_public_version_cites_it(cards, db):
    draft = cards.draft(finding_ids=[cards.finding.id])
    assert cards_citing_finding(cards.finding.id) == []
    card = cards.published(finding_ids=[cards.finding.id])
    assert cards_citing_finding(cards.finding.id) == [card]
    version = cards.new_version(card, finding_ids=[])
    assert cards_citing_finding(cards.finding.id) == [card]  # the draft changes nothing yet
    submit_version(version, cards.elected)
    publish_version(version, cards.moderator)
    db.session.commit()
    assert cards_citing_finding(cards.finding.id) == []
    assert draft.id != card.id



def test_text_keeps_line_breaks_and_no_break_spaces_but_not_control_characters():
    from plateforme.cards.services import clean_text

    assert clean_text("  « Oui\u00a0» \x07\r\nDeux\u202f!\r\n\n") == "« Oui\u00a0»\nDeux\u202f!"
