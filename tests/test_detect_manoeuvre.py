"""Manoeuvre detection: kernel against its numpy reference, injected manoeuvres in the real ISS
history (precision, recall, delta-v), public ISS avoidance manoeuvres, the CLI, and routing."""
from __future__ import annotations

import csv
from datetime import timedelta

import numpy as np
import pytest
from typer.testing import CliRunner

from manoeuvre_injection import epoch_jd, inject, read_tle_pairs, trials
from paths import SHARED_DATA, needs_shared
from ssa.catalog import SHIPPED_CATALOG, SHIPPED_SATCAT, load, parse_text
from ssa.cli import app
from ssa.detect.manoeuvre import detect_manoeuvres, residuals
from ssa.respond import route
from ssa.respond.alert import utc_time
from ssa.respond.findings import alerts_from_manoeuvres
from ssa.timeutil import to_julian

ISS_HISTORY = SHARED_DATA / "events" / "iss_25544_tle_history_2020-2024.txt"
needs_iss = needs_shared(ISS_HISTORY, what="Space-Track ISS element-set history (redistribution restricted)")


def _jd(t: np.datetime64) -> float:
    return sum(to_julian(t))


def _detected_intervals(text: str) -> list[tuple[float, float]]:
    """(after, before) Julian dates of the manoeuvres detected in a history text."""
    return [(_jd(m.after), _jd(m.before)) for m in detect_manoeuvres(parse_text(text, keep="all")).manoeuvres]


@pytest.fixture(scope="module")
def iss_sets():
    return read_tle_pairs(ISS_HISTORY.read_text())


@pytest.fixture(scope="module")
def iss_baseline():
    history = load(ISS_HISTORY, keep="all")
    return history, detect_manoeuvres(history)


@pytest.mark.slow
def test_kernel_matches_numpy_reference():
    """numba residuals equal python-sgp4 + numpy ones on pairs of real element sets (LEO and deep space)."""
    catalog = load(SHIPPED_CATALOG)
    rng = np.random.default_rng(1)
    earlier = rng.integers(0, len(catalog), 3000)
    later = rng.integers(0, len(catalog), 3000)
    out, err = residuals(catalog, earlier, later)
    ref, ref_err = residuals(catalog, earlier, later, reference=True)
    assert np.array_equal(err, ref_err)
    ok = err == 0
    assert ok.sum() > 2500
    # km and rad; delta-v in m/s: far below a mm/s
    np.testing.assert_allclose(out[ok], ref[ok], rtol=0, atol=1e-6)


def test_history_too_short_is_skipped_and_named():
    """Three real ISS element sets (the first of 2020) and a corrupted copy of the third: the bad
    record is rejected by line, the object is listed as skipped (too short to learn its noise)."""
    result = detect_manoeuvres(catalog := parse_text(SHORT_HISTORY, keep="all"))
    assert [(r.line, r.norad_id) for r in catalog.rejected] == [(11, 25544)]
    assert "checksum" in catalog.rejected[0].reason
    assert result.manoeuvres == [] and result.pairs == 2
    assert result.skipped == ["NORAD 25544: 2 informative element-set pairs, fewer than 8"]


SHORT_HISTORY = """0 ISS (ZARYA)
1 25544U 98067A   20001.25776601  .00001469  00000-0  34254-4 0  9999
2 25544  51.6446  99.4171 0005055  90.7711   3.7257 15.49530329205988
0 ISS (ZARYA)
1 25544U 98067A   20001.51653453  .00000882  00000-0  23811-4 0  9992
2 25544  51.6442  98.1370 0005144  91.7041   7.2280 15.49528784206020
0 ISS (ZARYA)
1 25544U 98067A   20001.58711318  .00001214  00000-0  29727-4 0  9996
2 25544  51.6440  97.7889 0005337  92.2059  40.6973 15.49530004206036
0 ISS (ZARYA)
1 25544U 98067A   20001.58711318  .00001214  00000-0  29727-4 0  9997
2 25544  51.6440  97.7889 0005337  92.2059  40.6973 15.49530004206036
"""


