"""Demo consultations for `make run`, on the Métropole de Lyon.

On the demo issue cards (cards/demo.py), one consultation in each stage on the
day the demo is loaded — upcoming, information, debate, proposals, survey, synthesis,
response — and a concluded one with its synthesis, the authority's response and
commitments at every status, followers and notifications.

Rows are written with the models directly (as the services would leave them), phases are
placed around `local_today()`. Everything is invented and says so ("illustratif").
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
from .consultations.models import (
    PHASE_ORDER, Audience, AuthorityResponse, Commitment, CommitmentStatus, CommitmentUpdate, Consultation,
    ConsultationFollow, ConsultationPhase, ConsultationStatus, PhaseKind, Synthesis,
)
from .core.models import local_today, utcnow
from .core.sanitize import markdown_to_safe_html
from .debate.models import Comment, Endorsement, Proposal, ProposalStatus, Stance, Support
from .extensions import db
from .notifications.models import Notification, NotificationKind
from .surveys.models import PerceptionSurvey
from .territories.models import Territory

NOTICE = "*Contenu de démonstration : les faits, chiffres et contributions sont illustratifs.*"
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


# (title, current stage, card indexes, audience, description)
CONSULTATIONS = (
    ("Jumelages : quelle place pour les habitantes et habitants ?", "upcoming", (2,),
     Audience.REGISTERED, "Les jumelages de la métropole seront débattus à partir de la date indiquée."),
    ("Cuisines du monde et commerce de proximité", "information", (2,), Audience.REGISTERED,
     "Découvrez la fiche enjeu et les constats de l'observatoire avant l'ouverture du débat."),
    ("L'accueil des étudiantes et étudiants étrangers", "debate", (0,), Audience.REGISTERED,
     "Comment mieux accueillir les étudiantes et étudiants venus d'ailleurs ? Donnez votre avis."),
    ("Les entreprises étrangères et l'emploi dans l'est de la métropole", "proposals", (1,),
     Audience.RESIDENTS, "Faites vos propositions pour que l'emploi créé profite au territoire."),
    ("Ce que nous pensons de l'international", "survey", (0, 1, 2), Audience.REGISTERED,
     "Répondez au questionnaire de perception : vos réponses seront comparées à ce qu'en pensent les élus."),
    ("Mobilité internationale des apprentis", "synthesis", (0,), Audience.REGISTERED,
     "Le débat est clos : la modération rédige la synthèse de ce qui a été dit."),
    ("Langues du monde à l'école et dans les bibliothèques", "response", (2,), Audience.REGISTERED,
     "La synthèse est publiée : la métropole prépare sa réponse officielle."),
    ("Une métropole accueillante pour les talents internationaux", "concluded", (0, 1),
     Audience.REGISTERED, "La consultation est terminée : voici la synthèse, la réponse et le suivi des "
                          "engagements."),
)

# (author index, stance, body, parent index or None) — author 0 is habitant@, then RESIDENTS.
COMMENTS = (
    (1, Stance.FOR, "Les étudiants étrangers font vivre nos quartiers. Un **accueil dès l'arrivée** changerait "
                    "beaucoup de choses.", None),
    (2, Stance.QUESTION, "Combien d'entre eux trouvent un logement avant la rentrée ?", None),
    (0, Stance.NUANCE, "Je suis favorable, mais le logement manque déjà pour les étudiants d'ici.", None),
    (3, Stance.AGAINST, "Ce n'est pas à la métropole de payer pour les universités.", None),
    (4, Stance.FOR, "Mon fils a étudié à l'étranger : l'accueil là-bas a tout changé pour lui.", None),
    (2, Stance.NUANCE, "Les résidences universitaires pourraient réserver des places à l'arrivée.", 2),
    (1, Stance.QUESTION, "Les universités ne financent-elles pas déjà une partie de l'accueil ?", 3),
    (3, Stance.NUANCE, "Si, en partie ; mais les démarches en préfecture restent longues.", 6),
    (0, Stance.FOR, "Un guichet unique éviterait de courir entre cinq administrations.", 0),
    (4, Stance.AGAINST, "Un guichet de plus, c'est surtout un coût de plus.", 8),
    (2, Stance.FOR, "Des parrainages entre habitants et étudiants existent à Villeurbanne : à étendre ?", None),
    (1, Stance.QUESTION, "Qui paierait ces parrainages : les communes ou la métropole ?", 10),
)

PROPOSALS = (
    (1, "Un guichet unique d'accueil à la rentrée",
     "Réunir en septembre, dans un même lieu, la préfecture, la CAF, les universités et les bailleurs."),
    (2, "Des parrainages entre habitants et nouveaux arrivants",
     "Mettre en relation des habitantes et habitants volontaires avec des étudiants ou salariés arrivés de "
     "l'étranger."),
    (3, "Conditionner les aides à l'emploi local",
     "Toute aide publique à une implantation serait liée à des embauches de personnes du territoire."),
)


def _comments(consultation: Consultation, people: list[User], day: date, count: int) -> list[Comment]:
    comments: list[Comment] = []
    for index, (author_index, stance, body, parent_index) in enumerate(COMMENTS[:count]):
        parent = comments[parent_index] if parent_index is not None else None
        text, html = _md(body)
        comment = Comment(consultation_id=consultation.id, author=people[author_index], stance=stance, body=text,
                          body_html=html, parent=parent, depth=min(parent.depth + 1, 2) if parent else 0,
                          created_at=_at(day, 9 + index % 9))
        db.session.add(comment)
        comments.append(comment)
    db.session.flush()
    for index, comment in enumerate(comments):  # a few endorsements, one per person
        for person in people[: index % 3]:
            if person.id != comment.author_id:
                db.session.add(Endorsement(comment_id=comment.id, user_id=person.id))  # counted by a trigger
    return comments


def _proposals(consultation: Consultation, people: list[User], day: date,
               answers: dict[int, tuple[ProposalStatus, str]]) -> list[Proposal]:
    proposals = []
    for index, (author_index, title, body) in enumerate(PROPOSALS):
        text, html = _md(body)
        proposal = Proposal(consultation_id=consultation.id, author=people[author_index], title=title, body=text,
                            body_html=html, created_at=_at(day, 11 + index))
        if index in answers:
            status, justification = answers[index]
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
    text, html = _md(f"{description}\n\n{NOTICE}")
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


def _synthesis(consultation, moderator, comments, proposals, day: date) -> None:
    text, html = _md(
        "Les participantes et participants soutiennent largement un **meilleur accueil**, à condition qu'il ne "
        "se fasse pas au détriment du logement des autres étudiants. Le coût d'un guichet unique divise. "
        f"Les parrainages entre habitants ont suscité le plus d'intérêt.\n\n{NOTICE}")
    db.session.add(Synthesis(consultation=consultation, body=text, body_html=html, author=moderator,
                             published_at=_at(day, 15), comments=comments, proposals=proposals))


# (title, owner, due in days, status, updates [(days ago, before, after, body)])
COMMITMENTS = (
    ("Ouvrir un guichet unique d'accueil à la rentrée prochaine", "Direction des relations internationales",
     200, CommitmentStatus.PLANNED, ()),
    ("Lancer un programme de parrainage entre habitants et nouveaux arrivants", "Vice-présidence à la vie "
     "associative", 60, CommitmentStatus.IN_PROGRESS,
     ((75, CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS,
       "Appel à associations publié ; trois structures ont répondu (illustratif)."),
      (20, CommitmentStatus.IN_PROGRESS, CommitmentStatus.IN_PROGRESS,
       "Quarante binômes formés dans deux communes ; extension prévue au printemps (illustratif)."))),
    ("Publier chaque année les chiffres de l'accueil des étudiants étrangers", "Observatoire de la métropole",
     -30, CommitmentStatus.DONE,
     ((40, CommitmentStatus.PLANNED, CommitmentStatus.DONE,
       "Les chiffres sont en ligne dans l'observatoire (illustratif)."),)),
    ("Réserver un contingent de logements à l'arrivée", "Vice-présidence à l'habitat", -10,
     CommitmentStatus.ABANDONED,
     ((15, CommitmentStatus.PLANNED, CommitmentStatus.ABANDONED,
       "Abandonné : les bailleurs n'ont pas pu libérer de logements cette année ; la question sera reprise "
       "dans le plan logement étudiant (illustratif)."),)),
)


def _response(consultation, official, day: date, today: date) -> list[Commitment]:
    text, html = _md("La métropole retient trois des propositions et s'engage sur le calendrier ci-dessous. "
                     f"Elle rendra compte de l'avancement de chaque engagement sur cette page.\n\n{NOTICE}")
    response = AuthorityResponse(consultation=consultation, body=text, body_html=html, author=official,
                                 published_at=_at(day, 16))
    for position, (title, owner, due_in, status, updates) in enumerate(COMMITMENTS):
        description, description_html = _md(f"{title}. {NOTICE}")
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
    if current in ("debate", "proposals", "synthesis", "response", "concluded"):
        debate_start = phases[PhaseKind.DEBATE].starts_on
        day = today - timedelta(days=3) if current == "debate" else debate_start + timedelta(days=2)
        comments = _comments(consultation, people, day, len(COMMENTS) if current in ("debate", "concluded") else 5)
    if current == "debate":
        db.session.add(ConsultationFollow(consultation_id=consultation.id, user_id=habitant.id))
        reply = next(c for c in comments if c.parent is not None and c.parent.author_id == habitant.id)
        _notify(habitant, NotificationKind.COMMENT_REPLY, consultation, consultation.title,
                f"commentaire-{reply.id}", False, reply.created_at)
    proposals: list[Proposal] = []
    if current == "proposals":
        proposals = _proposals(consultation, people, today - timedelta(days=4), {0: (
            ProposalStatus.UNDER_STUDY, "Nous l'étudions avec les zones d'activité et les syndicats : réponse à la "
                                        "fin de la consultation (illustratif).")})
    elif current == "concluded":
        proposals = _proposals(consultation, people, phases[PhaseKind.PROPOSALS].starts_on, {
            0: (ProposalStatus.ACCEPTED, "Retenue : voir l'engagement correspondant (illustratif)."),
            1: (ProposalStatus.ACCEPTED, "Retenue : un programme pilote démarre (illustratif)."),
            2: (ProposalStatus.REJECTED, "Hors du sujet de cette consultation ; elle sera reprise dans le débat "
                                         "sur l'emploi (illustratif).")})
    return comments, proposals


def _outcome(consultation: Consultation, current: str, comments, proposals, people: list[User],
             users: dict[str, User], today: date) -> None:
    """The synthesis once its phase is over; for the concluded consultation, the response, its
    commitments, followers and the habitant's notifications."""
    if current not in ("response", "concluded"):
        return
    phases = {p.kind: p for p in consultation.phases}
    _synthesis(consultation, users["moderation@demo.plateforme.example"], comments[:3] + comments[10:11],
               proposals[:2], phases[PhaseKind.SYNTHESIS].starts_on + timedelta(days=3))
    if current != "concluded":
        return
    response_day = phases[PhaseKind.RESPONSE].starts_on + timedelta(days=5)
    commitments = _response(consultation, users["elue@demo.plateforme.example"], response_day, today)
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
