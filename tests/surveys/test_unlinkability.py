"""Answers cannot be linked to their authors by someone who reads the whole database and
knows who took part: the linking attacks of issue 18 (same transaction id, storage order,
keys, times, profile communes, leftover bytes), run after residents and officials answered
through the web pages. See plateforme/surveys/mixing.py for the design."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from plateforme.surveys import mixing
from plateforme.surveys.mixing import COMMUNE_KEPT_FROM, MIX_BATCH
from plateforme.surveys.models import (
    OfficialParticipation, OfficialPending, OfficialResponse, ResidentParticipation, ResidentPending,
    ResidentResponse,
)

from ..factories import make_survey, page_text, post_form, sign_in
from .page_helpers import _count

KEYS = [f"s{n}" for n in range(1, 11)]
STATEMENTS = [{"key": key, "text": f"Affirmation numéro {key}", "theme": "people"} for key in KEYS]
# 27 residents: most in Villeurbanne, a few in small communes where one answer is one person.
COMMUNES = ["69266"] * 22 + ["69029"] * 3 + ["69034"] + ["69259"]

# The attack, as it was run on the database.
XMIN_JOIN = text(
    "SELECT u.email, r.answers FROM resident_participation p JOIN user_account u ON u.id = p.user_id "
    "JOIN resident_response r ON r.xmin = p.xmin AND r.survey_id = p.survey_id")
OFFICIAL_XMIN_JOIN = text(
    "SELECT u.email, r.estimates FROM official_participation p JOIN user_account u ON u.id = p.user_id "
    "JOIN official_response r ON r.xmin = p.xmin AND r.survey_id = p.survey_id")


def _marker(n: int) -> dict[str, str]:
    """Ten estimates unique to resident n: their comma-joined string is found nowhere else."""
    draw = random.Random(f"resident {n}")
    return {f"estimate_{key}": str(draw.randint(0, 100)) for key in KEYS}


def _estimates(fields: dict[str, str]) -> str:
    return ",".join(fields[f"estimate_{key}"] for key in KEYS)


_addresses = iter(range(1, 1 << 16))


def _browser(app):
    """A browser of its own, from an address of its own (sign-in is rate limited by address)."""
    client = app.test_client()
    n = next(_addresses)
    client.environ_base["REMOTE_ADDR"] = f"10.{n >> 8}.{n & 255}.1"
    return client


def _answer(app, survey, user, n: int) -> str:
    """Resident n answers through the pages, in a browser of their own; their marker."""
    client = _browser(app)
    sign_in(client, user)
    fields = {f"answer_{key}": "45123d5432"[i] for i, key in enumerate(KEYS)}
    fields.update(_marker(n), sex="F" if n % 2 else "M", age_band="30-44", commune=str(user.commune_id))
    response = post_form(client, f"/questionnaires/{survey.id}/repondre", fields)
    assert response.status_code == 302, page_text(response)[:1500]
    return _estimates(fields)


@pytest.fixture
def survey(db):
    return make_survey(db, statements=STATEMENTS)


@pytest.fixture
def residents(make):
    return [make.user(commune=code) for code in COMMUNES]


def _answer_all(app, survey, residents, upto=None) -> dict[int, str]:
    """{user id: marker} of the residents who answered, in order of answering."""
    return {user.id: _answer(app, survey, user, n) for n, user in enumerate(residents[:upto])}


def _close(app, survey, make):
    client = _browser(app)
    sign_in(client, make.user(admin=True))
    confirm_url = f"/questionnaires/{survey.id}/gerer/clore"
    response = post_form(client, confirm_url, {"confirm": "yes"}, form_url=confirm_url)
    assert response.status_code == 302


def _publish(app, survey, make):
    client = _browser(app)
    sign_in(client, make.user(admin=True))
    confirm_url = f"/questionnaires/{survey.id}/gerer/publier"
    response = post_form(client, confirm_url, {"confirm": "yes"}, form_url=confirm_url)
    assert response.status_code == 302, page_text(response)[:1500]


def _postgresql(app) -> bool:
    return app.config["BACKEND"] == "postgresql"


# --- the pool fills, is mixed at twenty and at closing --------------------------------------

def test_the_pool_is_mixed_when_twenty_have_gathered_and_emptied_at_closing(app, client, db, make, survey,
                                                                            residents):
    _answer_all(app, survey, residents, upto=MIX_BATCH - 1)
    assert (_count(db, ResidentPending), _count(db, ResidentResponse)) == (MIX_BATCH - 1, 0)
    _answer(app, survey, residents[MIX_BATCH - 1], MIX_BATCH - 1)
    assert (_count(db, ResidentPending), _count(db, ResidentResponse)) == (0, MIX_BATCH)
    for n in range(MIX_BATCH, len(residents)):
        _answer(app, survey, residents[n], n)
    assert (_count(db, ResidentPending), _count(db, ResidentResponse)) == (7, MIX_BATCH)
    # The survey page counts pending and mixed answers alike.
    assert "27" in page_text(client.get(f"/questionnaires/{survey.id}")).split("Participation", 1)[1][:400]

    _close(app, survey, make)
    assert (_count(db, ResidentPending), _count(db, ResidentResponse)) == (0, len(residents))
    # Who took part is no longer kept; the count still is, from the answers.
    assert _count(db, ResidentParticipation) == 0
    assert "27" in page_text(client.get(f"/questionnaires/{survey.id}")).split("Participation", 1)[1][:400]


def test_one_answer_per_person_still_holds_once_the_answer_is_mixed(app, db, make, survey, residents):
    _answer_all(app, survey, residents, upto=MIX_BATCH)
    assert _count(db, ResidentPending) == 0  # the first resident's answer is mixed now
    client = _browser(app)
    sign_in(client, residents[0])
    again = post_form(client, f"/questionnaires/{survey.id}/repondre",
                      {f"answer_{key}": "1" for key in KEYS} | {"sex": "F", "age_band": "30-44",
                                                                  "commune": str(residents[0].commune_id)},
                      form_url=f"/questionnaires/{survey.id}")
    assert "Vous avez déjà répondu à ce questionnaire" in page_text(again)
    assert _count(db, ResidentResponse) + _count(db, ResidentPending) == MIX_BATCH


# --- the attacks ------------------------------------------------------------------------------

def test_the_transaction_id_join_finds_nobody_once_mixed(app, db, make, survey, residents):
    if not _postgresql(app):
        pytest.skip("xmin is PostgreSQL's")
    officials = [make.elected() for _ in range(3)]
    for n, official in enumerate(officials):
        client = _browser(app)
        sign_in(client, official)
        post_form(client, f"/questionnaires/{survey.id}/elus",
                  {f"estimate_{key}": str(10 + n) for key in KEYS})
    _answer_all(app, survey, residents)
    db.session.rollback()
    # Still pending: linked, as the privacy page says…
    pending = db.session.execute(text(
        "SELECT count(*) FROM resident_participation p JOIN resident_pending r ON r.xmin = p.xmin")).scalar_one()
    assert pending == len(residents) - MIX_BATCH
    # …the batch mixed at twenty: no longer.
    assert db.session.execute(XMIN_JOIN).all() == []
    batch = db.session.execute(text("SELECT DISTINCT xmin::text FROM resident_response")).scalars().all()
    assert len(batch) == 1  # one transaction wrote the whole batch

    _close(app, survey, make)
    db.session.rollback()
    assert db.session.execute(XMIN_JOIN).all() == []
    assert db.session.execute(OFFICIAL_XMIN_JOIN).all() == []  # officials' participation is kept until publication
    assert db.session.execute(text("SELECT count(DISTINCT xmin::text) FROM resident_response")).scalar_one() == 1


def test_storage_order_and_keys_are_the_draw_s_not_the_order_of_answering(app, db, make, survey, residents,
                                                                         monkeypatch):
    drawn: list[list[str]] = []

    class Recorded(random.Random):
        def shuffle(self, rows):
            super().shuffle(rows)
            drawn.append([row["estimates"] for row in rows])

    monkeypatch.setattr(mixing, "rng", Recorded(18))
    markers = _answer_all(app, survey, residents, upto=MIX_BATCH)
    db.session.rollback()
    answering_order = list(markers.values())
    assert len(drawn) == 1 and sorted(drawn[0]) == sorted(answering_order)
    assert drawn[0] != answering_order  # (seeded: this draw is not the identity)
    if _postgresql(app):
        stored = db.session.execute(text("SELECT estimates FROM resident_response ORDER BY ctid")).scalars().all()
        assert stored == drawn[0]  # the heap holds the rows in the draw's order
    else:
        # WITHOUT ROWID: the file holds rows in the order of their random keys.
        stored = db.session.execute(text("SELECT id FROM resident_response")).scalars().all()
        assert stored == sorted(stored)
    keys = db.session.execute(select(ResidentResponse.id)).scalars().all()
    assert len(set(keys)) == MIX_BATCH and all(len(k) == 32 and int(k, 16) for k in keys)


def test_answers_carry_no_person_code_or_time(app, db):
    for model in (ResidentPending, ResidentResponse):
        assert {c.name for c in inspect(model).columns} == {
            "id", "survey_id", "sex", "age_band", "commune_id", "answers", "estimates", "channel"}
    for model in (OfficialPending, OfficialResponse):
        # receipt_hash: the SHA-256 of a random receipt only the official holds (surveys/feedback.py).
        assert {c.name for c in inspect(model).columns} == {"id", "survey_id", "estimates", "opinions", "channel",
                                                             "receipt_hash"}
    for model in (ResidentPending, ResidentResponse, OfficialPending, OfficialResponse):
        assert str(inspect(model).columns["id"].type) == "VARCHAR(32)"  # a random key, not a sequence


def test_profile_communes_single_nobody_out_after_closing(app, db, make, survey, residents):
    _answer_all(app, survey, residents)
    attack = text(
        "SELECT r.commune_id, count(DISTINCT u.id) FROM resident_response r "
        "JOIN user_account u ON u.commune_id = r.commune_id "
        "GROUP BY r.commune_id HAVING count(DISTINCT r.id) < :k")
    _close(app, survey, make)
    db.session.rollback()
    assert db.session.execute(attack, {"k": COMMUNE_KEPT_FROM}).all() == []
    communes = db.session.execute(select(ResidentResponse.commune_id)).scalars().all()
    villeurbanne = make.territory("69266").id
    assert sorted(communes, key=str) == sorted([villeurbanne] * 22 + [None] * 5, key=str)

    # Results stay coherent: the pooled answers count, weighted as "other communes".
    _publish(app, survey, make)
    data = app.test_client().get(f"/api/v1/surveys/{survey.id}/results").get_json()
    assert data["statements"][0]["residents"]["n"] == len(residents)
    assert [c["code"] for c in data["statements"][0]["communes"]] in ([], ["69266"])


def test_officials_are_mixed_at_closing_and_forgotten_at_publication(app, db, make, survey, residents):
    """Who answered is deleted at publication: kept, it would name the answers (online ones
    differ from imported ones). The private feedback needs only the receipt's hash."""
    officials = [make.elected() for _ in range(4)]

    def answer(official, value):
        client = _browser(app)
        sign_in(client, official)
        post_form(client, f"/questionnaires/{survey.id}/elus", {f"estimate_{key}": str(value) for key in KEYS})

    for n, official in enumerate(officials[:3]):
        answer(official, 20 + n)
    assert _count(db, OfficialPending) == 3
    _close(app, survey, make)
    assert (_count(db, OfficialPending), _count(db, OfficialResponse), _count(db, OfficialParticipation)) == (0, 3, 3)
    answer(officials[3], 60)  # officials answer until publication
    assert _count(db, OfficialPending) == 1
    _publish(app, survey, make)
    assert (_count(db, OfficialPending), _count(db, OfficialResponse), _count(db, OfficialParticipation)) == (0, 4, 0)
    # Each answer carries a distinct receipt hash, and nothing else that is not an answer.
    hashes = db.session.execute(select(OfficialResponse.receipt_hash)).scalars().all()
    assert len(set(hashes)) == 4 and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)


