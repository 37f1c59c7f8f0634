"""The job worker: claims queued screening jobs from the store, heartbeats its
lease while it screens and then runs the detectors (``pipeline.detect_findings``,
settings ``detect_*``), and commits the results and the findings with the job's
completion in one transaction. A worker killed mid-screen leaves its job 'running' with a
lease that runs out; the next worker re-claims it and screens from scratch
(up to ``job_max_attempts`` claims), unless a newer catalogue version's job
is queued, running or done: then the old job is superseded."""
from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from ssa.serve import pipeline
from ssa.serve.delivery import start_delivery_thread
from ssa.serve.settings import Settings
from ssa.serve.store import Store, open_store

log = logging.getLogger("ssa.worker")
CATALOG_SUFFIXES = {".tle", ".txt", ".3le", ".2le", ".csv", ".json", ".xml"}


class JobTimeout(Exception):
    """The job ran past ``job_timeout_s``."""


@dataclass
class SeenFile:
    """What the watch-folder scan last saw of a file: modification time (ns), size, content SHA-256."""

    mtime_ns: int
    size: int
    sha256: str = ""


class Worker:
    def __init__(self, store: Store, settings: Settings, worker_id: str | None = None):
        self.store, self.settings = store, settings
        self.worker_id = (worker_id or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}")[-100:]
        self._last_scan = float("-inf")
        self._seen: dict[Path, SeenFile] = {}  # watched files already ingested, refused or failed

    def run_forever(self, stop: threading.Event) -> None:
        """Scan the watched folder now and then, run jobs until `stop` is set."""
        while not stop.is_set():
            try:
                if time.monotonic() - self._last_scan >= self.settings.watch_interval_s:
                    self._last_scan = time.monotonic()
                    self.scan_watch_dir()
                if not self.run_once():
                    if self.settings.window_start == "now":
                        self.store.close_passed()
                    stop.wait(self.settings.worker_poll_s)
            except Exception:  # a broken job is marked failed; this keeps the loop alive on store hiccups
                log.exception("worker loop")
                stop.wait(self.settings.worker_poll_s)

    def scan_watch_dir(self) -> list[int]:
        """Ingest the catalogue files of the watched folder that are new or changed
        since the last scan; returns the jobs queued. A file that fails is logged
        and skipped (until it changes); the others go on. Symlinks that lead out of
        the folder and unsupported file types are refused, with a log line."""
        folder = self.settings.resolved_watch_dir()
        jobs: list[int] = []
        if not folder.is_dir():
            return jobs
        root = folder.resolve()
        present = sorted(folder.iterdir())
        names = set(present)
        self._seen = {path: seen for path, seen in self._seen.items() if path in names}
        for path in present:
            try:
                job_id = self._scan_file(path, root)
            except SQLAlchemyError:
                raise  # the store, not the file: retried on the next scan
            except Exception as exc:  # noqa: BLE001  (any parser failure, RecursionError included)
                log.warning("watched file %s not ingested: %s: %s", path, type(exc).__name__, str(exc)[:500])
                continue
            if job_id is not None:
                jobs.append(job_id)
        return jobs

    def _scan_file(self, path: Path, root: Path) -> int | None:
        stat = path.stat() if path.exists() else path.lstat()  # a symlink: its target
        seen = self._seen.get(path)
        if seen is not None and (seen.mtime_ns, seen.size) == (stat.st_mtime_ns, stat.st_size):
            return None  # unchanged since the last scan: not read again
        self._seen[path] = SeenFile(stat.st_mtime_ns, stat.st_size, seen.sha256 if seen else "")
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            log.warning("watched file %s refused: a symlink out of the watched folder (to %s)", path, path.resolve())
            return None
        if not path.is_file():
            log.warning("watched file %s skipped: not a regular file", path)
            return None
        if path.suffix.lower() not in CATALOG_SUFFIXES:
            log.warning("watched file %s skipped: unsupported type (supported: %s)", path,
                        ", ".join(sorted(CATALOG_SUFFIXES)))
            return None
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if seen is not None and seen.sha256 == digest:
            self._seen[path].sha256 = digest
            return None  # touched, same content
        self._seen[path].sha256 = digest  # remembered before parsing: a bad file is not re-parsed every scan
        result = pipeline.ingest_text(self.store, data.decode("utf-8-sig"), f"watch:{path.name}")
        if result.job_id is None:
            return None
        log.info("watched file %s: %d new element sets, job %d", path.name, result.n_new, result.job_id)
        return result.job_id

    def run_once(self) -> bool:
        """Claim and run one job; False when none was waiting."""
        settings = self.settings
        lease = settings.job_lease_s
        job = self.store.claim_job(self.worker_id, lease, settings.job_max_attempts)
        if job is None:
            return False
        newer = self.store.supersede(job.id, self.worker_id)
        if newer is not None:
            log.info("job %d superseded by job %d of a newer catalogue version", job.id, newer)
            return True
        deadline = time.monotonic() + settings.job_timeout_s
        progress = {"fraction": 0.0, "message": "loading catalogue"}
        lost = threading.Event()
        done = threading.Event()

        def heartbeat():
            # past the deadline (and a lease of grace) the lease is left to run out
            while not done.wait(lease / 3.0) and time.monotonic() < deadline + lease:
                if not self.store.heartbeat(job.id, self.worker_id, lease, progress["fraction"], progress["message"]):
                    lost.set()
                    return

        beat = threading.Thread(target=heartbeat, name=f"ssa-heartbeat-{job.id}", daemon=True)
        beat.start()
        try:
            public = self.store.catalog_for_version(job.catalog_version_id)
            operator, origins = self.store.operator_sets_for_version(job.catalog_version_id)
            # the public catalogue sets the window (an operator's set cannot move it), unless there is none
            start, end = pipeline.window_for(public if len(public) else operator, settings.window_start,
                                             settings.window_days)
            catalog, sources, source_checks = pipeline.choose_sources(public, operator, origins, start, end)
            catalog, stale = pipeline.split_stale(catalog, start, end, settings.max_elset_age_days)

            def on_progress(done_s, total_s):
                if time.monotonic() > deadline:
                    raise JobTimeout(f"timed out: still screening after {settings.job_timeout_s:g} s "
                                     f"(job_timeout_s), {100 * progress['fraction']:.0f} % of the window done")
                progress["fraction"] = min(max(float(done_s) / float(total_s), 0.0), 0.99) if total_s else 0.0

            progress["message"] = f"screening {len(catalog)} objects" + (f" ({len(stale)} stale, not screened)"
                                                                         if stale else "")
            rows, routings, stopped = pipeline.screen_and_route(catalog, start, settings.window_days,
                                                                settings.threshold_km, progress=on_progress,
                                                                tenants=self.store.object_tenants(),
                                                                dask_scheduler=settings.dask_scheduler)

            def on_step(step: str):
                if time.monotonic() > deadline:
                    raise JobTimeout(f"timed out: screened, but still detecting after {settings.job_timeout_s:g} s "
                                     f"(job_timeout_s), before {step}")
                progress["message"] = f"detecting: {step}"

            findings = pipeline.detect_findings(self.store, job.catalog_version_id, public, start, settings,
                                                progress=on_step)
            on_step("overflight passes")
            passes = pipeline.overflights(public, start, settings)
            done.set()
            if lost.is_set():
                return True
            summary = self.store.complete_job(job.id, self.worker_id, rows, routings, start, end,
                                              settings.threshold_km, catalog.norad_id,
                                              settings.event_match_fraction, stopped=stale + stopped,
                                              sources=sources, source_checks=source_checks, findings=findings,
                                              overflights=passes)
            log.info("job %d: %s", job.id, summary or "not committed (superseded or no longer ours)")
        except JobTimeout as exc:
            done.set()
            self.store.fail_job(job.id, self.worker_id, str(exc))
            log.error("job %d failed: %s", job.id, exc)
        except Exception:
            done.set()
            self.store.fail_job(job.id, self.worker_id, traceback.format_exc())
            log.exception("job %d failed", job.id)
        finally:
            done.set()
            beat.join()
        return True


def run_worker(settings: Settings, store: Store | None = None, once: bool = False) -> None:
    """`ssa worker`: jobs and, unless `once`, the webhook delivery loop (ssa.serve.delivery) beside them,
    on `store` (default: open_store(settings))."""
    store = store or open_store(settings)
    store.upsert_parties(pipeline.known_parties())
    worker = Worker(store, settings)
    if once:
        worker.scan_watch_dir()
        while worker.run_once():
            pass
        return
    stop = threading.Event()
    start_delivery_thread(store, settings, stop)
    worker.run_forever(stop)


def main() -> None:
    """`python -m ssa.serve.worker`: a worker with settings from the environment."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    run_worker(Settings())


if __name__ == "__main__":
    main()
