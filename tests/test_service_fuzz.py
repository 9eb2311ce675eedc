"""Schemathesis fuzzes the OpenAPI document of a running service (no API key): never a 500.

Bounded: a few examples per operation, valid and invalid data, well under a minute.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from test_service_support import Service, running_service

schemathesis = pytest.importorskip("schemathesis", reason="pip install schemathesis (the `test` extra)")

EXAMPLES = 12
BUDGET_S = 50


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Iterator[Service]:
    with running_service(tmp_path_factory.mktemp("service-fuzz"), api_key=None, max_upload_bytes="512KB",
                         max_batch_bytes="1MB", time_limit="20") as running:
        yield running


def test_no_operation_answers_500(service):
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_url(f"{service.url}/openapi.json")
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    tried = 0
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if time.monotonic() - started > BUDGET_S:
                pytest.fail(f"the fuzz budget of {BUDGET_S} s ran out after {tried} runs")

            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case) -> None:
                case.call_and_validate(base_url=service.url, checks=checks, timeout=60)

            try:
                run()
            except Unsatisfiable:
                assert mode == GenerationMode.NEGATIVE  # an operation without inputs has no invalid form
            tried += 1
    service.assert_healthy()
    assert "Traceback" not in service.log()
