"""Survey definitions as JSON: export one, import it on another territory.

A definition holds at least::

    {"title": …, "territory": "<EPCI SIREN or commune INSEE code>",
     "sampling_mode": "open" | "panel", "opens_at": "YYYY-MM-DD", "closes_at": "YYYY-MM-DD",
     "statements": [{"key": "s1", "text": …, "theme": …}, …]}

Optional: "introduction", "min_residents", "min_officials", "trim": [low, high],
"conducted_by", "officials_total".

A file is refused before its content is looked at when it is larger than 1 MB or nested
deeper than a definition ever is; then every field is type-checked, every text refused if
it holds a control character, numbers must be finite and dates fall in 2000–2100.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
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
MAX_DEFINITION_BYTES = 1024 * 1024
# root object → statements list → statement object → its values: 3 levels; 8 leaves room
# for the fields a later format may add, and keeps the checks far from Python's recursion limit.
MAX_DEPTH = 8
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Raking weights are trimmed to [low, high] × their mean. [0.01, 100] is as good as no
# trimming on any survey of this size (the statistics tests compare with untrimmed
# references so); beyond, the bounds are typing mistakes, or 1e-320 and 1e308.
TRIM_LOW_MIN, TRIM_HIGH_MAX = 0.01, 100.0
DEFAULT_TRIM = [0.3, 3.0]


class DefinitionError(ValueError):
    """The definition is not valid; `problems` lists every problem found."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _depth_exceeds(data, limit: int) -> bool:
    """Whether lists/objects nest deeper than `limit` (iterative: no recursion to overflow)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


def _too_deep() -> str:
    return _("Ce fichier imbrique trop de listes ou d'objets : ce n'est pas une définition de questionnaire.")


def _refuse_constant(name: str):
    raise ValueError(name)


def load_definition(raw: bytes):
    """The JSON value of an uploaded or command-line definition file, or DefinitionError.

    Bounded before and while parsing: the size first; a nest of thousands of brackets makes
    json.loads overflow Python's stack (RecursionError), caught here, and a lesser one is
    refused by the depth check; NaN and Infinity, which JSON does not have, are refused.
    """
    if len(raw) > MAX_DEFINITION_BYTES:
        raise DefinitionError([_("Le fichier dépasse 1 Mo : ce n'est pas une définition de questionnaire.")])
    unreadable = _("Ce fichier n'est pas du JSON lisible (UTF-8). Utilisez un fichier exporté depuis la page "
                   "de gestion d'un questionnaire.")
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_constant=_refuse_constant)
    except RecursionError:
        raise DefinitionError([_too_deep()]) from None
    except (UnicodeDecodeError, ValueError):  # JSONDecodeError, NaN/Infinity, integers of 4,300+ digits
        raise DefinitionError([unreadable]) from None
    if _depth_exceeds(data, MAX_DEPTH):
        raise DefinitionError([_too_deep()])
    return data


def _has_control_characters(text: str) -> bool:
    """Control characters but line feed and tab (NUL, which PostgreSQL refuses in text, ESC,
    CR…) and lone surrogates (no database can store them). One-line fields then have their
    line feeds, tabs and other invisible characters turned into spaces by clean_line."""
    return any((unicodedata.category(ch) == "Cc" and ch not in "\n\t") or unicodedata.category(ch) == "Cs"
               for ch in text)


def _text(data: dict, field: str, problems: list[str], *, multiline: bool = False) -> str:
    """A text field: absent is "", anything but a string or a text with control characters
    is a problem (reported once, by field name)."""
    value = data.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(_("« %(field)s » doit être un texte.", field=field))
        return ""
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")  # a browser's textarea sends CRLF
    if _has_control_characters(value):
        problems.append(_("« %(field)s » contient des caractères de contrôle (caractère nul, échappement…) : "
                          "retirez-les.", field=field))
        return ""
    return value


def _survey_territory(code: str) -> Territory | None:
    return db.session.execute(
        select(Territory).where(Territory.code == str(code).strip(),
                                Territory.kind.in_([TerritoryKind.EPCI, TerritoryKind.COMMUNE]))
        .order_by(Territory.kind)
    ).scalars().first()


def _date(value, field: str, problems: list[str]) -> date | None:
    try:
        if not isinstance(value, str):
            raise TypeError
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        problems.append(_("« %(field)s » doit être une date AAAA-MM-JJ.", field=field))
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        problems.append(_("« %(field)s » doit tomber entre %(first)s et %(last)s.", field=field,
                          first=FIRST_YEAR, last=LAST_YEAR))
        return None
    return day


def _int(value, field: str, low: int, high: int, problems: list[str], default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(_("« %(field)s » doit être un entier entre %(low)s et %(high)s.", field=field, low=low,
                          high=high))
        return default
    return value


def _trim(value, problems: list[str]) -> list[float]:
    if value is None:
        return list(DEFAULT_TRIM)
    if (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value)
            and TRIM_LOW_MIN <= value[0] < 1 < value[1] <= TRIM_HIGH_MAX):
        return [float(value[0]), float(value[1])]
    problems.append(_("« trim » doit être une paire [bas, haut] de nombres avec 0,01 ≤ bas < 1 < haut ≤ 100."))
    return list(DEFAULT_TRIM)


def parse_definition(data) -> dict:
    """Check a definition; return clean values or raise DefinitionError listing every problem."""
    if not isinstance(data, dict):
        raise DefinitionError([_("La définition doit être un objet JSON.")])
    problems: list[str] = []
    if data.get("format") not in (None, FORMAT):
        problems.append(_("« format » doit valoir « %(format)s ».", format=FORMAT))
    title = clean_line(_text(data, "title", problems))
    if not 3 <= len(title) <= 200:
        problems.append(_("« title » doit compter entre 3 et 200 caractères."))
    code = data.get("territory")
    territory = _survey_territory(code) if isinstance(code, str) and 0 < len(code) <= 20 else None
    if territory is None:
        problems.append(_("« territory » doit être le code d'un EPCI (SIREN) ou d'une commune (INSEE) chargés."))
    mode = data.get("sampling_mode")
    mode = SamplingMode(mode) if isinstance(mode, str) and mode in {m.value for m in SamplingMode} else None
    if mode is None:
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
    themes = {kind.value for kind in FlowKind}
    for index, item in enumerate(statements, start=1):
        if not isinstance(item, dict):
            problems.append(_("Affirmation %(i)s : un objet est attendu.", i=index))
            continue
        key = item.get("key")
        key = key.strip() if isinstance(key, str) else ""
        if not KEY_PATTERN.match(key):
            problems.append(_("Affirmation %(i)s : clé « %(key)s » invalide (lettres, chiffres, _ ; 32 au plus).",
                              i=index, key=clean_line(key)[:40]))
        elif key in seen or key in {"sex", "age_band", "commune"}:
            problems.append(_("Affirmation %(i)s : la clé « %(key)s » est déjà prise.", i=index, key=key))
        seen.add(key)
        text = item.get("text")
        text = clean_line(text) if isinstance(text, str) else ""
        if isinstance(item.get("text"), str) and _has_control_characters(item["text"]):
            problems.append(_("Affirmation %(i)s : le texte contient des caractères de contrôle (caractère nul, "
                              "échappement…).", i=index))
        elif not 5 <= len(text) <= 500:
            problems.append(_("Affirmation %(i)s : le texte doit compter entre 5 et 500 caractères.", i=index))
        theme = item.get("theme") or FlowKind.OTHER.value
        if isinstance(theme, str) and theme in themes:
            theme = FlowKind(theme)
        else:
            problems.append(_("Affirmation %(i)s : thème « %(theme)s » inconnu.", i=index,
                              theme=clean_line(str(theme))[:40]))
            theme = None
        parsed_statements.append({"key": key, "text": text, "theme": theme})
    min_residents = _int(data.get("min_residents"), "min_residents", 5, 1000, problems, 11)
    min_officials = _int(data.get("min_officials"), "min_officials", 3, 100, problems, 3)
    officials_total = _int(data.get("officials_total"), "officials_total", 1, 100000, problems, 0) or None
    trim = _trim(data.get("trim"), problems)
    introduction = _text(data, "introduction", problems, multiline=True)
    if len(introduction) > 10000:
        problems.append(_("« introduction » doit être un texte de 10 000 caractères au plus."))
    conducted_by = clean_line(_text(data, "conducted_by", problems))
    if len(conducted_by) > 200:
        problems.append(_("« conducted_by » doit compter 200 caractères au plus."))
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
        # A bound stored before imports checked them may be infinite: JSON has no such number,
        # and without "trim" the import takes the default bounds.
        "trim": ([survey.trim_low, survey.trim_high]
                 if math.isfinite(survey.trim_low) and math.isfinite(survey.trim_high) else None),
        "officials_total": survey.officials_total,
        "statements": [{"key": s.key, "text": s.text, "theme": s.theme.value} for s in survey.statements],
    }
