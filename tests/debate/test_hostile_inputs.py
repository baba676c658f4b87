"""Hostile input on every field of the debate, moderation, report, consultation, card and
response forms, and on the listing pages' sort, filter and page arguments.

Hypothesis writes arbitrary text (control characters, NUL, right-to-left overrides, emoji,
SQL-looking strings, huge numbers, impossible dates, 100 000-character strings) into one or
more fields of a form otherwise filled as a person would (the form's own current values,
plus valid values for the rest), and posts it with the form's CSRF token. The answer is
never a server error, and nothing is half saved: the form's table gains at most one row.
"""
from __future__ import annotations

import os
import re
from urllib.parse import urlsplit
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from plateforme.cards.models import IssueCard, IssueCardVersion
from plateforme.consultations.models import (
    AuthorityResponse, Commitment, CommitmentUpdate, Consultation, Synthesis,
)
from plateforme.debate.models import (
    AccountSuspension, Comment, CommentRevision, Endorsement, ModerationAction, ModerationPolicy, Proposal,
    Report, Support,
)
from plateforme.extensions import limiter
from plateforme.notifications.models import Notification

from ..factories import sign_in
from .hostile_forms import ACCEPTABLE, build_world, hostile_text, phase_day, post_form_of, scrape_forms

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "25"))
HOSTILE = settings(max_examples=EXAMPLES, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                          HealthCheck.data_too_large])
PHASES = ("information", "debate", "proposals", "survey", "synthesis", "response")
LONG_TEXT = "Un texte assez long et sensé pour passer les contrôles de longueur du formulaire."


@dataclass
class Target:
    """A form: who fills it, where it is shown and posted, the table it writes to."""

    name: str
    endpoint: str
    user: str | None
    form_url: str
    model: type
    valid: dict = field(default_factory=dict)  # values a person would type where the form is blank
    post_url: str | None = None  # when the form is posted elsewhere than `form_url`
    only: tuple[str, ...] = ()  # the fields to fuzz, when the page's form has more


def _consultation_fields() -> dict:
    dates = {}
    for index, kind in enumerate(PHASES):
        dates[f"{kind}_starts_on"] = phase_day(7 * index)
        dates[f"{kind}_ends_on"] = phase_day(7 * index + 6)
    return {"title": "Une consultation sur l'accueil des étudiants", "description": LONG_TEXT,
            "territory": "{territory}", "cards": "{card}", "audience": "registered", **dates}


CARD_FIELDS = {"title": "Les entreprises étrangères à Lyon", "summary": LONG_TEXT, "stakes": LONG_TEXT,
               "known": LONG_TEXT, "unknown": LONG_TEXT, "questions": "Faut-il les accueillir ?",
               "political_status": "invisible", "change_note": "Des chiffres plus récents."}

