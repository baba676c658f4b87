"""The INSEE reference files shipped in `territories/data/` (Etalab, Licence Ouverte 2.0)."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
# The Code officiel géographique edition the files follow (data/README.md): the codes
# published as open data are those of this year.
COG_YEAR = 2026


@dataclass(frozen=True)
class ReferenceData:
    regions: dict[str, dict]
    departements: dict[str, dict]
    epcis: dict[str, dict]
    communes: dict[str, dict]


def _read(name: str, key: str) -> dict[str, dict]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return {row[key]: row for row in csv.DictReader(handle)}


@lru_cache(maxsize=1)
def reference_data() -> ReferenceData:
    """Read the four files once per process, on first use (never at import)."""
    return ReferenceData(
        regions=_read("regions.csv", "code"),
        departements=_read("departements.csv", "code"),
        epcis=_read("epci.csv", "siren"),
        communes=_read("communes.csv", "code"),
    )
