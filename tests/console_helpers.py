"""Helpers for the console tests: a SQLite store seeded by a real screening (ssa's own
worker, numba SGP4, ssa.respond routing) of the Dutch assets BRIK-II, DELFI-N3XT and
HIBER-2 with the objects that pass them on 2024-11-01/02 in the shipped catalogue (and
two refined BRIK-II element sets after it, so its events have a history),
`ssa serve` on it in a subprocess on 127.0.0.1, and headless Chromium driven by Selenium.

With a 10 km threshold and a 1.5-day window from the newest epoch the screening finds
8 events (13 alerts); BRIK-II / STARLINK-31668 (NORAD 59580, 3.26 km, Pc 4e-4) is an
emergency led by the DSSC; DELFI-N3XT's alerts go to TU Delft only."""
from __future__ import annotations

import csv
import io
import os
import shutil
from datetime import datetime
from pathlib import Path

from serve_helpers import make_settings, scenario_omm_csv

BRIK_II, DELFI_N3XT, HIBER_2 = 48876, 39428, 43774
STARLINK_59580 = 59580  # BRIK-II's emergency
SEED_IDS = (BRIK_II, 59580, 50032, 60369, 48900, DELFI_N3XT, 57349, 60547, 57139, HIBER_2, 43881)
SEED_THRESHOLD_KM = 10.0
SEED_WINDOW_DAYS = 1.5


def chromium_paths() -> tuple[str | None, str | None]:
    """(browser, chromedriver) executables: Debian's chromium and chromium-driver, or None."""
    browser = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
    driver = shutil.which("chromedriver") or next(
        (p for p in ("/usr/lib/chromium/chromedriver", "/usr/bin/chromedriver") if os.path.exists(p)), None)
    return browser, driver


def chrome(width: int = 1366, height: int = 900, clock: datetime | None = None):
    """Headless Chromium of the system (no browser download). `clock`: the time the page's
    Date says it is (advancing from there), so time-to-event of a 2024 screening reads as live."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}", "--force-device-scale-factor=1", "--lang=en-GB"):
        options.add_argument(arg)
    session = webdriver.Chrome(service=Service(driver), options=options)
    if clock is not None:
        ms = int(clock.timestamp() * 1000)
        session.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": f"""
            (() => {{ const Real = Date, offset = {ms} - Real.now();
              class Shifted extends Real {{ constructor(...a) {{ if (a.length) super(...a); else super(Real.now() + offset); }}
                static now() {{ return Real.now() + offset; }} }}
              window.Date = Shifted; }})();"""})
    return session


def refined_brik_ii(step: int) -> str:
    """BRIK-II's OMM CSV row with its mean anomaly moved step x 0.002 deg (about 250 m along
    track each) and its element set number raised: a later, refined element set of the same epoch."""
    reader = csv.DictReader(io.StringIO(scenario_omm_csv((BRIK_II,))))
    row = next(reader)
    row["MEAN_ANOMALY"] = f"{float(row['MEAN_ANOMALY']) + 0.002 * step:.4f}"
    row["ELEMENT_SET_NO"] = str(int(row["ELEMENT_SET_NO"]) + step)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue()


def seed(folder: Path):
    """A SQLite store in `folder`: SEED_IDS of the shipped catalogue, then two refined
    BRIK-II element sets (refined_brik_ii), each catalogue version screened by ssa's worker,
    so BRIK-II's events have a history. Returns (database URL, Store)."""
    from ssa.serve.pipeline import ingest_text, known_parties
    from ssa.serve.store import Store
    from ssa.serve.worker import Worker

    url = f"sqlite:///{folder / 'ssa.sqlite3'}"
    store = Store(url)
    store.migrate()
    store.upsert_parties(known_parties())
    worker = Worker(store, make_settings(folder, url, threshold_km=SEED_THRESHOLD_KM, window_days=SEED_WINDOW_DAYS))
    ingest_text(store, scenario_omm_csv(SEED_IDS), "celestrak_on_orbit_2024-11-01.csv (11 objects)")
    assert worker.run_once()
    for step in (1, 2):
        ingest_text(store, refined_brik_ii(step), f"BRIK-II refined element set {step}")
        assert worker.run_once()
    return url, store
