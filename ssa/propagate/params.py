"""Per-satellite SGP4 constants: one float64 row per satellite for the kernels.

Initialisation runs python-sgp4's pure-Python ``sgp4init`` (``sgp4.model``,
WGS-72), which exposes every coefficient that the accelerated C++ ``Satrec``
keeps private; the columns are the ``P_*`` constants of
``ssa.propagate.kernels``.
"""
from __future__ import annotations

import numpy as np
from sgp4.model import WGS72, Satrec as PySatrec

from ssa.catalog.model import Catalog
from ssa.propagate import kernels as k

# satrec attribute -> column
_COLUMNS = {
    "mo": k.P_MO, "mdot": k.P_MDOT, "argpo": k.P_ARGPO, "argpdot": k.P_ARGPDOT,
    "nodeo": k.P_NODEO, "nodedot": k.P_NODEDOT, "nodecf": k.P_NODECF,
    "cc1": k.P_CC1, "cc4": k.P_CC4, "cc5": k.P_CC5, "bstar": k.P_BSTAR,
    "t2cof": k.P_T2COF, "t3cof": k.P_T3COF, "t4cof": k.P_T4COF, "t5cof": k.P_T5COF,
    "omgcof": k.P_OMGCOF, "eta": k.P_ETA, "xmcof": k.P_XMCOF, "delmo": k.P_DELMO,
    "d2": k.P_D2, "d3": k.P_D3, "d4": k.P_D4, "sinmao": k.P_SINMAO,
    "no_unkozai": k.P_NO_UNKOZAI, "ecco": k.P_ECCO, "inclo": k.P_INCLO,
    "aycof": k.P_AYCOF, "xlcof": k.P_XLCOF, "con41": k.P_CON41,
    "x1mth2": k.P_X1MTH2, "x7thm1": k.P_X7THM1,
    "gsto": k.P_GSTO, "dedt": k.P_DEDT, "didt": k.P_DIDT, "dmdt": k.P_DMDT,
    "dnodt": k.P_DNODT, "domdt": k.P_DOMDT, "xfact": k.P_XFACT, "xlamo": k.P_XLAMO,
    "del1": k.P_DEL1, "del2": k.P_DEL2, "del3": k.P_DEL3,
    "d2201": k.P_D2201, "d2211": k.P_D2211, "d3210": k.P_D3210, "d3222": k.P_D3222,
    "d4410": k.P_D4410, "d4422": k.P_D4422, "d5220": k.P_D5220, "d5232": k.P_D5232,
    "d5421": k.P_D5421, "d5433": k.P_D5433,
    "e3": k.P_E3, "ee2": k.P_EE2, "peo": k.P_PEO, "pgho": k.P_PGHO, "pho": k.P_PHO,
    "pinco": k.P_PINCO, "plo": k.P_PLO, "se2": k.P_SE2, "se3": k.P_SE3,
    "sgh2": k.P_SGH2, "sgh3": k.P_SGH3, "sgh4": k.P_SGH4, "sh2": k.P_SH2, "sh3": k.P_SH3,
    "si2": k.P_SI2, "si3": k.P_SI3, "sl2": k.P_SL2, "sl3": k.P_SL3, "sl4": k.P_SL4,
    "xgh2": k.P_XGH2, "xgh3": k.P_XGH3, "xgh4": k.P_XGH4, "xh2": k.P_XH2, "xh3": k.P_XH3,
    "xi2": k.P_XI2, "xi3": k.P_XI3, "xl2": k.P_XL2, "xl3": k.P_XL3, "xl4": k.P_XL4,
    "zmol": k.P_ZMOL, "zmos": k.P_ZMOS,
}


def init_params(catalog: Catalog, opsmode: str = "i") -> np.ndarray:
    """SGP4 constants of every catalogue object, float64 (n_sat, N_PARAMS).

    WGS-72; ``opsmode`` 'i' (improved, python-sgp4's default) or 'a' (AFSPC).
    """
    if opsmode not in ("i", "a"):
        raise ValueError(f"opsmode must be 'i' or 'a', not {opsmode!r}")
    n = len(catalog)
    params = np.zeros((n, k.N_PARAMS))
    params[:, k.P_EPOCH_JD] = catalog.epoch_jd
    params[:, k.P_EPOCH_FR] = catalog.epoch_fr
    params[:, k.P_AFSPC] = opsmode == "a"
    epochs = catalog.epoch_sgp4()
    columns = list(_COLUMNS.values())
    names = list(_COLUMNS)
    for i in range(n):
        sat = PySatrec()
        sat.sgp4init(
            WGS72, opsmode, 0, epochs[i], catalog.bstar[i], catalog.ndot[i], catalog.nddot[i],
            catalog.ecco[i], catalog.argpo[i], catalog.inclo[i], catalog.mo[i],
            catalog.no_kozai[i], catalog.nodeo[i],
        )
        row = params[i]
        row[columns] = [getattr(sat, name) for name in names]
        row[k.P_DEEP] = sat.method == "d"
        row[k.P_ISIMP] = sat.isimp
        row[k.P_IREZ] = sat.irez
    params[:, k.P_SINIO] = np.sin(params[:, k.P_INCLO])
    params[:, k.P_COSIO] = np.cos(params[:, k.P_INCLO])
    with np.errstate(invalid="ignore", divide="ignore"):  # mean motion <= 0: error 2 at every time
        params[:, k.P_AO23] = np.power(k.XKE / params[:, k.P_NO_UNKOZAI], k.X2O3)
    params[:, k.P_BC4] = params[:, k.P_BSTAR] * params[:, k.P_CC4]
    params[:, k.P_BC5] = params[:, k.P_BSTAR] * params[:, k.P_CC5]
    return params
