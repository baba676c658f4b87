"""Survey definition files are bounded and every field checked before anything is created
(issue 18, part 5): nesting, size, control characters, non-finite numbers, dates, types.
The same checks serve the command line, the upload form and the creation form."""
from __future__ import annotations

import io
import json
import math

import pytest
from flask_babel import force_locale

from plateforme.core.text import french_spacing
from plateforme.surveys.definitions import DefinitionError, load_definition, parse_definition
from plateforme.surveys.models import PerceptionSurvey

from ..factories import SURVEY_DEFINITION, make_survey, page_text, post_form, sign_in

DEEP = b"[" * 10_000 + b"]" * 10_000
NESTING = "Ce fichier imbrique trop de listes ou d'objets\u00a0: ce n'est pas une définition de questionnaire."


def _problems(**overrides) -> list[str]:
    with pytest.raises(DefinitionError) as raised:
        parse_definition({**SURVEY_DEFINITION, **overrides})
    return raised.value.problems


def _count(db) -> int:
    db.session.rollback()
    return db.session.query(PerceptionSurvey).count()


def _strict(text: str):
    """JSON as the standard has it: no NaN, no Infinity."""
    def refuse(name):
        raise AssertionError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("raw", [DEEP, b'{"statements": ' + b"[" * 50 + b"]" * 50 + b"}",
                                 b'{"a": ' * 9 + b"1" + b"}" * 9])
def test_deep_nesting_is_refused_before_anything_else(raw):
    with pytest.raises(DefinitionError) as raised:
        load_definition(raw)
    assert raised.value.problems == [NESTING]


@pytest.mark.parametrize("raw", [b'{"trim": [0.3, NaN]}', b'{"trim": [0.3, Infinity]}', b'{"n": -Infinity}',
                                 b'{"n": ' + b"9" * 5_000 + b"}", b"\xff\xfe", b"{not json",
                                 b" " * (1024 * 1024 + 1)])
def test_non_json_numbers_huge_integers_bad_bytes_and_huge_files_are_refused(raw):
    with pytest.raises(DefinitionError):
        load_definition(raw)


def test_an_exported_definition_loads(app, db):
    assert load_definition(json.dumps(SURVEY_DEFINITION).encode()) == SURVEY_DEFINITION


@pytest.mark.parametrize("field", ["title", "introduction", "conducted_by"])
@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x85", "\ud800"])
def test_control_characters_are_refused_in_every_text(app, db, field, char):
    value = f"Un texte{char} assez long"
    problems = _problems(**{field: value})
    assert any(f"«\u00a0{field}\u00a0» contient des caractères de contrôle" in p for p in problems), problems


def test_control_characters_are_refused_in_statements(app, db):
    statements = [{"key": "s1", "text": "Une affirmation\x00 piégée", "theme": "people"}]
    assert any("Affirmation 1\u00a0: le texte contient des caractères de contrôle" in p
               for p in _problems(statements=statements))


def test_a_carriage_return_is_refused_in_a_one_line_text(app, db):
    assert any("«\u00a0title\u00a0» contient" in p for p in _problems(title="Un titre\r\nsur deux lignes"))


def test_line_feeds_tabs_and_a_browsers_crlf_stay_allowed_in_the_introduction(app, db):
    values = parse_definition({**SURVEY_DEFINITION, "introduction": "Un.\r\n\r\n- deux\n\tsuite"})
    assert values["introduction"] == "Un.\n\n- deux\n\tsuite"


@pytest.mark.parametrize("trim", [[1e-320, math.inf], [0.3, math.nan], [0.001, 3], [0.3, 1e308], [0.3, 101],
                                  [1, 3], [0.3, 1], [True, 3], ["0.3", "3"], [0.3], 0.3, [], {}])
def test_trim_bounds_must_be_finite_and_sensible(app, db, trim):
    assert any("«\u00a0trim\u00a0»" in p for p in _problems(trim=trim))


def test_trim_bounds_inside_the_range_are_kept(app, db):
    assert parse_definition({**SURVEY_DEFINITION, "trim": [0.01, 100]})["trim"] == [0.01, 100.0]
    assert parse_definition({**SURVEY_DEFINITION, "trim": [0.5, 2]})["trim"] == [0.5, 2.0]


@pytest.mark.parametrize("opens, closes", [("0001-01-01", "2026-12-31"), ("2026-01-01", "9999-12-31"),
                                           ("1999-12-31", "2026-01-01"), ("2026-01-01", "2101-01-01")])
def test_dates_fall_between_2000_and_2100(app, db, opens, closes):
    problems = _problems(opens_at=opens, closes_at=closes)
    assert any("doit tomber entre 2000 et 2100" in p for p in problems), problems


