"""Each observatory permission rule, one by one."""
from __future__ import annotations

from flask_login import AnonymousUserMixin

from plateforme.accounts.models import Mandate, MandateStatus, MandateTitle
from plateforme.core.permissions import PREDICATES
from plateforme.observatory.models import FindingStatus

ANONYMOUS = AnonymousUserMixin()
RULES = ("can_submit_findings", "can_see_finding", "can_edit_finding", "can_review_findings", "can_review_finding",
         "can_withdraw_finding", "can_define_indicators", "can_manage_indicator", "can_edit_external_actions",
         "can_edit_any_external_actions")


def test_rules_are_registered_by_name():
    for name in RULES:
        assert name in PREDICATES


def test_can_submit_findings_is_for_partners(obs, make):
    assert PREDICATES["can_submit_findings"](obs.author)
    assert not PREDICATES["can_submit_findings"](make.user())
    assert not PREDICATES["can_submit_findings"](make.admin())
    assert not PREDICATES["can_submit_findings"](ANONYMOUS)


def test_can_see_finding(obs, make):
    draft = obs.finding(FindingStatus.DRAFT)
    see = PREDICATES["can_see_finding"]
    assert see(obs.author, draft) and see(obs.colleague, draft) and see(make.admin(), draft)
    assert not see(obs.reviewer, draft) and not see(make.user(), draft) and not see(ANONYMOUS, draft)
    in_review = obs.finding(FindingStatus.IN_REVIEW)
    assert see(obs.reviewer, in_review) and not see(make.user(), in_review) and not see(ANONYMOUS, in_review)
    for status in (FindingStatus.PUBLISHED, FindingStatus.WITHDRAWN):
        public = obs.finding(status)
        assert see(ANONYMOUS, public) and see(make.user(), public)


def test_can_edit_finding_only_its_organisation_while_editable(obs, make):
    edit = PREDICATES["can_edit_finding"]
    for status in (FindingStatus.DRAFT, FindingStatus.CHANGES_REQUESTED):
        finding = obs.finding(status)
        assert edit(obs.author, finding) and edit(obs.colleague, finding)
        assert not edit(obs.reviewer, finding) and not edit(make.admin(), finding) and not edit(ANONYMOUS, finding)
    for status in (FindingStatus.IN_REVIEW, FindingStatus.PUBLISHED, FindingStatus.WITHDRAWN):
        assert not edit(obs.author, obs.finding(status))


def test_can_review_findings_is_for_partners(obs, make):
    assert PREDICATES["can_review_findings"](obs.reviewer)
    assert not PREDICATES["can_review_findings"](make.user())
    assert not PREDICATES["can_review_findings"](ANONYMOUS)


def test_can_review_finding_needs_another_organisation(obs, make):
    review = PREDICATES["can_review_finding"]
    finding = obs.finding(FindingStatus.IN_REVIEW)
    assert review(obs.reviewer, finding)
    assert not review(obs.author, finding) and not review(obs.colleague, finding)
    assert not review(make.user(), finding) and not review(make.admin(), finding) and not review(ANONYMOUS, finding)
    assert not review(obs.reviewer, obs.finding(FindingStatus.DRAFT))
    assert not review(obs.reviewer, obs.finding(FindingStatus.PUBLISHED))


def test_can_withdraw_finding_its_organisation_or_an_administrator(obs, make):
    withdraw = PREDICATES["can_withdraw_finding"]
    published = obs.finding(FindingStatus.PUBLISHED)
    assert withdraw(obs.author, published) and withdraw(obs.colleague, published) and withdraw(make.admin(), published)
    assert not withdraw(obs.reviewer, published) and not withdraw(make.user(), published)
    assert not withdraw(ANONYMOUS, published)
    assert not withdraw(obs.author, obs.finding(FindingStatus.WITHDRAWN))
    assert not withdraw(make.admin(), obs.finding(FindingStatus.IN_REVIEW))


def test_can_define_indicators_is_for_partners(obs, make):
    assert PREDICATES["can_define_indicators"](obs.author)
    assert not PREDICATES["can_define_indicators"](make.user())
    assert not PREDICATES["can_define_indicators"](ANONYMOUS)


def test_can_manage_indicator_its_organisation_or_an_administrator(obs, make):
    indicator = obs.indicator()
    manage = PREDICATES["can_manage_indicator"]
    assert manage(obs.author, indicator) and manage(obs.colleague, indicator) and manage(make.admin(), indicator)
    assert not manage(obs.reviewer, indicator) and not manage(make.user(), indicator)
    assert not manage(ANONYMOUS, indicator)


def test_can_edit_external_actions_officials_of_that_very_territory(make, db):
    edit = PREDICATES["can_edit_external_actions"]
    lyon, villeurbanne, epci = make.territory("69123"), make.territory("69266"), make.territory("200046977")
    mayor = make.elected(territory_code="69266")
    assert edit(mayor, villeurbanne)
    assert not edit(mayor, lyon) and not edit(mayor, epci)
    epci_official = make.elected(territory_code="200046977", title=MandateTitle.VICE_PRESIDENT_EPCI)
    assert edit(epci_official, epci) and not edit(epci_official, villeurbanne)
    assert edit(make.admin(), lyon)
    pending = make.user()
    db.session.add(Mandate(user=pending, territory=villeurbanne, title=MandateTitle.MAIRE,
                           status=MandateStatus.PENDING))
    db.session.commit()
    assert not edit(pending, villeurbanne)
    assert not edit(make.user(), villeurbanne) and not edit(make.partner(), villeurbanne)
    assert not edit(ANONYMOUS, villeurbanne)


def test_can_edit_any_external_actions(make):
    rule = PREDICATES["can_edit_any_external_actions"]
    assert rule(make.admin()) and rule(make.elected())
    assert not rule(make.user()) and not rule(make.partner()) and not rule(ANONYMOUS)
