"""Time slabs merge into the one-pass rows; a Dask cluster writes the local engine's CSV byte for byte.

The fast tests cut real subsets of the shipped catalogue into many slabs,
screened in any order with every object assumed alive (as Dask workers do),
and hold them to one slab over the whole window: identical rows, stopped
objects and persistent pairs. The slow ones run ``ssa screen`` on the whole
shipped catalogue over 1 day locally and on a LocalCluster of 2 worker
processes, once with a worker killed mid-run.
"""
import os
import signal

import numpy as np
import pytest
from typer.testing import CliRunner

from screen_helpers import SHIPPED, START, rev_per_day, shipped
from ssa.cli import app
from ssa.screen import run_screen
from ssa.screen.slabs import SAMPLE_BYTES, screen_slab
from ssa.screen.table import TableWriter, write_table

THRESHOLD_KM = 5.0


def crowded_subset():
    """The ISS and CSS with their docked vehicles (persistent pairs), 250 of the 550 km shell, a decayed object."""
    cat = shipped()
    inc = np.degrees(cat.inclo)
    stations = np.flatnonzero(((np.abs(inc - 41.47) < 0.05) & (np.abs(rev_per_day(cat) - 15.6) < 0.01))
                              | ((np.abs(inc - 51.64) < 0.02) & (np.abs(rev_per_day(cat) - 15.50) < 0.02)))
    altitude = (398600.8 / (cat.no_kozai / 60.0) ** 2) ** (1.0 / 3.0) - 6378.135
    shell = np.flatnonzero((np.abs(altitude - 550.0) < 8.0) & (cat.ecco < 0.01))
    shell = np.random.default_rng(1).choice(shell, 250, replace=False)
    decayed = np.flatnonzero(cat.norad_id == 36884)  # SGP4 error 6 at the window start
    return cat.take(np.unique(np.concatenate([stations, shell, decayed])))


def speculative_reversed(plan, store, progress=None):
    """Slabs last to first, each assuming every object alive: the order and assumption of a cluster."""
    for k0, k1 in reversed(plan.bounds()):
        store.add(screen_slab(plan, k0, k1, None))


def assert_same_result(a, b):
    assert a.conjunctions.dtype == b.conjunctions.dtype
    assert len(a.conjunctions) == len(b.conjunctions)
    for name in a.conjunctions.dtype.names:
        np.testing.assert_array_equal(a.conjunctions[name], b.conjunctions[name], err_msg=name)
    assert [(s.norad_id, s.seconds, s.error) for s in a.stopped] == [(s.norad_id, s.seconds, s.error)
                                                                       for s in b.stopped]
    assert a.n_candidates == b.n_candidates


def test_one_interval_slabs_in_any_order_give_the_one_slab_rows():
    cat = crowded_subset()
    days = 0.5
    whole = run_screen(cat, START, days, THRESHOLD_KM, slab_bytes=10**12)
    n = whole.n_objects
    one_interval = 3 * SAMPLE_BYTES * n  # two samples per slab
    sliced = run_screen(cat, START, days, THRESHOLD_KM, slab_bytes=one_interval)
    shuffled = run_screen(cat, START, days, THRESHOLD_KM, slab_bytes=7 * SAMPLE_BYTES * n,
                          executor=speculative_reversed)
    persistent = whole.conjunctions[whole.conjunctions["persistent"]]
    assert len(persistent) >= 5, "docked vehicles should give persistent pairs"
    assert (~whole.conjunctions["persistent"]).sum() >= 5
    assert [s.norad_id for s in whole.stopped] == [36884]
    assert_same_result(whole, sliced)
    assert_same_result(whole, shuffled)