@pytest.mark.parametrize("overrides, fragment", [
    ({"title": ["L'international"]}, "«\u00a0title\u00a0» doit être un texte."),
    ({"introduction": {"text": "x"}}, "«\u00a0introduction\u00a0» doit être un texte."),
    ({"sampling_mode": ["open"]}, "« sampling_mode » doit valoir"),
    ({"territory": 200046977}, "« territory » doit être le code"),
    ({"territory": ["200046977"]}, "« territory » doit être le code"),
    ({"opens_at": 20260101}, "« opens_at » doit être une date"),
    ({"statements": [{"key": 1, "text": "Une affirmation correcte", "theme": "people"}]}, "invalide (lettres, chiffres"),
    ({"statements": [{"key": "s1", "text": "Une affirmation correcte", "theme": {"a": 1}}]}, "thème"),
    ({"statements": [{"key": "s1", "text": 12345, "theme": "people"}]}, "entre 5 et 500"),
    ({"min_residents": 11.5}, "« min_residents » doit être un entier"),
    ({"conducted_by": "x" * 201}, "«\u00a0conducted_by\u00a0» doit compter 200 caractères au plus."),
    ({"format": "autre-chose/2"}, "«\u00a0format\u00a0» doit valoir"),
])
def test_every_field_is_type_checked(app, db, overrides, fragment):
    problems = _problems(**overrides)
    assert any(french_spacing(fragment) in p for p in problems), problems


def test_problems_are_in_english_for_english_readers(app, db):
    with app.test_request_context(), force_locale("en"):
        problems = _problems(trim=[0, math.inf], opens_at="0001-01-01", introduction="x\x00")
    assert "“trim” must be a pair [low, high] of numbers with 0.01 ≤ low < 1 < high ≤ 100." in problems
    assert "“opens_at” must fall between 2000 and 2100." in problems
    assert "“introduction” contains control characters (null character, escape…): remove them." in problems


def _cli_import(app, tmp_path, content: bytes):
    path = tmp_path / "definition.json"
    path.write_bytes(content)
    return app.test_cli_runner().invoke(args=["surveys", "import", str(path)])


def test_cli_refuses_a_deep_nest_with_a_message(app, db, tmp_path):
    result = _cli_import(app, tmp_path, DEEP)
    assert result.exit_code != 0 and NESTING in result.output and "Traceback" not in result.output
    assert _count(db) == 0


def test_cli_lists_every_problem_and_imports_nothing(app, db, tmp_path):
    bad = {**SURVEY_DEFINITION, "introduction": "Intro\x00duction", "trim": [1e-320, 1e308],
           "opens_at": "0001-01-01", "closes_at": "9999-12-31"}
    result = _cli_import(app, tmp_path, json.dumps(bad).encode())
    assert result.exit_code != 0
    for fragment in ("«\u00a0introduction\u00a0» contient", "«\u00a0trim\u00a0»", "«\u00a0opens_at\u00a0» doit tomber",
                     "«\u00a0closes_at\u00a0» doit tomber", "nothing created"):
        assert fragment in result.output, fragment
    assert _count(db) == 0  # on PostgreSQL too: the NUL never reached the database


def test_cli_refuses_infinity(app, db, tmp_path):
    text = json.dumps(SURVEY_DEFINITION)[:-1] + ', "trim": [0.3, Infinity]}'
    assert _cli_import(app, tmp_path, text.encode()).exit_code != 0
    assert _count(db) == 0


def _upload(client, make, content: bytes):
    return post_form(client, "/questionnaires/importer", {
        "import-file": (io.BytesIO(content), "definition.json"), "import-territory": make.territory("69029").id,
    }, form_url="/questionnaires/nouveau", content_type="multipart/form-data")


@pytest.mark.parametrize("content, message", [
    (DEEP, NESTING),
    (json.dumps({**SURVEY_DEFINITION, "introduction": "Intro\x00"}).encode(), "«\u00a0introduction\u00a0» contient"),
    (json.dumps({**SURVEY_DEFINITION, "trim": [1e-320, 1e308]}).encode(), "«\u00a0trim\u00a0»"),
    (json.dumps({**SURVEY_DEFINITION, "opens_at": "0001-01-01"}).encode(), "doit tomber entre 2000 et 2100"),
])
def test_the_upload_form_explains_each_refusal(client, db, make, content, message):
    sign_in(client, make.admin())
    response = _upload(client, make, content)
    assert response.status_code == 200 and message in page_text(response)
    assert _count(db) == 0


def test_definition_json_is_strict_json_even_for_a_stored_infinite_bound(client, db, make):
    survey = make_survey(db, "open")
    survey.trim_high = math.inf  # stored before imports checked the bounds
    db.session.commit()
    sign_in(client, make.admin())
    exported = client.get(f"/questionnaires/{survey.id}/definition.json")
    assert exported.status_code == 200
    definition = _strict(exported.get_data(as_text=True))
    assert definition["trim"] is None
    assert _upload(client, make, exported.data).status_code == 302  # and it imports, with the default bounds
