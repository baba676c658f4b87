"""Findings: lifecycle, independent review, withdrawal; the period parser; AECT items."""
from __future__ import annotations

from datetime import date

import pytest

from plateforme.observatory.models import (
    ExternalActionKind, ExternalActionStatus, Finding, FindingStatus, FindingTransitionError, ReviewDecision,
)
from plateforme.observatory.services import (
    ExternalActionInput, ObservatoryError, create_finding, parse_period, review_finding, save_external_action,
    submit_finding, update_finding, withdraw_finding,
)

from .helpers import finding_input


@pytest.mark.parametrize("text, expected", [
    ("2019–2024", ("2019–2024", 2019, 2024)),
    ("2019-2024", ("2019-2024", 2019, 2024)),
    ("de 2015 à 2020", ("de 2015 à 2020", 2015, 2020)),
    ("  2023 ", ("2023", 2023, 2023)),
])
def test_period_is_free_text_with_one_or_two_years(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["", "récemment", "2024–2019", "1850", "2019, 2020 et 2021", "20190"])
def test_period_without_clear_years_is_refused_on_its_field(text):
    with pytest.raises(ObservatoryError) as error:
        parse_period(text)
    assert error.value.field == "period"


def test_a_draft_keeps_sanitised_html_and_a_search_text(obs, db):
    finding = create_finding(obs.author, finding_input(
        obs.make, obs.org_a, body="Un **fait** <script>alert(1)</script> [lien](javascript:alert(1))"))
    assert finding.status == FindingStatus.DRAFT
    assert "<strong>fait</strong>" in finding.body_html
    assert "<script" not in finding.body_html and "href=\"javascript" not in finding.body_html
    assert "etudiants etrangers" in finding.search_text and "agence d urbanisme test" in finding.search_text
    assert finding.fields == " education social "
    assert (finding.period_start, finding.period_end) == (2019, 2024)


def test_only_members_write_for_an_organisation(obs):
    with pytest.raises(ObservatoryError) as error:
        create_finding(obs.author, finding_input(obs.make, obs.org_b))
    assert error.value.field == "organisation"


def test_full_lifecycle_keeps_every_version_and_review(obs, db):
    finding = obs.finding(FindingStatus.DRAFT)
    first = submit_finding(finding, obs.author)
    assert finding.status == FindingStatus.IN_REVIEW and first.number == 1 and finding.submitted_at
    review_finding(finding, obs.reviewer, ReviewDecision.REQUEST_CHANGES, "La source de 2024 manque.")
    assert finding.status == FindingStatus.CHANGES_REQUESTED
    update_finding(finding, finding_input(obs.make, obs.org_a, title="Titre précisé"))
    with pytest.raises(ObservatoryError) as error:
        submit_finding(finding, obs.colleague)  # a resubmission says what changed
    assert error.value.field == "change_note"
    second = submit_finding(finding, obs.colleague, "Source 2024 ajoutée.")
    review = review_finding(finding, obs.reviewer, ReviewDecision.APPROVE)
    db.session.commit()
    assert finding.status == FindingStatus.PUBLISHED and finding.published_at
    assert [v.number for v in finding.versions] == [1, 2]
    assert finding.versions[0].title != finding.versions[1].title == "Titre précisé"
    assert second.change_note == "Source 2024 ajoutée."
    assert [(r.decision, r.version_number) for r in finding.reviews] == [
        (ReviewDecision.REQUEST_CHANGES, 1), (ReviewDecision.APPROVE, 2)]
    assert review.organisation_id == obs.org_b.id


def test_independence_rule_refuses_the_authors_organisation_with_an_explanation(obs, db):
    finding = obs.finding(FindingStatus.IN_REVIEW)
    for same_side in (obs.author, obs.colleague):
        with pytest.raises(ObservatoryError) as error:
            review_finding(finding, same_side, ReviewDecision.APPROVE)
        assert "Agence d'urbanisme test" in error.value.message and "autre organisation" in error.value.message
    # Belonging to another organisation as well does not lift the conflict of interest.
    other = obs.organisation("Cabinet d'études test")
    obs.member(obs.colleague, other)
    with pytest.raises(ObservatoryError):
        review_finding(finding, obs.colleague, ReviewDecision.APPROVE)
    with pytest.raises(ObservatoryError, match="membres d'une organisation"):
        review_finding(finding, obs.make.user(), ReviewDecision.APPROVE)
    assert finding.status == FindingStatus.IN_REVIEW and finding.reviews == []


