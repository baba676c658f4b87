"""Every open-data CSV in the two forms a spreadsheet user opens with a double click.

- `excel`: the same CSV as French Excel reads it — UTF-8 with a byte-order mark (without it
  Excel reads Windows-1252 and « é » turns to « Ã© »), `;` between cells (`,` is the
  decimal separator in French) and numbers with a decimal comma (else Excel reads « 1.5 »
  as the 1st of May).
- `xlsx`: an Office Open XML workbook (XlsxWriter), each cell typed from the column's
  Frictionless type: text cells stay text (`01053` and `2A004` keep their form, as no CSV can
  promise), numbers are numbers, dates are dates.

Both are built from the CSV text the site already writes (one writer, so the rows cannot
differ): chunk by chunk for `excel`, through XlsxWriter's constant-memory mode for `xlsx`
(a row is written out as soon as the next begins, then streamed from a temporary file).
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from sqlalchemy import func, select

from ..extensions import db
from .params import Param

BOM = "\ufeff"
FORMATS = ("excel", "xlsx")
FORMAT_PARAM = Param(
    "format", "Variante pour tableur : excel (CSV en UTF-8 avec BOM, « ; » et virgule décimale, comme Excel en "
    "français l'ouvre d'un double clic) ou xlsx (classeur, codes de territoire en texte, dates en dates). "
    "EN: spreadsheet variant: excel (UTF-8 CSV with BOM, ';' and decimal comma, as French Excel opens it) or "
    "xlsx (workbook: territory codes as text, dates as dates).", "choice", choices=FORMATS)
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"  # IANA's, as registered
_CHUNK = 64 * 1024
# A workbook is written whole before its first byte leaves (XlsxWriter), at about 5,000 rows
# a second: past this many rows a download would outlast the web server's timeout and end in
# an error page. Larger files are offered as CSV, which streams (and as CSV for Excel).
XLSX_MAX_ROWS = 100_000


def fits_a_workbook(stmt) -> bool:
    """Whether the rows of `stmt` are few enough for XLSX (one bounded count, not the whole
    file): where it is false, the XLSX variant is refused, so no page or catalogue offers it."""
    probe = select(func.count()).select_from(stmt.limit(XLSX_MAX_ROWS + 1).subquery())
    return db.session.execute(probe).scalar_one() <= XLSX_MAX_ROWS


def _records(chunks: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of CSV text given in chunks that each end on a record (as the
    site's writers yield them: whole batches of rows)."""
    number = 0
    for chunk in chunks:
        for cells in csv.reader(io.StringIO(chunk)):
            yield number, cells
            number += 1


def excel_csv(chunks: Iterable[str], types: list[str]) -> Iterator[str]:
    """The CSV given in `chunks` as French Excel opens it (see the module's docstring).
    `types`: each column's Frictionless type; only `number` cells get a decimal comma."""
    numbers = [i for i, kind in enumerate(types) if kind == "number"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    yield BOM
    for chunk in chunks:
        buffer.seek(0)
        buffer.truncate()
        for cells in csv.reader(io.StringIO(chunk)):
            for i in numbers:
                if i < len(cells):
                    cells[i] = cells[i].replace(".", ",")
            writer.writerow(cells)
        yield buffer.getvalue()


def _typed(kind: str, text: str):
    """The cell's value for a workbook: None for an empty cell, else a number, a date or text."""
    if text == "":
        return None
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
        if kind == "datetime":
            return datetime.fromisoformat(text).replace(tzinfo=None)  # UTC, as the column says
        if kind == "date":
            return date.fromisoformat(text)
        if kind == "boolean":
            return {"true": True, "false": False}.get(text, text)
    except ValueError:
        pass
    return text


def xlsx_file(chunks: Iterable[str], types: list[str], sheet: str) -> Iterator[bytes]:
    """The CSV given in `chunks` as a one-sheet workbook, streamed in blocks. The header row
    is bold and frozen; text is written as text (never read as a number or a formula)."""
    import xlsxwriter  # only this download needs it

    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False,
                                          "strings_to_formulas": False, "strings_to_urls": False})
        bold = book.add_format({"bold": True})
        formats = {"date": book.add_format({"num_format": "yyyy-mm-dd"}),
                   "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})}
        worksheet = book.add_worksheet(sheet[:31])
        worksheet.freeze_panes(1, 0)
        for row, cells in _records(chunks):
            for col, text in enumerate(cells):
                if row == 0:
                    worksheet.write_string(0, col, text, bold)
                    continue
                kind = types[col] if col < len(types) else "string"
                value = _typed(kind, text)
                if value is None:
                    continue
                if isinstance(value, bool):
                    worksheet.write_boolean(row, col, value)
                elif isinstance(value, (int, float)):
                    worksheet.write_number(row, col, value)
                elif isinstance(value, (date, datetime)):
                    worksheet.write_datetime(row, col, value, formats[kind])
                else:
                    worksheet.write_string(row, col, value)
        book.close()
        with open(path, "rb") as stream:
            while block := stream.read(_CHUNK):
                yield block
    finally:
        os.unlink(path)


def spreadsheet_variant(variant: str | None, chunks: Iterable[str], types: list[str], filename: str,
                        sheet: str) -> tuple[Iterable, str, str]:
    """(body, mimetype, file name) of a CSV download in the asked variant (None: the CSV
    itself). `filename` is the CSV's, ending in .csv."""
    stem = filename[:-4] if filename.endswith(".csv") else filename
    if variant == "excel":
        return excel_csv(chunks, types), "text/csv", f"{stem}-excel.csv"
    if variant == "xlsx":
        return xlsx_file(chunks, types, sheet), XLSX_MIMETYPE, f"{stem}.xlsx"
    return chunks, "text/csv", filename
