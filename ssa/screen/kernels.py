"""Numba kernels of the screen: broad phase over sampled positions, narrow phase on SGP4.

Times inside the kernels are seconds from the window start; a satellite's
``base_min`` is the minutes from its epoch to the window start, so it is at
``base_min + t / 60`` minutes since epoch. Positions TEME km, velocities km/s.

Broad phase (one sampled interval [t_k, t_k + dt] at a time, parallel over
intervals): every object's chord (the segment between its sampled positions)
has midpoint m and half-length h. The relative motion of a pair deviates from
its relative chord by at most ``dev = a_rel * dt^2 / 8``, where a_rel bounds
the relative acceleration: ``GRADIENT_S2 * s + ACCEL_EXTRA_KM_S2`` (gravity
gradient times separation s, plus non-gravitational and model terms). A pair
can come within the threshold in the interval only if its relative chord
passes within ``threshold + dev`` of the origin; the chord is at most
2 (h_i + h_j) long, so s and dev are bounded by h_i + h_j alone
(``pair_reach``), and ``|m_i - m_j| <= h_i + h_j + pair_reach(h_i + h_j)``.
The chords are cut into ``n_sub`` sub-chords; for each, midpoints are
spatially hashed with cells of ``2 h_cut / n_sub + pair_reach(2 h_cut)``
(h_cut: half-chord at 8 km/s), so a pair of slower objects whose relative
chord comes closest within that sub-range sits in the same or an adjacent
cell and is recorded there only. A faster object tests the partners whose
chords are not longer than its own, in the cube of cells its own reach
needs: no object's cost, and no cell size, depends on the fastest object of
the interval (one element set whose states jump by 1e6 km between samples
costs one pass over the objects, not a test of every pair). Cells are
numbered row-major so that neighbouring cells fall in nearby hash buckets,
and each pass works on a copy of the chord data sorted by bucket
(cache-friendly).

Narrow phase (parallel over candidate intervals): f(t) = dr . dv (half the
time derivative of the squared range) from exact SGP4 states of both objects;
a local minimum of range is a sign change of f from - to +, refined by
bracketed Newton (bisection fallback) in time relative to the interval start
to 1e-7 s.
"""
import math

import numpy as np
from numba import get_num_threads, njit, prange

from ssa.constants import MU_KM3_S2
from ssa.propagate.kernels import sgp4_point

# bound on the relative acceleration of two objects: the gravity-gradient norm
# (2 mu / r^3 for a point mass, J2 adds < 1 %) is taken as 3 mu / r^3 at
# r = 6000 km, below any live object and any chord between objects < 4000 km apart
GRADIENT_S2 = 3.0 * MU_KM3_S2 / 6000.0**3  # 1/s^2 (5.5e-6)
ACCEL_EXTRA_KM_S2 = 1e-5  # drag difference, lunisolar tides and SGP4 model terms: < 1e-6 in practice
NEWTON_TOL_S = 1e-7
MAX_MINIMA = 4  # minima kept per candidate interval (only slow pairs may have more than one)
SLOW_SUBDIVISIONS = 8
CELL_PAD = 1.0 + 1e-9  # relative margin of the cell size over the distance it must cover
SLOW_SPEED_KM_S = 8.0  # broad-phase cells are sized for objects slower than this

# the 13 "forward" neighbour cells (the other 13 are their negatives) as 4 columns
# (dx, dy) of 3 cells dz = -1, 0, 1, plus the cell above (0, 0, 1)
FORWARD_COLUMNS = np.array([(0, 1), (1, -1), (1, 0), (1, 1)], dtype=np.int64)
# columns of the sorted chord data of one broad-phase pass
# sub-chord midpoint (3), its half-length, chord start (3), end (3), the chord's half-length
MID, HALF, START, END, CHORD = 0, 3, 4, 7, 10


@njit(cache=True, nogil=True)
def deviation_coefficients(dt):
    """(alpha, beta): the relative path stays within alpha * s + beta km of the relative
    chord over an interval of dt seconds, s the larger endpoint separation (km)."""
    q = dt * dt / 8.0
    denom = 1.0 - GRADIENT_S2 * q  # the separation along the path includes the deviation itself
    return GRADIENT_S2 * q / denom, ACCEL_EXTRA_KM_S2 * q / denom


