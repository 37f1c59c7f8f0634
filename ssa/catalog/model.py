"""The catalogue as a structure of arrays that the kernels take directly.

Units are those of python-sgp4's ``sgp4init`` (Vallado): angles in radians,
mean motion in radians per minute (Kozai), ``ndot`` in rad/min^2, ``nddot`` in
rad/min^3, ``bstar`` in 1/earth radii. Epochs are UTC two-part Julian dates
(``epoch_jd`` a whole or half day, ``epoch_fr`` the fraction), as python-sgp4's
``jdsatepoch``/``jdsatepochF``.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
from sgp4.api import WGS72, Satrec

# days from JD 0 to 1949 December 31 00:00 UT, the epoch origin of sgp4init
SGP4_EPOCH_ORIGIN_JD = 2433281.5


@dataclass(frozen=True)
class Rejection:
    """A record that did not load: where it was and why."""

    source: str  # file name (or "upload")
    line: int  # 1-based line (or row/element number for CSV/JSON/XML)
    norad_id: int | None  # when it could be read
    reason: str

    def __str__(self) -> str:
        sat = f" (NORAD {self.norad_id})" if self.norad_id is not None else ""
        return f"{self.source}:{self.line}{sat}: {self.reason}"


@dataclass
class Catalog:
    """Element sets of n objects, one row per object, as parallel numpy arrays."""

    norad_id: np.ndarray  # int64, the real catalogue number (may exceed 99999)
    name: np.ndarray  # object (str), "" when unknown
    object_id: np.ndarray  # object (str), COSPAR designator "1998-067A", "" when unknown
    epoch_jd: np.ndarray  # float64, UTC Julian date, whole/half day part
    epoch_fr: np.ndarray  # float64, fraction of day
    no_kozai: np.ndarray  # float64, rad/min
    ecco: np.ndarray  # float64
    inclo: np.ndarray  # float64, rad
    nodeo: np.ndarray  # float64, rad
    argpo: np.ndarray  # float64, rad
    mo: np.ndarray  # float64, rad
    bstar: np.ndarray  # float64, 1/earth radii
    ndot: np.ndarray  # float64, rad/min^2
    nddot: np.ndarray  # float64, rad/min^3
    element_set_no: np.ndarray  # int64
    rev_at_epoch: np.ndarray  # int64
    classification: np.ndarray  # object (str) "U", "C", "S"
    owner: np.ndarray  # object (str), SATCAT owner code ("" when unknown)
    object_type: np.ndarray  # object (str), SATCAT type PAY, R/B, DEB, UNK ("" when unknown)
    source: np.ndarray  # object (str), "file:line" the record came from
    # float64, the epoch python-sgp4 passes to sgp4init (days since 1949-12-31 00:00 UT)
    # for this record; None: (epoch_jd - 2433281.5) + epoch_fr. The readers set it so
    # that satrecs() equals Satrec.twoline2rv / sgp4.omm bit for bit.
    epoch_days: np.ndarray | None = None
    # float64, radar cross-section m^2 where the input gives it (OMM RCS or RCS_SIZE),
    # NaN where not; None: unknown for all. Used for the hard-body radius fallback.
    rcs_m2: np.ndarray | None = None
    rejected: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. duplicates dropped

    def __len__(self) -> int:
        return len(self.norad_id)

    @classmethod
    def array_fields(cls) -> list[str]:
        return [f.name for f in fields(cls) if f.name not in ("rejected", "notes")]

    def take(self, index) -> Catalog:
        """A new catalogue with the rows selected by an index array or boolean mask."""
        idx = np.asarray(index)
        columns = {name: getattr(self, name) for name in self.array_fields()}
        return Catalog(
            **{name: None if col is None else col[idx] for name, col in columns.items()},
            rejected=list(self.rejected),
            notes=list(self.notes),
        )

    def concat(self, other: Catalog) -> Catalog:
        """Rows of self then other; exact sgp4init epochs and radar cross-sections (m^2,
        NaN where unknown) filled in where one side lacks them."""
        columns = {name: np.concatenate([getattr(self, name), getattr(other, name)])
                   for name in self.array_fields() if name not in ("epoch_days", "rcs_m2")}
        columns["epoch_days"] = np.concatenate([self.epoch_sgp4(), other.epoch_sgp4()])
        columns["rcs_m2"] = np.concatenate([np.full(len(c), np.nan) if c.rcs_m2 is None else c.rcs_m2
                                            for c in (self, other)])
        return Catalog(**columns, rejected=self.rejected + other.rejected, notes=self.notes + other.notes)

    def index_of(self, norad_ids) -> np.ndarray:
        """Row index of each NORAD id; KeyError naming the first missing one."""
        pos = {int(n): i for i, n in enumerate(self.norad_id)}
        try:
            return np.array([pos[int(n)] for n in norad_ids], dtype=np.int64)
        except KeyError as exc:
            raise KeyError(f"NORAD id {exc.args[0]} is not in the catalogue") from None

    def epoch_sgp4(self) -> np.ndarray:
        """Epoch in days since 1949 December 31 00:00 UT, as sgp4init takes it."""
        if self.epoch_days is not None:
            return self.epoch_days
        return (self.epoch_jd - SGP4_EPOCH_ORIGIN_JD) + self.epoch_fr

    def satrecs(self) -> list[Satrec]:
        """python-sgp4 (C++) satellites, WGS-72, opsmode 'i': the reference.

        The satellite number passed to sgp4init is a placeholder (sgp4init
        refuses ids above 339999); it does not affect propagation.
        """
        out = []
        epochs = self.epoch_sgp4()
        for i in range(len(self)):
            sat = Satrec()
            sat.sgp4init(
                WGS72, "i", i % 100000, epochs[i], self.bstar[i], self.ndot[i], self.nddot[i],
                self.ecco[i], self.argpo[i], self.inclo[i], self.mo[i], self.no_kozai[i], self.nodeo[i],
            )
            sat.jdsatepoch = float(self.epoch_jd[i])
            sat.jdsatepochF = float(self.epoch_fr[i])
            out.append(sat)
        return out
