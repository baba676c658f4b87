"""Shared domain vocabulary (DESIGN.md section 4): kinds of international flows."""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class FlowKind(enum.StrEnum):
    PEOPLE = "people"
    INSTITUTIONS = "institutions"
    IDEAS = "ideas"
    GOODS = "goods"
    URBAN_MODELS = "urban_models"
    LIFESTYLES = "lifestyles"
    GASTRONOMY = "gastronomy"
    CAPITAL = "capital"
    OTHER = "other"


FLOW_KIND_LABELS = {
    FlowKind.PEOPLE: _l("Personnes"),
    FlowKind.INSTITUTIONS: _l("Institutions"),
    FlowKind.IDEAS: _l("Idées"),
    FlowKind.GOODS: _l("Biens et objets"),
    FlowKind.URBAN_MODELS: _l("Modèles architecturaux et urbains"),
    FlowKind.LIFESTYLES: _l("Modes de vie"),
    FlowKind.GASTRONOMY: _l("Gastronomie"),
    FlowKind.CAPITAL: _l("Capitaux et entreprises"),
    FlowKind.OTHER: _l("Autre"),
}


def register_vocabulary_helpers(app) -> None:
    app.jinja_env.globals["flow_kind_label"] = lambda kind: FLOW_KIND_LABELS[FlowKind(kind)]
