"""A bounded contract test: schemathesis generates requests for every operation in the live service's
``/openapi.json`` (10 examples each) and the service must never answer 5xx, and must answer every error
with an RFC 9457 problem document whose ``status`` is the response's."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from service_testlib import Service, start_service


@pytest.fixture(scope="module")
def contract_service(tmp_path_factory: pytest.TempPathFactory, initialised_registry: Path) -> Iterator[Service]:
    root = tmp_path_factory.mktemp("contract")
    shutil.copyfile(initialised_registry, root / "registry.sqlite")
    gen = start_service(f"sqlite:///{root / 'registry.sqlite'}", root, "--allow-anonymous-read")
    service = next(gen)
    service.token("contract", "510100", "publisher")
    yield service
    for _ in gen:  # stops the server
        pass


def _check(case: Any, service: Service) -> None:
    response = case.call(base_url=service.url, headers={"Authorization": f"Bearer {service.tokens['contract']}"})
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:500]}"
    if response.status_code >= 400:
        content_type = response.headers.get("content-type") or [""]  # schemathesis: header → list of values
        assert content_type[0].startswith("application/problem+json"), response.text[:300]
        body = response.json()
        assert body["status"] == response.status_code and body["code"] and body["type"].endswith(body["code"])


def test_no_server_errors_and_problem_documents(contract_service: Service) -> None:
    # schemathesis' programmatic API (its pytest plugin does not follow this pytest): one hypothesis
    # run per operation, each with a small, fixed budget.
    schema = schemathesis.openapi.from_url(contract_service.url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            _check(case, contract_service)

        run()
