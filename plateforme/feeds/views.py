"""The feeds (site-wide and per territory), sitemap.xml and robots.txt."""
from __future__ import annotations

from contextlib import nullcontext

from flask import Response, abort, current_app, render_template, request
from flask_babel import force_locale, gettext as _

from ..core.http_cache import conditional
from ..core.urls import external_url_for
from ..territories.services import get_territory
from . import bp
from .atom import atom_document
from .events import TABLES, public_events
from .sitemap import MAX_URLS, public_urls

ATOM = "application/atom+xml; charset=utf-8"
# survey_publication and survey_statement: whether the comparison page is listed (surveys/comparison.py).
SITEMAP_TABLES = ("territory", "consultation", "authority_response", "commitment", "issue_card", "finding",
                  "indicator", "perception_survey", "survey_publication", "survey_statement")


def _language():
    """`?lang=en` or `?lang=fr`: a feed reader seldom says which language its reader wants, so
    the address may (else the usual choice: account, session, Accept-Language). Another value
    is refused (400), not ignored."""
    lang = request.args.get("lang")
    if lang is None:
        return nullcontext(), {}
    if lang not in current_app.config["LANGUAGES"]:
        abort(400)
    return force_locale(lang), {"lang": lang}


@bp.route("/flux.atom")
@conditional(*TABLES)
def site_feed():
    language, args = _language()
    with language:
        body = atom_document(
            public_events(None), title=_("Les nouvelles de la plateforme"),
            subtitle=_("Consultations, résultats, synthèses, réponses officielles, engagements et constats publiés."),
            self_url=external_url_for("feeds.site_feed", **args), page_url=external_url_for("core.home"),
            feed_key="feed")
    return Response(body, content_type=ATOM)


@bp.route("/territoires/<kind>/<code>/flux.atom")
@conditional(*TABLES)
def territory_feed(kind, code):
    territory = get_territory(kind, code) or abort(404)
    language, args = _language()
    with language:
        body = atom_document(
            public_events(territory), title=_("Les nouvelles de %(name)s", name=territory.name),
            subtitle=_("Consultations, résultats, synthèses, réponses officielles, engagements et "
                       "constats publiés sur ce territoire et les communes qui en font partie."),
            self_url=external_url_for("feeds.territory_feed", kind=kind, code=territory.code, **args),
            page_url=external_url_for("territories.show", kind=kind, code=territory.code),
            feed_key=f"feed-{territory.kind.value}-{territory.code}")
    return Response(body, content_type=ATOM)


@bp.route("/sitemap.xml")
@conditional(*SITEMAP_TABLES)
def sitemap_xml():
    urls = public_urls()
    if len(urls) <= MAX_URLS:
        return _xml("feeds/sitemap.xml", urls=urls)
    pages = [external_url_for("feeds.sitemap_page", number=n) for n in range(1, (len(urls) - 1) // MAX_URLS + 2)]
    return _xml("feeds/sitemap_index.xml", pages=pages)


@bp.route("/sitemap-<int:number>.xml")
@conditional(*SITEMAP_TABLES)
def sitemap_page(number):
    urls = public_urls()
    chunk = urls[(number - 1) * MAX_URLS:number * MAX_URLS] if number >= 1 else []
    if not chunk or len(urls) <= MAX_URLS:  # one file is enough: only /sitemap.xml exists then
        abort(404)
    return _xml("feeds/sitemap.xml", urls=chunk)


# Private, management and POST-only paths (robots.txt rules match prefixes; `*` stands for any
# characters, RFC 9309): accounts, administration, writing, management, moderation, review.
# tests/feeds/test_sitemap.py checks that every such route is covered and no public page is.
DISALLOWED = (
    "/compte", "/admin/", "/connexion", "/deconnexion", "/inscription", "/mot-de-passe-oublie", "/reinitialiser/",
    "/confirmer/", "/langue",
    "/*/modifier", "/*/retirer", "/*/soutenir", "/*/repondre", "/*/publier", "/*/moderation", "/*/signaler/",
    "/*/gerer", "/*/suivre", "/*/ne-plus-suivre", "/*/commenter", "/*/proposer", "/*/synthese", "/*/reponse",
    "/*/annuler", "/*/suivi", "/*/nouvelle", "/*/nouveau", "/*/publication", "/*/soumettre", "/*/relire",
    "/*/importer", "/*/code", "/*/elus", "/*/engagements/nouveau",
    "/observatoire/indicateurs/*/valeurs", "/fiches-enjeux/a-publier", "/fiches-enjeux/mes-fiches",
    "/observatoire/relecture", "/observatoire/mon-organisation", "/questionnaires/importer",
)


@bp.route("/robots.txt")
def robots_txt():
    lines = ["User-agent: *", "Allow: /", *(f"Disallow: {path}" for path in DISALLOWED), "",
             f"Sitemap: {external_url_for('feeds.sitemap_xml')}", ""]
    return Response("\n".join(lines), content_type="text/plain; charset=utf-8")


def _xml(template: str, **context) -> Response:
    return Response(render_template(template, **context), content_type="application/xml; charset=utf-8")