@njit(cache=True, nogil=True)
def pair_reach(h_sum, threshold, alpha, beta):
    """threshold + deviation bound (km) of a candidate pair whose chord half-lengths sum to h_sum.

    A candidate's relative chord passes within threshold + dev of the origin and
    is at most 2 h_sum long, so its endpoint separation s is at most
    2 h_sum + threshold + alpha s + beta, i.e. (2 h_sum + threshold + beta) / (1 - alpha).
    """
    return threshold + beta + alpha * (2.0 * h_sum + threshold + beta) / (1.0 - alpha)


@njit(cache=True, nogil=True)
def _broad_interval(pos, ok, k, dt, n_sub, alpha, beta, threshold, is_primary, primary_mode,
                    cand, n_cand, close, close_range, n_close, work):
    """Candidates and within-threshold samples of interval k; see the module docstring.

    work: the calling thread's work arrays (``_work_arrays``), overwritten."""
    n_sat = pos.shape[0]
    live, ends, half = work[0], work[1], work[2]
    n_live = 0
    for i in range(n_sat):
        if ok[i, k] and ok[i, k + 1]:
            live[n_live] = i
            n_live += 1
    if n_live < 2:
        return
    # chord ends (km) of the live objects, contiguous: rows of pos are n_time * 24 bytes apart
    h_max = 0.0
    for a in range(n_live):
        i = live[a]
        for c in range(3):
            ends[a, c] = pos[i, k, c]
            ends[a, 3 + c] = pos[i, k + 1, c]
        h = 0.5 * math.sqrt((ends[a, 3] - ends[a, 0]) ** 2 + (ends[a, 4] - ends[a, 1]) ** 2
                            + (ends[a, 5] - ends[a, 2]) ** 2)
        half[a] = h
        h_max = max(h_max, h)
    # cells fit pairs of "slow" objects (chord half-length <= h_cut: LEO and beyond);
    # each faster one (eccentric orbits near perigee) searches the cube of cells its own reach needs
    h_cut = min(h_max, 0.5 * SLOW_SPEED_KM_S * dt)
    for sub in range(n_sub):
        _broad_pass(ends, half, live, n_live, k, sub, n_sub, h_cut, alpha, beta, threshold,
                    is_primary, primary_mode, cand, n_cand, close, close_range, n_close, work)


@njit(cache=True, nogil=True)
def _bucket_count(n_live):
    """Hash buckets for n_live objects: a power of two, 8 to 16 per object (few foreign
    cells in a run: measured faster than 2 to 4, and than 16 to 32)."""
    n_buckets = 1
    while n_buckets < 8 * n_live:
        n_buckets *= 2
    return n_buckets


@njit(cache=True, nogil=True)
def _work_arrays(n_sat):
    """Work arrays of one thread's broad phase for up to n_sat live objects, reused by all
    its intervals and passes (allocated per pass, fresh pages faulted in and zeroed by the
    kernel cost more than the pass): live rows, chord ends (6), half-lengths, sub-chord
    midpoints (3), cells (3), cell numbers, bucket starts and fill pointers, and the sorted
    entries' rows, cell numbers and chord data (``MID`` ... ``CHORD``)."""
    n_buckets = _bucket_count(n_sat)
    return (np.empty(n_sat, dtype=np.int64), np.empty((n_sat, 6)), np.empty(n_sat),
            np.empty((n_sat, 3)), np.empty((n_sat, 3), dtype=np.int64), np.empty(n_sat, dtype=np.int64),
            np.empty(n_buckets + 1, dtype=np.int32), np.empty(n_buckets, dtype=np.int32),
            np.empty(n_sat, dtype=np.int64), np.empty(n_sat, dtype=np.int64), np.empty((n_sat, 11)))


