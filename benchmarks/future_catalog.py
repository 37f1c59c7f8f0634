"""A plausible catalogue of about 2030, as OMM CSV: today's objects, filed constellation shells, more debris.

Deterministic by ``--seed``. Contents:

1. every record of the shipped 2024-11-01 catalogue, verbatim;
2. the constellation shells of public filings (``SHELLS``: altitude km,
   inclination deg, planes, satellites per plane), each a Walker-delta
   pattern of near-circular orbits (e = 1e-4) whose inter-plane phasing
   factor F is chosen per shell, as operators do, to keep the satellites of
   crossing planes apart: the F of 0..P-1 that maximises the closest approach
   between satellites of the shell over one orbit (circular two-body motion);
3. ``--debris`` pieces of smaller tracked debris (what new sensors add):
   copies of the catalogue's own debris (OBJECT_TYPE DEB in the shipped
   SATCAT) with node, argument of perigee and mean anomaly redrawn at random
   and mean motion moved by up to 0.5 %, so the debris population keeps its
   shape.

New objects get 9-digit NORAD ids (constellations from 800,000,000, debris
from 900,000,000): ``ssa.catalog`` reads them; python-sgp4's ``sgp4init``
refuses numbers above 339,999 and ``ssa`` never hands it one (the reference
``Catalog.satrecs`` passes a placeholder). Epoch of the new element sets:
``--epoch`` (default the shipped catalogue's window start), BSTAR 1e-5.

    python benchmarks/future_catalog.py --out /tmp/future.csv                  # ~100,000 objects
    python benchmarks/future_catalog.py --out /tmp/f.csv --shells kuiper --debris 0

Shell sources (public filings; Qianfan's approximate from press reports):
Starlink Gen2 (SpaceX's amended FCC application SAT-AMD-20210818-00105,
29,988 satellites), Kuiper (FCC authorisation FCC 20-102, 3,236), Guowang
(ITU filings GW-A59 and GW-2, 12,992), Qianfan/Spacesail (phase 1, 1,296).
"""
from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "catalogs" / "celestrak_on_orbit_2024-11-01.csv"
MU_KM3_S2 = 398600.8  # WGS-72
EARTH_RADIUS_KM = 6378.135
CONSTELLATION_ID0 = 800_000_000
DEBRIS_ID0 = 900_000_000
ECCENTRICITY = 1e-4
BSTAR = 1e-5

# constellation -> shells (altitude km, inclination deg, planes, satellites per plane)
SHELLS = {
    "STARLINK-G2": [(340, 53.0, 48, 110), (345, 46.0, 48, 110), (350, 38.0, 48, 110), (360, 96.9, 30, 120),
                    (525, 53.0, 28, 120), (530, 43.0, 28, 120), (535, 33.0, 28, 120), (604, 148.0, 12, 12),
                    (614, 115.7, 18, 18)],
    "KUIPER": [(630, 51.9, 34, 34), (610, 42.0, 36, 36), (590, 33.0, 28, 28)],
    "GUOWANG": [(590, 85.0, 16, 30), (600, 50.0, 40, 50), (508, 55.0, 60, 60), (1145, 30.0, 48, 36),
                (1145, 40.0, 48, 36), (1145, 50.0, 48, 36), (1145, 60.0, 48, 36)],
    "QIANFAN": [(1160, 89.0, 36, 36)],
}
COLUMNS = ["OBJECT_NAME", "OBJECT_ID", "EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE",
           "ARG_OF_PERICENTER", "MEAN_ANOMALY", "EPHEMERIS_TYPE", "CLASSIFICATION_TYPE", "NORAD_CAT_ID",
           "ELEMENT_SET_NO", "REV_AT_EPOCH", "BSTAR", "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT"]


def walker_positions(inclination: float, planes: int, per_plane: int, phasing: int, u_offset: np.ndarray):
    """Unit position vectors (k, 3) of every satellite of a Walker-delta i:T/P/F at argument of latitude offset."""
    t = planes * per_plane
    plane = np.repeat(np.arange(planes), per_plane)
    slot = np.tile(np.arange(per_plane), planes)
    raan = 2 * np.pi * plane / planes
    u = 2 * np.pi * slot / per_plane + 2 * np.pi * phasing * plane / t
    u = u[None, :] + u_offset[:, None]
    inc = math.radians(inclination)
    cos_r, sin_r = np.cos(raan), np.sin(raan)
    x = cos_r * np.cos(u) - sin_r * np.sin(u) * math.cos(inc)
    y = sin_r * np.cos(u) + cos_r * np.sin(u) * math.cos(inc)
    z = np.sin(u) * math.sin(inc)
    return np.stack([x, y, z], axis=-1)  # (samples, t, 3)


def best_phasing(inclination: float, planes: int, per_plane: int, samples: int = 64) -> int:
    """Walker phasing factor F (0..P-1) whose closest approach between satellites over an orbit is largest.

    By the pattern's symmetry the closest approach of any satellite is that of
    satellite 0 of plane 0, so only its distances to the others are needed.
    """
    u_offset = np.linspace(0.0, 2 * np.pi / per_plane, samples, endpoint=False)  # the pattern repeats
    best_f, best_d = 0, -1.0
    for f in range(planes):
        pos = walker_positions(inclination, planes, per_plane, f, u_offset)
        d = np.linalg.norm(pos[:, 1:] - pos[:, :1], axis=-1).min()
        if d > best_d:
            best_f, best_d = f, d
    return best_f


