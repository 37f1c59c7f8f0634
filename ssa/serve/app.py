"""The HTTP API (FastAPI). Everything under /v1 needs an API key, /healthz does
not, /metrics as settings.metrics says. Errors are RFC 9457 problem+json.

The parts live in ``ssa.serve.api``: one router per resource (``api.routes``),
their dependencies (``api.deps``), errors (``api.problems``) and middleware."""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ssa.serve import delivery, pipeline
from ssa.serve.api.middleware import BodyGuard, RedactKeys, RequestMetrics, ServiceMetrics
from ssa.serve.api.problems import add_handlers
from ssa.serve.api.routes import ROUTERS, service
from ssa.serve.auth import RateLimiter
from ssa.serve.console import install_console
from ssa.serve.settings import Settings
from ssa.serve.store import Store, open_store

TAGS = [
    {"name": "conjunctions", "description": "Conjunction events: poll with since= and If-None-Match"},
    {"name": "alerts", "description": "Events and reported incidents routed to the caller's party, with acknowledgement"},
    {"name": "incidents", "description": "Incidents reported by parties, routed like screening's alerts"},
    {"name": "subscriptions", "description": "Admin: webhooks that receive each alert routed to a party, signed"},
    {"name": "catalog", "description": "Element set uploads and the screening jobs they start"},
    {"name": "objects", "description": "Catalogued objects"},
    {"name": "parties", "description": "Parties of the Dutch response mechanism"},
    {"name": "service", "description": "Health and metrics"},
]


def run_embedded_worker(settings: Settings, database_url: str, stop) -> None:
    """`ssa serve`'s job worker and webhook delivery loop, in a child process: screening holds the GIL for
    seconds at a time, which in a thread of the server stalls every request. Stops
    when `stop` is set or the server process is gone."""
    from ssa.serve.worker import Worker

    os.nice(10)  # screening is batch work: requests to the server come first
    parent = os.getppid()

    def watch_parent():
        while not stop.wait(1.0):
            if os.getppid() != parent:
                stop.set()

    threading.Thread(target=watch_parent, name="ssa-worker-parent", daemon=True).start()
    store = Store(database_url)  # the server brought its schema up to date before starting this
    delivery.start_delivery_thread(store, settings, stop)  # webhooks: a slow receiver never holds up the API
    Worker(store, settings).run_forever(stop)


def create_app(settings: Settings | None = None, store: Store | None = None, start_worker: bool | None = None) -> FastAPI:
    """The application on `store` (default: open_store(settings), which migrates or refuses
    as settings.auto_migrate says); `start_worker` (default settings.embedded_worker) runs a
    job worker process beside it (run_embedded_worker), on the same store."""
    settings = settings or Settings()
    run_worker = settings.embedded_worker if start_worker is None else start_worker

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        access_log = logging.getLogger("uvicorn.access")  # configured by now
        if not any(isinstance(f, RedactKeys) for f in access_log.filters):
            access_log.addFilter(RedactKeys())
        process = None
        if run_worker:
            context = multiprocessing.get_context("spawn")
            stop = context.Event()
            url = app.state.store.engine.url.render_as_string(hide_password=False)
            process = context.Process(target=run_embedded_worker, args=(settings, url, stop), name="ssa-worker",
                                      daemon=True)
            process.start()
        yield
        if process is not None:
            stop.set()
            process.join(timeout=30)
            if process.is_alive():  # mid-screening: its job's lease runs out and another worker re-claims it
                process.terminate()
                process.join()

    app = FastAPI(title="ssa conjunction alert service", version="1", openapi_tags=TAGS, lifespan=lifespan,
                  description="Conjunction events screened from public element sets, routed to the parties of the "
                              "Dutch space incident response mechanism. Poll `/v1/conjunctions?since=N` or "
                              "`/v1/alerts?since=N` with `If-None-Match`.")
    store = store or open_store(settings)
    store.upsert_parties(pipeline.known_parties())
    app.state.settings, app.state.store = settings, store
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.failed_keys = RateLimiter(settings.failed_keys_per_minute)
    app.state.key_cache = {}
    app.state.metrics = ServiceMetrics()
    app.add_middleware(BodyGuard, state=app.state)
    app.add_middleware(RequestMetrics, metrics=app.state.metrics)
    add_handlers(app)
    service.add_routes(app, settings)
    for router in ROUTERS:
        app.include_router(router)
    install_console(app)
    return app
