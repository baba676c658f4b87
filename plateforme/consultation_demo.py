"""Demo consultations for `make run`, on the Métropole de Lyon.

On the demo issue cards (cards/demo.py), one consultation in each stage on the
day the demo is loaded — upcoming, information, debate, proposals, survey, synthesis,
response — and a concluded one with its synthesis, the authority's response and
commitments at every status, followers and notifications.

Rows are written with the models directly (as the services would leave them), phases are
placed around `local_today()`; what they say is in consultation_demo_texts.py. Everything is
invented; the site's « données de démonstration » banner (DEMO_DATA) says so once.
Idempotent like the rest of the demo: a consultation whose title exists is left as it is.
It writes the debate's rows too (comments, proposals, reactions) and a synthesis citing them,
so it sits above both packages, beside plateforme/demo.py: the consultations import nothing
of the debate.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app, url_for
from sqlalchemy import select

from .accounts.models import User
from .accounts.passwords import hash_password
from .cards.demo import demo_cards
from .core.models import local_today, utcnow
from .core.sanitize import markdown_to_safe_html
from .debate.models import Comment, Endorsement, Proposal, Support
from .extensions import db
from .notifications.models import Notification, NotificationKind
from .surveys.models import PerceptionSurvey
from .territories.models import Territory
from .consultation_demo_texts import COMMENTS, COMMITMENTS, CONSULTATIONS, PROPOSALS, RESPONSE, SYNTHESES, commitment_description
from .consultations.models import (
    PHASE_ORDER, AuthorityResponse, Commitment, CommitmentUpdate, Consultation, ConsultationFollow,
    ConsultationPhase, ConsultationStatus, PhaseKind, Synthesis,
)

PHASE_DAYS = 14


@dataclass(frozen=True)
class DemoResident:
    email: str
    display_name: str
    commune_code: str
    role: str = "habitante ou habitant (débat)"


# More residents, so the debate has several voices (all in the Métropole's communes).
RESIDENTS = (
    DemoResident("lea@demo.plateforme.example", "Léa Martin", "69123"),
    DemoResident("yanis@demo.plateforme.example", "Yanis Haddad", "69259"),
    DemoResident("mireille@demo.plateforme.example", "Mireille Dubois", "69029"),
    DemoResident("tom@demo.plateforme.example", "Tom Girard", "69256"),
)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


def _md(text: str) -> tuple[str, str]:
    return text, markdown_to_safe_html(text)


def _residents(password: str, communes: dict[str, Territory]) -> list[User]:
    people = []
    for resident in RESIDENTS:
        user = db.session.execute(select(User).where(User.email == resident.email)).scalar_one_or_none()
        if user is None:
            user = User(email=resident.email, display_name=resident.display_name, locale="fr",
                        password_hash=hash_password(password), commune=communes.get(resident.commune_code),
                        email_confirmed_at=utcnow())
            db.session.add(user)
        people.append(user)
    db.session.flush()
    return people


# --- consultations --------------------------------------------------------------------------

def _phase_dates(current: str, today: date) -> list[tuple[PhaseKind, date, date]]:
    """The six phases back to back, placed so that `current` runs on `today` ("upcoming":
    all later; "concluded": all over, the response phase ended about four months ago)."""
    length = timedelta(days=PHASE_DAYS)
    if current == "upcoming":
        start = today + timedelta(days=10)
    elif current == "concluded":
        start = today - length * len(PHASE_ORDER) - timedelta(days=120)
    else:
        start = today - timedelta(days=PHASE_DAYS // 2) - length * PHASE_ORDER.index(PhaseKind(current))
    out = []
    for kind in PHASE_ORDER:
        out.append((kind, start, start + length - timedelta(days=1)))
        start += length
    return out


def _around_survey(phases, survey: PerceptionSurvey) -> list[tuple[PhaseKind, date, date]]:
    """The survey phase takes the survey's own dates, as the consultation form does, so the
    consultation and the survey give one deadline; the other phases stay back to back around it."""
    at = next(i for i, (kind, _start, _end) in enumerate(phases) if kind == PhaseKind.SURVEY)
    out = list(phases)
    out[at] = (PhaseKind.SURVEY, survey.opens_at, survey.closes_at)
    for i in range(at - 1, -1, -1):  # earlier phases end the day before the next one starts
        kind, start, end = phases[i]
        end_on = out[i + 1][1] - timedelta(days=1)
        out[i] = (kind, end_on - (end - start), end_on)
    for i in range(at + 1, len(phases)):
        kind, start, end = phases[i]
        start_on = out[i - 1][2] + timedelta(days=1)
        out[i] = (kind, start_on, start_on + (end - start))
    return out


def _comments(consultation: Consultation, people: list[User], day: date, said) -> list[Comment]:
    comments: list[Comment] = []
    for index, (author_index, stance, body, parent_index) in enumerate(said):
        parent = comments[parent_index] if parent_index is not None else None
        text, html = _md(body)
        comment = Comment(consultation_id=consultation.id, author=people[author_index], stance=stance, body=text,
                          body_html=html, parent=parent, depth=min(parent.depth + 1, 2) if parent else 0,
                          created_at=_at(day, 8) + timedelta(minutes=47 * index))  # replies after parents
        db.session.add(comment)
        comments.append(comment)
    db.session.flush()
    for index, comment in enumerate(comments):  # a few endorsements, one per person
        for person in people[: index % 3]:
            if person.id != comment.author_id:
                db.session.add(Endorsement(comment_id=comment.id, user_id=person.id))  # counted by a trigger
    return comments


def _proposals(consultation: Consultation, people: list[User], day: date, proposed) -> list[Proposal]:
    proposals = []
    for index, (author_index, title, body, answer) in enumerate(proposed):
        text, html = _md(body)
        proposal = Proposal(consultation_id=consultation.id, author=people[author_index], title=title, body=text,
                            body_html=html, created_at=_at(day, 11 + index))
        if answer is not None:
            status, justification = answer
            proposal.status = status
            proposal.justification, proposal.justification_html = _md(justification)
            proposal.answered_at = _at(day + timedelta(days=3))
        db.session.add(proposal)
        proposals.append(proposal)
    db.session.flush()
    for index, proposal in enumerate(proposals):
        for person in people[: 4 - index]:
            if person.id != proposal.author_id:
                db.session.add(Support(proposal_id=proposal.id, user_id=person.id))  # counted by a trigger
    return proposals


def _consultation(title, current, cards, audience, description, epci, official, today, survey) -> Consultation:
    phases = _phase_dates(current, today)
    if current == "survey" and survey is not None:
        phases = _around_survey(phases, survey)
    text, html = _md(description)
    consultation = Consultation(title=title, description=text, description_html=html, territory=epci,
                                audience=audience, opened_by=official, cards=cards,
                                survey=survey if current == "survey" else None)
    for kind, starts_on, ends_on in phases:
        consultation.phases.append(ConsultationPhase(kind=kind, starts_on=starts_on, ends_on=ends_on))
    db.session.add(consultation)
    db.session.flush()
    consultation.move_to(ConsultationStatus.PUBLISHED)
    # Published a week before it starts (or just now, for one that starts soon).
    consultation.published_at = consultation.updated_at = _at(min(phases[0][1] - timedelta(days=7),
                                                                  today - timedelta(days=1)))
    return consultation


def _synthesis(consultation, moderator, current: str, comments, proposals, day: date) -> None:
    body, comment_indexes, proposal_indexes = SYNTHESES[current]
    text, html = _md(body)
    db.session.add(Synthesis(consultation=consultation, body=text, body_html=html, author=moderator,
                             published_at=_at(day, 15), comments=[comments[i] for i in comment_indexes],
                             proposals=[proposals[i] for i in proposal_indexes]))


def _response(consultation, official, proposals, day: date, today: date) -> list[Commitment]:
    text, html = _md(RESPONSE)
    response = AuthorityResponse(consultation=consultation, body=text, body_html=html, author=official,
                                 published_at=_at(day, 16))
    for position, (title, owner, due_in, status, proposal, card, updates) in enumerate(COMMITMENTS):
        description, description_html = _md(commitment_description(
            proposals[proposal].title if proposal is not None else None, consultation.cards[card].title))
        commitment = Commitment(response=response, position=position, title=title, owner=owner, status=status,
                                description=description, description_html=description_html,
                                due_on=today + timedelta(days=due_in), created_at=_at(day, 16))
        for days_ago, before, after, body in updates:
            body_text, body_html = _md(body)
            commitment.updates.append(CommitmentUpdate(body=body_text, body_html=body_html, status_before=before,
                                                       status_after=after, author=official,
                                                       created_at=_at(today - timedelta(days=days_ago), 14)))
        commitment.updated_at = commitment.updates[-1].created_at if commitment.updates else _at(day, 16)
    db.session.add(response)
    db.session.flush()
    return response.commitments


def _path(endpoint: str, anchor: str | None = None, **values) -> str:
    with current_app.test_request_context():  # no request when `flask demo` runs
        return url_for(endpoint, _anchor=anchor, **values)


def _notify(user: User, kind: NotificationKind, consultation: Consultation, subject: str, anchor: str,
            read: bool, when: datetime) -> None:
    db.session.add(Notification(user_id=user.id, kind=kind, consultation_id=consultation.id, subject=subject[:200],
                                target_path=_path("consultations.show", anchor, consultation_id=consultation.id),
                                created_at=when, read_at=when if read else None))


def _open_survey(epci: Territory) -> PerceptionSurvey | None:
    """The demo's open survey, when it exists on the same territory."""
    return db.session.execute(select(PerceptionSurvey).where(
        PerceptionSurvey.title == "L'international et nous — vague 2026",
        PerceptionSurvey.territory_id == epci.id)).scalar_one_or_none()