def mean_motion_rev_day(altitude_km: float) -> float:
    a = EARTH_RADIUS_KM + altitude_km
    return math.sqrt(MU_KM3_S2 / a**3) * 86400.0 / (2 * math.pi)


def shell_rows(name: str, shell_no: int, shell, first_id: int, epoch: str):
    altitude, inclination, planes, per_plane = shell
    f = best_phasing(inclination, planes, per_plane)
    t = planes * per_plane
    n = mean_motion_rev_day(altitude)
    rows = []
    for p in range(planes):
        for s in range(per_plane):
            u = (360.0 * s / per_plane + 360.0 * f * p / t) % 360.0
            rows.append({
                "OBJECT_NAME": f"{name}-S{shell_no}-P{p + 1:02d}-{s + 1:03d}", "OBJECT_ID": "2030-000A",
                "EPOCH": epoch, "MEAN_MOTION": f"{n:.8f}", "ECCENTRICITY": f"{ECCENTRICITY:.7f}",
                "INCLINATION": f"{inclination:.4f}", "RA_OF_ASC_NODE": f"{360.0 * p / planes:.4f}",
                "ARG_OF_PERICENTER": "0.0000", "MEAN_ANOMALY": f"{u:.4f}", "EPHEMERIS_TYPE": "0",
                "CLASSIFICATION_TYPE": "U", "NORAD_CAT_ID": str(first_id + len(rows)), "ELEMENT_SET_NO": "999",
                "REV_AT_EPOCH": "0", "BSTAR": f"{BSTAR:.4E}", "MEAN_MOTION_DOT": "0", "MEAN_MOTION_DDOT": "0",
            })
    return rows, f


def debris_rows(real: list[dict], count: int, rng: np.random.Generator) -> list[dict]:
    from ssa.catalog import SHIPPED_SATCAT

    types = {}
    with open(SHIPPED_SATCAT, newline="") as handle:
        for row in csv.DictReader(handle):
            types[row["NORAD_CAT_ID"].strip()] = row.get("OBJECT_TYPE", "").strip()
    parents = [r for r in real if types.get(r["NORAD_CAT_ID"].strip()) == "DEB"]
    picks = rng.integers(0, len(parents), count)
    angles = rng.uniform(0.0, 360.0, (count, 3))
    scale = rng.uniform(0.995, 1.005, count)
    rows = []
    for m in range(count):
        row = dict(parents[picks[m]])
        row["NORAD_CAT_ID"] = str(DEBRIS_ID0 + m)
        row["OBJECT_NAME"] = f"SMALL DEB {m + 1}"
        row["RA_OF_ASC_NODE"], row["ARG_OF_PERICENTER"], row["MEAN_ANOMALY"] = (f"{a:.4f}" for a in angles[m])
        row["MEAN_MOTION"] = f"{float(row['MEAN_MOTION']) * scale[m]:.8f}"
        rows.append(row)
    return rows


def generate(out: Path, total: int = 100_000, seed: int = 2030, shells=None, epoch: str = "2024-11-01T00:00:00",
             source: Path = SHIPPED) -> dict:
    """Write the catalogue; returns counts per part and the phasing chosen per shell."""
    rng = np.random.default_rng(seed)
    with open(source, newline="") as handle:
        real = list(csv.DictReader(handle))
    rows = [{k: r.get(k, "") for k in COLUMNS} for r in real]
    report = {"real": len(real), "shells": []}
    next_id = CONSTELLATION_ID0
    for name in shells or SHELLS:
        for number, shell in enumerate(SHELLS[name], 1):
            new, f = shell_rows(name, number, shell, next_id, epoch)
            rows += new
            next_id += len(new)
            report["shells"].append((name, number, *shell, f))
    n_debris = max(0, total - len(rows))
    rows += debris_rows(real, n_debris, rng)
    report["debris"], report["total"] = n_debris, len(rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--total", type=int, default=100_000, help="objects; debris fills up to it (default 100,000)")
    parser.add_argument("--seed", type=int, default=2030)
    parser.add_argument("--shells", nargs="*", choices=list(SHELLS), help="constellations (default all)")
    parser.add_argument("--epoch", default="2024-11-01T00:00:00", help="epoch of the new element sets (UTC)")
    args = parser.parse_args()
    report = generate(args.out, args.total, args.seed, args.shells, args.epoch)
    print(f"{report['total']:,} objects: {report['real']:,} of {SHIPPED.name}, "
          f"{report['total'] - report['real'] - report['debris']:,} in shells, {report['debris']:,} debris")
    for name, number, altitude, inclination, planes, per_plane, f in report["shells"]:
        print(f"  {name} shell {number}: {altitude} km {inclination} deg {planes}x{per_plane} F={f}")


if __name__ == "__main__":
    main()
