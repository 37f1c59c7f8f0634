"""HTTP alert service: store, screening jobs, API.

    ssa keys create --role admin                 # prints the key once; only its hash is stored
    ssa serve                                    # uvicorn on 127.0.0.1:8000, worker thread inside
    ssa worker                                   # or a separate worker process (SSA_EMBEDDED_WORKER=false)
    curl -H "X-API-Key: $KEY" -F file=@cat.tle http://127.0.0.1:8000/v1/catalog
    curl -H "X-API-Key: $KEY" "http://127.0.0.1:8000/v1/conjunctions?since=0"

Settings come from SSA_* environment variables and an optional TOML file named
by SSA_SETTINGS_FILE (see ssa.serve.settings.Settings): the store is
<SSA_DATA_DIR>/ssa.sqlite3 (WAL) unless SSA_DATABASE_URL names another
database, e.g. postgresql+psycopg://user@host/db. The app is
``ssa.serve.app.create_app(settings)``; the OpenAPI document is at /openapi.json.

Element sets have a source: "public" (admin uploads, the watched folder) or
"operator:<tenant>" (an operator key's upload of its own objects), kept side by
side (``/v1/objects/{id}`` lists the newest of each). A job screens an
operator's set where it agrees with the public one within the estimated
covariance, else the public set, and flags the operator's set in the job
(``source_checks``), in the object's events (``source_flags``) and CDMs
(``ssa.serve.pipeline.choose_sources``); each event and CDM names the source of
each object's set.
"""
from ssa.serve.settings import Settings

__all__ = ["Settings"]
