"""Human labels for territory kinds, in the reader's language."""
from flask_babel import lazy_gettext as _l

from .models import TerritoryKind

TERRITORY_KIND_LABELS = {
    TerritoryKind.REGION: _l("Région"),
    TerritoryKind.DEPARTEMENT: _l("Département"),
    TerritoryKind.EPCI: _l("Intercommunalité (EPCI)"),
    TerritoryKind.COMMUNE: _l("Commune"),
    TerritoryKind.ARRONDISSEMENT: _l("Arrondissement municipal"),
}


def register_label_helpers(app) -> None:
    app.jinja_env.globals["territory_kind_label"] = lambda kind: TERRITORY_KIND_LABELS[TerritoryKind(kind)]
