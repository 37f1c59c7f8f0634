"""Event matching on its own (ssa.serve.store.matching): no database, open events
as plain objects, results as rows of the screening contract. Orbits are circular
at 7000 km (period 2*pi*sqrt(r^3/mu) = 5828.5 s, so the default match fraction
0.25 gives a tolerance of 1457 s)."""
from datetime import datetime, timedelta
from math import pi, sqrt
from types import SimpleNamespace

import numpy as np
import pytest

from ssa.constants import MU_KM3_S2 as MU_EARTH
from ssa.screen import CONJUNCTION_DTYPE
from ssa.serve.store.matching import (
    OUT_OF_THRESHOLD,
    TCA_PASSED,
    close_reason,
    match_results,
    orbital_period_s,
    significant_change,
)
from ssa.timeutil import JD_UNIX_EPOCH

R_KM = 7000.0
V_CIRCULAR = sqrt(MU_EARTH / R_KM)
T0 = datetime(2024, 11, 1, 4, 0, 0)


def result_rows(*results) -> np.ndarray:
    """Rows of (norad_id_1, norad_id_2, TCA, persistent) on circular orbits at R_KM."""
    rows = np.zeros(len(results), dtype=CONJUNCTION_DTYPE)
    for row, (n1, n2, tca, persistent) in zip(rows, results):
        days = (tca - datetime(1970, 1, 1)).total_seconds() / 86400.0
        row["norad_id_1"], row["norad_id_2"], row["persistent"] = n1, n2, persistent
        row["tca_jd"], row["tca_fr"] = JD_UNIX_EPOCH + np.floor(days), days - np.floor(days)
        row["r1"] = row["r2"] = (R_KM, 0.0, 0.0)
        row["v1"] = row["v2"] = (0.0, V_CIRCULAR, 0.0)
    return rows


def event(event_id, n1=1, n2=2, tca=T0, persistent=False, **columns):
    return SimpleNamespace(id=event_id, norad_id_1=n1, norad_id_2=n2, tca=tca, persistent=persistent, **columns)


def test_orbital_period_of_a_circular_orbit_and_of_an_unbound_state():
    period = orbital_period_s(np.array([R_KM, 0, 0]), np.array([0, V_CIRCULAR, 0]))
    assert period == pytest.approx(2 * pi * sqrt(R_KM ** 3 / MU_EARTH), abs=1e-3)
    assert period == pytest.approx(5828.5, abs=0.1)
    escape = sqrt(2 * MU_EARTH / R_KM)
    assert orbital_period_s(np.array([R_KM, 0, 0]), np.array([0, 1.01 * escape, 0])) == float("inf")


def test_a_result_continues_the_nearest_open_event_of_its_pair_within_the_tolerance():
    early, late = event(1, tca=T0), event(2, tca=T0 + timedelta(seconds=1000))
    other_pair = event(3, n1=1, n2=5, tca=T0 + timedelta(seconds=900))
    rows = result_rows((1, 2, T0 + timedelta(seconds=900), False))
    assert match_results([early, late, other_pair], rows, 0.25) == ({2: 0}, [])
    # 1456 s from the only event: still the same encounter; 1458 s: a new one
    assert match_results([early], result_rows((1, 2, T0 + timedelta(seconds=1456), False)), 0.25) == ({1: 0}, [])
    assert match_results([early], result_rows((1, 2, T0 + timedelta(seconds=1458), False)), 0.25) == ({}, [0])
    # a smaller fraction, a smaller tolerance
    assert match_results([early], result_rows((1, 2, T0 + timedelta(seconds=600), False)), 0.1) == ({}, [0])


def test_each_open_event_continues_one_result_at_most():
    rows = result_rows((1, 2, T0 + timedelta(seconds=10), False), (1, 2, T0 - timedelta(seconds=10), False))
    assert match_results([event(1)], rows, 0.25) == ({1: 0}, [1])


def test_persistent_results_continue_persistent_events_only_whatever_their_tca():
    docked = event(7, tca=T0 - timedelta(days=3), persistent=True)
    passing = event(8, tca=T0)
    rows = result_rows((1, 2, T0, True), (1, 2, T0, False))
    assert match_results([passing, docked], rows, 0.25) == ({7: 0, 8: 1}, [])
    assert match_results([passing], result_rows((1, 2, T0, True)), 0.25) == ({}, [0])


def test_why_an_unmatched_open_event_closes():
    start, end = T0, T0 + timedelta(days=1.5)
    screened = {1, 2}
    assert close_reason(event(1, tca=start - timedelta(seconds=1)), start, end, screened) == TCA_PASSED
    assert close_reason(event(1, tca=start + timedelta(hours=3)), start, end, screened) == OUT_OF_THRESHOLD
    assert close_reason(event(1, tca=end), start, end, screened) == OUT_OF_THRESHOLD
    # one object not screened (stale element set), or the TCA beyond the window: stays open
    assert close_reason(event(1, tca=start + timedelta(hours=3)), start, end, {1}) is None
    assert close_reason(event(1, tca=end + timedelta(seconds=1)), start, end, screened) is None


def test_significant_change_ignores_refinement_noise_only():
    base = dict(tca=T0, range_km=1.0, relative_speed_km_s=10.0, pc=1e-5, level="watch", routing={"level": "watch"},
                persistent=False, source_1="public", source_2="public", source_flags=None)
    ev = event(1, **{k: v for k, v in base.items() if k != "tca"})

    def changed(**new):
        return significant_change(ev, dict(base, **new))

    assert not changed()
    assert not changed(tca=T0 + timedelta(microseconds=900), range_km=1.0009, relative_speed_km_s=10.0009, pc=1.009e-5)
    assert changed(tca=T0 + timedelta(microseconds=1100))
    assert changed(range_km=1.0011)
    assert changed(relative_speed_km_s=9.9989)
    assert changed(pc=1.011e-5)
    assert changed(pc=None)
    assert changed(level="attention")
    assert changed(source_1="operator:ISS-OPS")
