"""An official's private feedback (issue 24, part 1): each official who answered online sees,
after publication, their own estimates against the published figures, found through a receipt
only they hold; nobody else can open it, and nothing in the database links them to their answer.
Figures are checked against numpy/scipy computed here from the published payload."""
from __future__ import annotations

import hashlib
import re
from fractions import Fraction

import numpy as np
import pytest
from scipy.stats import rankdata
from sqlalchemy import inspect, select

from plateforme.surveys.feedback import RECEIPT_COOKIE, find_own_answer, official_feedback
from plateforme.surveys.imports import import_estimates
from plateforme.surveys.models import (
    Channel, OfficialParticipation, OfficialPending, OfficialResponse, ResidentResponse,
)

from ..factories import make_survey, page_text, post_form, sign_in
from .page_helpers import _count, _survey, _words

KEYS = ["s1", "s2", "s3"]
STATEMENTS = [
    {"key": "s1", "text": "Affirmation une : les étudiants étrangers", "theme": "people"},
    {"key": "s2", "text": "Affirmation deux : les entreprises étrangères", "theme": "capital"},
    {"key": "s3", "text": "Affirmation trois : les jumelages", "theme": "institutions"},
]
# Five officials answer online; a sixth estimate comes from a file. D and the file tie on s1.
ONLINE = {"A": (80, 60, 50), "B": (40, 10, 70), "C": (90, 20, 30), "D": (85, 15, 55), "E": (60, 30, 45)}
IMPORTED = (85, 50, 50)
RECEIPT_RE = re.compile(r'<code class="receipt">([^<]+)</code>')

_addresses = iter(range(1, 1 << 16))


def _browser(app):
    """A browser of its own, from an address of its own (sign-in is rate limited by address)."""
    client = app.test_client()
    n = next(_addresses)
    client.environ_base["REMOTE_ADDR"] = f"10.77.{n >> 8}.{n & 255}"
    return client


def _as(app, user):
    client = _browser(app)
    sign_in(client, user)
    return client


def _residents(db, survey, make):
    """40 residents: s1 clearly agreed (85 %), s2 clearly not (15 %), s3 split (50 %)."""
    commune = make.territory("69266").id
    for n in range(40):
        answers = ("5" if n < 34 else "1") + ("4" if n < 6 else "2") + ("4" if n % 2 else "2")
        db.session.add(ResidentResponse(survey_id=survey.id, sex="FM"[n % 2], age_band="30-44", commune_id=commune,
                                        answers=answers, estimates="", channel=Channel.ONLINE))
    db.session.commit()


def _answer(app, survey, official, values) -> tuple:
    """The official answers through the page; (their browser, the receipt shown to them)."""
    client = _as(app, official)
    response = post_form(client, f"/questionnaires/{survey.id}/elus",
                         {f"estimate_{key}": str(v) for key, v in zip(KEYS, values)})
    assert response.status_code == 302, page_text(response)[:1500]
    thanks = client.get(response.headers["Location"])
    receipt = RECEIPT_RE.search(page_text(thanks)).group(1)
    assert "ce code seul permet de retrouver votre retour personnel" in _words(thanks)
    assert thanks.headers["Cache-Control"] == "no-store"
    return client, receipt


def _staff_action(app, make, survey, action):
    client = _as(app, make.admin())
    url = f"/questionnaires/{survey.id}/gerer/{action}"
    assert post_form(client, url, {"confirm": "yes"}, form_url=url).status_code == 302


@pytest.fixture
def world(app, db, make):
    """A survey answered by five officials online and one by file, closed and not yet published."""
    survey = make_survey(db, statements=STATEMENTS)
    _residents(db, survey, make)
    officials = {name: make.elected() for name in ONLINE}
    bystander = make.elected()  # an official of the territory who did not answer
    browsers, receipts = {}, {}
    for name, values in ONLINE.items():
        browsers[name], receipts[name] = _answer(app, survey, officials[name], values)
    import_estimates(_survey(db, survey.id), ("s1,s2,s3\n" + ",".join(map(str, IMPORTED)) + "\n").encode(),
                     label="cli")
    db.session.commit()
    _staff_action(app, make, survey, "clore")
    return {"survey": survey, "officials": officials, "bystander": bystander, "browsers": browsers,
            "receipts": receipts}


def _publish(app, make, world):
    _staff_action(app, make, world["survey"], "publier")
    return app.test_client().get(f"/api/v1/surveys/{world['survey'].id}/results").get_json()


