"""Each role's way in: the main navigation gives a signed-in person one entry per role they
hold, with the count of what waits for them ("À relire (2)"). Computed once per page, and
only for signed-in people (visitors cost no query): one short reading per role held."""
from __future__ import annotations

from typing import NamedTuple

from flask import g, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from .models import local_today
from .permissions import can


class RoleEntry(NamedTuple):
    label: str
    url: str
    count: int | None  # None: the entry counts nothing (visible text shows no badge)
    count_label: str  # the count in words, for screen readers (ngettext)
    current: bool


def _entry(label: str, endpoint: str, count: int | None = None, count_label: str = "") -> RoleEntry:
    return RoleEntry(label, url_for(endpoint), count, count_label, request.endpoint == endpoint)


def role_entries() -> list[RoleEntry]:
    """The entries of the current person's roles, in a stable order: official, moderator,
    partner, administrator. Empty for visitors, without touching the database."""
    if not current_user.is_authenticated:
        return []
    if "role_entries" not in g:
        g.role_entries = _build()
    return g.role_entries


def _build() -> list[RoleEntry]:
    from flask_babel import gettext as _

    from ..accounts.roles import pending_mandates_count
    from ..consultations.work import official_work
    from ..debate.moderation_queries import waiting_count
    from ..observatory.queries import review_queue_count

    user = current_user._get_current_object()
    entries = []
    if can("is_elected_official"):
        n = official_work(user, local_today()).total
        entries.append(_entry(_("Mon territoire"), "consultations.my_territory", n,
                              ngettext("%(num)s chose à faire", "%(num)s choses à faire", n)))
    if can("is_moderator") or can("is_administrator"):
        n = waiting_count(user)
        entries.append(_entry(_("Modération"), "debate.moderation_queue", n,
                              ngettext("%(num)s contribution à examiner", "%(num)s contributions à examiner", n)))
    if can("is_partner"):
        n = review_queue_count(user)
        entries.append(_entry(_("À relire"), "observatory.review_queue", n,
                              ngettext("%(num)s constat à relire", "%(num)s constats à relire", n)))
        entries.append(_entry(_("Mon organisation"), "observatory.my_organisation"))
    if can("is_administrator"):
        n = pending_mandates_count()
        entries.append(_entry(_("Administration"), "admin.dashboard", n,
                              ngettext("%(num)s mandat à vérifier", "%(num)s mandats à vérifier", n)))
    return entries


def init_navigation(app) -> None:
    app.jinja_env.globals["role_entries"] = role_entries