@njit(cache=True, nogil=True)
def _broad_pass(ends, half, live, n_live, k, sub, n_sub, h_cut, alpha, beta, threshold,
                is_primary, primary_mode, cand, n_cand, close, close_range, n_close, work):
    """One sub-chord [sub / n_sub, (sub + 1) / n_sub] of interval k: hash and pair tests.

    A pair whose relative chord comes closest to the origin in this sub-range
    (and within threshold + dev) has sub-chord midpoints within h_i / n_sub +
    h_j / n_sub + pair_reach(h_i + h_j): it is found here, and recorded only here.

    Who tests a pair: the object with the longer chord (of equal ones, the
    lower index). Slow objects (h <= h_cut) meet slow partners through the
    hash: two such midpoints are within 2 h_cut / n_sub + pair_reach(2 h_cut),
    the cell side, so in the same or adjacent cells; all-vs-all, a slow object
    scans its own cell and the 13 forward neighbours, with primaries a slow
    primary the 27 cells around it. A fast object i searches the cube of
    cells within 2 h_i / n_sub + pair_reach(2 h_i) of its midpoint, or all
    objects when that cube has more cells than there are objects: its cost
    depends on its own chord only.

    Cells are numbered in row-major order over the bounding box of the
    occupied cells, padded by one cell on each side so that the 26 neighbours
    of an occupied cell have numbers of their own, and the box sides are
    rounded up to odd so that whole x or y layers do not share hash buckets.
    The bucket of a cell is its number modulo the (power of two) table size:
    neighbouring cells are in nearby buckets, and scanning the objects in
    bucket order walks the neighbour buckets forward, keeping them in cache.
    Cells (x, y, z - 1), (x, y, z), (x, y, z + 1) are three consecutive
    buckets, whose objects are one contiguous run: a slow object scans its own
    cell and the 13 forward neighbours as 5 runs. Objects of other cells in
    those buckets are skipped by their cell number, and a cube is clipped to
    the box (no object lies outside it): every object of every cell the
    completeness argument needs is visited, as with any hash.
    """
    f = (sub + 0.5) / n_sub
    h_cut_sub = h_cut / n_sub
    reach_slow = pair_reach(2.0 * h_cut, threshold, alpha, beta)
    # padded by 1e-9 relative: the rounding of floor(x / cell) (~1e-14 relative) can then
    # never put two points nearer than 2 h_cut_sub + reach_slow two cells apart
    cell = (2.0 * h_cut_sub + reach_slow) * CELL_PAD
    mid, cells, key, start, fill, s_idx, s_key, s_d = work[3:]
    lo = np.empty(3, dtype=np.int64)
    hi = np.empty(3, dtype=np.int64)
    for a in range(n_live):
        for c in range(3):
            mid[a, c] = ends[a, c] + f * (ends[a, 3 + c] - ends[a, c])
            cc = int(math.floor(mid[a, c] / cell))
            cells[a, c] = cc
            if a == 0 or cc < lo[c]:
                lo[c] = cc
            if a == 0 or cc > hi[c]:
                hi[c] = cc
    ny = (hi[1] - lo[1] + 3) | 1
    nz = (hi[2] - lo[2] + 3) | 1
    if hi[0] - lo[0] + 3 > 2**62 // (ny * nz):
        raise ValueError("broad phase: cell grid too large for 64-bit cell numbers")
    n_buckets = _bucket_count(n_live)
    mask = n_buckets - 1
    start[:n_buckets + 1] = 0
    for a in range(n_live):
        key[a] = ((cells[a, 0] - lo[0] + 1) * ny + (cells[a, 1] - lo[1] + 1)) * nz + (cells[a, 2] - lo[2] + 1)
        start[(key[a] & mask) + 1] += 1
    for b in range(n_buckets):
        start[b + 1] += start[b]
    # objects reordered by bucket, their data contiguous
    fill[:n_buckets] = start[:n_buckets]
    for a in range(n_live):
        q = fill[key[a] & mask]
        fill[key[a] & mask] = q + 1
        s_idx[q] = live[a]
        s_key[q] = key[a]
        for c in range(3):
            s_d[q, MID + c] = mid[a, c]
        s_d[q, HALF] = half[a] / n_sub
        for c in range(6):
            s_d[q, START + c] = ends[a, c]
        s_d[q, CHORD] = half[a]
    # cell-number offsets of the forward neighbour columns
    columns = FORWARD_COLUMNS[:, 0] * (ny * nz) + FORWARD_COLUMNS[:, 1] * nz
    for qi in range(n_live):
        i = s_idx[qi]
        fast_i = s_d[qi, CHORD] > h_cut
        if not fast_i and primary_mode and not is_primary[i]:
            continue  # slow non-primaries test nothing: their partners test them
        if fast_i or primary_mode:
            if fast_i:
                radius = 2.0 * s_d[qi, HALF] + pair_reach(2.0 * s_d[qi, CHORD], threshold, alpha, beta)
            else:
                radius = 2.0 * h_cut_sub + reach_slow
            _cube_partners(s_d, s_idx, s_key, n_live, start, mask, lo, hi, ny, nz, cell, qi, radius, fast_i, h_cut,
                           k, sub, n_sub, alpha, beta, threshold, is_primary, primary_mode,
                           cand, n_cand, close, close_range, n_close)
            continue
        # a slow object, all vs all: own cell and the 13 forward neighbours; fast partners find it
        for o in range(-1, columns.shape[0]):
            # cells k_lo..k_hi: the own cell (later entries only) and the one above, or a column of 3
            k_lo = s_key[qi] if o < 0 else s_key[qi] + columns[o] - 1
            k_hi = k_lo + 1 if o < 0 else k_lo + 2
            m_lo, m_hi = start[k_lo & mask], start[(k_hi & mask) + 1]
            if (k_hi & mask) < (k_lo & mask):
                m_hi += n_live  # the buckets wrap around the end of the table
            for mw in range(m_lo, m_hi):
                m = mw - n_live if mw >= n_live else mw
                key_m = s_key[m]
                if key_m < k_lo or key_m > k_hi or s_d[m, CHORD] > h_cut or (o < 0 and key_m == k_lo and m <= qi):
                    continue
                if _within_reach(s_d, qi, m, threshold, alpha, beta):
                    _test_pair(s_d, qi, m, i, s_idx[m], k, sub, n_sub, alpha, beta, threshold, is_primary,
                               primary_mode, cand, n_cand, close, close_range, n_close)