def _expected(payload, values) -> list[dict]:
    """The feedback computed here, independently, from the published payload."""
    everyone = list(ONLINE.values()) + [IMPORTED]
    own = np.array(values, dtype=float) / 100
    rows = []
    for j, statement in enumerate(payload["statements"]):
        residents = statement["residents"]
        p, low, high = residents["agree"], residents["ci_low"], residents["ci_high"]
        # Exact arithmetic for the ranks: in floats |0.55 − 0.5| and |0.45 − 0.5| differ.
        exact = [abs(Fraction(row[j], 100) - Fraction(str(p))) for row in everyone]
        ranks = rankdata(np.array(exact, dtype=object), method="min")
        rank = int(ranks[everyone.index(values)])
        mine = abs(own[j] - p)
        if low <= 0.5 <= high:
            majority = "undecided"
        elif own[j] == 0.5:
            majority = "even"
        else:
            majority = "right" if (own[j] > 0.5) == (low > 0.5) else "wrong"
        rows.append({"abs_error": mine, "majority": majority, "rank": rank, "n": len(exact)})
    return rows


MAJORITY_WORDS = {"right": "vue juste", "wrong": "manquée", "even": "vous n'avez pas tranché",
                  "undecided": "impossible à dire"}


def _rows(response) -> list[str]:
    body = page_text(response).split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).replace("\u00a0", " ").replace("\u202f", " ")
            for row in body.split("</tr>")[:-1]]


def _half_up(x: float) -> int:
    return int(np.floor(x + 0.5))


def test_each_official_sees_their_own_figures_checked_independently(app, db, make, world):
    payload = _publish(app, make, world)
    s1, s2, s3 = payload["statements"]
    # The residents' figures were built to give each case of the majority.
    assert s1["residents"]["ci_low"] > 0.5 and s2["residents"]["ci_high"] < 0.5
    assert s3["residents"]["ci_low"] <= 0.5 <= s3["residents"]["ci_high"]
    survey = _survey(db, world["survey"].id)
    for name in ("A", "D"):
        expected = _expected(payload, ONLINE[name])
        # The service's exact figures.
        feedback = official_feedback(survey, find_own_answer(survey, world["receipts"][name]))
        assert [s.estimate for s in feedback.statements] == list(ONLINE[name])
        for got, want, published in zip(feedback.statements, expected, payload["statements"]):
            assert got.abs_error == pytest.approx(want["abs_error"], abs=1e-12)
            assert (got.majority, got.rank, got.officials) == (want["majority"], want["rank"], want["n"])
            assert (got.agree, got.ci_low, got.ci_high) == (published["residents"]["agree"],
                                                            published["residents"]["ci_low"],
                                                            published["residents"]["ci_high"])
        # The page, read from the cookie the answer left in this browser.
        page = world["browsers"][name].get(f"/questionnaires/{survey.id}/mon-retour")
        assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
        rows = _rows(page)
        assert len(rows) == 3
        for row, want, value, published in zip(rows, expected, ONLINE[name], payload["statements"]):
            assert f" {value} % " in row
            assert f" {_half_up(published['residents']['agree'] * 100)} % " in row
            assert f" {_half_up(want['abs_error'] * 100)} point" in row
            assert MAJORITY_WORDS[want["majority"]] in row
            assert f" {want['rank']} sur {want['n']} " in row
        # Never another official's estimate: the page shows no number but its own and the published ones.
        others = {v for other, values in ONLINE.items() if other != name for v in values} - set(ONLINE[name])
        shown = {int(n) for n in re.findall(r"\b(\d+) %", " ".join(rows))}
        published_pcts = {_half_up(s["residents"][k] * 100) for s in payload["statements"]
                          for k in ("agree", "ci_low", "ci_high")}
        assert shown <= set(ONLINE[name]) | published_pcts | {50}
        assert not (others - published_pcts - {50}) & shown
    # D and the imported estimate tie on s1: same rank, the better one; A is not shown as tied.
    assert _expected(payload, ONLINE["D"])[0]["rank"] == 1