# --- leftover bytes ------------------------------------------------------------------------------

def test_mixed_pending_answers_leave_no_bytes_behind(app, db, make, survey, residents):
    # Another survey's answer stays pending in the same pages: they are not simply dropped.
    other = make_survey(db, statements=STATEMENTS)
    _answer(app, other, make.user(), 999)
    markers = _answer_all(app, survey, residents, upto=MIX_BATCH)
    db.session.rollback()
    assert _count(db, ResidentPending) == 1
    mixed = set(db.session.execute(select(ResidentResponse.estimates)).scalars())
    assert mixed == set(markers.values())
    if _postgresql(app):
        # VACUUM FULL rewrote the pending table: its file holds no answer any more.
        db.session.execute(text("CHECKPOINT"))
        pending_file = db.session.execute(text(
            "SELECT pg_read_binary_file(pg_relation_filepath('resident_pending'))")).scalar_one()
        db.session.rollback()
        assert not any(marker.encode() in pending_file for marker in markers.values())
        return
    # SQLite: each answer's bytes are in the file once — in the mixed table — and the
    # write-ahead log, where the pending row went first, is emptied. (Some builds overwrite
    # deleted content by default; the application asks for it on every connection.)
    assert db.session.execute(text("PRAGMA secure_delete")).scalar_one() == 1
    path = Path(db.engine.url.database)
    db.session.remove()
    raw = db.engine.raw_connection()
    try:
        assert raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    finally:
        raw.close()
    content = path.read_bytes()
    wal = Path(f"{path}-wal")
    log = wal.read_bytes() if wal.exists() else b""
    for marker in markers.values():
        assert content.count(marker.encode()) == 1, marker
        assert marker.encode() not in log