TARGETS = [
    Target("comment", "debate.comment", "other", "/consultations/{debating}/commenter", Comment,
           {"comment-stance": "for", "comment-body": LONG_TEXT}),
    Target("reply", "debate.reply", "other", "/consultations/{debating}/commentaires/{comment}/repondre", Comment,
           {"comment-stance": "question", "comment-body": LONG_TEXT}),
    Target("comment edit", "debate.edit_comment", "resident",
           "/consultations/{debating}/commentaires/{comment}/modifier", CommentRevision,
           {"comment-body": LONG_TEXT}),
    Target("proposal", "debate.propose", "other", "/consultations/{proposing}/proposer", Proposal,
           {"proposal-title": "Un guichet unique pour tous", "proposal-body": LONG_TEXT}),
    Target("proposal answer", "debate.answer_proposal", "official",
           "/consultations/{proposing}/propositions/{proposal}/repondre", Notification,
           {"status": "under_study", "justification": LONG_TEXT}),
    Target("proposal withdrawal", "debate.withdraw_proposal", "resident",
           "/consultations/{proposing}/propositions/{proposal}/retirer", Proposal,
           {"reason": "Déjà proposée par quelqu'un d'autre."}),
    Target("report", "debate.report", "other", "/consultations/{debating}/signaler/commentaire/{comment}", Report,
           {"reason": "insult", "note": "Une insulte envers une autre personne."}),
    Target("moderation: hide", "debate.hide_content", "moderator",
           "/consultations/{debating}/moderation/commentaire/{comment}/masquer", ModerationAction,
           {"reason": "insult", "public_reason": "Propos insultants envers une personne."}),
    Target("moderation: suspend", "debate.suspend_author", "moderator",
           "/consultations/{debating}/moderation/commentaire/{comment}/suspendre", AccountSuspension,
           {"days": "3", "reason": "Insultes répétées envers d'autres personnes."}),
    Target("moderation: policy", "debate.moderation_settings", "moderator",
           "/consultations/moderation/regles/epci/200046977", ModerationPolicy,
           {"report_threshold": "3", "hold_first_posts": "0"}),
    # A moderation button posts only its CSRF token and the page to come back to.
    Target("moderation: act", "debate.moderate", "moderator",
           "/consultations/{debating}/moderation/commentaire/{comment}/masquer", ModerationAction,
           {"next": "/consultations/{debating}/debat"},
           post_url="/consultations/{debating}/moderation/commentaire/{comment}/mettre-en-avant", only=("next",)),
    # Support buttons post their CSRF token and a local page to come back to (`retour`).
    Target("endorsement", "debate.endorse", "other", "/consultations/{debating}/debat", Endorsement,
           post_url="/consultations/{debating}/commentaires/{comment}/soutenir", only=("retour",)),
    Target("support", "debate.support", "other", "/consultations/{proposing}/debat", Support,
           post_url="/consultations/{proposing}/propositions/{proposal}/soutenir", only=("retour",)),
    Target("consultation create", "consultations.create", "official", "/consultations/nouvelle", Consultation,
           _consultation_fields()),
    Target("consultation edit", "consultations.edit", "official", "/consultations/{draft}/modifier", Consultation),
    Target("consultation cancel", "consultations.cancel", "official", "/consultations/{debating}/annuler",
           Consultation, {"reason": "Le calendrier municipal a changé."}),
    Target("synthesis", "consultations.write_synthesis", "moderator", "/consultations/{in_synthesis}/synthese",
           Synthesis, {"body": LONG_TEXT}),
    Target("response", "consultations.publish_response", "official", "/consultations/{in_response}/reponse",
           AuthorityResponse, {"body": LONG_TEXT, "commitments-0-title": "Ouvrir un guichet unique",
                               "commitments-0-owner": "Direction des relations internationales",
                               "commitments-0-due_on": phase_day(90)}),
    Target("commitment", "consultations.add_commitment", "official", "/consultations/{concluded}/engagements/nouveau",
           Commitment, {"title": "Ouvrir un guichet", "owner": "Direction", "due_on": phase_day(60)}),
    Target("commitment update", "consultations.update_commitment", "official",
           "/consultations/engagements/{commitment}/suivi", CommitmentUpdate,
           {"status": "in_progress", "body": LONG_TEXT}),
    Target("card create", "cards.create", "official", "/fiches-enjeux/nouvelle?territoire={territory}", IssueCard,
           CARD_FIELDS),
    Target("card edit", "cards.edit", "official", "/fiches-enjeux/{draft_card}/modifier", IssueCardVersion),
    Target("card new version", "cards.new_version", "official", "/fiches-enjeux/{card}/nouvelle-version",
           IssueCardVersion, {"change_note": "Des chiffres plus récents."}),
    Target("card review", "cards.review", "moderator", "/fiches-enjeux/{submitted_card}/publication",
           IssueCardVersion, {"decision": "return", "note": "Précisez la source des chiffres."}),
]


def _count(db, model) -> int:
    db.session.rollback()
    count = db.session.execute(select(func.count()).select_from(model)).scalar_one()
    db.session.rollback()
    return count


def _skip_if_missing(app, endpoint: str) -> None:
    if endpoint not in app.view_functions:
        pytest.skip(f"{endpoint} does not exist yet")


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_hostile_text_in_any_field_never_breaks_a_form(app, client, db, make, target):
    _skip_if_missing(app, target.endpoint)
    world = build_world(make, db)
    if target.user:
        sign_in(client, world.users[target.user])
    form_url = target.form_url.format(**world.ids)
    post_url = (target.post_url or target.form_url).format(**world.ids)
    page = client.get(form_url)
    assert page.status_code == 200, (form_url, page.status_code)
    form = post_form_of(page.get_data(as_text=True), post_url.split("?")[0])
    csrf = {name: value for name, value in form.fields.items() if name.endswith("csrf_token")}
    assert csrf, f"no CSRF token in the form on {form_url}"
    baseline = {**form.fields, **{k: v.format(**world.ids) for k, v in target.valid.items()}}
    names = list(target.only) or sorted((set(baseline) | set(form.options)) - set(csrf))
    if os.environ.get("HOSTILE_DEBUG"):  # does the baseline pass? (it then writes, so only when debugging)
        before = _count(db, target.model)
        response = client.post(post_url, data={**baseline, **csrf})
        errors = re.findall(r'class="(?:field-error|error-message|error)[^"]*"[^>]*>([^<]+)',
                            response.get_data(as_text=True))
        print("BASELINE", target.name, response.status_code, _count(db, target.model) - before, errors)

    @HOSTILE
    @given(st.data())
    def post_hostile(data):
        limiter.reset()  # the posting allowances are not what this test is about
        chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))
        values = {name: data.draw(hostile_text, label=name) for name in chosen}
        before = _count(db, target.model)
        response = client.post(post_url, data={**baseline, **values, **csrf})
        assert response.status_code in ACCEPTABLE, (target.name, values, response.status_code)
        assert _count(db, target.model) - before in (0, 1), (target.name, values)
        if response.status_code == 302:  # never an open redirect, whatever `next` says
            assert urlsplit(response.headers["Location"]).netloc in ("", "localhost"), response.headers["Location"]

    post_hostile()
    # The form still works for a person after the storm (or says why it no longer applies).
    limiter.reset()
    response = client.post(post_url, data={**baseline, **csrf})
    assert response.status_code in ACCEPTABLE