def _contributions(consultation: Consultation, current: str, people: list[User], today: date):
    """Comments, replies and proposals, as far as the consultation has gone; the habitant's notifications."""
    phases = {p.kind: p for p in consultation.phases}
    habitant = people[0]
    comments: list[Comment] = []
    if current in COMMENTS:
        debate_start = phases[PhaseKind.DEBATE].starts_on
        day = today - timedelta(days=3) if current == "debate" else debate_start + timedelta(days=2)
        comments = _comments(consultation, people, day, COMMENTS[current])
    if current == "debate":
        db.session.add(ConsultationFollow(consultation_id=consultation.id, user_id=habitant.id))
        reply = next(c for c in comments if c.parent is not None and c.parent.author_id == habitant.id)
        _notify(habitant, NotificationKind.COMMENT_REPLY, consultation, consultation.title,
                f"commentaire-{reply.id}", False, reply.created_at)
    proposals: list[Proposal] = []
    if current in PROPOSALS:
        day = today - timedelta(days=4) if current == "proposals" else phases[PhaseKind.PROPOSALS].starts_on
        proposals = _proposals(consultation, people, day, PROPOSALS[current])
    return comments, proposals


def _outcome(consultation: Consultation, current: str, comments, proposals, people: list[User],
             users: dict[str, User], today: date) -> None:
    """The synthesis once its phase is over; for the concluded consultation, the response, its
    commitments, followers and the habitant's notifications."""
    if current not in ("response", "concluded"):
        return
    phases = {p.kind: p for p in consultation.phases}
    _synthesis(consultation, users["moderation@demo.plateforme.example"], current, comments, proposals,
               phases[PhaseKind.SYNTHESIS].starts_on + timedelta(days=3))
    if current != "concluded":
        return
    response_day = phases[PhaseKind.RESPONSE].starts_on + timedelta(days=5)
    commitments = _response(consultation, users["elue@demo.plateforme.example"], proposals, response_day, today)
    for person in people[:3]:
        db.session.add(ConsultationFollow(consultation_id=consultation.id, user_id=person.id))
    habitant, running = people[0], commitments[1]
    _notify(habitant, NotificationKind.RESPONSE_PUBLISHED, consultation, consultation.title, "reponse", True,
            _at(response_day, 16))
    _notify(habitant, NotificationKind.COMMITMENT_UPDATED, consultation, running.title,
            f"engagement-{running.id}", False, running.updates[-1].created_at)


def load_consultation_demo(epci: Territory, communes: list[Territory], users: dict[str, User],
                           password: str) -> list[DemoResident]:
    """Load the demo cards and consultations; return the extra resident accounts (to print)."""
    today = local_today()
    people = [users["habitant@demo.plateforme.example"], *_residents(password, {c.code: c for c in communes})]
    cards = demo_cards(epci, users["partenaire@demo.plateforme.example"], users["moderation@demo.plateforme.example"],
                   today)
    existing = set(db.session.execute(select(Consultation.title)).scalars())
    survey = _open_survey(epci)
    for title, current, card_indexes, audience, description in CONSULTATIONS:
        if title in existing:
            continue
        consultation = _consultation(title, current, [cards[i] for i in card_indexes], audience, description,
                                     epci, users["elue@demo.plateforme.example"], today, survey)
        comments, proposals = _contributions(consultation, current, people, today)
        _outcome(consultation, current, comments, proposals, people, users, today)
        db.session.flush()
    return list(RESIDENTS)
