"""ASGI middleware: the body guard (key checked and size capped before a body is
read), request metrics, and the access log filter that redacts keys."""
from __future__ import annotations

import logging
import re
import time

from fastapi.concurrency import run_in_threadpool
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from ssa.serve.api.problems import problem
from ssa.serve.auth import ProblemException, authenticate

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
KEY_IN_QUERY = re.compile(r"((?:^|[?&])[^=&]*(?:key|token|secret)[^=&]*=)[^&\s]*|ssa_[0-9a-f]+_[A-Za-z0-9_\-]+",
                          re.IGNORECASE)


def redact_keys(text: str) -> str:
    """`text` (a logged path with its query) with API keys and key-like parameter values replaced by REDACTED."""
    return KEY_IN_QUERY.sub(lambda m: (m.group(1) or "") + "REDACTED", text)


class RedactKeys(logging.Filter):
    """Access log filter: keys sent in a query string (refused: keys go in X-API-Key) are not logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_keys(a) if isinstance(a, str) else a for a in record.args)
        return True


class BodyGuard:
    """ASGI middleware: a request with a body needs a valid API key, checked before
    any of the body is read, and its body may hold at most settings.max_upload_bytes
    (413 as soon as the declared length or the bytes received go past it)."""

    def __init__(self, app, state):
        self.app, self.state = app, state

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", ())) if scope["type"] == "http" else {}
        if b"content-length" not in headers and b"transfer-encoding" not in headers:
            return await self.app(scope, receive, send)
        limit = self.state.settings.max_upload_bytes
        try:
            declared = int(headers.get(b"content-length", b"0"))
        except ValueError:
            declared = 0
        if declared == 0 and b"transfer-encoding" not in headers:
            return await self.app(scope, receive, send)
        started = [False]

        async def send_tracked(message):
            started[0] = started[0] or message["type"] == "http.response.start"
            await send(message)

        try:
            if declared > limit:
                raise self.too_large(limit)
            key = headers.get(b"x-api-key", b"").decode("latin-1")
            client = scope["client"][0] if scope.get("client") else ""
            scope.setdefault("state", {})["principal"] = await run_in_threadpool(authenticate, self.state, key, client)
            received = [0]

            async def receive_counted():
                message = await receive()
                received[0] += len(message.get("body", b""))
                if received[0] > limit:
                    raise self.too_large(limit)
                return message

            await self.app(scope, receive_counted, send_tracked)
        except ProblemException as exc:
            if started[0]:
                raise
            path = scope.get("path", "")
            await problem(exc.status_code, exc.title, str(exc.detail), path, exc.field, exc.headers)(scope, receive, send)

    @staticmethod
    def too_large(limit: int) -> ProblemException:
        return ProblemException(413, "Request body too large", f"at most {limit} bytes (setting max_upload_bytes)",
                                field="file")


class ServiceMetrics:
    """The service's Prometheus metrics, in a registry of their own (one per app)."""

    def __init__(self):
        self.registry = CollectorRegistry()
        self.requests_total = Counter("ssa_http_requests_total", "HTTP requests", ["method", "route", "status"],
                                      registry=self.registry)
        self.latency = Histogram("ssa_http_request_seconds", "HTTP request latency", ["route"], registry=self.registry,
                                 buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))
        self.jobs = Gauge("ssa_jobs", "screening jobs by status", ["status"], registry=self.registry)
        self.open_events = Gauge("ssa_open_conjunctions", "open conjunction events", registry=self.registry)
        self.change_seq = Gauge("ssa_change_seq", "newest change sequence number", registry=self.registry)


class RequestMetrics:
    """ASGI middleware: request count by method, route template and status, latency by
    route template; methods outside HTTP_METHODS count as 'other', unrouted paths as 'unmatched'."""

    def __init__(self, app, metrics: ServiceMetrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = [500]

        async def send_status(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.latency.labels(path).observe(time.perf_counter() - start)
            method = scope["method"] if scope["method"] in HTTP_METHODS else "other"
            self.metrics.requests_total.labels(method, path, str(status[0])).inc()
