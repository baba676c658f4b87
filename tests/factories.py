"""Test data builders: real rows through the models, committed."""
from __future__ import annotations

import itertools
import re

from sqlalchemy import event, select

from plateforme.accounts.models import (
    Mandate, MandateStatus, MandateTitle, Membership, ModeratorAppointment, Organisation, OrganisationKind, User,
)
from plateforme.accounts.passwords import hash_password
from plateforme.core.models import utcnow
from plateforme.territories.models import Territory, TerritoryKind

PASSWORD = "une phrase de passe solide"
_sequence = itertools.count(1)


class Factories:
    def __init__(self, db):
        self.db = db

    def territory(self, code: str, kind: TerritoryKind | None = None) -> Territory:
        stmt = select(Territory).where(Territory.code == code)
        if kind is not None:
            stmt = stmt.where(Territory.kind == kind)
        return self.db.session.execute(stmt.order_by(Territory.kind)).scalars().first()

    def user(self, email: str | None = None, *, name: str | None = None, confirmed: bool = True,
             commune: str = "69266", admin: bool = False, password: str = PASSWORD, locale: str | None = None) -> User:
        n = next(_sequence)
        user = User(email=email or f"personne{n}@example.org", display_name=name or f"Personne {n}",
                    password_hash=hash_password(password), commune=self.territory(commune, TerritoryKind.COMMUNE),
                    email_confirmed_at=utcnow() if confirmed else None, is_admin=admin, locale=locale)
        self.db.session.add(user)
        self.db.session.commit()
        return user

    def elected(self, territory_code: str = "200046977", title=MandateTitle.MAIRE, **kwargs) -> User:
        user = self.user(**kwargs)
        self.db.session.add(Mandate(user=user, territory=self.territory(territory_code), title=title,
                                    status=MandateStatus.VERIFIED, decided_at=utcnow()))
        self.db.session.commit()
        return user

    def organisation(self, name: str | None = None, kind=OrganisationKind.ASSOCIATION) -> Organisation:
        organisation = Organisation(name=name or f"Organisation {next(_sequence)}", kind=kind, fields="social")
        self.db.session.add(organisation)
        self.db.session.commit()
        return organisation

    def partner(self, organisation: Organisation | None = None, **kwargs) -> User:
        user = self.user(**kwargs)
        self.db.session.add(Membership(organisation=organisation or self.organisation(), user=user))
        self.db.session.commit()
        return user

    def moderator(self, territory_code: str = "200046977", **kwargs) -> User:
        user = self.user(**kwargs)
        self.db.session.add(ModeratorAppointment(user=user, territory=self.territory(territory_code)))
        self.db.session.commit()
        return user

    def admin(self, **kwargs) -> User:
        return self.user(admin=True, **kwargs)


CSRF_RE = re.compile(r'name="([\w-]*csrf_token)" value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on `url` (as a browser would have it)."""
    page = client.get(url)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {page.status_code})"
    return match.group(2)


def post_form(client, url: str, data: dict, *, form_url: str | None = None, **kwargs):
    """Submit a form like a browser: fetch the page for its CSRF token, then POST."""
    token = csrf_token(client, form_url or url)
    payload = {"csrf_token": token, **data}
    return client.post(url, data=payload, **kwargs)


def sign_in(client, user_or_email, password: str = PASSWORD):
    email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
    response = post_form(client, "/connexion", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def statements_for(db, client, url: str) -> int:
    """How many SQL statements one GET of `url` sends (it must answer 200)."""
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def page_text(response) -> str:
    """The response body with HTML entities decoded (apostrophes come escaped)."""
    import html

    return html.unescape(response.get_data(as_text=True))


SURVEY_DEFINITION = {
    "title": "L'international dans la métropole",
    "territory": "200046977",
    "sampling_mode": "open",
    "opens_at": "2026-01-01",
    "closes_at": "2099-12-31",
    "statements": [
        {"key": "s1", "text": "La métropole devrait accueillir davantage d'étudiants étrangers", "theme": "people"},
        {"key": "s2", "text": "Les entreprises étrangères sont une chance pour l'emploi local", "theme": "capital"},
    ],
}


def make_survey(db, status: str = "open", **overrides):
    """A survey from SURVEY_DEFINITION (overrides merged in), moved to `status`, committed."""
    from plateforme.surveys.definitions import create_from_definition
    from plateforme.surveys.models import SurveyStatus

    survey = create_from_definition({**SURVEY_DEFINITION, **overrides})
    path = [SurveyStatus.OPEN, SurveyStatus.CLOSED]
    for step in path[: {"draft": 0, "open": 1, "closed": 2}[status]]:
        survey.move_to(step)
    db.session.commit()
    return survey
