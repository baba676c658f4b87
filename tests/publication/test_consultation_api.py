"""Issue cards, consultations and commitments as open data: the JSON API (published only,
its fields and filters, a fixed number of queries a page) and the CSV downloads."""
from __future__ import annotations

import csv
import io
import json
import re
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event

from plateforme.cards.models import IssueCard, IssueCardVersion, PoliticalStatus, VersionStatus
from plateforme.consultations.models import (
    AuthorityResponse, Commitment, CommitmentStatus, CommitmentUpdate, ConsultationStatus, PhaseKind, Synthesis,
)
from plateforme.core.models import local_today, utcnow
from plateforme.debate.models import Comment, Proposal, Stance, Visibility
from plateforme.observatory.models import FindingStatus

from ..consultations.helpers import build_consultation, published_card
from ..observatory.helpers import Observatory

PERSONAL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
CARD_FIELDS = {"id", "title", "territory", "political_status", "version", "first_published_at", "published_at",
               "url"}


@contextmanager
def count_queries(db):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _csv(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _draft_card(make, title="Fiche jamais publiée"):
    card = IssueCard(territory=make.territory("200046977"), title=title, political_status=PoliticalStatus.DIVISIVE)
    IssueCardVersion(card=card, number=1, title=title, political_status=PoliticalStatus.DIVISIVE,
                     summary="Brouillon secret")
    make.db.session.add(card)
    make.db.session.commit()
    return card


def _comment(db, consultation, author, body, visibility=Visibility.VISIBLE, parent=None):
    comment = Comment(consultation_id=consultation.id, author=author, stance=Stance.FOR, body=body,
                      body_html=f"<p>{body}</p>", visibility=visibility, parent=parent,
                      depth=parent.depth + 1 if parent else 0)
    db.session.add(comment)
    db.session.flush()
    return comment


def _outcome(db, consultation, official, commitments):
    """A synthesis citing a visible and a hidden comment, and a response with `commitments`:
    (title, owner, due in days, status, number of updates)."""
    author = consultation.opened_by
    visible = _comment(db, consultation, author, "Un avis visible")
    hidden = _comment(db, consultation, author, "Un avis masqué", Visibility.HIDDEN)
    proposal = Proposal(consultation_id=consultation.id, author=author, title="Une idée", body="Une idée",
                        body_html="<p>Une idée</p>")
    db.session.add(proposal)
    db.session.add(Synthesis(consultation=consultation, body="Ce qui a été **entendu**.",
                             body_html="<p>Ce qui a été <strong>entendu</strong>.</p>", author=official,
                             comments=[visible, hidden], proposals=[proposal]))
    response = AuthorityResponse(consultation=consultation, body="Nous agirons.", body_html="<p>Nous agirons.</p>",
                                 author=official)
    for position, (title, owner, due_in, status, updates) in enumerate(commitments):
        commitment = Commitment(response=response, position=position, title=title, owner=owner, status=status,
                                due_on=local_today() + timedelta(days=due_in))
        for n in range(updates):
            commitment.updates.append(CommitmentUpdate(
                body=f"Point {n + 1}", body_html=f"<p>Point {n + 1}</p>", status_before=CommitmentStatus.PLANNED,
                status_after=status, author=official,
                created_at=datetime(2026, 3, 1 + n, 12, tzinfo=timezone.utc)))
        db.session.add(commitment)
    db.session.add(response)
    db.session.commit()
    return visible, hidden, proposal


@pytest.fixture
def data(make, db):
    """Public and non-public cards, consultations and commitments on the Métropole de Lyon."""
    official = make.elected(name="Élue Secrète", email="elue.secrete@example.org")
    epci_card = published_card(make, title="Accueillir les étudiants", political_status=PoliticalStatus.CONSENSUAL,
                               author=official)
    commune_card = published_card(make, "69266", title="=Commerces du monde", author=official,
                                  political_status=PoliticalStatus.DIVISIVE)
    draft_card = _draft_card(make)
    debating = build_consultation(make, PhaseKind.DEBATE, cards=[epci_card, draft_card], opened_by=official,
                                  title="=HYPERLINK(\"http://x\") débat")
    in_lyon = build_consultation(make, "upcoming", cards=[commune_card], opened_by=official, territory_code="69123",
                                 title="Une consultation à Lyon")
    cancelled = build_consultation(make, "upcoming", cards=[], opened_by=official,
                                   status=ConsultationStatus.CANCELLED, title="Consultation annulée")
    concluded = build_consultation(make, "concluded", cards=[epci_card], opened_by=official,
                                   title="Consultation terminée")
    draft = build_consultation(make, PhaseKind.DEBATE, cards=[epci_card], opened_by=official,
                               status=ConsultationStatus.DRAFT, title="Brouillon secret")
    visible, hidden, proposal = _outcome(db, concluded, official, [
        ("Ouvrir un guichet", "+33 Direction des relations internationales", -5, CommitmentStatus.PLANNED, 0),
        ("Lancer des parrainages", "Vice-présidence", 30, CommitmentStatus.IN_PROGRESS, 2),
        ("Publier les chiffres", "Observatoire", -10, CommitmentStatus.DONE, 1),
    ])
    _outcome(db, draft, official, [("Engagement d'un brouillon", "Secret", 10, CommitmentStatus.PLANNED, 0)])
    return dict(official=official, epci_card=epci_card, commune_card=commune_card, draft_card=draft_card,
                debating=debating, in_lyon=in_lyon, cancelled=cancelled, concluded=concluded, draft=draft,
                visible=visible, hidden=hidden, proposal=proposal)


def test_cards_list_only_published_cards_with_their_filters(client, data):
    page = client.get("/api/v1/cards").get_json()
    assert page["meta"]["total"] == 2 and page["meta"]["licence"] == "Licence Ouverte 2.0"
    assert {c["id"] for c in page["data"]} == {data["epci_card"].id, data["commune_card"].id}
    row = next(c for c in page["data"] if c["id"] == data["epci_card"].id)
    assert set(row) == CARD_FIELDS
    assert row["territory"] == {"code": "200046977", "name": "Métropole de Lyon", "kind": "epci"}
    assert row["political_status"] == "consensual" and row["version"] == 1
    assert row["url"].endswith(f"/fiches-enjeux/{data['epci_card'].id}") and row["published_at"]
    in_commune = client.get("/api/v1/cards?territory=69266").get_json()["data"]
    assert [c["id"] for c in in_commune] == [data["commune_card"].id]
    assert client.get("/api/v1/cards?territory=200046977").get_json()["meta"]["total"] == 2  # communes within
    divisive = client.get("/api/v1/cards?political_status=divisive").get_json()["data"]
    assert [c["id"] for c in divisive] == [data["commune_card"].id]
    assert client.get("/api/v1/cards?territory=99999").get_json()["data"] == []
    refused = client.get("/api/v1/cards?political_status=nope")
    assert refused.status_code == 400 and refused.mimetype == "application/problem+json"
    assert [p["name"] for p in refused.get_json()["invalid_params"]] == ["political_status"]
    assert client.get(f"/api/v1/cards/{data['draft_card'].id}").status_code == 404
    assert client.get("/api/v1/cards/999999").status_code == 404
    assert client.get("/api/v1/cards").headers["Access-Control-Allow-Origin"] == "*"


def test_card_detail_is_the_public_version_with_its_evidence_and_history(client, make, db):
    obs = Observatory(make, db)
    public = obs.finding(title="Un constat publié")
    unpublished = obs.finding(FindingStatus.IN_REVIEW, title="Un constat en relecture")
    indicator = obs.indicator("Étudiants étrangers")
    value = obs.value(indicator, "69266", 2024, 1250, source="Rectorat")
    card = published_card(make, title="Version 1")
    first = card.published_version
    first.status = VersionStatus.SUPERSEDED
    second = IssueCardVersion(card=card, number=2, title="Version 2", summary="Le résumé à jour",
                              questions="Faut-il un guichet ?\n\nQui paie ?\n", political_status=card.political_status,
                              status=VersionStatus.PUBLISHED, published_at=utcnow(), change_note="Chiffres 2024",
                              findings=[public, unpublished], indicator_values=[value])
    third = IssueCardVersion(card=card, number=3, title="Version 3", summary="Brouillon secret",
                             political_status=card.political_status)
    db.session.add_all([second, third])
    db.session.flush()
    card.published_version_id = second.id
    card.title = "Version 2"
    db.session.commit()
    detail = client.get(f"/api/v1/cards/{card.id}").get_json()
    assert detail["title"] == "Version 2" and detail["version"] == 2 and detail["summary"] == "Le résumé à jour"
    assert detail["questions"] == ["Faut-il un guichet ?", "Qui paie ?"] and detail["change_note"] == "Chiffres 2024"
    assert detail["findings"] == [{"id": public.id, "title": "Un constat publié",
                                   "organisation": "Agence d'urbanisme test",
                                   "url": f"http://localhost/observatoire/constats/{public.id}"}]
    assert detail["indicator_values"] == [{"indicator_id": indicator.id, "indicator_name": "Étudiants étrangers",
                                           "unit": "personnes", "territory_code": "69266", "period": 2024,
                                           "value": 1250, "source": "Rectorat"}]
    assert [(v["number"], v["change_note"]) for v in detail["versions"]] == [(1, None), (2, "Chiffres 2024")]
    assert "Brouillon secret" not in json.dumps(detail) and "Autrice" not in json.dumps(detail)


def test_consultations_are_public_ones_with_stage_phases_and_outcome(client, data):
    page = client.get("/api/v1/consultations?per_page=100").get_json()
    ids = {c["id"] for c in page["data"]}
    assert ids == {data[k].id for k in ("debating", "in_lyon", "cancelled", "concluded")}
    row = next(c for c in page["data"] if c["id"] == data["debating"].id)
    assert row["stage"] == "debate" and row["status"] == "published" and row["audience"] == "registered"
    assert [p["kind"] for p in row["phases"]] == [k.value for k in PhaseKind]
    assert row["card_ids"] == [data["epci_card"].id]  # the never-published card is not listed
    assert row["survey_id"] is None and row["url"].endswith(f"/consultations/{data['debating'].id}")
    assert row["territory"]["code"] == "200046977"
    cancelled = next(c for c in page["data"] if c["id"] == data["cancelled"].id)
    assert cancelled["stage"] == "cancelled" and cancelled["cancellation_reason"]
    in_lyon = client.get("/api/v1/consultations?territory=69123").get_json()["data"]
    assert [c["id"] for c in in_lyon] == [data["in_lyon"].id]
    assert client.get(f"/api/v1/consultations/{data['draft'].id}").status_code == 404
    assert client.get("/api/v1/consultations/999999").status_code == 404
    detail = client.get(f"/api/v1/consultations/{data['concluded'].id}").get_json()
    assert detail["stage"] == "concluded" and detail["description_html"].startswith("<p>")
    synthesis = detail["synthesis"]
    assert synthesis["body"] == "Ce qui a été **entendu**." and "<strong>entendu</strong>" in synthesis["body_html"]
    assert synthesis["comment_ids"] == [data["visible"].id] and synthesis["proposal_ids"] == [data["proposal"].id]
    response = detail["response"]
    assert response["body"] == "Nous agirons." and len(response["commitments"]) == 3
    assert client.get(f"/api/v1/consultations/{data['debating'].id}").get_json()["synthesis"] is None
    body = json.dumps(client.get("/api/v1/consultations?per_page=100").get_json()) + json.dumps(detail)
    assert "Brouillon secret" not in body and not PERSONAL.search(body) and "Élue Secrète" not in body


def test_commitments_say_when_they_are_overdue_and_filter(client, data):
    page = client.get("/api/v1/commitments").get_json()
    by_title = {c["title"]: c for c in page["data"]}
    assert set(by_title) == {"Ouvrir un guichet", "Lancer des parrainages", "Publier les chiffres"}
    assert by_title["Ouvrir un guichet"]["overdue"] is True  # planned, due five days ago
    assert by_title["Publier les chiffres"]["overdue"] is False  # done, even if its date has passed
    running = by_title["Lancer des parrainages"]
    assert running["overdue"] is False and running["consultation_id"] == data["concluded"].id
    assert running["updates"] == [
        {"date": "2026-03-01", "status_before": "planned", "status_after": "in_progress", "body": "Point 1"},
        {"date": "2026-03-02", "status_before": "planned", "status_after": "in_progress", "body": "Point 2"}]
    assert running["url"].endswith(f"/consultations/{data['concluded'].id}#engagement-{running['id']}")
    in_progress = client.get("/api/v1/commitments?status=in_progress").get_json()["data"]
    assert [c["title"] for c in in_progress] == ["Lancer des parrainages"]
    assert client.get("/api/v1/commitments?territory=69123").get_json()["data"] == []
    assert client.get("/api/v1/commitments?territory=69266&status=done").get_json()["data"] == []
    assert client.get("/api/v1/commitments?status=finished").status_code == 400


@pytest.mark.parametrize("url", ["/api/v1/cards", "/api/v1/consultations", "/api/v1/commitments"])
def test_list_pages_are_read_in_a_fixed_number_of_queries(client, make, db, data, url):
    published_card(make, title="Une troisième fiche")
    counts = []
    for per_page in (1, 3):
        client.get(url)  # warm up: first requests load the session's user and caches
        with count_queries(db) as statements:
            response = client.get(f"{url}?per_page={per_page}")
        assert len(response.get_json()["data"]) == per_page
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_csv_downloads_neutralise_formulas_and_hold_no_personal_data(client, data, monkeypatch):
    monkeypatch.setattr("plateforme.consultations.exports.BATCH", 2)  # several batches, every row once
    consultations = _csv(client.get("/api/v1/consultations.csv"))
    assert {int(r["id"]) for r in consultations} == {data[k].id for k in ("debating", "in_lyon", "cancelled",
                                                                            "concluded")}
    debating = next(r for r in consultations if r["id"] == str(data["debating"].id))
    assert debating["title"] == "'=HYPERLINK(\"http://x\") débat" and debating["stage"] == "debate"
    phase = data["debating"].phase(PhaseKind.DEBATE)
    assert debating["debate_starts_on"] == phase.starts_on.isoformat()
    assert debating["debate_ends_on"] == phase.ends_on.isoformat()
    assert debating["licence"] == "Licence Ouverte 2.0" and debating["card_ids"] == str(data["epci_card"].id)
    concluded = next(r for r in consultations if r["id"] == str(data["concluded"].id))
    assert concluded["commitments"] == "3" and concluded["synthesis_published_at"]
    commitments = _csv(client.get("/api/v1/commitments.csv"))
    by_title = {r["title"]: r for r in commitments}
    assert set(by_title) == {"Ouvrir un guichet", "Lancer des parrainages", "Publier les chiffres"}
    assert by_title["Ouvrir un guichet"]["owner"] == "'+33 Direction des relations internationales"
    assert by_title["Ouvrir un guichet"]["overdue"] == "true" and by_title["Ouvrir un guichet"]["updates"] == "0"
    running = by_title["Lancer des parrainages"]
    assert running["last_update_on"] == "2026-03-02" and running["status"] == "in_progress"
    assert running["consultation_title"] == "Consultation terminée" and running["territory_code"] == "200046977"
    for url in ("/api/v1/consultations.csv", "/api/v1/commitments.csv"):
        body = client.get(url).get_data(as_text=True)
        assert not PERSONAL.search(body) and "Élue Secrète" not in body and "Brouillon secret" not in body
        assert "Secret" not in body


def test_datapackage_and_open_data_page_list_the_new_files(client, data):
    descriptor = client.get("/observatoire/donnees/datapackage.json").get_json()
    resources = {r["name"]: r for r in descriptor["resources"]}
    for name in ("consultations", "commitments"):
        fields = [f["name"] for f in resources[name]["schema"]["fields"]]
        header = next(csv.reader(io.StringIO(client.get(resources[name]["path"]).get_data(as_text=True))))
        assert header == fields, name
    page = client.get("/observatoire/donnees").get_data(as_text=True)
    assert "/api/v1/consultations.csv" in page and "/api/v1/commitments.csv" in page


def test_openapi_describes_the_new_routes(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path in ("/cards", "/cards/{card_id}", "/consultations", "/consultations/{consultation_id}",
                 "/commitments", "/consultations.csv", "/commitments.csv"):
        assert path in document["paths"], path
    schemas = document["components"]["schemas"]
    assert set(schemas["IssueCard"]["properties"]) == CARD_FIELDS
    refs = re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(document))
    assert set(refs) <= set(schemas)
