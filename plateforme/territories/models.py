"""Territories (INSEE reference data) and population margins for survey weighting."""
from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..core.models import TimestampMixin, str_enum


class TerritoryKind(enum.StrEnum):
    REGION = "region"
    DEPARTEMENT = "departement"
    EPCI = "epci"
    COMMUNE = "commune"
    ARRONDISSEMENT = "arrondissement"


class Sex(enum.StrEnum):
    F = "F"
    M = "M"


AGE_BANDS = ("18-29", "30-44", "45-59", "60-74", "75+")
# A respondent may prefer not to give their sex: stored as "X" on an answer (never in the
# population margins, which are F and M); surveys/weighting.py says how it is weighted.
SEX_NOT_GIVEN = "X"
RESPONDENT_SEXES = (Sex.F.value, Sex.M.value, SEX_NOT_GIVEN)


class Territory(TimestampMixin, db.Model):
    """A region, département, EPCI, commune or municipal arrondissement.

    `code` is the official code: INSEE for communes, arrondissements, départements and
    régions, SIREN for EPCI. `parent` is the administrative parent (région of a
    département, département of a commune, commune of an arrondissement); a commune's
    intercommunality is `epci`.
    """

    __tablename__ = "territory"
    __table_args__ = (UniqueConstraint("kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TerritoryKind] = mapped_column(
        str_enum(TerritoryKind, 16), nullable=False
    )
    code: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # Lower-case, without accents or punctuation: "ecully" finds "Écully".
    search_name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    epci_type: Mapped[str | None] = mapped_column(String(8))
    population: Mapped[int | None] = mapped_column(Integer)
    # Space-separated and space-padded (" 69001 69002 "), so a LIKE finds whole codes.
    postal_codes: Mapped[str] = mapped_column(String(400), default="", nullable=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id"), index=True)
    epci_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id"), index=True)

    parent: Mapped[Territory | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    epci: Mapped[Territory | None] = relationship(remote_side=[id], foreign_keys=[epci_id])

    @property
    def postal_code_list(self) -> list[str]:
        return self.postal_codes.split()

    @property
    def label(self) -> str:
        """Name with postal code or code, to tell homonyms apart."""
        codes = self.postal_code_list
        if self.kind in (TerritoryKind.COMMUNE, TerritoryKind.ARRONDISSEMENT) and codes:
            return f"{self.name} ({codes[0]})"
        return f"{self.name} ({self.code})"

    def __repr__(self) -> str:
        return f"<Territory {self.kind} {self.code} {self.name}>"


class PopulationMargin(db.Model):
    """Population of one commune in one sex × age-band cell (INSEE census), for raking."""

    __tablename__ = "population_margin"
    __table_args__ = (UniqueConstraint("territory_id", "sex", "age_band"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territory.id", ondelete="CASCADE"), nullable=False)
    sex: Mapped[Sex] = mapped_column(
        str_enum(Sex, 1), nullable=False
    )
    age_band: Mapped[str] = mapped_column(String(8), nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False)

    territory: Mapped[Territory] = relationship()


def territory_contains(outer: Territory, inner: Territory | None) -> bool:
    """Whether `inner` is `outer` or lies within it (by EPCI or administrative parents)."""
    node = inner
    while node is not None:
        if node.id == outer.id or (node.epci_id is not None and node.epci_id == outer.id):
            return True
        node = node.parent
    return False
