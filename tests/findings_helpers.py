"""What the findings tests share (tests/test_serve_findings.py, the console's findings tests):
objects of the shipped 2024-11-01 catalogue with a known detector outcome, their rows as an
upload, and one catalogue version run through the service's worker."""
import csv
import io

from paths import REPO
from ssa.serve.models import Job
from ssa.serve.pipeline import ingest_text
from ssa.serve.worker import Worker

NEOWISE = 36119  # re-entered 2024-11-02; its 2024-10-31 set decays within days
LEMUR_MANGO2B = 58337  # decaying too, registered by nobody: its re-entry is logged, nobody paged
ISS = 25544  # not decaying within 30 days
OBJECTS = (NEOWISE, LEMUR_MANGO2B, ISS)
DETECTORS_ON = dict(detect_reentry_horizon_days=30.0, detect_manoeuvres=True, detect_fragmentation=True,
                    detect_proximity=True)


def catalogue_rows(ids=OBJECTS, ndot_factor: float = 1.0, changed: int = NEOWISE) -> str:
    """The objects' rows of the shipped catalogue as OMM CSV; the MEAN_MOTION_DOT of `changed`
    times `ndot_factor` (a later version that sees it decay faster)."""
    with open(REPO / "catalogs" / "celestrak_on_orbit_2024-11-01.csv", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [r for r in reader if int(r["NORAD_CAT_ID"]) in set(ids)]
        fields = reader.fieldnames
    for row in rows:
        if int(row["NORAD_CAT_ID"]) == changed:
            row["MEAN_MOTION_DOT"] = f"{float(row['MEAN_MOTION_DOT']) * ndot_factor:.7f}"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def run_version(store, settings, text: str, source: str) -> None:
    result = ingest_text(store, text, source)
    assert result.job_id is not None
    assert Worker(store, settings).run_once()
    with store.session() as s:
        job = s.get(Job, result.job_id)
        assert job.status == "done", job.error


SITES = """
[[site]]
name = "ESTEC Noordwijk"
lat_deg = 52.2183
lon_deg = 4.4198
alt_m = 45.0
sensitivity = "public"
readers = ["defensie"]
"""
ISS_AS_RADAR = """
[[watcher]]
norad_ids = [25544]
sensor = "radar"
min_elevation_deg = 10.0
"""


EGNOS_HOST = 39617  # in ssa.respond's asset registry (EGNOS payload on an SES satellite), GEO
NEIGHBOUR = 36581  # stays within 6 km of it in the 2024-11-01 catalogue