@njit(cache=True, nogil=True)
def _cube_partners(s_d, s_idx, s_key, n_live, start, mask, lo, hi, ny, nz, cell, qi, radius, fast_i, h_cut,
                   k, sub, n_sub, alpha, beta, threshold, is_primary, primary_mode,
                   cand, n_cand, close, close_range, n_close):
    """The pairs sorted entry qi tests among the objects whose midpoints lie within radius
    (km) of its own: the cube of cells around it, or every object when the cube has more
    cells than there are objects. See ``_broad_pass`` for who tests a pair."""
    i = s_idx[qi]
    # the cells of the box within radius of the midpoint on each axis (padded against rounding:
    # a partner passes the sphere test only within radius (1 + 1e-15))
    pad = radius * CELL_PAD
    x0 = max(int(math.floor((s_d[qi, MID] - pad) / cell)), lo[0])
    x1 = min(int(math.floor((s_d[qi, MID] + pad) / cell)), hi[0])
    y0 = max(int(math.floor((s_d[qi, MID + 1] - pad) / cell)), lo[1])
    y1 = min(int(math.floor((s_d[qi, MID + 1] + pad) / cell)), hi[1])
    z0 = max(int(math.floor((s_d[qi, MID + 2] - pad) / cell)), lo[2])
    z1 = min(int(math.floor((s_d[qi, MID + 2] + pad) / cell)), hi[2])
    n_cells = float(x1 - x0 + 1) * float(y1 - y0 + 1) * float(z1 - z0 + 1)
    if n_cells > n_live:
        for m in range(n_live):
            if _tests(s_d, s_idx, qi, m, fast_i, h_cut, is_primary, primary_mode) \
                    and _within_reach(s_d, qi, m, threshold, alpha, beta):
                _test_pair(s_d, qi, m, i, s_idx[m], k, sub, n_sub, alpha, beta, threshold, is_primary,
                           primary_mode, cand, n_cand, close, close_range, n_close)
        return
    # each column (x, y, z0..z1) is one run of consecutive buckets (fewer than the table's:
    # z1 - z0 < n_cells <= n_live), its cells the keys k_lo..k_hi
    for ncx in range(x0, x1 + 1):
        for ncy in range(y0, y1 + 1):
            k_lo = ((ncx - lo[0] + 1) * ny + (ncy - lo[1] + 1)) * nz + (z0 - lo[2] + 1)
            k_hi = k_lo + (z1 - z0)
            m_lo, m_hi = start[k_lo & mask], start[(k_hi & mask) + 1]
            if (k_hi & mask) < (k_lo & mask):
                m_hi += n_live  # the buckets wrap around the end of the table
            for mw in range(m_lo, m_hi):
                m = mw - n_live if mw >= n_live else mw
                if k_lo <= s_key[m] <= k_hi and _tests(s_d, s_idx, qi, m, fast_i, h_cut, is_primary, primary_mode) \
                        and _within_reach(s_d, qi, m, threshold, alpha, beta):
                    _test_pair(s_d, qi, m, i, s_idx[m], k, sub, n_sub, alpha, beta, threshold, is_primary,
                               primary_mode, cand, n_cand, close, close_range, n_close)


