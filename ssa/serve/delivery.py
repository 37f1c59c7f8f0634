"""Webhook delivery of alerts: each alert routed to a party is POSTed to every live
subscription of that party, signed, retried with exponential backoff, every
attempt logged, dead-lettered after the last.

The request (as Stripe and GitHub do it): body UTF-8 JSON ``{"delivery_id",
"subscription_id", "alert"}`` with ``alert`` as /v1/alerts lists it; headers
``X-SSA-Delivery`` (a UUID, the same on every retry: receivers drop repeats by
it), ``X-SSA-Timestamp`` (Unix seconds of this attempt) and ``X-SSA-Signature``
``sha256=<hex HMAC-SHA256 of "<timestamp>." + body>`` keyed with the
subscription's secret. Receivers check it with `verify_signature`, refusing old
timestamps (replays). Any 2xx answer within settings.delivery_timeout_s is
delivered; anything else (other status, redirect, timeout, refused connection)
is a failed attempt.

SSRF: a subscription URL makes the service send requests where an admin says.
URLs are http/https only, without credentials, redirects are not followed, and
with settings.delivery_refuse_private_targets the host may not resolve to a
private, link-local or reserved address other than loopback (checked when the
subscription is made and again before each attempt, against DNS rebinding).

The loop runs in the worker process (its own thread), never in the API's, so a
slow receiver delays only other deliveries. Several loops may run: a delivery is
claimed by moving its next attempt past the timeout in one conditional update.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ssa.serve.models import Alert, Delivery, DeliveryAttempt, Event, Subscription
from ssa.serve.schemas import AlertOut
from ssa.serve.settings import Settings
from ssa.serve.store import Store, utcnow

log = logging.getLogger("ssa.delivery")
DELIVERY_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER = "X-SSA-Delivery", "X-SSA-Timestamp", "X-SSA-Signature"
ENQUEUE_BATCH = 500  # alerts turned into deliveries per subscription per pass
CLAIM_BATCH = 50  # deliveries one pass attempts


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The X-SSA-Signature value: HMAC-SHA256 of "<timestamp>." + body."""
    return "sha256=" + hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, timestamp: str, signature: str, tolerance_s: float = 300.0,
                     now: float | None = None) -> bool:
    """What a receiver checks: the signature matches and the timestamp is within `tolerance_s` of `now` (Unix s)."""
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - stamp) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, stamp, body), signature or "")