def test_a_slab_that_assumed_a_stopped_object_alive_is_screened_again():
    """An object SGP4 fails on in one slab stays stopped in the later ones, which assumed it alive."""
    cat = crowded_subset()
    ids = np.unique(cat.norad_id)  # the plan's rows: sorted by NORAD id
    whole = run_screen(cat, START, 0.2, THRESHOLD_KM, slab_bytes=10**12)
    assert whole.n_objects == len(ids)
    slab_s = 4 * whole.step_s
    seconds = lambda t: (t["tca"] - np.datetime64(START)) / np.timedelta64(1, "s")  # noqa: E731
    later = whole.conjunctions[seconds(whole.conjunctions) > slab_s]
    busy, count = np.unique(np.concatenate([later["norad_id_1"], later["norad_id_2"]]), return_counts=True)
    victim_id = int(busy[np.argmax(count)])  # the object with most conjunctions after the first slab
    victim = int(np.flatnonzero(ids == victim_id)[0])

    def iss_fails_in_the_first_slab(plan, store, progress=None):
        for k0, k1 in plan.bounds():
            result = screen_slab(plan, k0, k1, None)
            if k0 == 0:  # as if SGP4 failed on the victim from the slab's third sample on
                fake = np.array([(victim, 2 * plan.dt, 1)], result.failures.dtype)
                result.failures = np.sort(np.concatenate([result.failures, fake]), order="row")
            store.add(result)

    faked = run_screen(cat, START, 0.2, THRESHOLD_KM, slab_bytes=5 * SAMPLE_BYTES * whole.n_objects,
                       executor=iss_fails_in_the_first_slab)
    assert (victim_id, 2 * whole.step_s, 1) in [(s.norad_id, s.seconds, s.error) for s in faked.stopped]

    def split(table):
        mine = (table["norad_id_1"] == victim_id) | (table["norad_id_2"] == victim_id)
        return table[mine], table[~mine]

    victim_faked, rest_faked = split(faked.conjunctions)
    victim_whole, rest_whole = split(whole.conjunctions)
    assert (seconds(victim_whole) > slab_s).any()
    assert (seconds(victim_faked) <= slab_s).all()  # later slabs were screened again without it
    for name in rest_whole.dtype.names:
        np.testing.assert_array_equal(rest_faked[name], rest_whole[name], err_msg=name)


def test_streamed_pieces_write_the_same_csv_as_the_whole_table(tmp_path):
    cat = crowded_subset()
    whole = run_screen(cat, START, 0.5, THRESHOLD_KM)
    pieces = []
    streamed = run_screen(cat, START, 0.5, THRESHOLD_KM, slab_bytes=5 * SAMPLE_BYTES * whole.n_objects,
                          sink=pieces.append)
    assert len(streamed.conjunctions) == 0 and len(pieces) > 1
    write_table(whole.conjunctions, tmp_path / "whole.csv")
    with TableWriter(tmp_path / "pieces.csv") as writer:
        for piece in pieces:
            writer.write(piece)
    assert (tmp_path / "pieces.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert list(tmp_path.iterdir()).__len__() == 2  # no temporary file left


def test_a_failed_write_leaves_no_file(tmp_path):
    with pytest.raises(RuntimeError):
        with TableWriter(tmp_path / "out.csv") as writer:
            writer.write(run_screen(crowded_subset(), START, 0.05, THRESHOLD_KM).conjunctions)
            raise RuntimeError("screen failed")
    assert list(tmp_path.iterdir()) == []


def test_the_service_screens_on_the_scheduler_its_setting_names():
    from datetime import datetime

    from distributed import LocalCluster

    from ssa.serve.pipeline import screen_and_route

    cat = crowded_subset()
    start = datetime.fromisoformat(START)
    rows, routings, stopped = screen_and_route(cat, start, 0.2, THRESHOLD_KM)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        on_cluster = screen_and_route(cat, start, 0.2, THRESHOLD_KM, dask_scheduler=cluster.scheduler_address)
    assert len(rows) >= 10
    assert on_cluster[0].tobytes() == rows.tobytes()
    assert on_cluster[2] == stopped and len(on_cluster[1]) == len(routings)


# --- the whole shipped catalogue, 1 day, on a LocalCluster of 2 worker processes ---

SCREEN_ARGS = [str(SHIPPED), "--start", START, "--days", "1", "--threshold-km", "5"]


@pytest.fixture(scope="module")
def local_csv(tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "local.csv"
    result = CliRunner().invoke(app, ["screen", *SCREEN_ARGS, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


@pytest.mark.slow
def test_two_dask_workers_write_the_local_csv_byte_for_byte(local_csv, tmp_path):
    out = tmp_path / "dask.csv"
    result = CliRunner().invoke(app, ["screen", *SCREEN_ARGS, "--workers", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert local_csv.count(b"\n") > 10_000
    assert out.read_bytes() == local_csv


@pytest.mark.slow
def test_a_worker_killed_mid_run_costs_a_retry_not_the_output(local_csv, tmp_path):
    from ssa.assess import assess
    from ssa.catalog import SHIPPED_SATCAT, load
    from ssa.screen.distributed import cluster_client, dask_executor

    catalog = load(SHIPPED, satcat=SHIPPED_SATCAT)
    killed = []
    with cluster_client(workers=2) as client:
        def kill_a_worker(result):
            if not killed:  # after the first slab, while the others run
                pid = sorted(client.run(os.getpid).values())[0]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        out = tmp_path / "killed.csv"
        with TableWriter(out) as writer:
            run_screen(catalog, START, 1.0, THRESHOLD_KM, sink=lambda piece: writer.write(assess(piece, catalog)),
                       executor=dask_executor(client, on_result=kill_a_worker))
        assert killed and killed[0] not in client.run(os.getpid).values()
    assert out.read_bytes() == local_csv