@njit(cache=True, nogil=True)
def _tests(s_d, s_idx, a, b, fast_a, h_cut, is_primary, primary_mode):
    """Whether sorted entry a (a fast object, or a slow primary) tests the pair with entry b."""
    i, j = s_idx[a], s_idx[b]
    if i == j:
        return False
    if primary_mode and not (is_primary[i] or is_primary[j]):
        return False
    h_i, h_j = s_d[a, CHORD], s_d[b, CHORD]
    if fast_a:  # the longer chord tests; of equal ones the lower index
        return h_j < h_i or (h_j == h_i and i < j)
    # a slow primary: slow partners only; of two primaries the lower index
    return h_j <= h_cut and not (is_primary[j] and j < i)


@njit(cache=True, nogil=True)
def _within_reach(s_d, a, b, threshold, alpha, beta):
    """Sub-chord midpoints of sorted entries a and b within their half-lengths + pair reach (km)."""
    dx = s_d[b, MID] - s_d[a, MID]
    dy = s_d[b, MID + 1] - s_d[a, MID + 1]
    dz = s_d[b, MID + 2] - s_d[a, MID + 2]
    rad = s_d[a, HALF] + s_d[b, HALF] + pair_reach(s_d[a, CHORD] + s_d[b, CHORD], threshold, alpha, beta)
    return dx * dx + dy * dy + dz * dz <= rad * rad


@njit(cache=True, nogil=True)
def _test_pair(s_d, a, b, i, j, k, sub, n_sub, alpha, beta, threshold, is_primary, primary_mode,
               cand, n_cand, close, close_range, n_close):
    """The relative-chord test of objects i and j (sorted entries a and b of s_d)
    that passed the sphere test of sub-chord sub.

    Records the pair as a candidate when its relative chord passes within
    threshold + deviation at a point of this sub-range, and (first sub-chord
    only) as a close sample when within threshold at t_k.
    """
    p, q, ep, eq = i, j, a, b  # the primary first; otherwise the lower index
    if primary_mode and is_primary[i] != is_primary[j]:
        if is_primary[j]:
            p, q, ep, eq = j, i, b, a
    elif j < i:
        p, q, ep, eq = j, i, b, a
    ax = s_d[eq, START] - s_d[ep, START]
    ay = s_d[eq, START + 1] - s_d[ep, START + 1]
    az = s_d[eq, START + 2] - s_d[ep, START + 2]
    bx = s_d[eq, END] - s_d[ep, END]
    by = s_d[eq, END + 1] - s_d[ep, END + 1]
    bz = s_d[eq, END + 2] - s_d[ep, END + 2]
    sa = math.sqrt(ax * ax + ay * ay + az * az)
    if sub == 0 and sa <= threshold:
        c = n_close[k]
        if c < close.shape[1]:
            close[k, c, 0] = p
            close[k, c, 1] = q
            close_range[k, c] = sa
        n_close[k] = c + 1
    sb = math.sqrt(bx * bx + by * by + bz * bz)
    ex, ey, ez = bx - ax, by - ay, bz - az
    e2 = ex * ex + ey * ey + ez * ez
    tau = 0.0
    if e2 > 0.0:
        tau = min(1.0, max(0.0, -(ax * ex + ay * ey + az * ez) / e2))
    d = math.sqrt((ax + tau * ex) ** 2 + (ay + tau * ey) ** 2 + (az + tau * ez) ** 2)
    in_sub = tau * n_sub >= sub and (tau * n_sub < sub + 1 or sub == n_sub - 1)
    if in_sub and d <= threshold + alpha * max(sa, sb) + beta:
        c = n_cand[k]
        if c < cand.shape[1]:
            cand[k, c, 0] = p
            cand[k, c, 1] = q
        n_cand[k] = c + 1


