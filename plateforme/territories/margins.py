"""Population margins (commune × sex × age band) imported from CSV, for survey weighting."""
from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import delete, select

from ..core.csvimport import CsvLinesError, LineError, read_csv
from ..extensions import db
from .models import AGE_BANDS, PopulationMargin, Sex, Territory, TerritoryKind

log = logging.getLogger("plateforme.territories")

MARGIN_COLUMNS = ["commune", "sex", "age_band", "count"]
MAX_CELL_COUNT = 10_000_000


def import_margins(raw: bytes) -> int:
    """Replace the margins of every commune named in the file; return the cells written.

    Raises CsvFileError or CsvLinesError (listing every faulty line) and then writes
    nothing: the file is checked whole before the first write.
    """
    table = read_csv(raw, MARGIN_COLUMNS)
    rows = table.rows
    # Every loaded commune rather than `code IN (the file's codes)`: a file may name tens of
    # thousands of codes, more than a query takes parameters (65,535 on PostgreSQL).
    communes = {
        t.code: t for t in db.session.execute(
            select(Territory).where(Territory.kind == TerritoryKind.COMMUNE)
        ).scalars()
    }
    errors: list[LineError] = list(table.errors)
    cells: dict[tuple[int, str, str], int] = {}
    for line, row in rows:
        problems = []
        commune = communes.get(row["commune"])
        if commune is None:
            problems.append(_("commune « %(code)s » inconnue ou non chargée", code=row["commune"]))
        if row["sex"].upper() not in {s.value for s in Sex}:
            problems.append(_("sexe « %(value)s » invalide (F ou M)", value=row["sex"]))
        if row["age_band"] not in AGE_BANDS:
            problems.append(_("tranche d'âge « %(value)s » invalide (%(allowed)s)",
                              value=row["age_band"], allowed=", ".join(AGE_BANDS)))
        count = _parse_count(row["count"])
        if count is None:
            problems.append(_("effectif « %(value)s » invalide (entier positif ou nul)", value=row["count"]))
        if problems:
            errors.append(LineError(line, " ; ".join(problems)))
            continue
        key = (commune.id, row["sex"].upper(), row["age_band"])
        if key in cells:
            errors.append(LineError(line, _("cellule en double (%(commune)s, %(sex)s, %(band)s)",
                                            commune=row["commune"], sex=key[1], band=key[2])))
            continue
        cells[key] = count
    if errors:
        raise CsvLinesError(sorted(errors, key=lambda e: e.line))
    if not cells:
        raise CsvLinesError([LineError(1, _("aucune ligne de données"))])
    commune_ids = {key[0] for key in cells}
    db.session.execute(delete(PopulationMargin).where(PopulationMargin.territory_id.in_(commune_ids)))
    db.session.add_all(
        PopulationMargin(territory_id=tid, sex=Sex(sex), age_band=band, count=count)
        for (tid, sex, band), count in cells.items()
    )
    db.session.flush()
    log.info("margins imported: %s cells for %s communes", len(cells), len(commune_ids))
    return len(cells)


def _parse_count(value: str) -> int | None:
    try:
        number = int(value.replace(" ", "").replace("\u202f", ""))
    except ValueError:
        return None
    return number if 0 <= number <= MAX_CELL_COUNT else None


def margins_for(territories: list[Territory]) -> list[PopulationMargin]:
    ids = [t.id for t in territories]
    return list(db.session.execute(
        select(PopulationMargin).where(PopulationMargin.territory_id.in_(ids))
    ).scalars())
