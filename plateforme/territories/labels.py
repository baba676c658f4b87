"""Human labels for territory kinds, in the reader's language."""
import re

from flask_babel import lazy_gettext as _l

from .models import TerritoryKind

TERRITORY_KIND_LABELS = {
    TerritoryKind.REGION: _l("Région"),
    TerritoryKind.DEPARTEMENT: _l("Département"),
    TerritoryKind.EPCI: _l("Intercommunalité (EPCI)"),
    TerritoryKind.COMMUNE: _l("Commune"),
    TerritoryKind.ARRONDISSEMENT: _l("Arrondissement municipal"),
}


def territory_kind_word(kind) -> str:
    """The kind without its bracketed acronym, for use inside brackets: « (intercommunalité) »,
    never « (intercommunalité (epci)) »."""
    return re.sub(r"\s*\([^)]*\)$", "", str(TERRITORY_KIND_LABELS[TerritoryKind(kind)]))


def register_label_helpers(app) -> None:
    app.jinja_env.globals["territory_kind_label"] = lambda kind: TERRITORY_KIND_LABELS[TerritoryKind(kind)]
    app.jinja_env.globals["territory_kind_word"] = territory_kind_word
