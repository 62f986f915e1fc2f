"""Property-based fuzzing of the named-query API from its own OpenAPI document.

Schemathesis reads /openapi.json from a real `ctgraph serve` and sends generated requests
to every named-query operation: whatever the parameters, the server must never answer 5xx,
must answer only the status codes and media types it documents, and its SPARQL JSON must
match the documented schema.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)


@pytest.fixture(scope="module")
def api_schema(server):
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json", timeout=30)
    # valid and invalid parameters alike (wrong types, out-of-range numbers, bad enums)
    schema.config.generation.update(modes=list(schemathesis.GenerationMode))
    return schema


schema = schemathesis.pytest.from_fixture("api_schema").include(path_regex=r"^/api/queries")


@schema.parametrize()
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_named_query_api_never_fails(case, server) -> None:
    case.call_and_validate(
        base_url=server.url, timeout=30,
        checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                response_schema_conformance],
    )
