"""Every CSV in its spreadsheet forms (core/spreadsheet.py), read back: the Excel CSV (BOM,
`;`, decimal comma) and the XLSX workbook (zipfile + its XML) hold the same rows as the CSV,
and territory codes such as 01053 and 2A004 stay text."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest

from plateforme.core.spreadsheet import BOM, XLSX_MIMETYPE, excel_csv, xlsx_file
from plateforme.territories.models import Territory, TerritoryKind

from ..factories import page_text

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _cell_ref(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref).group()
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def read_xlsx(data: bytes) -> list[list]:
    """The first sheet's rows as (type, text) cells: 's'/'inlineStr'/'str' text, 'n' number, 'b' boolean."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        shared = []
        if "xl/sharedStrings.xml" in book.namelist():
            root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in root.findall("m:si", NS)]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{{{NS['m']}}}row"):
        cells = {}
        for cell in row.findall("m:c", NS):
            kind = cell.get("t", "n")
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(f"{{{NS['m']}}}t"))
                kind = "s"
            else:
                value = cell.find("m:v", NS)
                text = value.text if value is not None else ""
                if kind == "s":
                    text = shared[int(text)]
            cells[_cell_ref(cell.get("r"))] = (kind, text)
        width = max(cells) + 1 if cells else 0
        rows.append([cells.get(i, (None, "")) for i in range(width)])
    return rows


def _excel_rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


@pytest.fixture
def odd_codes(db, obs, make):
    """Values on two communes whose codes a number would spoil (a leading zero, Corsica's 2A)."""
    indicator = obs.indicator("Population étudiante")
    for code, name, value in (("01053", "Bourg-en-Bresse", 1.5), ("2A004", "Ajaccio", 1200)):
        if make.territory(code) is None:
            db.session.add(Territory(kind=TerritoryKind.COMMUNE, code=code, name=name, search_name=name.lower()))
            db.session.commit()
        obs.value(indicator, code, 2023, value, note="=SOMME(A1)")
    return indicator


def test_excel_csv_has_a_bom_semicolons_decimal_commas_and_the_csv_rows(client, odd_codes):
    plain = client.get("/observatoire/donnees/valeurs.csv")
    rows = list(csv.reader(io.StringIO(plain.get_data(as_text=True))))
    excel = client.get("/observatoire/donnees/valeurs.csv?format=excel")
    assert excel.status_code == 200 and excel.mimetype == "text/csv"
    assert 'filename="valeurs-excel.csv"' in excel.headers["Content-Disposition"]
    assert excel.data.startswith(BOM.encode("utf-8")) and not plain.data.startswith(BOM.encode("utf-8"))
    excel_rows = _excel_rows(excel.data)
    value = rows[0].index("value")
    # The same rows, cell for cell, but a decimal comma in the number column.
    assert [r[:value] + r[value + 1:] for r in excel_rows] == [r[:value] + r[value + 1:] for r in rows]
    assert {r[3]: r[value] for r in excel_rows[1:]} == {"01053": "1,5", "2A004": "1200"}
    assert all(r[rows[0].index("note")] == "'=SOMME(A1)" for r in excel_rows[1:])