@needs_iss
def test_injected_manoeuvres_precision_recall(iss_sets, iss_baseline):
    """Burns injected into the real ISS history (python-sgp4 + two-body, no ssa code): every along-track
    burn of 0.5 and 2 m/s found, each with its delta-v within 20 %, and no false detection."""
    history, baseline = iss_baseline
    intervals = [(_jd(m.after), _jd(m.before)) for m in baseline.manoeuvres]
    cases = trials(iss_sets, intervals, [0.5, 2.0], ["+along", "-along"], per_combo=4, seed=7,
                   detect_window=_detected_intervals)
    found = false = 0
    for window, burn, dv, label in cases:
        plain = detect_manoeuvres(parse_text(inject(window, []), keep="all")).manoeuvres
        # the window's own detections (its learnt noise differs from the whole history's) must be clear too
        assert not any(_jd(m.after) - 4.0 <= burn <= _jd(m.before) + 4.0 for m in plain)
        result = detect_manoeuvres(parse_text(inject(window, [(burn, dv)]), keep="all")).manoeuvres
        hits = [m for m in result if _jd(m.after) <= burn <= _jd(m.before)]
        if hits:
            found += 1
            size = abs(dv[1])
            assert hits[0].dv_along_m_s == pytest.approx(dv[1], rel=0.2), label
            assert hits[0].delta_v_m_s == pytest.approx(size, rel=0.2), label
            assert hits[0].direction == "along-track", label
        false += sum(1 for m in result if m not in hits and not any(
            _jd(p.after) <= _jd(m.before) and _jd(m.after) <= _jd(p.before) for p in plain))
    assert found == len(cases)
    assert false == 0


@needs_iss
def test_iss_public_avoidance_manoeuvres_found(iss_baseline):
    """Debris avoidance manoeuvres NASA and Roscosmos announced (UTC dates), with their sign and size:
    2020-09-22 raise, 2021-11-10 raise, 2021-12-03 lowering of about 310 m (Roscosmos), 2022-06-16
    raise, 2022-10-25 00:25 raise (apogee +0.2 mi, perigee +0.8 mi), 2022-12-21 raise, 2024-11-19 raise."""
    _, result = iss_baseline
    announced = {"2020-09-22": +1, "2021-11-10": +1, "2021-12-03": -1, "2022-06-16": +1, "2022-10-25": +1,
                 "2022-12-21": +1, "2024-11-19": +1}
    for day, sign in announced.items():
        t = _jd(np.datetime64(day)) + 0.5
        hits = [m for m in result.manoeuvres if _jd(m.after) - 0.5 <= t <= _jd(m.before) + 0.5]
        assert hits, f"announced avoidance manoeuvre of {day} not found"
        assert np.sign(hits[0].dv_along_m_s) == sign and hits[0].direction == "along-track", day
    lowering = next(m for m in result.manoeuvres if str(m.after).startswith("2021-12-03"))
    assert lowering.delta_a_km == pytest.approx(-0.31, abs=0.05)
    october = next(m for m in result.manoeuvres if str(m.after).startswith("2022-10-25"))
    assert october.delta_a_km * 0.621371 == pytest.approx(0.5, abs=0.15)  # mean of +0.2 and +0.8 miles


@needs_iss
def test_cli_writes_manoeuvres(tmp_path):
    out = tmp_path / "man.csv"
    run = CliRunner().invoke(app, ["detect", "manoeuvres", str(ISS_HISTORY), "--out", str(out)])
    assert run.exit_code == 0, run.output
    rows = list(csv.DictReader(out.open()))
    assert "9,571 element sets of 1 objects" in run.output
    assert len(rows) > 50
    assert {r["norad_id"] for r in rows} == {"25544"}
    assert any(r["after"].startswith("2022-12-21") for r in rows)


