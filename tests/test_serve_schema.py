"""Property-based requests from the OpenAPI document (schemathesis): no input
makes the service answer 5xx, and successful answers match their schemas.
Bounded: 15 examples per operation, on a store holding screened real data."""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from serve_helpers import make_settings, run_job_with_reference, scenario_omm_csv
from ssa.serve.app import create_app
from ssa.serve.pipeline import ingest_text
from ssa.serve.store import Store

KEYS = {}


@pytest.fixture
def api_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'ssa.sqlite3'}"
    store = Store(url)
    ingest_text(store, scenario_omm_csv(), "schema-test")
    run_job_with_reference(store)
    KEYS["admin"] = store.create_key("admin")
    app = create_app(make_settings(tmp_path, url), store=store)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    store.engine.dispose()


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_documented_shapes(case):
    case.call_and_validate(headers={"X-API-Key": KEYS["admin"]},
                           checks=[not_a_server_error, response_schema_conformance])