def check_url(url: str, refuse_private: bool) -> str:
    """The URL when a subscription may use it; ValueError says why not."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"scheme must be http or https, not {parts.scheme!r}")
    if not parts.hostname:
        raise ValueError("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("credentials in the URL are refused (the signature authenticates the service)")
    if refuse_private:
        try:
            infos = socket.getaddrinfo(parts.hostname, port or (443 if parts.scheme == "https" else 80),
                                       type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise ValueError(f"host {parts.hostname!r} does not resolve: {exc}") from None
        for info in infos:
            address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
            if not address.is_loopback and (address.is_private or address.is_link_local or address.is_reserved
                                            or address.is_multicast or address.is_unspecified):
                raise ValueError(f"host {parts.hostname!r} resolves to {address}, a private address "
                                 "(setting delivery_refuse_private_targets)")
    return url


def subscribe(store: Store, party: str, url: str) -> Subscription:
    """A new subscription with a fresh secret; it receives alerts made from now on."""
    with store.session.begin() as s:
        newest = s.scalar(select(Alert.id).order_by(Alert.id.desc()).limit(1)) or 0
        sub = Subscription(party=party, url=url, secret="whsec_" + secrets.token_urlsafe(32), after_alert_id=newest,
                           created_at=utcnow())
        s.add(sub)
        s.flush()
        s.expunge(sub)
    return sub


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx answer is a failed attempt


class DeliveryLoop:
    """Turns new alerts into deliveries and attempts the due ones (see the module note)."""

    def __init__(self, store: Store, settings: Settings):
        self.store, self.settings = store, settings
        self.opener = urllib.request.build_opener(_NoRedirects)

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                if not self.run_once():
                    stop.wait(self.settings.delivery_poll_s)
            except Exception:  # a store hiccup: log, keep delivering
                log.exception("delivery loop")
                stop.wait(self.settings.delivery_poll_s)

    def run_once(self) -> int:
        """One pass: enqueue new alerts, attempt the due deliveries; returns attempts made."""
        self.enqueue()
        claimed = self.claim()
        for delivery_id in claimed:
            self.attempt(delivery_id)
        return len(claimed)

    def enqueue(self) -> int:
        """A delivery for each alert of a live subscription's party that has none yet."""
        made = 0
        with self.store.session() as s:
            subs = s.scalars(select(Subscription).where(Subscription.revoked_at.is_(None))).all()
        for sub in subs:
            with self.store.session() as s:
                alerts = s.scalars(
                    select(Alert).options(joinedload(Alert.event).defer(Event.state), joinedload(Alert.incident),
                                          joinedload(Alert.finding))
                    .where(Alert.party == sub.party, Alert.id > sub.after_alert_id,
                           ~exists().where(Delivery.subscription_id == sub.id, Delivery.alert_id == Alert.id))
                    .order_by(Alert.id).limit(ENQUEUE_BATCH)).all()
                items = [(a.id, AlertOut.model_validate(a).model_dump(mode="json")) for a in alerts]
            now = utcnow()
            for alert_id, item in items:
                delivery_id = str(uuid.uuid4())
                body = json.dumps({"delivery_id": delivery_id, "subscription_id": sub.id, "alert": item},
                                  separators=(",", ":"), ensure_ascii=False, allow_nan=False)
                try:
                    with self.store.session.begin() as s:
                        s.add(Delivery(delivery_id=delivery_id, subscription_id=sub.id, alert_id=alert_id, body=body,
                                       status="pending", attempts=0, next_attempt_at=now, created_at=now))
                    made += 1
                except IntegrityError:  # another loop made it first
                    pass
        return made

    def claim(self) -> list[int]:
        """Due pending deliveries of live subscriptions, each moved past this attempt's timeout."""
        now = utcnow()
        lease = now + timedelta(seconds=self.settings.delivery_timeout_s * 2 + 5.0)
        claimed = []
        with self.store.session.begin() as s:
            due = s.execute(select(Delivery.id, Delivery.next_attempt_at).join(Subscription)
                            .where(Delivery.status == "pending", Delivery.next_attempt_at <= now,
                                   Subscription.revoked_at.is_(None))
                            .order_by(Delivery.next_attempt_at, Delivery.id).limit(CLAIM_BATCH)).all()
            for row_id, due_at in due:
                if s.execute(update(Delivery).where(Delivery.id == row_id, Delivery.status == "pending",
                                                    Delivery.next_attempt_at == due_at)
                             .values(next_attempt_at=lease)).rowcount == 1:
                    claimed.append(row_id)
        return claimed

    def attempt(self, row_id: int) -> None:
        """POST one claimed delivery and log the attempt; schedule the retry or dead-letter it."""
        with self.store.session() as s:
            d = s.get(Delivery, row_id)
            sub = s.get(Subscription, d.subscription_id)
            body, delivery_id, url, secret, done = d.body.encode(), d.delivery_id, sub.url, sub.secret, d.attempts
        started, clock = utcnow(), time.monotonic()
        status_code, error = None, None
        try:
            check_url(url, self.settings.delivery_refuse_private_targets)
            stamp = int(time.time())
            request = urllib.request.Request(url, data=body, method="POST", headers={
                "Content-Type": "application/json", "User-Agent": "ssa-delivery/1", DELIVERY_HEADER: delivery_id,
                TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: sign(secret, stamp, body)})
            with self.opener.open(request, timeout=self.settings.delivery_timeout_s) as answer:
                status_code = answer.status
                answer.read(65536)
        except urllib.error.HTTPError as exc:
            status_code, error = exc.code, f"HTTP {exc.code} {exc.reason}"
        except (OSError, ValueError) as exc:  # timeouts, refused connections, bad URLs
            error = f"{type(exc).__name__}: {exc}"
        duration = time.monotonic() - clock
        ok = status_code is not None and 200 <= status_code < 300 and error is None
        attempts = done + 1
        now = utcnow()
        if ok:
            values = dict(status="delivered", finished_at=now)
        elif attempts >= self.settings.delivery_max_attempts:
            values = dict(status="dead", finished_at=now)
            log.warning("delivery %s of alert to %s dead after %d attempts: %s", delivery_id, url, attempts, error)
        else:
            wait = self.settings.delivery_backoff_s * 2 ** (attempts - 1)
            values = dict(next_attempt_at=now + timedelta(seconds=wait))
        with self.store.session.begin() as s:
            s.add(DeliveryAttempt(delivery_id=row_id, attempt=attempts, started_at=started, duration_s=duration,
                                  status_code=status_code, error=error[:1000] if error else None))
            s.execute(update(Delivery).where(Delivery.id == row_id).values(attempts=attempts, **values))


def start_delivery_thread(store: Store, settings: Settings, stop: threading.Event) -> threading.Thread:
    """The delivery loop as a daemon thread of the worker process, until `stop` is set."""
    thread = threading.Thread(target=DeliveryLoop(store, settings).run_forever, args=(stop,), name="ssa-delivery",
                              daemon=True)
    thread.start()
    return thread
