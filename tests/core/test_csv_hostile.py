"""CSV imports refuse control characters line by line, and the file's own name, before
anything reaches a query or a row (PostgreSQL refuses NUL in text: a 500 instead of a
report). Issue 18, part 5: inputs of the same kind found after the listed ones."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from plateforme.core.csvimport import CsvLinesError, read_csv
from plateforme.surveys.models import ImportLog, ResidentResponse
from plateforme.territories.margins import import_margins
from plateforme.territories.models import PopulationMargin

from ..factories import make_survey, page_text, post_form, sign_in


@pytest.mark.parametrize("cell", ["69\x0066", "x\x1by", "x\x7fy", "\x85"])
def test_a_line_with_a_control_character_is_reported_with_its_number(cell):
    table = read_csv(f"a,b\nok,1\n{cell},2\n".encode(), ["a", "b"])
    assert [line for line, _row in table.rows] == [2]
    assert [error.line for error in table.errors] == [3]
    assert "caractère de contrôle" in table.errors[0].message


def test_tabs_and_line_breaks_inside_quotes_stay_allowed():
    table = read_csv(b'a,b\n"deux\nlignes",x\ty\n', ["a", "b"])
    assert not table.errors and table.rows[0][1] == {"a": "deux\nlignes", "b": "x\ty"}


def test_margins_with_nul_in_a_commune_code_are_reported_not_queried(db):
    with pytest.raises(CsvLinesError) as raised:
        import_margins(b"commune,sex,age_band,count\n69266,F,18-29,10\n692\x0066,M,18-29,12\n")
    assert [error.line for error in raised.value.errors] == [3]
    db.session.rollback()
    assert db.session.execute(select(func.count(PopulationMargin.id))).scalar_one() == 0


def test_margins_naming_tens_of_thousands_of_communes_are_reported_not_queried(db):
    lines = "".join(f"{code:05d},F,18-29,1\n" for code in range(70_000))
    with pytest.raises(CsvLinesError) as raised:
        import_margins(("commune,sex,age_band,count\n" + lines).encode())
    assert len(raised.value.errors) > 60_000


def test_a_paper_import_with_nul_in_the_file_name_is_logged_without_it(client, db, make):
    survey = make_survey(db, "open")
    sign_in(client, make.admin())
    manage_url = f"/questionnaires/{survey.id}/gerer"
    csv_ok = b"sex,age_band,commune,s1,s2\nF,30-44,69266,5,dk\n"
    response = post_form(client, f"{manage_url}/import-reponses",
                         {"answers-file": (io.BytesIO(csv_ok), "pa\x00pier\x1b.csv")}, form_url=manage_url,
                         content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.execute(select(ImportLog.filename)).scalar_one() == "pa pier .csv"
    assert db.session.execute(select(func.count(ResidentResponse.id))).scalar_one() == 1


def test_a_paper_import_with_nul_in_a_cell_lists_the_line(client, db, make):
    survey = make_survey(db, "open")
    sign_in(client, make.admin())
    manage_url = f"/questionnaires/{survey.id}/gerer"
    faulty = b"sex,age_band,commune,s1,s2\nF,30-44,69266,5,dk\nM,75+,692\x0066,1,1\n"
    response = post_form(client, f"{manage_url}/import-reponses",
                         {"answers-file": (io.BytesIO(faulty), "papier.csv")}, form_url=manage_url,
                         content_type="multipart/form-data")
    assert response.status_code == 200 and "1 ligne en erreur" in page_text(response)
    assert db.session.execute(select(func.count(ResidentResponse.id))).scalar_one() == 0
