"""Pc for a CDM, and assessment of screening results (TEME km, km/s, UTC)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

import numpy as np

from ssa.assess import risk
from ssa.assess.cdm import Cdm


@dataclass(frozen=True)
class CdmPc:
    """Pc of one CDM by each method; lengths in metres."""

    pc_foster: float
    pc_chan: float
    max_prob: float  # Alfano/SOCRATES maximum Pc (no covariance)
    dilution_m: float
    miss_m: float  # |r2 - r1| at TCA from the states
    relative_speed_m_s: float
    sigma_major_m: float  # combined position sigmas in the encounter plane
    sigma_minor_m: float
    hbr_m: float
    reason: str  # "" or why the case is degenerate


def pc_from_cdm(cdm: Cdm, hbr_m: float | None = None) -> CdmPc:
    """Pc from the CDM's states and RTN covariances alone.

    Both states are taken to GCRS (skyfield) from their declared frame, each
    3x3 RTN position covariance is rotated to GCRS with its own object's RTN
    axes and the two are summed. ``hbr_m`` defaults to the CDM's (HBR
    keywords or a CARA 'HBR = ...' comment); ValueError if there is none.
    """
    hbr = cdm.hard_body_radius_m() if hbr_m is None else float(hbr_m)
    if hbr is None:
        raise ValueError(f"{cdm.source}: no hard-body radius in the CDM; give one")
    r1, v1 = (1000.0 * x for x in cdm.state_gcrs(0))
    r2, v2 = (1000.0 * x for x in cdm.state_gcrs(1))
    cov = (risk.rtn_to_inertial(cdm.covariance_rtn(0)[:3, :3], r1, v1)
           + risk.rtn_to_inertial(cdm.covariance_rtn(1)[:3, :3], r2, v2))
    r, v = r2 - r1, v2 - v1
    mx, my, sx, sy, reasons = risk.encounter_plane(r, v, cov, v1)
    foster = risk.pc_plane(mx, my, sx, sy, hbr)[0]
    chan = risk.pc_chan_plane(mx, my, sx, sy, hbr)[0]
    max_prob, dilution_km = risk.max_probability(r / 1000.0, v / 1000.0, hbr / 1000.0, r1 / 1000.0, v1 / 1000.0,
                                                  r2 / 1000.0, v2 / 1000.0)
    return CdmPc(
        pc_foster=float(foster), pc_chan=float(chan), max_prob=float(max_prob[0]),
        dilution_m=float(dilution_km[0] * 1000.0), miss_m=float(np.linalg.norm(r)),
        relative_speed_m_s=float(np.linalg.norm(v)), sigma_major_m=float(sx[0]), sigma_minor_m=float(sy[0]),
        hbr_m=hbr, reason=str(reasons[0]),
    )


ASSESSMENT_FIELDS = [
    ("pc", "f8"), ("pc_method", "U16"), ("max_prob", "f8"), ("dilution_km", "f8"),
    ("covariance_source", "U16"), ("hbr_m", "f8"),
]
PC_METHOD = "FOSTER-1992"  # the CCSDS name of the method
PC_METHOD_DEGENERATE = {  # reasons from risk.encounter_plane -> pc_method shown
    "zero relative speed": "FOSTER-ZERO-VREL",
    "non-positive-definite": "FOSTER-NPD-CLIP",
}


def assessment_dtype(conjunction_dtype: np.dtype) -> np.dtype:
    """The screening dtype plus the assessment fields."""
    return np.dtype(conjunction_dtype.descr + ASSESSMENT_FIELDS)


def _object_types(catalog, rows):
    return [str(t) for t in catalog.object_type[rows]]


def operator_covariances(paths) -> dict[int, np.ndarray]:
    """NORAD id -> 6x6 RTN covariance (m^2, m^2/s, m^2/s^2) supplied by operators in CDMs.

    paths: CDM files (KVN or XML) or directories of them. Each CDM gives both
    of its objects' covariances, keyed by OBJECT_DESIGNATOR (the catalogue
    number); where several CDMs give one object, the latest CREATION_DATE
    wins. A malformed CDM raises ``CdmError`` naming the file and line.
    """
    from pathlib import Path

    from ssa.assess.cdm import CdmError, parse_epoch, read

    files = []
    for path in map(Path, paths):
        files += sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    newest: dict[int, tuple] = {}
    for path in files:
        message = read(path)
        for i, obj in enumerate(message.objects):
            designator = str(obj["OBJECT_DESIGNATOR"]).strip()
            if not designator.isdigit():
                raise CdmError(f"OBJECT_DESIGNATOR {designator!r} is not a catalogue number", source=str(path),
                               keyword="OBJECT_DESIGNATOR")
            created = parse_epoch(message.header["CREATION_DATE"])
            if int(designator) not in newest or created >= newest[int(designator)][0]:
                newest[int(designator)] = (created, message.covariance_rtn(i))
    return {norad: cov for norad, (_, cov) in newest.items()}


ASSESS_BLOCK_ROWS = 16_384  # rows assessed at once: bounds the Pc and max-Pc temporaries
COVARIANCE_SOURCES = {(False, False): "estimated", (True, True): "operator", (True, False): "mixed",
                      (False, True): "mixed"}


def assess(conjunctions: np.ndarray, catalog, covariances=None) -> np.ndarray:
    """Screening rows plus Pc (Foster 2D), max Pc/dilution (SOCRATES), HBR and covariance source.

    conjunctions: structured array with the screening fields (TEME km, km/s
    states r1, v1, r2, v2 at TCA; dse_1, dse_2 days since epoch). catalog:
    the ``ssa.catalog.Catalog`` the rows were screened from (for each
    object's orbit regime and SATCAT type). covariances: NORAD id -> 6x6 RTN
    covariance in metres an operator supplied (``operator_covariances``);
    its position block is used as it stands, in the object's RTN axes at the
    row's TCA, so it should come from a CDM near that epoch. Every other
    object's covariance is estimated from its element set
    (``ssa.assess.covariance``). ``covariance_source``: "estimated",
    "operator" (both objects) or "mixed". HBR is the sum of the two
    objects' (``ssa.assess.hardbody``).
    """
    out = np.zeros(len(conjunctions), dtype=assessment_dtype(conjunctions.dtype))
    for name in conjunctions.dtype.names:
        out[name] = conjunctions[name]
    rows1 = catalog.index_of(conjunctions["norad_id_1"])  # catalogue rows of the two objects
    rows2 = catalog.index_of(conjunctions["norad_id_2"])
    for start in range(0, len(out), ASSESS_BLOCK_ROWS):
        block = slice(start, start + ASSESS_BLOCK_ROWS)
        _assess_block(conjunctions[block], catalog, rows1[block], rows2[block], covariances or {}, out[block])
    return out


def _assess_block(conjunctions: np.ndarray, catalog, rows1, rows2, covariances: dict, out: np.ndarray) -> None:
    """``assess`` of one block of rows (catalogue rows rows1, rows2), written into ``out`` (a view)."""
    from ssa.assess.covariance import estimated_covariance_rtn_km2, perigee_altitude_km
    from ssa.assess.hardbody import hard_body_radius

    rcs = catalog.rcs_m2 if catalog.rcs_m2 is not None else np.full(len(catalog), np.nan)
    hbr1, _ = hard_body_radius(conjunctions["norad_id_1"], _object_types(catalog, rows1), rcs[rows1])
    hbr2, _ = hard_body_radius(conjunctions["norad_id_2"], _object_types(catalog, rows2), rcs[rows2])
    hbr_m = hbr1 + hbr2
    r1, v1, r2, v2 = (np.asarray(conjunctions[f], dtype=float) for f in ("r1", "v1", "r2", "v2"))
    perigee1 = perigee_altitude_km(catalog.no_kozai[rows1], catalog.ecco[rows1])
    perigee2 = perigee_altitude_km(catalog.no_kozai[rows2], catalog.ecco[rows2])
    rtn1 = estimated_covariance_rtn_km2(perigee1, conjunctions["dse_1"])
    rtn2 = estimated_covariance_rtn_km2(perigee2, conjunctions["dse_2"])
    supplied = []
    for rtn, ids in ((rtn1, conjunctions["norad_id_1"]), (rtn2, conjunctions["norad_id_2"])):
        known = np.array([int(n) in covariances for n in ids], dtype=bool)
        for row in np.flatnonzero(known):
            rtn[row] = covariances[int(ids[row])][:3, :3] * 1e-6  # m^2 -> km^2
        supplied.append(known)
    cov = risk.rtn_to_inertial(rtn1, r1, v1) + risk.rtn_to_inertial(rtn2, r2, v2)
    pc, reasons = risk.pc_foster(r2 - r1, v2 - v1, cov, hbr_m / 1000.0, v1)
    method = np.full(len(out), PC_METHOD, dtype="U16")
    for key, label in PC_METHOD_DEGENERATE.items():
        method[[key in str(reason) for reason in reasons]] = label
    max_prob, dilution_km = risk.max_probability(r2 - r1, v2 - v1, hbr_m / 1000.0, r1, v1, r2, v2)
    out["pc"], out["pc_method"] = pc, method
    out["max_prob"], out["dilution_km"] = max_prob, dilution_km
    out["covariance_source"] = [COVARIANCE_SOURCES[pair] for pair in zip(*(k.tolist() for k in supplied))]
    out["hbr_m"] = hbr_m


CDM_OBJECT_TYPE = {"PAY": "PAYLOAD", "R/B": "ROCKET BODY", "DEB": "DEBRIS", "UNK": "UNKNOWN"}


def cdm_from_conjunction(row, catalog, originator: str = "SSA", creation_date=None, covariances=None) -> Cdm:
    """A CCSDS 508.0-B-1 CDM (KVN/XML via ssa.assess.cdm.write) for one screening/assessment row.

    States are converted from TEME to EME2000 with skyfield; each RTN
    covariance is the operator's where ``covariances`` (as for ``assess``)
    has the object (COVARIANCE_METHOD = CALCULATED), else the estimated one
    (DEFAULT); a comment says which. The combined HBR goes in a
    'HBR = x [m]' comment of the relative metadata, as CARA's CDMs carry it.
    """
    from datetime import datetime

    from ssa.assess.cdm import RTN_COVARIANCE, Section, format_epoch
    from ssa.assess.covariance import REGIME_NOTES, estimated_covariance_rtn_6x6_m, perigee_altitude_km, regime
    from ssa.assess.frames import from_gcrs, to_gcrs
    from ssa.screen.table import rtn_basis

    row = np.asarray(row)
    covariances = covariances or {}
    if "pc" not in row.dtype.names:
        row = assess(row.reshape(1), catalog, covariances)[0]
    tca = row["tca"].astype("datetime64[us]").item().replace(tzinfo=UTC)
    created = creation_date or datetime.now(UTC)
    id1, id2 = int(row["norad_id_1"]), int(row["norad_id_2"])
    header = Section(line=1)
    for key, value in (("CCSDS_CDM_VERS", "1.0"), ("CREATION_DATE", format_epoch(created)),
                       ("ORIGINATOR", originator),
                       ("MESSAGE_ID", f"{id1:09d}_conj_{id2:09d}_{tca:%Y%m%d_%H%M%S}_{created:%Y%m%d_%H%M%S}")):
        header.set(key, value)
    relative = Section()
    relative.comments["relativeMetadataData"] = [
        f"HBR = {row['hbr_m']:.3f} [m]",
        f"Screening of SGP4 element sets; Pc from covariance_source = {row['covariance_source']}",
        f"MAX_PROB (SOCRATES convention) = {row['max_prob']:.6e}, DILUTION = {row['dilution_km']:.6f} [km]",
    ]
    rtn_m = 1000.0 * np.array([row["radial_km"], row["in_track_km"], row["cross_track_km"]])
    v1_teme, v2_teme = np.asarray(row["v1"], float), np.asarray(row["v2"], float)
    r1_teme, r2_teme = np.asarray(row["r1"], float), np.asarray(row["r2"], float)
    rel_v = 1000.0 * rtn_basis(r1_teme, v1_teme) @ (v2_teme - v1_teme)
    for key, value in (("TCA", format_epoch(tca)), ("MISS_DISTANCE", 1000.0 * float(row["range_km"])),
                       ("RELATIVE_SPEED", 1000.0 * float(row["relative_speed_km_s"])),
                       ("RELATIVE_POSITION_R", rtn_m[0]), ("RELATIVE_POSITION_T", rtn_m[1]),
                       ("RELATIVE_POSITION_N", rtn_m[2]), ("RELATIVE_VELOCITY_R", rel_v[0]),
                       ("RELATIVE_VELOCITY_T", rel_v[1]), ("RELATIVE_VELOCITY_N", rel_v[2]),
                       ("COLLISION_PROBABILITY", float(row["pc"])),
                       ("COLLISION_PROBABILITY_METHOD", str(row["pc_method"]))):
        relative.set(key, float(value) if isinstance(value, (float, np.floating)) else value)
    objects = []
    for k, (norad, name, r, v, dse) in enumerate(((id1, row["name_1"], r1_teme, v1_teme, row["dse_1"]),
                                                  (id2, row["name_2"], r2_teme, v2_teme, row["dse_2"]))):
        i = int(catalog.index_of([norad])[0])
        perigee = perigee_altitude_km(catalog.no_kozai[i : i + 1], catalog.ecco[i : i + 1])
        obj = Section()
        kind = regime(perigee)[0]
        supplied = norad in covariances
        obj.comments["metadata"] = [
            f"Element set {catalog.source[i]}: {float(dse):.6f} days from its epoch to TCA",
            "Covariance supplied by the operator (CDM)" if supplied
            else f"Covariance estimated from a TLE error model ({kind}: {REGIME_NOTES[kind]})",
        ]
        meta = (("OBJECT", f"OBJECT{k + 1}"), ("OBJECT_DESIGNATOR", f"{norad:05d}"), ("CATALOG_NAME", "SATCAT"),
                ("OBJECT_NAME", str(name).strip() or "UNKNOWN"),
                ("INTERNATIONAL_DESIGNATOR", str(catalog.object_id[i]).strip() or "UNKNOWN"))
        for key, value in meta:
            obj.set(key, value)
        object_type = CDM_OBJECT_TYPE.get(str(catalog.object_type[i]).strip())
        if object_type:
            obj.set("OBJECT_TYPE", object_type)
        for key, value in (("EPHEMERIS_NAME", "NONE"), ("COVARIANCE_METHOD", "CALCULATED" if supplied else "DEFAULT"),
                           ("MANEUVERABLE", "N/A"),
                           ("ORBIT_CENTER", "EARTH"), ("REF_FRAME", "EME2000"), ("GRAVITY_MODEL", "SGP4 (WGS-72)")):
            obj.set(key, value)
        r_eme, v_eme = from_gcrs(*to_gcrs(r, v, "TEME", tca), "EME2000", tca)
        for key, value in zip(("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT"), (*r_eme, *v_eme)):
            obj.set(key, float(value))
        cov = covariances[norad] if supplied else \
            estimated_covariance_rtn_6x6_m(perigee, [dse], [catalog.no_kozai[i] / 60.0])[0]
        n = 0
        for a in range(6):
            for b in range(a + 1):
                obj.set(RTN_COVARIANCE[n], float(cov[a, b]))
                n += 1
        objects.append(obj)
    return Cdm(header, relative, (objects[0], objects[1]), source=header["MESSAGE_ID"])
