"""Human labels for account enums, in the reader's language."""
from flask_babel import lazy_gettext as _l

from .models import Field, MandateStatus, MandateTitle, OrganisationKind

MANDATE_TITLE_LABELS = {
    MandateTitle.MAIRE: _l("Maire"),
    MandateTitle.ADJOINT: _l("Adjointe ou adjoint au maire"),
    MandateTitle.CONSEILLER_MUNICIPAL: _l("Conseillère ou conseiller municipal"),
    MandateTitle.PRESIDENT_EPCI: _l("Présidente ou président de l'intercommunalité"),
    MandateTitle.VICE_PRESIDENT_EPCI: _l("Vice-présidente ou vice-président de l'intercommunalité"),
    MandateTitle.CONSEILLER_COMMUNAUTAIRE: _l("Conseillère ou conseiller communautaire"),
    MandateTitle.CONSEILLER_DEPARTEMENTAL: _l("Conseillère ou conseiller départemental"),
    MandateTitle.CONSEILLER_REGIONAL: _l("Conseillère ou conseiller régional"),
}

MANDATE_STATUS_LABELS = {
    MandateStatus.PENDING: _l("en attente de vérification"),
    MandateStatus.VERIFIED: _l("vérifié"),
    MandateStatus.REJECTED: _l("refusé"),
    MandateStatus.ENDED: _l("terminé"),
}

ORGANISATION_KIND_LABELS = {
    OrganisationKind.LOCAL_AUTHORITY: _l("Collectivité territoriale"),
    OrganisationKind.COMPANY: _l("Entreprise"),
    OrganisationKind.ASSOCIATION: _l("Association"),
    OrganisationKind.STUDY_FIRM: _l("Bureau d'études"),
    OrganisationKind.RESEARCH: _l("Organisme de recherche"),
    OrganisationKind.PUBLIC_AGENCY: _l("Agence publique ou parapublique"),
    OrganisationKind.OTHER: _l("Autre"),
}

FIELD_LABELS = {
    Field.SOCIAL: _l("Social"),
    Field.LEGAL: _l("Juridique"),
    Field.ECONOMIC: _l("Économique"),
    Field.CULTURAL: _l("Culturel"),
    Field.EDUCATION: _l("Éducation"),
    Field.ENVIRONMENT: _l("Environnement"),
    Field.HEALTH: _l("Santé"),
    Field.OTHER: _l("Autre"),
}


def register_label_helpers(app) -> None:
    app.jinja_env.globals.update(
        mandate_title_label=lambda title: MANDATE_TITLE_LABELS[MandateTitle(title)],
        mandate_status_label=lambda status: MANDATE_STATUS_LABELS[MandateStatus(status)],
        organisation_kind_label=lambda kind: ORGANISATION_KIND_LABELS[OrganisationKind(kind)],
        field_label=lambda field: FIELD_LABELS[Field(field)],
    )


# (substring of the user agent, name): the first that matches wins (Edge and Opera say "Chrome" too).
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("Linux", "Linux"))


def browser_label(user_agent: str) -> str:
    """« Firefox sur Windows »: enough to recognise one's own browsers in « Mes sessions »."""
    from flask_babel import gettext

    user_agent = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    if browser and system:
        return gettext("%(browser)s sur %(system)s", browser=browser, system=system)
    return browser or system or gettext("Navigateur inconnu")