def test_officials_see_only_their_own_and_nobody_else_opens_the_page(app, db, make, world):
    _publish(app, make, world)
    survey_id = world["survey"].id
    url = f"/questionnaires/{survey_id}/mon-retour"
    a = _rows(world["browsers"]["A"].get(url))
    b = _rows(world["browsers"]["B"].get(url))
    assert [" 80 % " in r for r in a] == [True, False, False] and [" 40 % " in r for r in b] == [True, False, False]
    assert not any(" 80 % " in r for r in b) and not any(" 40 % " in r for r in a)

    # Administrators and moderators: refused, code or not.
    for person in (make.admin(), make.moderator()):
        assert _as(app, person).get(url).status_code == 403
        assert post_form(_as(app, person), url, {"receipt": world["receipts"]["A"]},
                         form_url=f"/questionnaires/{survey_id}").status_code == 403
    # An official of the territory who did not answer (who answered is not kept after
    # publication): the code form, nobody's figures.
    page = _as(app, world["bystander"]).get(url)
    assert page.status_code == 200 and 'name="receipt"' in page_text(page) and "<tbody>" not in page_text(page)
    # A visitor is asked to sign in.
    visitor = app.test_client().get(url)
    assert visitor.status_code == 302 and "/connexion" in visitor.headers["Location"]

    # A shared computer: B signs in where A answered; A's cookie does not open A's feedback to B.
    shared = _as(app, world["officials"]["B"])
    path = f"/questionnaires/{survey_id}"
    cookie = world["browsers"]["A"].get_cookie(RECEIPT_COOKIE, path=path)
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax" and cookie.path == path
    assert cookie.expires is not None  # long-lived, not a session cookie
    shared.set_cookie(RECEIPT_COOKIE, cookie.value, path=path)
    page = shared.get(url)
    assert page.status_code == 200 and "<tbody>" not in page_text(page) and 'name="receipt"' in page_text(page)


def test_the_code_typed_in_another_browser_wrong_or_missing(app, db, make, world):
    _publish(app, make, world)
    survey_id = world["survey"].id
    url = f"/questionnaires/{survey_id}/mon-retour"
    elsewhere = _as(app, world["officials"]["C"])  # C, on another device: no cookie
    form = elsewhere.get(url)
    assert form.status_code == 200 and 'name="receipt"' in page_text(form) and "<tbody>" not in page_text(form)
    assert "<script" not in page_text(form).split("<main", 1)[1]  # a plain form, no JavaScript needed

    missing = post_form(elsewhere, url, {"receipt": ""})
    assert missing.status_code == 400 and "Saisissez le code personnel" in _words(missing)
    wrong = post_form(elsewhere, url, {"receipt": world["receipts"]["C"][:-2] + "zz"})
    assert wrong.status_code == 400 and "Ce code ne correspond à aucune réponse" in _words(wrong)
    assert world["receipts"]["C"][:-2] + "zz" in page_text(wrong)  # what was typed is kept
    # Spaces copied around the code do not matter.
    right = post_form(elsewhere, url, {"receipt": "  " + world["receipts"]["C"] + " "})
    assert right.status_code == 200 and len(_rows(right)) == 3 and " 90 % " in _rows(right)[0]
    # Remembered in this browser from now on.
    assert " 90 % " in _rows(elsewhere.get(url))[0]


def test_before_publication_the_page_says_feedback_comes_later(app, db, make, world):
    url = f"/questionnaires/{world['survey'].id}/mon-retour"
    page = world["browsers"]["A"].get(url)
    assert page.status_code == 200 and "sera disponible ici après la publication" in _words(page)
    assert "<tbody>" not in page_text(page)
    assert "<tbody>" not in page_text(_as(app, world["bystander"]).get(url))
    assert _as(app, make.admin()).get(url).status_code == 403


def test_the_database_links_no_account_to_an_answer(app, db, make):
    survey = make_survey(db, statements=STATEMENTS)
    official = make.elected()
    _client, receipt = _answer(app, survey, official, ONLINE["A"])
    digest = hashlib.sha256(receipt.encode()).hexdigest()
    assert len(receipt) >= 22  # 128 bits in URL-safe base64
    db.session.rollback()
    pending = db.session.execute(select(OfficialPending)).scalar_one()
    assert pending.receipt_hash == digest
    # No column of an answer refers to an account; the receipt itself is stored nowhere, its
    # hash only on the answer, and nothing of the account is on the answer.
    for model in (OfficialPending, OfficialResponse):
        columns = {c.name for c in inspect(model).columns}
        assert columns == {"id", "survey_id", "estimates", "opinions", "channel", "receipt_hash"}
        assert not [fk for fk in model.__table__.foreign_keys if fk.column.table.name == "user_account"]
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()).all():
            cells = " ".join(str(value) for value in row)
            assert receipt not in cells, table.name
            if digest in cells:
                assert table.name == "official_pending"
            if table.name in ("official_pending", "official_response"):
                assert str(official.id) not in {str(v) for v in row if v is not None} - {str(survey.id)}
    # Mixed at closing and kept at publication, the hash travels with the answer.
    _staff_action(app, make, survey, "clore")
    db.session.rollback()
    assert db.session.execute(select(OfficialResponse.receipt_hash)).scalars().all() == [digest]
    assert _count(db, OfficialParticipation) == 1


