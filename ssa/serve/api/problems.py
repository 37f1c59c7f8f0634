"""Errors as RFC 9457 problem+json: the body, the handlers, and the responses each
route documents."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ssa.serve.auth import ProblemException

PROBLEM = "application/problem+json"
PROBLEM_RESPONSES = {
    code: {"description": text_, "content": {PROBLEM: {"schema": {"type": "object"}}}}
    for code, text_ in ((401, "missing or wrong API key"), (403, "outside the key's scope"),
                        (422, "invalid parameter; `errors` names each field"), (429, "rate limit; see Retry-After"))
}


def responses(described: dict[int, str]) -> dict:
    """The route's own status codes with their descriptions, then PROBLEM_RESPONSES."""
    return {**{code: {"description": text_} for code, text_ in described.items()}, **PROBLEM_RESPONSES}


def not_found(what: str, row_id: int, field: str) -> ProblemException:
    return ProblemException(404, "Not found", f"no {what} {row_id}", field=field)


def problem(status: int, title: str, detail: str, instance: str, field: str | None = None,
            headers: dict | None = None, **extra) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": instance}
    if field:
        body["errors"] = [{"field": field, "detail": detail}]
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


async def http_problem(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if isinstance(exc, ProblemException):
        return problem(exc.status_code, exc.title, str(exc.detail), request.url.path, exc.field, exc.headers,
                       **exc.extra)
    title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
    return problem(exc.status_code, title, str(exc.detail), request.url.path, headers=getattr(exc, "headers", None))


async def validation_problem(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body" or len(e["loc"]) == 1),
               "detail": e.get("msg", "invalid")} for e in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['detail']}" for e in errors)
    return problem(422, "Invalid request", detail, request.url.path, errors=errors)


def add_handlers(app: FastAPI) -> None:
    """Every HTTP error and every invalid request answered as problem+json."""
    app.add_exception_handler(StarletteHTTPException, http_problem)
    app.add_exception_handler(RequestValidationError, validation_problem)
