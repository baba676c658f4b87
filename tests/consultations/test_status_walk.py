"""Every screen tells the truth (issue 19): a consultation walked through its lifecycle, and a
commitment through its statuses; at every step every page, the API and the CSV that show the
status say the same thing, computed in one place from the facts."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from plateforme.consultations.models import CommitmentStatus, ConsultationStatus, PhaseKind
from plateforme.consultations.status import PROGRESS_LABELS, Progress
from plateforme.core.models import local_today, utcnow
from plateforme.surveys.models import SurveyStatus
from plateforme.surveys.publication import publish

from ..factories import make_survey, page_text, sign_in
from .helpers import build_consultation, phase_dates
from .outcome_helpers import response_with_commitments, synthesis

EPCI = "/consultations/redevabilite/epci/200046977"


def _card_status(html: str, consultation_id: int) -> str | None:
    """The status tag of the consultation's card in a list (home, consultations), if listed."""
    match = re.search(rf'href="/consultations/{consultation_id}">.*?data-status="([a-z_]+)"', html, re.S)
    return match.group(1) if match else None


def _statuses(client, consultation) -> dict[str, str | None]:
    """The status as each place that shows it says it."""
    cid = consultation.id
    show = client.get(f"/consultations/{cid}").get_data(as_text=True)
    seen = {"page": re.search(r'class="consultation-status" data-status="([a-z_]+)"', show).group(1)}
    seen["home"] = _card_status(client.get("/").get_data(as_text=True), cid)
    seen["list"] = _card_status(client.get("/consultations/").get_data(as_text=True), cid)
    row = re.search(rf'href="/consultations/{cid}">.*?data-status="([a-z_]+)"',
                    client.get(EPCI).get_data(as_text=True), re.S)
    seen["accountability"] = row.group(1) if row else None
    api = client.get(f"/api/v1/consultations/{cid}")
    seen["api"] = api.get_json()["progress"] if api.status_code == 200 else None
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/consultations.csv").get_data(as_text=True))))
    seen["csv"] = next((r["progress"] for r in rows if r["id"] == str(cid)), None)
    return seen


def _move_to(db, consultation, current) -> None:
    """Place the phases so that `current` runs today (the facts the status is computed from)."""
    dates = phase_dates(current)
    for phase in consultation.phases:
        phase.starts_on, phase.ends_on = dates[phase.kind]
    db.session.commit()


def _agree(client, consultation, expected: Progress, *, public=True, listed=False) -> str:
    seen = _statuses(client, consultation)
    places = ["page", "accountability", "api", "csv"] + (["list"] if public else []) + (["home"] if listed else [])
    wrong = {place: seen[place] for place in places if seen[place] != expected.value}
    assert not wrong, f"expected {expected.value} everywhere, got {wrong}"
    # A page that lists the consultation never shows another status than the others.
    for place in ("home", "list"):
        assert seen[place] in (None, expected.value), (place, seen[place])
    page = page_text(client.get(f"/consultations/{consultation.id}"))
    assert str(PROGRESS_LABELS[expected]) in page
    return page


def test_a_consultation_reads_the_same_everywhere_at_every_step(client, db, make):
    survey = make_survey(db, "open", opens_at="2026-01-01", closes_at="2099-12-31")
    consultation = build_consultation(make, current=PhaseKind.DEBATE, status=ConsultationStatus.DRAFT,
                                      survey=survey)
    official = consultation.opened_by
    sign_in(client, official)

    # A draft is not "en cours", whatever its dates say.
    page = page_text(client.get(f"/consultations/{consultation.id}"))
    assert 'data-status="draft"' in client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert 'step-state">phase en cours<' not in page and 'step-state">phase prévue<' in page
    assert _statuses(client, consultation)["api"] is None  # not public

    _move_to(db, consultation, "upcoming")
    consultation.move_to(ConsultationStatus.PUBLISHED)
    db.session.commit()
    _agree(client, consultation, Progress.UPCOMING)
    # The home page lists first what residents can act on now (a debate, proposals, an open survey);
    # where it lists the consultation, it says the same as every other place.
    for kind, progress, actionable in ((PhaseKind.INFORMATION, Progress.INFORMATION, False),
                                       (PhaseKind.DEBATE, Progress.DEBATE, True),
                                       (PhaseKind.PROPOSALS, Progress.PROPOSALS, True),
                                       (PhaseKind.SURVEY, Progress.SURVEY_OPEN, True)):
        _move_to(db, consultation, kind)
        _agree(client, consultation, progress, listed=actionable)

    # The survey closed early: the consultation no longer says "Questionnaire en cours".
    survey.move_to(SurveyStatus.CLOSED)
    db.session.commit()
    page = _agree(client, consultation, Progress.SURVEY_CLOSED)
    assert "Questionnaire en cours" not in page
    assert re.search(rf"clos le {local_today().day}(er)?\s", page)  # its real closing day, not 2099
    # …and its calendar agrees: the survey phase is closed, not "en cours" until its planned end.
    step = re.search(r"Questionnaire</strong>\s—\s<span class=\"step-state\">([^<]*)<", page)
    assert step and step.group(1) == "questionnaire clos"
    # Nobody can answer any more: the home page neither lists it under what is open nor counts it.
    home = client.get("/").get_data(as_text=True)
    assert _card_status(home, consultation.id) is None and "Participer" not in home
    # Its results are published: every place says so, not "clos" for ever after.
    publish(survey)
    db.session.commit()
    _agree(client, consultation, Progress.SURVEY_PUBLISHED)

    _move_to(db, consultation, PhaseKind.SYNTHESIS)
    _agree(client, consultation, Progress.SYNTHESIS_PENDING)
    synthesis(db, consultation, make.moderator())
    _agree(client, consultation, Progress.RESPONSE_AWAITED)
    _move_to(db, consultation, PhaseKind.RESPONSE)
    page = _agree(client, consultation, Progress.RESPONSE_AWAITED)
    assert "Réponse officielle publiée" not in page

    # The response is published: nothing says "en préparation" any more.
    response_with_commitments(db, consultation, official)
    page = _agree(client, consultation, Progress.RESPONSE_PUBLISHED)
    assert "réponse officielle en préparation" not in page.lower() and "La réponse officielle est publiée" in page
    assert "réponse officielle en préparation" not in page_text(client.get(EPCI)).lower()
    _move_to(db, consultation, "concluded")
    _agree(client, consultation, Progress.RESPONSE_PUBLISHED)

    consultation.cancellation_reason = "Le calendrier municipal a changé."
    consultation.move_to(ConsultationStatus.CANCELLED)
    db.session.commit()
    _agree(client, consultation, Progress.CANCELLED)


