"""The OpenAPI document is valid, and the API keeps to it under generated requests.

openapi-spec-validator checks the document; schemathesis generates requests from it for every
operation and sends them over real HTTP to a running server, anonymously and with an
administrator's token. Every answer must be no 500, a status code the document declares, its
declared content type, and a body and headers that fit the declared schema.

Not checked here: that every request the schema allows is accepted (the project and
requirement documents have rules between fields that JSON Schema cannot state, answered 422
with the field named), and that every request it forbids is refused — on 2026-11-29 that
check found boolean filters taking values other than true/false as "no filter"
(`?available_sites=null`; the filtersets are the web pages' too) and dates accepting a number
(`as_of: 0`, pydantic's lax mode), both answered 200, not yet made strict.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from openapi_spec_validator import validate
from schemathesis import checks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]
EXAMPLES_PER_OPERATION = 6


def test_the_openapi_document_is_valid(live_server: Any) -> None:
    with urllib.request.urlopen(  # noqa: S310 - the test server
        f"{live_server.url}/api/v1/openapi.json", timeout=30
    ) as response:
        document = json.loads(response.read())
    validate(document)
    # Reads that need no credentials say so: an empty security requirement among theirs.
    assert {} in document["paths"]["/api/v1/parks"]["get"]["security"]
    assert {} not in document["paths"]["/api/v1/parks"]["post"]["security"]


@pytest.mark.parametrize("caller", ["anonymous", "administrator"])
def test_generated_requests_get_answers_that_keep_to_the_document(
    live_server: Any, world: Any, caller: str
) -> None:
    from technopark.core.tokens import token_create

    headers = {}
    if caller == "administrator":
        _, token = token_create(user=world.users["admin"], name="fuzz")
        headers["Authorization"] = f"Bearer {token}"
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50, "every endpoint of the API"

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def send(case: Any) -> None:
            response = case.call(base_url=live_server.url, headers=headers, timeout=60)
            case.validate_response(response, checks=CHECKS)

        try:
            send()
        except Exception as failure:  # every operation is tried; all failures are reported
            failures.append(f"{operation.label}: {failure}"[:2000])
    assert not failures, "\n\n".join(failures)
