"""Survey definitions as JSON: export one, import it on another territory.

A definition holds at least::

    {"title": …, "territory": "<EPCI SIREN or commune INSEE code>",
     "sampling_mode": "open" | "panel", "opens_at": "YYYY-MM-DD", "closes_at": "YYYY-MM-DD",
     "statements": [{"key": "s1", "text": …, "theme": …}, …]}

Optional: "introduction", "min_residents", "min_officials", "trim": [low, high],
"conducted_by", "officials_total".
"""
from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from ..core.sanitize import clean_line, markdown_to_safe_html
from ..core.vocabulary import FlowKind
from ..extensions import db
from ..territories.models import Territory, TerritoryKind
from .models import PerceptionSurvey, SamplingMode, Statement

FORMAT = "plateforme-survey-definition/1"
KEY_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
MAX_STATEMENTS = 40


class DefinitionError(ValueError):
    """The definition is not valid; `problems` lists every problem found."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _survey_territory(code: str) -> Territory | None:
    return db.session.execute(
        select(Territory).where(Territory.code == str(code).strip(),
                                Territory.kind.in_([TerritoryKind.EPCI, TerritoryKind.COMMUNE]))
        .order_by(Territory.kind)
    ).scalars().first()


def _date(value, field: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        problems.append(_("« %(field)s » doit être une date AAAA-MM-JJ.", field=field))
        return None


def _int(value, field: str, low: int, high: int, problems: list[str], default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(_("« %(field)s » doit être un entier entre %(low)s et %(high)s.", field=field, low=low,
                          high=high))
        return default
    return value


def parse_definition(data) -> dict:
    """Check a definition; return clean values or raise DefinitionError listing every problem."""
    if not isinstance(data, dict):
        raise DefinitionError([_("La définition doit être un objet JSON.")])
    problems: list[str] = []
    title = clean_line(data.get("title") if isinstance(data.get("title"), str) else "")
    if not 3 <= len(title) <= 200:
        problems.append(_("« title » doit compter entre 3 et 200 caractères."))
    territory = _survey_territory(data.get("territory", "")) if data.get("territory") else None
    if territory is None:
        problems.append(_("« territory » doit être le code d'un EPCI (SIREN) ou d'une commune (INSEE) chargés."))
    try:
        mode = SamplingMode(data.get("sampling_mode"))
    except ValueError:
        mode = None
        problems.append(_("« sampling_mode » doit valoir « open » ou « panel »."))
    opens = _date(data.get("opens_at"), "opens_at", problems)
    closes = _date(data.get("closes_at"), "closes_at", problems)
    if opens and closes and closes < opens:
        problems.append(_("La date de clôture précède la date d'ouverture."))
    statements = data.get("statements")
    parsed_statements = []
    if not isinstance(statements, list) or not 1 <= len(statements) <= MAX_STATEMENTS:
        problems.append(_("« statements » doit être une liste de 1 à %(n)s affirmations.", n=MAX_STATEMENTS))
        statements = []
    seen = set()
    for index, item in enumerate(statements, start=1):
        if not isinstance(item, dict):
            problems.append(_("Affirmation %(i)s : un objet est attendu.", i=index))
            continue
        key = str(item.get("key", "")).strip()
        text = clean_line(item.get("text") if isinstance(item.get("text"), str) else "")
        if not KEY_PATTERN.match(key):
            problems.append(_("Affirmation %(i)s : clé « %(key)s » invalide (lettres, chiffres, _ ; 32 au plus).",
                              i=index, key=key))
        elif key in seen or key in {"sex", "age_band", "commune"}:
            problems.append(_("Affirmation %(i)s : la clé « %(key)s » est déjà prise.", i=index, key=key))
        seen.add(key)
        if not 5 <= len(text) <= 500:
            problems.append(_("Affirmation %(i)s : le texte doit compter entre 5 et 500 caractères.", i=index))
        try:
            theme = FlowKind(item.get("theme") or FlowKind.OTHER.value)
        except ValueError:
            theme = None
            problems.append(_("Affirmation %(i)s : thème « %(theme)s » inconnu.", i=index, theme=item.get("theme")))
        parsed_statements.append({"key": key, "text": text, "theme": theme})
    min_residents = _int(data.get("min_residents"), "min_residents", 5, 1000, problems, 11)
    min_officials = _int(data.get("min_officials"), "min_officials", 3, 100, problems, 3)
    officials_total = _int(data.get("officials_total"), "officials_total", 1, 100000, problems, 0) or None
    trim = data.get("trim", [0.3, 3.0])
    if (not isinstance(trim, list) or len(trim) != 2 or not all(isinstance(v, (int, float)) for v in trim)
            or not 0 < trim[0] < 1 < trim[1]):
        problems.append(_("« trim » doit être une paire [bas, haut] avec 0 < bas < 1 < haut."))
        trim = [0.3, 3.0]
    introduction = data.get("introduction", "")
    if not isinstance(introduction, str) or len(introduction) > 10000:
        problems.append(_("« introduction » doit être un texte de 10 000 caractères au plus."))
        introduction = ""
    conducted_by = clean_line(data.get("conducted_by") if isinstance(data.get("conducted_by"), str) else "")[:200]
    if problems:
        raise DefinitionError(problems)
    return dict(title=title, territory=territory, sampling_mode=mode, opens_at=opens, closes_at=closes,
                statements=parsed_statements, min_residents=min_residents, min_officials=min_officials,
                officials_total=officials_total, trim=trim, introduction=introduction, conducted_by=conducted_by)


def create_from_definition(data, created_by=None) -> PerceptionSurvey:
    """Create a draft survey from a definition (dict); DefinitionError lists every problem."""
    values = parse_definition(data)
    survey = PerceptionSurvey(
        title=values["title"], territory=values["territory"], sampling_mode=values["sampling_mode"],
        opens_at=values["opens_at"], closes_at=values["closes_at"], introduction=values["introduction"],
        introduction_html=markdown_to_safe_html(values["introduction"]), min_residents=values["min_residents"],
        min_officials=values["min_officials"], officials_total=values["officials_total"],
        trim_low=float(values["trim"][0]), trim_high=float(values["trim"][1]),
        conducted_by=values["conducted_by"], created_by_id=getattr(created_by, "id", None),
    )
    survey.statements = [Statement(key=s["key"], text=s["text"], theme=s["theme"], position=i)
                         for i, s in enumerate(values["statements"])]
    db.session.add(survey)
    db.session.flush()
    return survey


def export_definition(survey: PerceptionSurvey) -> dict:
    """The survey's definition, ready to import on another territory (explicit fields)."""
    return {
        "format": FORMAT,
        "title": survey.title,
        "territory": survey.territory.code,
        "sampling_mode": survey.sampling_mode.value,
        "opens_at": survey.opens_at.isoformat(),
        "closes_at": survey.closes_at.isoformat(),
        "introduction": survey.introduction,
        "conducted_by": survey.conducted_by,
        "min_residents": survey.min_residents,
        "min_officials": survey.min_officials,
        "trim": [survey.trim_low, survey.trim_high],
        "officials_total": survey.officials_total,
        "statements": [{"key": s.key, "text": s.text, "theme": s.theme.value} for s in survey.statements],
    }
