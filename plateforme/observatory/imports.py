"""Indicator values imported from CSV: every faulty line reported, all lines or nothing.

Columns `territory_code,period,value,note` (and optionally `source`, which otherwise
comes from the form or the command line). A value already recorded for the same
territory and year is replaced: re-importing a corrected file is the normal way to fix one.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from ..core.csvimport import CsvFileError, CsvLinesError, LineError, read_csv
from ..core.sanitize import clean_line
from ..extensions import db
from ..territories.models import Territory
from .indicators import parse_number
from .models import Indicator, IndicatorValue
from .services import FIRST_YEAR, LAST_YEAR, OBSERVED_KINDS

log = logging.getLogger("plateforme.observatory")

COLUMNS = ["territory_code", "period", "value", "note"]
OPTIONAL_COLUMNS = {"source"}


@dataclass
class ImportSummary:
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated


def _year(text: str) -> int | None:
    text = text.strip()
    if len(text) != 4 or not text.isdigit():
        return None
    year = int(text)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def import_values(indicator: Indicator, raw: bytes, *, source: str = "", by=None) -> ImportSummary:
    """Check every line, then write them all, or raise CsvFileError / CsvLinesError and write nothing."""
    table = read_csv(raw, COLUMNS, allow_extra_columns=True)
    unknown = [c for c in table.header if c not in COLUMNS and c not in OPTIONAL_COLUMNS]
    if unknown:
        raise CsvFileError(_("Colonnes inconnues : %(extra)s. Colonnes attendues : %(expected)s (et « source », "
                             "facultative).", extra=", ".join(unknown), expected=", ".join(COLUMNS)))
    territories = {t.code: t for t in db.session.execute(
        select(Territory).where(Territory.kind.in_(OBSERVED_KINDS))).scalars()}
    errors: list[LineError] = list(table.errors)
    seen: dict[tuple[str, int], int] = {}
    parsed = []
    for line, row in table.rows:
        problems = []
        code = row["territory_code"].strip()
        territory = territories.get(code)
        if territory is None:
            problems.append(_("territoire « %(code)s » inconnu (code INSEE d'une commune ou SIREN de "
                              "l'intercommunalité, territoires chargés seulement)", code=code))
        year = _year(row["period"])
        if year is None:
            problems.append(_("période « %(value)s » invalide (une année sur quatre chiffres, par exemple 2024)",
                              value=row["period"]))
        try:
            number = parse_number(row["value"])
        except ValueError:
            number = None
            problems.append(_("valeur « %(value)s » invalide (un nombre, par exemple 1250 ou 12,5)",
                              value=row["value"]))
        if territory is not None and year is not None:
            first = seen.get((code, year))
            if first is not None:
                problems.append(_("doublon de la ligne %(line)s (même territoire, même année)", line=first))
            else:
                seen[(code, year)] = line
        if len(row["note"]) > 500 or len(row.get("source", "")) > 500:
            problems.append(_("note ou source trop longue (500 caractères au plus)"))
        if problems:
            errors.append(LineError(line, " ; ".join(problems)))
            continue
        parsed.append((territory, year, number, clean_line(row["note"]),
                       clean_line(row.get("source") or source)[:500]))
    if errors:
        raise CsvLinesError(sorted(errors, key=lambda e: e.line))
    if not parsed:
        raise CsvLinesError([LineError(1, _("aucune ligne de données"))])
    existing = {(v.territory_id, v.period): v for v in db.session.execute(
        select(IndicatorValue).where(IndicatorValue.indicator_id == indicator.id)).scalars()}
    created = updated = 0
    for territory, year, number, note, line_source in parsed:
        row = existing.get((territory.id, year))
        if row is None:
            row = IndicatorValue(indicator_id=indicator.id, territory_id=territory.id, period=year)
            db.session.add(row)
            created += 1
        else:
            updated += 1
        row.value, row.note, row.source = number, note, line_source
        row.entered_by_id = getattr(by, "id", None)
    db.session.flush()
    log.info("indicator %s: %s values imported, %s replaced", indicator.id, created, updated)
    return ImportSummary(created=created, updated=updated)