def test_cli_rejects_bad_output_suffix(tmp_path):
    hist = tmp_path / "h.tle"
    hist.write_text(SHORT_HISTORY)
    run = CliRunner().invoke(app, ["detect", "manoeuvres", str(hist), "--out", str(tmp_path / "x.parquet")])
    assert run.exit_code != 0
    assert ".csv or .json" in " ".join(run.output.replace("│", " ").split())
    assert not (tmp_path / "x.parquet").exists()


@needs_iss
def test_routine_station_keeping_is_logged_not_escalated(iss_baseline):
    history, result = iss_baseline
    routine = [m for m in result.manoeuvres if m.routine]
    assert len(routine) > 30
    for alert in alerts_from_manoeuvres(routine[:5], history, now=utc_time(routine[0].before)):
        routing = route(alert)
        assert (routing.level, routing.paged, routing.rule_id) == ("log", False, "man-logged")


@needs_iss
def test_foreign_manoeuvre_toward_dutch_asset_is_escalated(iss_sets):
    """A 2 m/s burn injected into the ISS history (at least 4 days from its real manoeuvres); a Dutch
    military asset (BRIK-II's NORAD id) placed on the new orbit's path: the first set after the burn
    tilted 0.5 deg about its line of nodes and 2 km behind, so that it passes about 2 km from the
    station at every node and the old orbit, tens of km ahead after the burn, never comes near it.
    A new conjunction with a Dutch asset: warning or emergency, Defensie leads. Without the other
    catalogue the same manoeuvre is a foreign watch."""
    window = [s for s in iss_sets if "23100" <= s[1][18:23] <= "23140"]
    epochs = np.array([epoch_jd(s[1]) for s in window])
    real = _detected_intervals(inject(window, []))
    burn = next(b for b in 0.5 * (epochs[40:-40] + epochs[41:-39])
                if not any(a - 4.0 <= b <= c + 4.0 for a, c in real))
    history = parse_text(inject(window, [(burn, (0.0, 2.0, 0.0))]), keep="all", satcat=SHIPPED_SATCAT)
    found = [m for m in detect_manoeuvres(history).manoeuvres if _jd(m.after) <= burn <= _jd(m.before)]
    assert len(found) == 1 and not found[0].routine
    man = found[0]
    asset = history.take([man.row_before])
    asset.norad_id[0], asset.name[0], asset.owner[0], asset.object_type[0] = 48876, "BRIK-II", "NETH", "PAY"
    asset.inclo[0] += np.radians(0.5)
    asset.mo[0] -= 2.0 / 6780.0
    others = load(SHIPPED_CATALOG).take(np.arange(300))
    catalog = others.concat(asset)
    now = utc_time(man.before) + timedelta(minutes=30)
    (alert,) = alerts_from_manoeuvres([man], history, catalog, now=now)
    assert [o.norad_id for o in alert.objects] == [25544, 48876]
    assert alert.miss_km < 5.0
    routing = route(alert)
    assert routing.level in ("warning", "emergency") and routing.paged
    assert routing.lead == "dssc" and "military" in {i.category for i in routing.interests}
    (plain,) = alerts_from_manoeuvres([man], history, now=now)
    routing = route(plain)
    assert (routing.level, routing.rule_id, routing.lead) == ("watch", "man-foreign-watch", "dssc")
    assert plain.evidence["delta_v_m_s"] == pytest.approx(2.0, rel=0.2)


@needs_iss
def test_numpy_version_finds_the_same_manoeuvres(iss_baseline):
    history, result = iss_baseline
    reference = detect_manoeuvres(history, reference=True)
    assert [(m.after, m.before, m.direction, m.routine) for m in reference.manoeuvres] == \
        [(m.after, m.before, m.direction, m.routine) for m in result.manoeuvres]
    np.testing.assert_allclose([m.delta_v_m_s for m in reference.manoeuvres],
                               [m.delta_v_m_s for m in result.manoeuvres], rtol=0, atol=1e-6)  # m/s
