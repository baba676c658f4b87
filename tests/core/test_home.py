"""The home page puts first what a visitor can act on now: a call to action on the first
screen, consultations in a phase where residents contribute (newest first, each with the time
left in its phase), open surveys, then the rest; officials find their tools at the top."""
from __future__ import annotations

from datetime import timedelta


from plateforme.consultations.models import PhaseKind
from plateforme.core.models import local_today

from ..consultations.helpers import build_consultation
from ..factories import page_text, sign_in, statements_for


def _phase(consultation, kind):
    return next(p for p in consultation.phases if p.kind == kind)


def test_only_what_residents_can_act_on_comes_first_newest_first_with_the_phase_deadline(client, db, make):
    today = local_today()
    build_consultation(make, PhaseKind.INFORMATION, title="Consultation à lire seulement")
    older = build_consultation(make, PhaseKind.DEBATE, title="Débat ouvert depuis longtemps",
                               today=today - timedelta(days=3))  # its phase began 3 days before the other's
    newer = build_consultation(make, PhaseKind.PROPOSALS, title="Propositions ouvertes récemment")
    last_day = build_consultation(make, PhaseKind.SURVEY, title="Questionnaire du dernier jour",
                                  today=today - timedelta(days=1))
    _phase(last_day, PhaseKind.SURVEY).ends_on = today
    db.session.commit()
    text = page_text(client.get("/"))
    section = text[text.index('id="participer"'):text.index('id="territory-title"')]
    assert "Consultation à lire seulement" not in section  # residents can do nothing there yet
    assert section.index("Propositions ouvertes récemment") < section.index("Débat ouvert depuis longtemps")
    debate_left = (_phase(older, PhaseKind.DEBATE).ends_on - today).days + 1
    proposals_left = (_phase(newer, PhaseKind.PROPOSALS).ends_on - today).days + 1
    assert f"Encore {debate_left} jours pour donner votre avis" in section
    assert f"Encore {proposals_left} jours pour faire une proposition" in section
    assert "Dernier jour pour répondre au questionnaire" in section
    assert 'href="/consultations/"' in section  # then the way to all of them


def test_the_first_screen_calls_to_act(client, db, make):
    build_consultation(make, PhaseKind.DEBATE, title="Débat ouvert")
    text = page_text(client.get("/"))
    call = text.index("Participer\u00a0: 1 consultation ou questionnaire ouvert")
    assert call < text.index('id="participer"') and call < text.index('id="territory-title"')
    assert 'href="#participer"' in text
    assert text.index('href="/inscription"', text.index("</nav>")) < text.index('id="participer"')


def test_with_nothing_open_the_call_leads_to_all_consultations(client, db):
    text = page_text(client.get("/"))
    assert "Aucune consultation n'attend vos contributions" in text
    assert '<a class="button" href="/consultations/">Voir les consultations</a>' in text


def test_an_official_finds_their_tools_first_and_a_resident_none(client, db, make):
    official = make.elected()
    sign_in(client, official)
    text = page_text(client.get("/"))
    tools = text.index('id="tools-title"')
    assert tools < text.index('class="lead"')
    assert 'href="/consultations/mon-territoire"' in text[tools:text.index("</section>", tools)]
    assert 'id="tools-title"' in page_text(client.get("/compte"))
    resident = client.application.test_client()
    sign_in(resident, make.user())
    assert 'id="tools-title"' not in page_text(resident.get("/"))
    assert 'id="tools-title"' not in page_text(resident.get("/compte"))


def test_the_home_page_costs_the_same_whatever_is_open(client, db, make):
    build_consultation(make, PhaseKind.DEBATE, title="Débat 0")
    one = statements_for(db, client, "/")
    for n in range(1, 5):
        build_consultation(make, PhaseKind.DEBATE if n % 2 else PhaseKind.PROPOSALS, title=f"Débat {n}")
    assert statements_for(db, client, "/") == one
