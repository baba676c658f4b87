"""Territory operations: loading reference data, looking territories up."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..core.text import search_key
from ..extensions import db
from .models import Territory, TerritoryKind
from .reference import reference_data

log = logging.getLogger("plateforme.territories")


class UnknownTerritoryCode(ValueError):
    """The code names no EPCI or département in the reference data."""


@dataclass
class LoadSummary:
    root: Territory
    created: int = 0
    updated: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


class _Loader:
    """Upserts reference rows, keyed on (kind, code), within the caller's transaction."""

    def __init__(self) -> None:
        self.ref = reference_data()
        self.summary_created = 0
        self.summary_updated = 0
        self.by_kind: dict[str, int] = {}
        self._cache: dict[tuple[str, str], Territory] = {}

    def upsert(self, kind: TerritoryKind, code: str, name: str, *, population=None,
               postal_codes: str = "", parent=None, epci=None, epci_type=None) -> Territory:
        key = (kind.value, code)
        territory = self._cache.get(key) or db.session.execute(
            select(Territory).filter_by(kind=kind, code=code)
        ).scalar_one_or_none()
        padded = f" {postal_codes.strip()} " if postal_codes.strip() else ""
        values = dict(
            name=name, search_name=search_key(name), population=population, postal_codes=padded,
            parent=parent, epci=epci, epci_type=epci_type,
        )
        if territory is None:
            territory = Territory(kind=kind, code=code, **values)
            db.session.add(territory)
            self.summary_created += 1
        else:
            changed = any(getattr(territory, k) != v for k, v in values.items())
            for k, v in values.items():
                setattr(territory, k, v)
            self.summary_updated += int(changed)
        self._cache[key] = territory
        self.by_kind[kind.value] = self.by_kind.get(kind.value, 0) + 1
        return territory

    def region(self, code: str) -> Territory:
        row = self.ref.regions[code]
        return self.upsert(TerritoryKind.REGION, code, row["name"])

    def departement(self, code: str) -> Territory:
        row = self.ref.departements[code]
        return self.upsert(TerritoryKind.DEPARTEMENT, code, row["name"], parent=self.region(row["region"]))

    def epci(self, siren: str) -> Territory:
        row = self.ref.epcis[siren]
        return self.upsert(
            TerritoryKind.EPCI, siren, row["name"], population=_int(row["population"]), epci_type=row["type"]
        )

    def communes(self, rows: list[dict], epci_for) -> None:
        """Communes first, then arrondissements (whose parent is a commune)."""
        ordered = sorted(rows, key=lambda r: r["kind"] != "commune")
        for row in ordered:
            epci = epci_for(row)
            if row["kind"] == "commune":
                parent = self.departement(row["departement"])
                kind = TerritoryKind.COMMUNE
            else:
                parent = self._cache.get(("commune", row["parent"]))
                kind = TerritoryKind.ARRONDISSEMENT
            self.upsert(kind, row["code"], row["name"], population=_int(row["population"]),
                        postal_codes=row["postal_codes"], parent=parent, epci=epci)


def _int(value: str) -> int | None:
    return int(value) if value not in (None, "") else None


def load_territory(code: str) -> LoadSummary:
    """Load an EPCI (SIREN) or a département (code) with all it contains; idempotent.

    An EPCI brings its communes and arrondissements, their départements and régions;
    a département brings its région, communes, arrondissements and their EPCI.
    """
    code = (code or "").strip()
    loader = _Loader()
    ref = loader.ref
    if code in ref.epcis:
        root = loader.epci(code)
        rows = [row for row in ref.communes.values() if row["epci"] == code]
        loader.communes(rows, lambda row: root)
    elif code.upper() in ref.departements:
        root = loader.departement(code.upper())
        rows = [row for row in ref.communes.values() if row["departement"] == root.code]
        loader.communes(rows, lambda row: loader.epci(row["epci"]) if row["epci"] else None)
    else:
        raise UnknownTerritoryCode(
            _("Aucun EPCI (SIREN à 9 chiffres) ni département ne porte le code « %(code)s ».", code=code)
        )
    db.session.flush()
    log.info("territory %s loaded: %s created, %s updated", code, loader.summary_created, loader.summary_updated)
    return LoadSummary(root=root, created=loader.summary_created, updated=loader.summary_updated,
                       by_kind=loader.by_kind)


MAX_QUERY_LENGTH = 120


def find_communes(query: str, limit: int = 20) -> list[Territory]:
    """Loaded communes matching a name, an INSEE code or a postal code (none for a query
    longer than MAX_QUERY_LENGTH: no commune is named so, and the LIKE pattern built from
    it would be too long for SQLite)."""
    query = (query or "").strip()
    if not query or len(query) > MAX_QUERY_LENGTH:
        return []
    base = select(Territory).where(Territory.kind == TerritoryKind.COMMUNE)
    if query.isdigit() or (len(query) == 5 and query[:2].upper() in {"2A", "2B"}):
        stmt = base.where(or_(Territory.code == query.upper(), Territory.postal_codes.contains(f" {query} ")))
    else:
        key = search_key(query.split("(")[0])
        if not key:
            return []
        exact = db.session.execute(base.where(Territory.search_name == key)).scalars().all()
        if exact:
            return _narrow_by_postal_code(exact, query)
        stmt = base.where(Territory.search_name.startswith(key))
    return list(db.session.execute(stmt.order_by(Territory.search_name, Territory.name).limit(limit)).scalars())


def _narrow_by_postal_code(communes: list[Territory], query: str) -> list[Territory]:
    """'Saint-Genis (69230)' picks the homonym with that postal code."""
    if "(" in query:
        postal = query.split("(", 1)[1].strip(" )")
        narrowed = [c for c in communes if postal in c.postal_code_list or postal == c.code]
        if narrowed:
            return narrowed
    return communes


def loaded_communes() -> list[Territory]:
    return list(db.session.execute(
        select(Territory).where(Territory.kind == TerritoryKind.COMMUNE).order_by(Territory.search_name, Territory.name)
    ).scalars())


def get_territory(kind: str, code: str) -> Territory | None:
    try:
        kind_enum = TerritoryKind(kind)
    except ValueError:
        return None
    return db.session.execute(select(Territory).filter_by(kind=kind_enum, code=code)).scalar_one_or_none()


def children_of(territory: Territory) -> list[Territory]:
    """Communes of an EPCI or département; arrondissements of a commune."""
    if territory.kind == TerritoryKind.EPCI:
        condition = (Territory.epci_id == territory.id) & (Territory.kind == TerritoryKind.COMMUNE)
    elif territory.kind in (TerritoryKind.DEPARTEMENT, TerritoryKind.REGION, TerritoryKind.COMMUNE):
        condition = Territory.parent_id == territory.id
    else:
        return []
    return list(db.session.execute(select(Territory).where(condition).order_by(Territory.search_name, Territory.name)).scalars())


def home_territory(code: str) -> Territory | None:
    """The territory the home page presents (an EPCI by default)."""
    return db.session.execute(
        select(Territory).where(Territory.code == code).order_by(Territory.kind)
    ).scalars().first()


def mandate_territories() -> list[Territory]:
    """Territories a mandate or an appointment can be on: EPCI, communes, départements, régions."""
    order = {TerritoryKind.EPCI: 0, TerritoryKind.COMMUNE: 1, TerritoryKind.DEPARTEMENT: 2, TerritoryKind.REGION: 3}
    rows = db.session.execute(
        select(Territory).where(Territory.kind.in_(list(order)))
    ).scalars().all()
    return sorted(rows, key=lambda t: (order[t.kind], t.search_name))