def test_an_author_who_changed_organisation_still_cannot_review_their_finding(obs, db):
    finding = obs.finding(FindingStatus.IN_REVIEW)
    for membership in list(obs.author.memberships):
        db.session.delete(membership)
    db.session.commit()
    obs.member(obs.author, obs.org_b)
    db.session.refresh(obs.author)
    with pytest.raises(ObservatoryError, match="rédigé"):
        review_finding(finding, obs.author, ReviewDecision.APPROVE)


def test_asking_for_changes_needs_a_comment(obs):
    finding = obs.finding(FindingStatus.IN_REVIEW)
    with pytest.raises(ObservatoryError) as error:
        review_finding(finding, obs.reviewer, ReviewDecision.REQUEST_CHANGES, "  ")
    assert error.value.field == "comment"


def test_submission_needs_a_body_and_a_source(obs):
    finding = obs.finding(FindingStatus.DRAFT, sources="")
    with pytest.raises(ObservatoryError) as error:
        submit_finding(finding, obs.author)
    assert error.value.field == "sources"
    assert finding.status == FindingStatus.DRAFT


def test_guarded_transitions(obs):
    finding = obs.finding(FindingStatus.DRAFT)
    with pytest.raises(FindingTransitionError):
        finding.move_to(FindingStatus.PUBLISHED)
    with pytest.raises(ObservatoryError):
        review_finding(finding, obs.reviewer, ReviewDecision.APPROVE)  # not submitted
    with pytest.raises(ObservatoryError):
        withdraw_finding(finding, obs.author, "Une raison suffisamment longue.")
    published = obs.finding(FindingStatus.PUBLISHED)
    with pytest.raises(ObservatoryError):
        update_finding(published, finding_input(obs.make, obs.org_a))


def test_withdrawal_keeps_the_finding_with_a_public_reason(obs, db):
    finding = obs.finding(FindingStatus.PUBLISHED)
    with pytest.raises(ObservatoryError) as error:
        withdraw_finding(finding, obs.author, "court")
    assert error.value.field == "reason"
    withdraw_finding(finding, obs.author, "La source a publié un erratum.")
    db.session.commit()
    kept = db.session.get(Finding, finding.id)
    assert kept.status == FindingStatus.WITHDRAWN and kept.is_public
    assert kept.withdrawal_reason == "La source a publié un erratum." and kept.withdrawn_at
    with pytest.raises(ObservatoryError):
        withdraw_finding(kept, obs.author, "Une deuxième fois, pour voir.")


def test_deleting_the_author_account_keeps_the_finding(obs, db):
    finding = obs.finding(FindingStatus.PUBLISHED)
    db.session.delete(obs.author)
    db.session.commit()
    db.session.expire_all()
    kept = db.session.get(Finding, finding.id)
    assert kept.author is None and kept.organisation.name == "Agence d'urbanisme test"


def test_external_action_checks_dates_and_budget(obs, make, db):
    territory = make.territory("69123")
    data = ExternalActionInput(title="Jumelage", kind=ExternalActionKind.TWINNING, partner_country="Allemagne",
                               partner_city="Francfort", status=ExternalActionStatus.ONGOING, budget_eur=-1)
    with pytest.raises(ObservatoryError) as error:
        save_external_action(territory, data, make.admin())
    assert error.value.field == "budget_eur"
    data.budget_eur, data.start_date, data.end_date = 12000, date(2024, 1, 1), date(2020, 1, 1)
    with pytest.raises(ObservatoryError) as error:
        save_external_action(territory, data, make.admin())
    assert error.value.field == "end_date"
    data.end_date = None
    data.description = "Échanges **scolaires**"
    action = save_external_action(territory, data, make.admin())
    assert action.id and "<strong>scolaires</strong>" in action.description_html
