"""The duty officer's console, served by `ssa serve` under /console: server-rendered
page shells and one script that reads the API with the key the officer signs in with
(kept in sessionStorage), plus the few read-only endpoints it needs (console.api).
Every asset ships in this package; nothing is loaded from elsewhere."""
from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles


def install_console(app: FastAPI) -> None:
    """Add the console's pages, static assets and endpoints to the API app."""
    from ssa.serve.console import api, pages

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/console/static", StaticFiles(packages=[("ssa.serve.console", "static")]), name="console-static")
