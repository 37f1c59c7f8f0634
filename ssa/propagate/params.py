"""Per-satellite SGP4 constants: one float64 row per satellite for the kernels.

Initialisation is a numba port of python-sgp4's ``sgp4init`` (initl, dscom,
dsinit; WGS-72), ``ssa.propagate.kernels.sgp4init_row``; tests hold every
column to python-sgp4's pure-Python ``sgp4init``. The columns are the ``P_*``
constants of ``ssa.propagate.kernels``.
"""
from __future__ import annotations

import numpy as np

from ssa.catalog.model import Catalog
from ssa.propagate import kernels as k


def init_params(catalog: Catalog, opsmode: str = "i") -> np.ndarray:
    """SGP4 constants of every catalogue object, float64 (n_sat, N_PARAMS).

    WGS-72; ``opsmode`` 'i' (improved, python-sgp4's default) or 'a' (AFSPC).
    The epoch passed to sgp4init is ``catalog.epoch_sgp4()``, as
    ``catalog.satrecs()`` passes it.
    """
    if opsmode not in ("i", "a"):
        raise ValueError(f"opsmode must be 'i' or 'a', not {opsmode!r}")
    params = np.zeros((len(catalog), k.N_PARAMS))

    def column(values):
        return np.ascontiguousarray(values, dtype=np.float64)

    k.sgp4init_all(
        params, column(catalog.epoch_sgp4()), column(catalog.epoch_jd), column(catalog.epoch_fr),
        column(catalog.bstar), column(catalog.ecco), column(catalog.argpo), column(catalog.inclo),
        column(catalog.mo), column(catalog.no_kozai), column(catalog.nodeo), opsmode == "a",
    )
    return params