def test_a_resident_of_another_commune_is_told_the_survey_is_closed(client, db, make):
    """Not "réservé aux habitantes et habitants de la Métropole de Lyon": it is closed for everyone."""
    survey = make_survey(db, "closed", territory="69266", closes_at="2099-12-31")  # Villeurbanne's survey
    consultation = build_consultation(make, current=PhaseKind.SURVEY, survey=survey, territory_code="69266")
    elsewhere = make.user()
    elsewhere.commune = make.territory("69123")  # lives in Lyon
    db.session.commit()
    sign_in(client, elsewhere)
    page = page_text(client.get(f"/consultations/{consultation.id}"))
    assert "réservé aux habitantes et habitants" not in page
    assert f"Le questionnaire est clos le {local_today().day} " in page and "résultats en préparation" in page


def _commitment_statuses(client, consultation, commitment) -> dict[str, str]:
    pattern = re.compile(r'data-commitment-status="([a-z_]+)"')
    show = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    seen = {"page": pattern.search(show.split(f'id="engagement-{commitment.id}"', 1)[1]).group(1),
            "commitment": pattern.search(client.get(f"/consultations/engagements/{commitment.id}")
                                         .get_data(as_text=True)).group(1),
            "accountability": pattern.search(client.get(EPCI).get_data(as_text=True)).group(1)}
    api = client.get(f"/api/v1/consultations/{consultation.id}").get_json()
    seen["api"] = api["response"]["commitments"][0]["status"]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/commitments.csv").get_data(as_text=True))))
    seen["csv"] = next(r["status"] for r in rows if r["id"] == str(commitment.id))
    return seen


def test_a_commitment_reads_the_same_everywhere_at_every_status(client, db, make):
    consultation = build_consultation(make, current="concluded")
    commitment = response_with_commitments(db, consultation, consultation.opened_by)[0]
    for status in (CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS, CommitmentStatus.DONE):
        commitment.move_to(status)
        db.session.commit()
        seen = _commitment_statuses(client, consultation, commitment)
        assert set(seen.values()) == {status.value}, seen
    # Overdue is derived the same way for the page and the data.
    other = build_consultation(make, current="concluded", title="Une autre consultation")
    late = response_with_commitments(db, other, other.opened_by, due_in=5)[0]
    late.due_on = local_today() - timedelta(days=1)
    late.updated_at = utcnow()
    db.session.commit()
    assert "échéance dépassée" in page_text(client.get(f"/consultations/engagements/{late.id}"))
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/commitments.csv").get_data(as_text=True))))
    assert next(r["overdue"] for r in rows if r["id"] == str(late.id)).lower() in ("true", "1")


def test_a_consultation_with_a_published_response_cannot_be_cancelled(client, db, make):
    """It took place: no page may say it « n'aura pas lieu » next to its response (audit 19)."""
    consultation = build_consultation(make, current=PhaseKind.RESPONSE)
    official = consultation.opened_by
    response_with_commitments(db, consultation, official)
    sign_in(client, official)
    url = f"/consultations/{consultation.id}/annuler"
    assert f'href="{url}"' not in client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    answer = client.get(url)
    assert answer.status_code == 302
    assert re.search(r"ne peut plus\sêtre annulée", page_text(client.get(answer.headers["Location"])))
    token = re.search(r'name="csrf_token" [^>]*value="([^"]+)"', client.get("/compte").get_data(as_text=True))
    client.post(url, data={"csrf_token": token.group(1) if token else "", "reason": "Le calendrier a changé."})
    db.session.refresh(consultation)
    assert consultation.status != ConsultationStatus.CANCELLED
