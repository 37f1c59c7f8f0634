"""Screening slabs on a Dask cluster (``dask.distributed``), with the local run's rows.

The slab plan (initialised element sets and the grid, ``ssa.screen.slabs``)
is scattered once to every worker; each task screens one time slab and
propagates its own ephemerides there, so only result rows travel back. The
client spills them as tasks finish and merges them as the local engine does.
A task on a worker that dies is run again elsewhere (Dask reschedules it;
``retries`` more on an exception). ``distributed`` is imported here only, so
the CLI starts without it.
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

TASK_RETRIES = 2


@contextmanager
def cluster_client(scheduler: str | None = None, workers: int | None = None, memory_limit: str = "auto"):
    """A ``distributed.Client``: of the scheduler at address (e.g. tcp://host:8786), else of a LocalCluster.

    workers: worker processes of the local cluster (one thread each; numba's
    threads shared out among them). memory_limit: per local worker, as Dask
    takes it ("4GiB", "auto").
    """
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    n = max(1, int(workers or 1))
    threads = max(1, (os.cpu_count() or 1) // n)
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                      memory_limit=memory_limit, env={"NUMBA_NUM_THREADS": str(threads)}) as cluster, \
            Client(cluster) as client:
        yield client


def dask_executor(client, retries: int = TASK_RETRIES, on_result=None):
    """An executor for ``run_screen``: one Dask task per slab on client's cluster.

    on_result(result): called as each slab arrives (tests use it to kill a worker mid-run).
    """
    def run(plan, store, progress=None):
        from distributed import as_completed

        from ssa.screen.slabs import screen_slab

        [plan_future] = client.scatter([plan], broadcast=True, hash=False)
        run_id = uuid.uuid4().hex[:8]
        futures = [client.submit(screen_slab, plan_future, k0, k1, None, key=f"ssa-slab-{run_id}-{k0}",
                                 retries=retries, pure=False)
                   for k0, k1 in plan.bounds()]
        done_s = 0.0
        try:
            for future in as_completed(futures):
                result = future.result()
                future.release()
                store.add(result)
                done_s += (result.k1 - result.k0) * plan.dt
                if progress is not None:
                    progress(done_s, plan.total_s)
                if on_result is not None:
                    on_result(result)
        finally:
            client.cancel(futures + [plan_future])

    return run