def test_imported_estimates_get_no_feedback_and_the_import_page_says_so(app, db, make, world):
    manage = _as(app, make.admin()).get(f"/questionnaires/{world['survey'].id}/gerer")
    assert "n'auront pas de retour personnel" in _words(manage)
    db.session.rollback()
    paper = db.session.execute(select(OfficialResponse).where(OfficialResponse.channel == Channel.PAPER)).scalar_one()
    assert paper.receipt_hash is None
    assert _count(db, OfficialParticipation) == len(ONLINE)  # the file's official has no account, no page


def test_code_submissions_are_rate_limited(app, db, make, world):
    _publish(app, make, world)
    client = _as(app, world["officials"]["E"])
    url = f"/questionnaires/{world['survey'].id}/mon-retour"
    statuses = [post_form(client, url, {"receipt": "pas-le-bon-code"}).status_code for _ in range(21)]
    assert statuses[:20] == [400] * 20 and statuses[20] == 429


def test_links_to_the_feedback_and_its_privacy_are_said(app, db, make, world):
    _publish(app, make, world)
    survey_id = world["survey"].id
    results = _words(app.test_client().get(f"/questionnaires/{survey_id}/resultats"))
    assert "Votre retour personnel" in results and "il est privé" in results
    assert "Retour personnel aux personnes élues" in results  # the methodology
    feedback_link = f"/questionnaires/{survey_id}/mon-retour"
    assert feedback_link in page_text(world["browsers"]["A"].get(f"/questionnaires/{survey_id}/resultats"))
    # Not offered to the signed-in people it would only refuse.
    for person in (make.admin(), make.user()):
        assert feedback_link not in page_text(_as(app, person).get(f"/questionnaires/{survey_id}/resultats"))
    dashboard = world["browsers"]["A"].get("/consultations/mon-territoire")
    assert f"/questionnaires/{survey_id}/mon-retour" in page_text(dashboard)
    # Every official asked is shown the way (who answered is not kept after publication).
    bystander = _as(app, world["bystander"]).get("/consultations/mon-territoire")
    assert f"/questionnaires/{survey_id}/mon-retour" in page_text(bystander)


def test_english_version(app, db, make):
    survey = make_survey(db, statements=STATEMENTS)
    official = make.elected(locale="en")
    client, receipt = _answer_en(app, survey, official)
    page = client.get(f"/questionnaires/{survey.id}/mon-retour")
    words = _words(page)
    assert "Your personal feedback" in words and "after the results are published" in words
    assert "Votre retour" not in words


def _answer_en(app, survey, official):
    client = _as(app, official)
    response = post_form(client, f"/questionnaires/{survey.id}/elus",
                         {f"estimate_{key}": "50" for key in KEYS})
    thanks = _words(client.get(response.headers["Location"]))
    assert "Your personal code" in thanks and "only this code can find your personal feedback" in thanks
    # What happens to who answered is said as it is (a first version said the list was kept).
    assert "The list of elected officials who answered is deleted when the results are published" in thanks
    return client, None


def test_an_official_without_an_online_answer_is_told_why_there_may_be_no_feedback(app, db, make, world):
    """The results page invites officials to their feedback; one who answered on paper (imported)
    reads on the code form why there is none for them. Who answered is not kept, so the page
    cannot tell them apart: the same form and sentence for every official without a code."""
    _publish(app, make, world)
    url = f"/questionnaires/{world['survey'].id}/mon-retour"
    page = _as(app, world["bystander"]).get(url)
    assert page.status_code == 200
    words = _words(page)
    assert "importées d'un fichier ne sont reliées à aucune personne" in words
    assert 'name="receipt"' in page_text(page) and "<tbody>" not in page_text(page)
    assert _as(app, make.admin()).get(url).status_code == 403


def test_who_answered_is_forgotten_at_publication_and_feedback_still_opens(app, db, make, world):
    """Kept, the list of officials who answered would name the answers (online ones differ from
    imported ones); the receipt alone finds an official's answer."""
    from plateforme.surveys.models import OfficialParticipation

    assert db.session.query(OfficialParticipation).count() > 0
    _publish(app, make, world)
    assert db.session.query(OfficialParticipation).count() == 0
    url = f"/questionnaires/{world['survey'].id}/mon-retour"
    assert " 80 % " in _rows(world["browsers"]["A"].get(url))[0]
