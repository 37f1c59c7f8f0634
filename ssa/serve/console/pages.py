"""The console's pages: HTML shells rendered on the server with what the
response mechanism's configuration says (levels, incident types, parties,
interest categories, letters), filled in the browser from the API with the
key kept in sessionStorage. No data of any alert is in a page itself: a page
is the same for every key, and what a key sees is what the API gives it."""
from __future__ import annotations

import json
from functools import cache, lru_cache
from html import escape
from importlib import resources
from string import Template

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse

PAGES = resources.files("ssa.serve.console") / "templates"
router = APIRouter(include_in_schema=False)


@cache
def template(name: str) -> Template:
    return Template((PAGES / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def vocabulary() -> dict:
    """Names the pages show, from ssa.respond's configuration (levels lowest first)."""
    from ssa.respond import load_config

    cfg = load_config()
    return {
        "levels": [{"id": lv.id, "rank": lv.rank, "page": lv.page, "description": lv.description}
                   for lv in sorted(cfg.levels.values(), key=lambda lv: lv.rank)],
        "incidents": [{"id": i.id, "name": i.name_en} for i in cfg.incidents.values()],
        "parties": {p.id: p.name_en for p in cfg.parties.values()},
        "categories": dict(cfg.categories),
        "letters": {code: dict(letter)["title"] for code, letter in cfg.letters.items()},
    }


def options(pairs) -> str:
    return "".join(f'<option value="{escape(str(v))}">{escape(str(label))}</option>' for v, label in pairs)


def page(name: str, title: str, body: str) -> HTMLResponse:
    html = template("layout.html").substitute(
        title=escape(title), page=name, body=body,
        vocabulary=escape(json.dumps(vocabulary(), separators=(",", ":")), quote=True))
    return HTMLResponse(html, headers={"Cache-Control": "no-cache", "X-Frame-Options": "DENY",
                                       "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
                                                                  "style-src 'self'; script-src 'self'; "
                                                                  "frame-ancestors 'none'"})


@router.get("/console")
@router.get("/console/")
def console_root():
    return RedirectResponse("/console/alerts", status_code=307)


@router.get("/console/sign-in")
def sign_in():
    return page("sign-in", "Sign in", template("sign-in.html").substitute())


@router.get("/console/alerts")
def alerts():
    v = vocabulary()
    levels = options([("", "any level")] + [(lv["id"], lv["id"]) for lv in reversed(v["levels"])])
    kinds = options([("", "any type")] + [(i["id"], i["name"]) for i in v["incidents"]])
    interest = options([("", "any"), ("dutch", "any Dutch interest"), ("none", "no Dutch interest")]
                       + [(k, f"{k}: {text}") for k, text in v["categories"].items()])
    return page("alerts", "Alerts", template("alerts.html").substitute(levels=levels, kinds=kinds,
                                                                         interest=interest))


@router.get("/console/alerts/{alert_id}")
def alert_detail(alert_id: int):
    return page("alert", f"Alert {alert_id}", template("alert.html").substitute(alert_id=alert_id))


@router.get("/console/jobs")
def jobs():
    return page("jobs", "Jobs and catalogue versions", template("jobs.html").substitute())


@router.get("/console/overflights")
def overflights():
    return page("overflights", "Overflights of sensitive sites", template("overflights.html").substitute())
