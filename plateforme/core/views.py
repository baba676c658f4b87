"""Site-wide pages: home, legal notices, privacy, accessibility, site map, language."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..extensions import csrf, db
from ..territories.models import territory_contains
from ..territories.services import children_of, home_territory
from . import bp
from .models import local_today
from .page_cache import public_page
from .urls import safe_next


@bp.route("/")
@public_page
def home():
    from ..consultations.queries import consultations_open_to_residents  # core loads before the domains
    from ..surveys.queries import published_surveys, surveys_open_now

    today = local_today()
    territory = home_territory(current_app.config["HOME_TERRITORY"])
    communes = children_of(territory) if territory else []
    # The home territory's own surveys, and those of its communes; those taking answers today
    # first (a survey opening later is listed after them), the most recently opened first.
    open_surveys = [s for s in surveys_open_now(today) if territory is None or territory_contains(territory, s.territory)]
    open_surveys.sort(key=lambda s: (s.opens_at > today, -s.opens_at.toordinal(), -s.id))
    published = [s for s in published_surveys()
                 if territory is None or territory_contains(territory, s.territory)][:3]
    # What a visitor can act on now comes first: consultations where residents contribute today.
    open_consultations = consultations_open_to_residents(territory, today, limit=HOME_CONSULTATIONS)
    return render_template("core/home.html", territory=territory, communes=communes, open_surveys=open_surveys,
                           published_surveys=published, open_consultations=open_consultations, today=today)


HOME_CONSULTATIONS = 6


@bp.route("/mentions-legales")
def legal():
    return render_template("core/legal.html")


@bp.route("/confidentialite")
def privacy():
    from ..surveys.mixing import MIX_BATCH  # core loads before the domains

    return render_template("core/privacy.html", mix_batch=MIX_BATCH)


@bp.route("/accessibilite")
def accessibility():
    return render_template("core/accessibility.html")


@bp.route("/plan-du-site")
def sitemap():
    return render_template("core/sitemap.html")


@bp.route("/langue", methods=["POST"])
@csrf.exempt
def set_language():
    """Remember the chosen language (session, and profile when signed in).

    A visitor's switch carries no CSRF token, so that the public pages holding it are the
    same for every visitor and can be cached (core/page_cache.py). It is still protected
    against forgery, by the origin the browser declares (OWASP's check of standard headers):
    a POST another site makes is refused. Signed in, the choice is saved to the profile: the
    token is checked then, as for every other form."""
    if current_user.is_authenticated:
        csrf.protect()  # raises CSRFError (400) like any form without its token
    elif _cross_site():
        abort(400)
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("core.home"))


def _cross_site() -> bool:
    """Whether the browser says this request comes from another site: `Sec-Fetch-Site`
    (every current browser sends it), else an `Origin` other than this site's."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is not None and origin.rstrip("/") != request.host_url.rstrip("/")


@bp.route("/favicon.ico")
def favicon():
    """The icon browsers and feed readers ask for at the root (pages link the SVG one)."""
    return current_app.send_static_file("favicon.ico")


@bp.route("/sante")
def health():
    """Liveness probe for the reverse proxy: no database access."""
    return {"status": "ok"}
