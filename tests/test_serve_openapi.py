"""The OpenAPI document stays what clients were generated from: paths, methods,
operation ids, parameters, request bodies, responses and schemas as main served
them before issue 12 (tests/data/serve/openapi_before_issue12.json); only
descriptions, titles and summaries may change."""
import json

from paths import REPO
from serve_helpers import make_settings, migrated_store
from ssa.serve.app import create_app

BEFORE = REPO / "tests" / "data" / "serve" / "openapi_before_issue12.json"
PROSE = {"description", "title", "summary"}
# added since, by the duty console (issue 18): read-only, documented in the README
CONSOLE_PATHS = {"/v1/me", "/v1/alerts/{alert_id}", "/v1/conjunctions/{conjunction_id}/geometry",
                 "/v1/catalog/versions", "/v1/findings/{finding_id}/plot"}
# added since, by the detectors in the service (issues 14 and 15): their paths, their schemas,
# and the alert's `finding` (what an alert about a finding is about)
FINDINGS_PATHS = {"/v1/findings", "/v1/findings/{finding_id}", "/v1/overflights"}
FINDINGS_SCHEMAS = {"FindingOut", "FindingSummaryOut", "FindingPage", "OverflightPassOut", "OverflightPage"}
FINDINGS_FIELDS = {"AlertOut": "finding"}


def without_findings(document: dict) -> dict:
    """The document without what the detectors in the service added (FINDINGS_*)."""
    document = json.loads(json.dumps(document))
    for path in FINDINGS_PATHS:
        document["paths"].pop(path)
    schemas = document["components"]["schemas"]
    for name in FINDINGS_SCHEMAS:
        schemas.pop(name)
    for name, field in FINDINGS_FIELDS.items():
        schemas[name]["properties"].pop(field)
    return document


def without_prose(node):
    """The document without its prose keys (description, title, summary), anywhere; the
    keys of `properties` are field names and stay, whatever they are called."""
    if isinstance(node, dict):
        return {k: (without_prose(v) if k != "properties" else {name: without_prose(s) for name, s in v.items()})
                for k, v in node.items() if k not in PROSE}
    if isinstance(node, list):
        return [without_prose(v) for v in node]
    return node


def field_names(document: dict) -> dict[str, list[str]]:
    """Schema name -> its field names, in order."""
    return {name: list(schema.get("properties", {})) for name, schema in document["components"]["schemas"].items()}


def test_openapi_document_unchanged_but_for_prose(tmp_path):
    store = migrated_store(f"sqlite:///{tmp_path / 'ssa.sqlite3'}")
    now = without_findings(create_app(make_settings(tmp_path, f"sqlite:///{tmp_path / 'ssa.sqlite3'}"),
                                      store=store).openapi())
    before = json.loads(BEFORE.read_text())
    assert sorted(set(now["paths"]) - CONSOLE_PATHS) == sorted(before["paths"])
    for path, methods in before["paths"].items():
        assert sorted(now["paths"][path]) == sorted(methods), path
    assert field_names(now) == field_names(before)
    for section in ("paths", "components"):
        for name, value in before[section].items():
            assert without_prose(now[section][name]) == without_prose(value), (section, name)
        assert sorted(set(now[section]) - CONSOLE_PATHS) == sorted(before[section])
    store.engine.dispose()


def test_without_prose_keeps_fields_named_like_prose():
    schema = {"title": "X", "properties": {"title": {"type": "string", "description": "d"}}, "description": "x"}
    assert without_prose(schema) == {"properties": {"title": {"type": "string"}}}
