"""Reading uploaded CSV files defensively: size, encoding, delimiter, header.

Every import reports *all* faulty lines, each with its number and reason, and then
imports nothing (the caller's transaction is left untouched).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import gettext as _

MAX_CSV_BYTES = 2 * 1024 * 1024
# Control characters but tab and line breaks (which quoted cells may hold): no spreadsheet
# writes them, and NUL is refused by PostgreSQL in text and in the parameters of a query.
_CONTROL = {chr(code) for code in (*range(0x20), *range(0x7F, 0xA0))} - {"\t", "\n", "\r"}


def _has_control_character(value: str) -> bool:
    return not _CONTROL.isdisjoint(value)


@dataclass(frozen=True)
class LineError:
    line: int  # 1-based line number in the file (the header is line 1)
    message: str

    def __str__(self) -> str:
        return _("Ligne %(line)s : %(message)s", line=self.line, message=self.message)


class CsvFileError(ValueError):
    """The file as a whole cannot be read (size, encoding, header)."""


class CsvLinesError(ValueError):
    """Some lines are faulty; `errors` lists each one."""

    def __init__(self, errors: list[LineError]):
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


@dataclass
class CsvTable:
    header: list[str]
    rows: list[tuple[int, dict]]  # (line number, row) for every well-formed line
    errors: list[LineError]       # malformed lines; the caller adds its own and reports them all


def read_csv(raw: bytes, expected_columns: list[str], *, max_bytes: int = MAX_CSV_BYTES,
             allow_extra_columns: bool = False) -> CsvTable:
    """Decode and parse `raw` into well-formed rows and the errors of malformed lines.

    Accepts UTF-8 (with or without BOM) and either comma or semicolon delimiters
    (French spreadsheets export with semicolons). Raises CsvFileError when the file as a
    whole is unusable.
    """
    if len(raw) > max_bytes:
        raise CsvFileError(_("Le fichier dépasse la taille maximale (%(size)s Mo).", size=max_bytes // (1024 * 1024)))
    if not raw.strip():
        raise CsvFileError(_("Le fichier est vide."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvFileError(_("Le fichier n'est pas encodé en UTF-8. Enregistrez-le en « CSV UTF-8 » puis réessayez."))
    first_line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [column.strip().lower() for column in next(reader)]
    except (StopIteration, csv.Error):
        raise CsvFileError(_("Le fichier n'a pas de ligne d'en-tête lisible."))
    missing = [column for column in expected_columns if column not in header]
    if missing:
        raise CsvFileError(_("Colonnes attendues : %(expected)s. Colonnes manquantes : %(missing)s.",
                             expected=", ".join(expected_columns), missing=", ".join(missing)))
    extra = [column for column in header if column not in expected_columns]
    if extra and not allow_extra_columns:
        raise CsvFileError(_("Colonnes inconnues : %(extra)s.", extra=", ".join(extra)))
    rows: list[tuple[int, dict]] = []
    errors: list[LineError] = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue
            if any(_has_control_character(value) for value in values):
                errors.append(LineError(line, _("caractère de contrôle (caractère nul, échappement…) dans la "
                                                "ligne\u00a0: retirez-le.")))
                continue
            if len(values) != len(header):
                errors.append(LineError(line, _("%(found)s colonnes au lieu de %(expected)s.",
                                                found=len(values), expected=len(header))))
                continue
            rows.append((line, {column: value.strip() for column, value in zip(header, values)}))
    except csv.Error as error:
        errors.append(LineError(reader.line_num, _("ligne illisible (%(error)s).", error=str(error))))
    return CsvTable(header, rows, errors)
