"""Property-based requests from the OpenAPI document (schemathesis): no input
makes the service answer 5xx, and successful answers match their schemas.
Bounded: 15 examples per operation, on a store holding screened real data,
on SQLite and on PostgreSQL (when SSA_TEST_DATABASE_URL is set)."""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from serve_helpers import make_settings, migrated_store, run_job_with_reference, scenario_omm_csv
from ssa.serve.app import create_app
from ssa.serve.pipeline import ingest_text


@pytest.mark.slow
def test_no_server_error_and_documented_shapes(tmp_path, database_url):
    """Every operation of the OpenAPI document, driven by hypothesis through
    schemathesis' strategies (no pytest plugin: it follows pytest's internals)."""
    url = database_url
    store = migrated_store(url)
    ingest_text(store, scenario_omm_csv(), "schema-test")
    run_job_with_reference(store)
    headers = {"X-API-Key": store.create_key("admin")}
    app = create_app(make_settings(tmp_path, url), store=store)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def no_server_error(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

        no_server_error()
    store.engine.dispose()