LISTINGS = [
    ("consultations.index", "/consultations/", ["page", "statut", "territoire", "tri", "q", "etape"]),
    ("debate.debate", "/consultations/{debating}/debat",
     ["page_commentaires", "page_propositions", "position", "statut", "tri", "tri_propositions"]),
    ("consultations.show", "/consultations/{debating}",
     ["page_commentaires", "page_propositions", "position", "statut", "tri"]),
    ("debate.proposal", "/consultations/{proposing}/propositions/{proposal}", ["page", "tri"]),
    ("debate.moderation_queue", "/consultations/moderation", ["page", "territoire", "motif", "tri", "statut"]),
    ("debate.moderation_log", "/consultations/{debating}/moderation", ["page", "action", "motif"]),
    ("notifications.index", "/compte/notifications/", ["page"]),
    ("cards.index", "/fiches-enjeux/", ["page", "territoire", "statut", "tri", "q"]),
    ("consultations.accountability", "/consultations/redevabilite/epci/200046977", ["page", "statut", "tri"]),
]


@pytest.mark.parametrize("endpoint, url, known", LISTINGS, ids=[row[0] for row in LISTINGS])
def test_hostile_sort_filter_and_page_arguments_never_break_a_listing(app, client, db, make, endpoint, url, known):
    _skip_if_missing(app, endpoint)
    world = build_world(make, db)
    sign_in(client, world.users["moderator"])
    path = url.format(**world.ids)
    page = client.get(path)
    assert page.status_code == 200, path
    # The page's own GET forms (filters, sorting) name the arguments it reads.
    names = sorted(set(known) | {name for form in scrape_forms(page.get_data(as_text=True))
                                 if form.method == "get" for name in form.fields | form.options})

    @HOSTILE
    @given(st.dictionaries(st.sampled_from(names), hostile_text, min_size=1))
    def get_hostile(args):
        response = client.get(path, query_string=args)
        assert response.status_code in ACCEPTABLE, (path, args, response.status_code)

    get_hostile()


def test_what_the_fuzzing_found_stays_fixed(app, client, db, make):
    """NUL in a text (PostgreSQL refuses it), integers of hundreds of digits (NumberRange
    overflows converting them to float; the database overflows looking them up)."""
    world = build_world(make, db)
    sign_in(client, world.users["other"])
    url = "/consultations/{debating}/commenter".format(**world.ids)
    token = post_form_of(client.get(url).get_data(as_text=True), url).fields["comment-csrf_token"]
    response = client.post(url, data={"comment-csrf_token": token, "comment-stance": "for",
                                      "comment-body": "Un avis\x00 sans caractère nul."})
    assert response.status_code == 302
    assert db.session.execute(select(Comment.body).order_by(Comment.id.desc())).scalars().first() == \
        "Un avis sans caractère nul."
    # An unusable filter is refused with a message naming it (core/params.py), not a 500.
    refused = client.get("/consultations/", query_string={"territory": "9" * 400})
    assert refused.status_code == 400 and "territory" in refused.get_data(as_text=True)

    moderator = app.test_client()
    sign_in(moderator, world.users["moderator"])
    url = "/consultations/moderation/regles/epci/200046977"
    token = post_form_of(moderator.get(url).get_data(as_text=True), url).fields["csrf_token"]
    response = moderator.post(url, data={"csrf_token": token, "report_threshold": "9" * 400, "hold_first_posts": "0"})
    assert response.status_code == 200 and "Indiquez un nombre entre 2 et 20." in response.get_data(as_text=True)
    assert _count(db, ModerationPolicy) == 0