def broad_phase(pos, ok, dt, n_sub, threshold, is_primary, primary_mode, cand, n_cand, close, close_range,
                n_close):
    """Broad phase over every interval of a slice of sampled positions.

    pos (n_sat, n_time, 3) TEME km at t_k = t_0 + k dt; ok (n_sat, n_time) bool.
    Writes, per interval k, candidate pairs ``cand[k, :n_cand[k]]`` (row indices,
    the primary / lower index first) whose relative chord passes within
    threshold + deviation, and ``close[k, :n_close[k]]`` the pairs within
    threshold at t_k with their range ``close_range``. Counts beyond the
    buffers' capacity are still counted: the caller retries with larger buffers.
    """
    n_blocks = min(pos.shape[1] - 1, get_num_threads())
    _broad_blocks(pos, ok, dt, n_sub, threshold, is_primary, primary_mode, cand, n_cand, close, close_range,
                  n_close, n_blocks)


@njit(cache=True, parallel=True)
def _broad_blocks(pos, ok, dt, n_sub, threshold, is_primary, primary_mode, cand, n_cand, close, close_range,
                  n_close, n_blocks):
    """``broad_phase`` in n_blocks blocks of consecutive intervals, in parallel, each
    with its own work arrays."""
    alpha, beta = deviation_coefficients(dt)
    n_int = pos.shape[1] - 1
    for b in prange(n_blocks):
        work = _work_arrays(pos.shape[0])
        for k in range(b * n_int // n_blocks, (b + 1) * n_int // n_blocks):
            n_cand[k] = 0
            n_close[k] = 0
            _broad_interval(pos, ok, k, dt, n_sub, alpha, beta, threshold, is_primary, primary_mode,
                            cand, n_cand, close, close_range, n_close, work)


@njit(cache=True, nogil=True)
def _relative_state(p1, p2, t1_min, t2_min):
    """err, f = dr.dv (km^2/s), f' estimate (km^2/s^2), states of both objects."""
    e1, x1, y1, z1, u1, w1, s1 = sgp4_point(p1, t1_min)
    e2, x2, y2, z2, u2, w2, s2 = sgp4_point(p2, t2_min)
    err = e1 if e1 != 0 else e2
    dx, dy, dz = x2 - x1, y2 - y1, z2 - z1
    du, dw, ds = u2 - u1, w2 - w1, s2 - s1
    f = dx * du + dy * dw + dz * ds
    # two-body accelerations for Newton's slope (the bracket keeps the step safe)
    r1 = math.sqrt(x1 * x1 + y1 * y1 + z1 * z1)
    r2 = math.sqrt(x2 * x2 + y2 * y2 + z2 * z2)
    k1 = -MU_KM3_S2 / (r1 * r1 * r1)
    k2 = -MU_KM3_S2 / (r2 * r2 * r2)
    fp = du * du + dw * dw + ds * ds + dx * (k2 * x2 - k1 * x1) + dy * (k2 * y2 - k1 * y1) + dz * (k2 * z2 - k1 * z1)
    state = (x1, y1, z1, u1, w1, s1, x2, y2, z2, u2, w2, s2)
    return err, f, fp, state


@njit(cache=True, nogil=True)
def _refine_bracket(p1, p2, b1, b2, t0, lo, hi, flo, fhi):
    """Root of f in [lo, hi] (seconds from t0, f(lo) < 0 <= f(hi)) by bracketed Newton."""
    tau = lo - flo * (hi - lo) / (fhi - flo)
    for _ in range(100):
        err, f, fp, _s = _relative_state(p1, p2, b1 + (t0 + tau) / 60.0, b2 + (t0 + tau) / 60.0)
        if err != 0:
            return tau, err
        if f < 0.0:
            lo = tau
        else:
            hi = tau
        new = tau - f / fp if fp > 0.0 else 0.5 * (lo + hi)
        if not (lo < new < hi):
            new = 0.5 * (lo + hi)
        step = abs(new - tau)
        tau = new
        if step < NEWTON_TOL_S or hi - lo < NEWTON_TOL_S:
            break
    return tau, 0


@njit(cache=True, parallel=True)
def narrow_phase(params, base_min, pair, interval, dt, out_tau, out_state, out_n):
    """Local minima of range inside each candidate interval, on exact SGP4.

    pair (n, 2) row indices; interval (n,) interval index k, the interval being
    [k dt, (k + 1) dt] seconds from the window start. Writes up to MAX_MINIMA
    minima per candidate: out_tau (n, MAX_MINIMA) seconds from the window start,
    out_state (n, MAX_MINIMA, 12) r1, v1, r2, v2 (TEME km, km/s); out_n (n,)
    their number (-1 when SGP4 failed for either object).
    """
    alpha, beta = deviation_coefficients(dt)
    for c in prange(pair.shape[0]):
        i, j = pair[c, 0], pair[c, 1]
        p1, p2 = params[i], params[j]
        b1, b2 = base_min[i], base_min[j]
        t0 = interval[c] * dt
        out_n[c] = 0
        ea, fa, _fpa, sa = _relative_state(p1, p2, b1 + t0 / 60.0, b2 + t0 / 60.0)
        eb, fb, _fpb, sb = _relative_state(p1, p2, b1 + (t0 + dt) / 60.0, b2 + (t0 + dt) / 60.0)
        if ea != 0 or eb != 0:
            out_n[c] = -1
            continue
        # f is monotone on the interval when |dv|^2 > |dr| |da| throughout
        sep = max(math.sqrt((sa[6] - sa[0]) ** 2 + (sa[7] - sa[1]) ** 2 + (sa[8] - sa[2]) ** 2),
                  math.sqrt((sb[6] - sb[0]) ** 2 + (sb[7] - sb[1]) ** 2 + (sb[8] - sb[2]) ** 2))
        sep += alpha * sep + beta
        acc = GRADIENT_S2 * sep + ACCEL_EXTRA_KM_S2
        va = math.sqrt((sa[9] - sa[3]) ** 2 + (sa[10] - sa[4]) ** 2 + (sa[11] - sa[5]) ** 2)
        vb = math.sqrt((sb[9] - sb[3]) ** 2 + (sb[10] - sb[4]) ** 2 + (sb[11] - sb[5]) ** 2)
        vmin = min(va, vb) - acc * dt
        n_sub = 1 if (vmin > 0.0 and vmin * vmin > sep * acc) else SLOW_SUBDIVISIONS
        lo, flo = 0.0, fa
        for s in range(1, n_sub + 1):
            hi = dt * s / n_sub
            if s == n_sub:
                fhi = fb
            else:
                e, fhi, _fp, _st = _relative_state(p1, p2, b1 + (t0 + hi) / 60.0, b2 + (t0 + hi) / 60.0)
                if e != 0:
                    out_n[c] = -1
                    break
            if flo < 0.0 and fhi >= 0.0 and out_n[c] < MAX_MINIMA:
                tau, e = _refine_bracket(p1, p2, b1, b2, t0, lo, hi, flo, fhi)
                if e != 0:
                    out_n[c] = -1
                    break
                _e, _f, _fp, st = _relative_state(p1, p2, b1 + (t0 + tau) / 60.0, b2 + (t0 + tau) / 60.0)
                m = out_n[c]
                out_tau[c, m] = t0 + tau
                for q in range(12):
                    out_state[c, m, q] = st[q]
                out_n[c] = m + 1
            lo, flo = hi, fhi


@njit(cache=True, parallel=True)
def sample_states(params, base_min, idx1, idx2, t, out_state):
    """States (r1, v1, r2, v2; TEME km, km/s) of pairs at t seconds from the window start."""
    for c in prange(idx1.shape[0]):
        _e, _f, _fp, st = _relative_state(params[idx1[c]], params[idx2[c]],
                                          base_min[idx1[c]] + t[c] / 60.0, base_min[idx2[c]] + t[c] / 60.0)
        for q in range(12):
            out_state[c, q] = st[q]
