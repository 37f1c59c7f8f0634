"""The job worker: claims queued screening jobs from the store, heartbeats its
lease while it screens, and commits the results with the job's completion in
one transaction. A worker killed mid-screen leaves its job 'running' with a
lease that runs out; the next worker re-claims it and screens from scratch."""
from __future__ import annotations

import logging
import os
import socket
import threading
import traceback

from ssa.serve import pipeline
from ssa.serve.settings import Settings
from ssa.serve.store import Store

log = logging.getLogger("ssa.worker")
CATALOG_SUFFIXES = {".tle", ".txt", ".3le", ".2le", ".csv", ".json", ".xml"}


class Worker:
    def __init__(self, store: Store, settings: Settings, worker_id: str | None = None):
        self.store, self.settings = store, settings
        self.worker_id = (worker_id or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}")[-100:]
        self._last_scan = float("-inf")

    def run_forever(self, stop: threading.Event) -> None:
        """Scan the watched folder now and then, run jobs until `stop` is set."""
        import time
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
        """Ingest every catalogue file in the watched folder; returns the jobs queued
        (known content queues nothing, so files may stay in the folder)."""
        folder = self.settings.resolved_watch_dir()
        jobs = []
        if not folder.is_dir():
            return jobs
        for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in CATALOG_SUFFIXES):
            try:
                text = path.read_text(encoding="utf-8-sig")
                result = pipeline.ingest_text(self.store, text, f"watch:{path.name}")
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                log.warning("watched file %s not ingested: %s", path, exc)
                continue
            if result.job_id is not None:
                log.info("watched file %s: %d new element sets, job %d", path.name, result.n_new, result.job_id)
                jobs.append(result.job_id)
        return jobs

    def run_once(self) -> bool:
        """Claim and run one job; False when none was waiting."""
        lease = self.settings.job_lease_s
        job = self.store.claim_job(self.worker_id, lease)
        if job is None:
            return False
        newer = self.store.supersede(job.id, self.worker_id)
        if newer is not None:
            log.info("job %d superseded by queued job %d", job.id, newer)
            return True
        progress = {"fraction": 0.0, "message": "loading catalogue"}
        lost = threading.Event()
        done = threading.Event()

        def heartbeat():
            while not done.wait(lease / 3.0):
                if not self.store.heartbeat(job.id, self.worker_id, lease, progress["fraction"], progress["message"]):
                    lost.set()
                    return

        beat = threading.Thread(target=heartbeat, name=f"ssa-heartbeat-{job.id}", daemon=True)
        beat.start()
        try:
            catalog = self.store.catalog_for_version(job.catalog_version_id)
            start, end = pipeline.window_for(catalog, self.settings.window_start, self.settings.window_days)

            def on_progress(done_s, total_s):
                progress["fraction"] = min(max(float(done_s) / float(total_s), 0.0), 0.99) if total_s else 0.0

            progress["message"] = f"screening {len(catalog)} objects"
            rows, routings = pipeline.screen_and_route(catalog, start, self.settings.window_days,
                                                       self.settings.threshold_km, progress=on_progress,
                                                       tenants=self.store.object_tenants())
            done.set()
            if lost.is_set():
                return True
            summary = self.store.complete_job(job.id, self.worker_id, rows, routings, start, end,
                                              self.settings.threshold_km, catalog.norad_id,
                                              self.settings.event_match_fraction)
            log.info("job %d: %s", job.id, summary)
        except Exception:
            done.set()
            self.store.fail_job(job.id, self.worker_id, traceback.format_exc())
            log.exception("job %d failed", job.id)
        finally:
            done.set()
            beat.join()
        return True


def run_worker(settings: Settings, once: bool = False) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.resolved_database_url())
    store.upsert_parties(pipeline.known_parties())
    worker = Worker(store, settings)
    if once:
        worker.scan_watch_dir()
        while worker.run_once():
            pass
        return
    worker.run_forever(threading.Event())


def main() -> None:
    """`python -m ssa.serve.worker`: a worker with settings from the environment."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    run_worker(Settings())


if __name__ == "__main__":
    main()