def test_xlsx_keeps_codes_as_text_and_the_csv_rows(client, odd_codes):
    rows = list(csv.reader(io.StringIO(client.get("/observatoire/donnees/valeurs.csv").get_data(as_text=True))))
    response = client.get("/observatoire/donnees/valeurs.csv?format=xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX_MIMETYPE
    # IANA's registered type, spelt out: the constant itself once carried a stray "sheetml.".
    assert XLSX_MIMETYPE == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="valeurs.xlsx"' in response.headers["Content-Disposition"]
    sheet = read_xlsx(response.data)
    assert [[text for _kind, text in row] for row in sheet][0] == rows[0]
    code, value = rows[0].index("territory_code"), rows[0].index("value")
    by_code = {row[code][1]: row for row in sheet[1:]}
    assert set(by_code) == {"01053", "2A004"}
    assert all(row[code][0] == "s" for row in sheet[1:])  # text cells: the leading zero stays
    assert by_code["01053"][value] == ("n", "1.5") and by_code["2A004"][value] == ("n", "1200")
    assert len(sheet) == len(rows)
    for csv_row, xlsx_row in zip(rows[1:], sheet[1:]):
        assert [text for _kind, text in xlsx_row] + [""] * (len(csv_row) - len(xlsx_row)) == csv_row


def test_xlsx_writes_dates_as_dates_and_numbers_as_numbers():
    chunks = ["id,code,day,at,ok,share\n", "7,01053,2026-03-01,2026-03-01T10:00:00+00:00,true,0.25\n"]
    sheet = read_xlsx(b"".join(xlsx_file(chunks, ["integer", "string", "date", "datetime", "boolean", "number"],
                                         "essai")))
    kinds = [kind for kind, _text in sheet[1]]
    assert kinds == ["n", "s", "n", "n", "b", "n"]
    epoch = datetime(1899, 12, 30)
    assert epoch + timedelta(days=float(sheet[1][2][1])) == datetime(2026, 3, 1)
    # Dates are serial day numbers (with a date format), as Excel stores them.
    assert abs(epoch + timedelta(days=float(sheet[1][3][1])) - datetime(2026, 3, 1, 10)) < timedelta(seconds=1)
    assert sheet[1][1][1] == "01053"


def test_excel_csv_keeps_multi_line_cells_whole():
    out = "".join(excel_csv(['a,b\n', '"x\ny",1.5\n'], ["string", "number"]))
    assert out == BOM + 'a;b\r\n"x\ny";1,5\r\n'


def test_every_csv_offers_both_variants(client, odd_codes):
    for address in ("/observatoire/donnees/constats.csv", "/observatoire/donnees/indicateurs.csv",
                    "/observatoire/donnees/actions-exterieures.csv", "/api/v1/consultations.csv",
                    "/api/v1/commitments.csv"):
        plain = client.get(address)
        header = next(csv.reader(io.StringIO(plain.get_data(as_text=True))))
        excel = client.get(address + "?format=excel")
        assert excel.status_code == 200 and _excel_rows(excel.data)[0] == header, address
        book = client.get(address + "?format=xlsx")
        assert book.status_code == 200 and book.mimetype == XLSX_MIMETYPE, address
        assert [text for _kind, text in read_xlsx(book.data)[0]] == header, address
    page = client.get("/observatoire/donnees").get_data(as_text=True)
    assert "valeurs.csv?format=excel" in page and "valeurs.csv?format=xlsx" in page
    assert "consultations.csv?format=xlsx" in page


def test_a_bad_variant_is_refused_by_name(client):
    response = client.get("/observatoire/donnees/valeurs.csv?format=ods")
    assert response.status_code == 400 and "format" in response.get_data(as_text=True)
    # A data file's client is a program: problem details, as on the API, not an HTML page.
    assert response.mimetype == "application/problem+json"
    assert response.json["invalid_params"][0]["name"] == "format"
    assert client.get("/observatoire/donnees/nulle-part.csv").mimetype == "application/problem+json"
    assert client.get("/observatoire/donnees/valeurs.json?format=excel").status_code == 400
    api = client.get("/api/v1/commitments.csv?format=ods")
    assert api.status_code == 400 and api.json["invalid_params"][0]["name"] == "format"


def test_territory_codes_are_strings_in_the_data_package(client):
    package = client.get("/observatoire/donnees/datapackage.json").json
    code_fields = [field for resource in package["resources"] for field in resource["schema"]["fields"]
                   if field["name"] in ("territory_code", "territory")]
    assert len(code_fields) >= 5
    assert all(field["type"] == "string" for field in code_fields)


def test_a_file_too_long_for_a_workbook_is_offered_as_csv_only(client, odd_codes, monkeypatch):
    """A workbook is written whole before its first byte: a long one would outlast the web
    server's timeout and end in an error. Past the limit, a 400 says which forms there are."""
    from plateforme.core import spreadsheet
    from plateforme.observatory import download_views

    assert client.get("/observatoire/donnees/valeurs.csv?format=xlsx").status_code == 200  # 2 rows
    monkeypatch.setattr(spreadsheet, "XLSX_MAX_ROWS", 1)
    monkeypatch.setattr(download_views, "XLSX_MAX_ROWS", 1)
    refused = client.get("/observatoire/donnees/valeurs.csv?format=xlsx")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "format" in page and "CSV pour Excel" in page
    assert client.get("/observatoire/donnees/valeurs.csv?format=excel").status_code == 200


def test_the_data_page_offers_xlsx_exactly_where_it_is_served(client, odd_codes, obs, monkeypatch):
    """Past the limit the page says why there is no XLSX instead of linking to a refusal: each
    link shown answers 200, each file without one answers 400 (with a limit of 1 row, the two
    values are too many, the one indicator is not)."""
    from plateforme.core import spreadsheet
    from plateforme.observatory import download_views

    monkeypatch.setattr(spreadsheet, "XLSX_MAX_ROWS", 1)
    monkeypatch.setattr(download_views, "XLSX_MAX_ROWS", 1)  # the figure the page gives
    page = client.get("/observatoire/donnees").get_data(as_text=True)
    for slug in ("constats", "indicateurs", "valeurs", "actions-exterieures"):
        address = f"/observatoire/donnees/{slug}.csv?format=xlsx"
        rows = len(list(csv.reader(io.StringIO(client.get(f"/observatoire/donnees/{slug}.csv")
                                               .get_data(as_text=True))))) - 1
        served = client.get(address).status_code
        assert served == (200 if rows <= 1 else 400), slug
        assert (address in page) == (served == 200), slug
        assert f"{slug}.csv?format=excel" in page  # the CSV for Excel is always there
    assert "valeurs.csv?format=xlsx" not in page and "indicateurs.csv?format=xlsx" in page
    assert "XLSX indisponible\u00a0: plus de 1 ligne, prenez le CSV pour Excel" in page_text(
        client.get("/observatoire/donnees"))