def test_the_privacy_page_states_what_is_kept_the_delay_and_the_end_of_the_list(client, db):
    french = re.sub(r"\s+", " ", page_text(client.get("/confidentialite")).replace("\u00a0", " "))
    assert f"jusqu'à ce que {MIX_BATCH} réponses au même questionnaire se soient accumulées" in french
    assert "au plus tard jusqu'à la clôture du questionnaire" in french
    assert "pourrait la relier à votre compte" in french  # what is linkable while pending
    assert "Cette liste est supprimée à la clôture du questionnaire" in french
    assert f"qui en compte moins de {COMMUNE_KEPT_FROM} est remplacée par « autre commune du territoire »" in french
    assert "anonymes dès l'enregistrement" not in french  # no longer true while an answer waits
    english = re.sub(r"\s+", " ", page_text(client.get("/confidentialite", headers={"Accept-Language": "en"})))
    assert f"until {MIX_BATCH} answers to the same survey have gathered, and at the latest until the survey closes" \
        in english
    assert "This list is deleted when the survey closes for residents" in english


def test_a_paper_answer_imported_after_closing_gets_its_small_commune_pooled_at_publication(app, db, make, survey,
                                                                                          residents):
    from plateforme.surveys.imports import import_answers

    _answer_all(app, survey, residents, upto=MIX_BATCH)
    _close(app, survey, make)
    db.session.rollback()
    survey = db.session.merge(survey)
    import_answers(survey, ("sex,age_band,commune," + ",".join(KEYS) + "\nF,75+,69034," + ",".join("5" * 10)
                            + "\n").encode())
    db.session.commit()
    assert make.territory("69034").id in db.session.execute(select(ResidentResponse.commune_id)).scalars().all()
    _publish(app, survey, make)
    db.session.rollback()
    assert make.territory("69034").id not in db.session.execute(select(ResidentResponse.commune_id)).scalars().all()
    assert _count(db, ResidentResponse) == MIX_BATCH + 1


def test_the_survey_and_thank_you_pages_say_an_answer_waits_then_is_mixed(app, client, db, make, survey):
    show = re.sub(r"\s+", " ", page_text(client.get(f"/questionnaires/{survey.id}")).replace("\u00a0", " "))
    assert f"elle attend d'abord que {MIX_BATCH} réponses se soient accumulées" in show
    assert "/confidentialite#questionnaires" in show
    english = page_text(client.get(f"/questionnaires/{survey.id}/merci", headers={"Accept-Language": "en"}))
    assert f"it first waits until {MIX_BATCH} answers have gathered" in re.sub(r"\s+", " ", english)
