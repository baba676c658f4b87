"""The API as third-party tools read it (issue 23): openapi-spec-validator checks that the
OpenAPI document is valid OpenAPI 3.1, and schemathesis generates requests for every operation
from that document (valid and invalid parameters alike) and checks each answer: no server
error, a documented status code and content type, a body its schema accepts, and invalid
input refused.

schemathesis runs once, on SQLite, over a seeded world (findings, indicators with values, an
external action, cards, consultations with commitments, a survey published twice) so that
lists and detail pages answer with data, not only with 404s and empty pages. Its cases are
generated from a fixed seed (deterministic) and bounded in number per operation."""
from __future__ import annotations

import contextvars
from datetime import date

import pytest
from hypothesis import HealthCheck, settings
import schemathesis
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    allow_header_conformance, content_type_conformance, negative_data_rejection, positive_data_acceptance,
    response_headers_conformance, response_schema_conformance, status_code_conformance, unsupported_method,
)

from plateforme import create_app
from plateforme.observatory.models import ExternalActionKind, ExternalActionStatus
from plateforme.observatory.services import ExternalActionInput, save_external_action

from plateforme.surveys.publication import publish

from ..conftest import make_test_config
from ..factories import make_survey
from .test_consultation_api import data  # noqa: F401  (cards, consultations, commitments)
from .test_data_package import published  # noqa: F401  (findings, indicators, values, a published survey)

OPENAPI = "/api/v1/openapi.json"
MAX_EXAMPLES = 30  # per operation and generation mode: about 1,400 requests in all, a minute
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection, positive_data_acceptance, unsupported_method,
          allow_header_conformance]


def test_the_openapi_document_is_valid_openapi_3_1(client):
    document = client.get(OPENAPI).get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises OpenAPIValidationError naming the faulty part
    del document["paths"]["/findings/{finding_id}"]["get"]["parameters"][0]["required"]
    with pytest.raises(OpenAPIValidationError):  # the validator does read the document
        validate(document)


def _fresh_context(app):
    """The app as a WSGI server runs it: each request in an empty context, so it pushes its own
    application context and database session rather than borrowing the test's (as
    tests/conftest.py's FreshContextClient does for the test client)."""
    def wsgi(environ, start_response):
        return contextvars.Context().run(app, environ, start_response)
    return wsgi


def _load_schema():
    """The document, read at collection from an app of its own: it is built from the views'
    declarations, with no database. (schemathesis's fixture-based loader, which would read it
    from the session's app, does not run under pytest 9.2: it sets `Function._nodeid`.)"""
    config = SchemathesisConfig.from_dict({
        "seed": 23, "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"}})
    return schemathesis.openapi.from_wsgi(OPENAPI, create_app(make_test_config("sqlite://")), config=config)


schema = _load_schema()


@pytest.fixture
def world(app, make, db, published, neighbour):  # noqa: F811
    """The seeded app, and the list of the requests made to it."""
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("schemathesis runs once, on SQLite: its cost is generating cases; the API's queries are "
                    "tested on both backends by the other tests of tests/publication")
    save_external_action(make.territory("200046977"), ExternalActionInput(
        title="Jumelage", kind=ExternalActionKind.TWINNING, partner_country="Italie",
        status=ExternalActionStatus.ONGOING, start_date=date(2020, 1, 1)), make.admin())
    # A neighbour's published survey on the same statements: /comparisons has two territories
    # to compare, under the ids its documented example names (?surveys=1,2).
    other = make_survey(db, "closed", territory=neighbour.code, title="Est Lyonnais")
    publish(other)
    db.session.commit()
    assert (published["survey"].id, other.id) == (1, 2)
    calls: list[int] = []
    yield _fresh_context(app), calls
    # Not a run that passes on nothing: the operation got its cases, some of them answered 200.
    assert len(calls) >= 5 and 200 in calls, calls
    print(f"schemathesis: {len(calls)} requests, {calls.count(200)} answered 200")


@schema.parametrize()
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # read only: one world
def test_every_operation_answers_as_documented(case, world):
    wsgi, calls = world
    checks = CHECKS
    if case.operation.path == "/comparisons":
        # Whether ids name published surveys of different territories with statements in common
        # is data, which no schema can say: a well-formed ?surveys= may rightly get its 400.
        checks = [check for check in CHECKS if check is not positive_data_acceptance]
    response = case.call_and_validate(app=wsgi, checks=checks)
    calls.append(response.status_code)
