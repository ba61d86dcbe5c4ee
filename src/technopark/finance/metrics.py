"""Discounted cash-flow metrics on plain arrays: NPV, IRR, MIRR, payback, DSCR.

Every function accepts a single cash-flow series (1-D) or a stack of scenarios (2-D, one row
per scenario, years along the last axis) and is vectorised over the scenarios, so the
deterministic model and the Monte Carlo simulation call the same code.

Conventions (see ``docs/finance-model.md``):

* ``values[t]`` is the net cash flow of year ``t``; ``t = 0`` is the project's start year and
  every flow is treated as falling at the end of its year (so ``values[0]`` is not discounted);
* rates are decimal fractions per year (``0.12`` is 12 %);
* a metric that does not exist is ``nan`` and :func:`irr_reason` / the ``*_reason`` helpers say
  why, never a made-up number.

This module imports nothing from Django.
"""

from __future__ import annotations

from typing import Any, Literal, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "IRR_REASONS",
    "discounted_payback",
    "dscr",
    "irr",
    "irr_reason",
    "mirr",
    "npv",
    "payback",
]

FloatArray = NDArray[np.float64]

# Codes returned by ``irr(..., return_codes=True)``; 0 means a unique IRR was found.
IRR_OK = 0
IRR_NO_SIGN_CHANGE = 1
IRR_NO_ROOT = 2
IRR_MULTIPLE = 3
IRR_NOT_FINITE = 4
IRR_NO_CONVERGENCE = 5

IRR_REASONS: dict[int, str] = {
    IRR_OK: "",
    IRR_NO_SIGN_CHANGE: (
        "The cash flows never change sign, so no discount rate makes the NPV zero."
    ),
    IRR_NO_ROOT: (
        "The cash flows change sign more than once but the NPV is not zero at any rate above -100%."
    ),
    IRR_MULTIPLE: (
        "The cash flows change sign more than once and the NPV is zero at several rates, "
        "so the IRR is not unique; use NPV or MIRR."
    ),
    IRR_NOT_FINITE: "The cash flows contain a missing or infinite value.",
    IRR_NO_CONVERGENCE: "The IRR search did not converge.",
}


def _as_2d(values: ArrayLike) -> tuple[FloatArray, bool]:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 0:
        raise ValueError("Cash flows must be a sequence of yearly values, not a single number.")
    if arr.ndim > 2:
        raise ValueError("Cash flows must be 1-D (one series) or 2-D (one row per scenario).")
    if arr.shape[-1] == 0:
        raise ValueError("Cash flows must contain at least one year.")
    return np.atleast_2d(arr), arr.ndim == 1


def _out(arr: FloatArray, single: bool) -> float | FloatArray:
    return float(arr[0]) if single else arr


def npv(rate: ArrayLike, values: ArrayLike) -> float | FloatArray:
    r"""Net present value of yearly cash flows, the first one undiscounted.

    .. math:: \mathrm{NPV} = \sum_{t=0}^{T} \frac{CF_t}{(1+r)^t}

    This is the convention of ``numpy_financial.npv`` and of textbooks; note that the
    spreadsheet function ``NPV`` discounts its first argument by one period, so the same value
    in Excel is ``=NPV(r, CF_1..CF_T) + CF_0``.

    Parameters
    ----------
    rate : float or array of shape (N,)
        Discount rate per year; one per scenario when ``values`` is 2-D.
    values : array_like, shape (T+1,) or (N, T+1)
        Net cash flow of each year from ``t = 0``.

    Returns
    -------
    float or ndarray of shape (N,)

    References
    ----------
    R. A. Brealey, S. C. Myers, F. Allen, *Principles of Corporate Finance*, 13th ed.,
    McGraw-Hill, 2020, ch. 2 and 5.

    Examples
    --------
    A workshop costs 1,000 now and earns 300 a year for five years; at 10 % a year:

    >>> round(npv(0.10, [-1000, 300, 300, 300, 300, 300]), 2)
    137.24
    """
    cf, single = _as_2d(values)
    r = np.asarray(rate, dtype=np.float64)
    if r.ndim == 0:
        r = np.full(cf.shape[0], float(r))
    if r.shape != (cf.shape[0],):
        raise ValueError("Give one discount rate, or one per scenario.")
    v = 1.0 / (1.0 + r)
    # Horner's scheme in v = 1/(1+r): fewer operations than powers and stable for long series.
    acc = np.zeros(cf.shape[0])
    for t in range(cf.shape[1] - 1, -1, -1):
        acc = acc * v + cf[:, t]
    return _out(acc, single)


def _sign_changes(cf: FloatArray) -> NDArray[np.int64]:
    """Number of sign changes along each row, zeros ignored (Descartes' rule of signs)."""
    s = np.sign(cf)
    if s.all():  # no zero anywhere (the usual case): neighbours are enough
        return np.count_nonzero(s[:, 1:] != s[:, :-1], axis=1)
    n = cf.shape[1]
    idx = np.where(s != 0, np.arange(n), 0)
    np.maximum.accumulate(idx, axis=1, out=idx)
    last = np.take_along_axis(s, idx, axis=1)  # sign of the latest non-zero flow up to t
    prev = np.concatenate([np.zeros((cf.shape[0], 1)), last[:, :-1]], axis=1)
    return np.count_nonzero((s != 0) & (prev != 0) & (s != prev), axis=1)


def _first_last_nonzero(cf: FloatArray) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    nz = cf != 0
    first = np.argmax(nz, axis=1)
    last = cf.shape[1] - 1 - np.argmax(nz[:, ::-1], axis=1)
    return first, last


def _left_align(cf: FloatArray) -> FloatArray:
    """Shift each row left past its leading zeros: v^k g(v) has the positive roots of g."""
    n = cf.shape[1]
    first, _ = _first_last_nonzero(cf)
    if not first.any():  # every row starts with a non-zero flow
        return cf
    idx = np.arange(n) + first[:, None]
    out = np.take_along_axis(cf, np.minimum(idx, n - 1), axis=1)
    out[idx >= n] = 0.0
    return out


def _poly_and_slope(cft: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """p(x) = sum_t c_t x^t and p'(x) by Horner; ``cft`` has the powers along axis 0."""
    p = cft[-1].copy()
    dp = np.zeros_like(x)
    for t in range(cft.shape[0] - 2, -1, -1):
        dp = dp * x + p
        p = p * x + cft[t]
    return p, dp


def _refine(
    poly: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    tol: float,
    maxiter: int,
    start: FloatArray | None = None,
    sign_lo: FloatArray | None = None,
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """The root of p(x) = sum_t poly[:, t] x^t inside [lo, hi] ⊂ (0, 1], where p changes sign.

    Safeguarded Newton ("rtsafe", Numerical Recipes §9.4), all rows at once, from ``start``
    (default the middle of the bracket), given the sign of p at ``lo`` (default: evaluated
    there): a Newton step when it stays inside the bracket, a
    bisection step otherwise (geometric while the bracket spans orders of magnitude); the
    bracket shrinks with the sign of p at every iterate, so the iteration cannot leave it.
    """
    poly = poly / np.abs(poly).max(axis=1, keepdims=True)  # unit scale: relative tolerances
    cft = np.ascontiguousarray(poly.T)
    lo, hi = lo.copy(), hi.copy()
    if sign_lo is None:
        sign_lo = np.sign(_poly_and_slope(cft, lo)[0])
    x = (lo + hi) / 2 if start is None else np.clip(start, lo, hi)
    converged = np.zeros(lo.shape, dtype=bool)
    active = np.arange(lo.size)
    for _ in range(maxiter):
        if active.size == 0:
            break
        xa, loa, hia = x[active], lo[active], hi[active]
        f, df = _poly_and_slope(cft[:, active], xa)
        below = np.sign(f) == sign_lo[active]  # still on the lo side of the root
        loa = np.where(below, xa, loa)
        hia = np.where(below, hia, xa)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = xa - f / df
        ok = np.isfinite(newton) & (newton >= loa) & (newton <= hia)
        # A Newton step below the tolerance ends the search at that point (at the root the
        # sign of p is rounding noise, so the bracket no longer means anything).
        tiny = ok & (np.abs(newton - xa) <= tol * xa)
        bisect = np.where(hia > 4 * loa, np.sqrt(loa * hia), (loa + hia) / 2)
        xn = np.where(ok, newton, bisect)
        done = (f == 0) | tiny | (hia - loa <= tol * loa)
        x[active] = np.where(f == 0, xa, xn)
        lo[active], hi[active] = loa, hia
        converged[active[done]] = True
        active = active[~done]
    return x, converged


def _blocks(rows: NDArray[np.intp]) -> list[NDArray[np.intp]]:
    """Row indices in blocks of about ``_BLOCK``: the working arrays then stay in the cache."""
    return np.array_split(rows, -(-rows.size // _BLOCK)) if rows.size else []


def _unique_root_below_one(
    poly: FloatArray, tol: float, maxiter: int
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """The root in (0, 1) of rows of p(x) = sum_t poly[:, t] x^t known to have exactly one
    there, with p(0) != 0 and p(1) != 0. The bracket's lower end is Cauchy's bound on the
    roots of the reciprocal polynomial: no root lies below 1 / (1 + max|c_t| / |c_0|).

    Newton starts at x = 1 (IRR = 0): for the usual profile — outflows in the first two years,
    inflows after — p'' has only inflow terms, p is convex and monotone, and Newton from that
    side converges monotonically, without a bisection step."""
    a0 = np.abs(poly[:, 0]) / np.abs(poly).max(axis=1)
    one = np.ones(poly.shape[0])
    # Half the bound, and the sign of p near 0 from its constant term: when the root sits
    # on the bound, p evaluated there is rounding noise.
    lo = 0.5 / (1.0 + 1.0 / a0)
    return _refine(poly, lo, one, tol, maxiter, start=one, sign_lo=np.sign(poly[:, 0]))


def _single_sign_change(
    cf: FloatArray, tol: float, maxiter: int
) -> tuple[FloatArray, NDArray[np.int8]]:
    """IRR of rows whose flows change sign exactly once (the usual invest-then-earn profile).

    Descartes' rule of signs: f(v) = sum c_t v^t has exactly one positive root. The sign of
    f(1) = sum c_t says on which side of v = 1 (IRR = 0) it lies; a root above 1 (a negative
    IRR) is found as the root w = 1/v of the reversed polynomial, so every evaluation is at a
    point of (0, 1] and cannot overflow.
    """
    at_one = cf.sum(axis=1)
    first, _ = _first_last_nonzero(cf)
    sign_near_zero = np.sign(cf[np.arange(cf.shape[0]), first])
    flip = (np.sign(at_one) == sign_near_zero) & (at_one != 0)  # the root is above v = 1
    poly = _left_align(np.where(flip[:, None], cf[:, ::-1], cf))
    x, ok = _unique_root_below_one(poly, tol, maxiter)
    x[at_one == 0], ok[at_one == 0] = 1.0, True
    v = np.where(flip, 1.0 / x, x)
    return np.where(ok, 1.0 / v - 1.0, np.nan), np.where(ok, IRR_OK, IRR_NO_CONVERGENCE)


_BLOCK = 4096  # rows per block: the working arrays stay in the CPU cache
_GRID = 64  # cells of the root-isolation grid on each of (0, 1] in v and in w = 1/v


def _isolate_on_grid(
    poly: FloatArray,
) -> tuple[NDArray[np.bool_], NDArray[np.intp], NDArray[np.intp]]:
    """Count the roots of p(x) = sum_t poly[:, t] x^t in [0, 1] with a certificate.

    p and p' are evaluated on a uniform grid (one matrix product each) and p'' is bounded on
    each cell by B = sum t(t-1) |c_t| x_hi^(t-2). By Taylor's theorem, a cell without a sign
    change is root-free when p cannot come back to zero from either end:
    s p(x_i) + s p'(x_i) h - B h^2/2 > 0 with s the sign of p(x_i) (or the same from the right
    end); a cell with a sign change holds exactly one root when p' has the same sign at both
    ends and cannot reach zero in between (|p'(x_i)| + |p'(x_i+1)| > B h). Returns per row
    whether every cell is certified, the number of sign changes on the grid (each one a
    root, when p is non-zero on the grid) and the index of the last cell with a sign change.
    """
    n = poly.shape[1]
    t = np.arange(n, dtype=np.float64)[:, None]
    x = np.linspace(0.0, 1.0, _GRID + 1)[None, :]
    h = 1.0 / _GRID
    with np.errstate(divide="ignore", invalid="ignore"):
        powers = np.where(t == 0, 1.0, x**t)
        d1 = np.where(t >= 1, t * np.where(t == 1, 1.0, x ** (t - 1)), 0.0)
        d2 = np.where(t >= 2, t * (t - 1) * np.where(t == 2, 1.0, x ** (t - 2)), 0.0)
    f = poly @ powers
    fp = poly @ d1
    slack = (np.abs(poly) @ d2)[:, 1:] * h * h / 2  # x^k grows with x: the bound at x_hi
    sign = np.sign(f)
    cross = sign[:, 1:] != sign[:, :-1]
    s = sign[:, :-1]
    from_left = s * (f[:, :-1] + fp[:, :-1] * h) - slack
    from_right = s * (f[:, 1:] - fp[:, 1:] * h) - slack
    root_free = ~cross & ((from_left > 0) | (from_right > 0))
    s1 = np.sign(fp)
    monotone = (s1[:, 1:] == s1[:, :-1]) & (np.abs(fp[:, 1:]) + np.abs(fp[:, :-1]) > 2 * slack / h)
    one_root = cross & monotone
    nonzero = (sign != 0).all(axis=1)
    certified = (root_free | one_root).all(axis=1) & nonzero
    n_cross = np.where(nonzero, cross.sum(axis=1), -1)
    return certified, n_cross, _GRID - 1 - np.argmax(cross[:, ::-1], axis=1)


def _eig_positive_roots(cf: FloatArray) -> tuple[FloatArray, NDArray[np.int8]]:
    """IRR from all roots of the polynomial (companion-matrix eigenvalues, as ``np.roots``),
    batched over rows that share their first and last non-zero year. The exact fallback."""
    n_rows = cf.shape[0]
    rate = np.full(n_rows, np.nan)
    code = np.full(n_rows, IRR_NO_ROOT, dtype=np.int8)
    first, last = _first_last_nonzero(cf)
    keys = first * cf.shape[1] + last
    for key in np.unique(keys):
        sel = np.flatnonzero(keys == key)
        k, m = int(first[sel[0]]), int(last[sel[0]])
        deg = m - k
        coef = cf[sel, k : m + 1]  # ascending powers of v after factoring out v^k
        comp = np.zeros((sel.size, deg, deg))
        comp[:, 0, :] = -(coef[:, :-1] / coef[:, -1:])[:, ::-1]
        comp[:, np.arange(1, deg), np.arange(deg - 1)] = 1.0
        roots = np.linalg.eigvals(comp)
        real = np.abs(roots.imag) <= 1e-7 * np.maximum(1.0, np.abs(roots))
        pos = np.sort(np.where(real & (roots.real > 0), roots.real, np.inf), axis=1)
        # Count distinct positive roots; numerically repeated ones (a double root where the
        # NPV only touches zero) count once.
        distinct = np.isfinite(pos)
        with np.errstate(invalid="ignore"):
            distinct[:, 1:] &= ~(np.diff(pos, axis=1) <= 1e-6 * pos[:, 1:])
        count = distinct.sum(axis=1)
        unique = count == 1
        rate[sel[unique]] = 1.0 / pos[unique, 0] - 1.0
        code[sel[unique]] = IRR_OK
        code[sel[count > 1]] = IRR_MULTIPLE
    return rate, code


def _several_sign_changes(
    cf: FloatArray, tol: float, maxiter: int
) -> tuple[FloatArray, NDArray[np.int8]]:
    """IRR of rows whose flows change sign more than once (e.g. a reinvestment mid-life).

    First the cumulative-flow bound (Norström's criterion, both ways): with
    C_t = CF_0 + ... + CF_t, f(v) = (1 - v) g(v) where the power series g has the
    coefficients C_0, ..., C_T, C_T, ..., so by Descartes' rule for power series f has at most
    as many roots in v in (0, 1) (IRR > 0) as the C_t have sign changes; likewise the sums of
    the last flows, D_j = CF_T + ... + CF_(T-j), bound the roots in v > 1 (IRR < 0). When the
    two counts add up to at most one (and no partial sum is too close to zero to trust its
    sign), the IRR is unique or absent, and found by :func:`_refine`.

    Other rows: the roots are isolated on a certified grid in v in (0, 1] and in w = 1/v in
    (0, 1] (:func:`_isolate_on_grid`), and rows the grid cannot certify (roots closer than a
    grid cell, a root on a grid point) go to the exact companion-matrix method.

    Reference: L. Norström, "A sufficient condition for a unique nonnegative internal rate of
    return", J. Financial and Quantitative Analysis 7 (1972) 1835-1839; G. Pólya, G. Szegő,
    *Problems and Theorems in Analysis II*, 1976, Part V (Descartes' rule for power series).
    """
    n_rows = cf.shape[0]
    rate = np.full(n_rows, np.nan)
    code = np.full(n_rows, IRR_NO_ROOT, dtype=np.int8)
    fwd = _left_align(cf)
    rev = _left_align(cf[:, ::-1])
    cum_f, cum_r = np.cumsum(fwd, axis=1), np.cumsum(rev, axis=1)
    eps = 1e-12 * np.abs(cf).sum(axis=1, keepdims=True)
    trusted = (np.abs(cum_f) > eps).all(axis=1) & (np.abs(cum_r) > eps).all(axis=1)
    v_f, v_r = _sign_changes(cum_f), _sign_changes(cum_r)
    bounded = trusted & (v_f + v_r <= 1)  # at most one root, and none at v = 1
    for poly, here, flip in ((fwd, v_f, False), (rev, v_r, True)):
        sel = np.flatnonzero(bounded & (here == 1))
        if sel.size:
            x, ok = _unique_root_below_one(poly[sel], tol, maxiter)
            v = 1.0 / x if flip else x
            rate[sel] = np.where(ok, 1.0 / v - 1.0, np.nan)
            code[sel] = np.where(ok, IRR_OK, IRR_NO_CONVERGENCE)

    hard = np.flatnonzero(~bounded)
    if hard.size == 0:
        return rate, code
    fwd, rev = fwd[hard], rev[hard]
    scale = np.abs(cf[hard]).max(axis=1, keepdims=True)
    ok_f, n_f, cell_f = _isolate_on_grid(fwd / scale)
    ok_r, n_r, cell_r = _isolate_on_grid(rev / scale)
    roots = n_f + n_r
    seen_twice = (n_f >= 0) & (n_r >= 0) & (roots > 1)  # two sign changes: two roots, surely
    code[hard[seen_twice]] = IRR_MULTIPLE
    certain = (ok_f & ok_r) | seen_twice
    for poly, n_here, cell, flip in ((fwd, n_f, cell_f, False), (rev, n_r, cell_r, True)):
        sel = np.flatnonzero(ok_f & ok_r & (roots == 1) & (n_here == 1))
        if sel.size:
            lo, hi = cell[sel] / _GRID, (cell[sel] + 1) / _GRID
            x, ok = _refine(poly[sel], np.maximum(lo, 1e-300), hi, tol, maxiter)
            v = 1.0 / x if flip else x
            rate[hard[sel]] = np.where(ok, 1.0 / v - 1.0, np.nan)
            code[hard[sel]] = np.where(ok, IRR_OK, IRR_NO_CONVERGENCE)
    rest = hard[~certain]
    if rest.size:
        rate[rest], code[rest] = _eig_positive_roots(cf[rest])
    return rate, code


@overload
def irr(
    values: ArrayLike,
    *,
    tol: float = ...,
    maxiter: int = ...,
    return_codes: Literal[False] = ...,
) -> float | FloatArray: ...


@overload
def irr(
    values: ArrayLike,
    *,
    tol: float = ...,
    maxiter: int = ...,
    return_codes: Literal[True],
) -> tuple[Any, Any]: ...


def irr(
    values: ArrayLike,
    *,
    tol: float = 1e-12,
    maxiter: int = 100,
    return_codes: bool = False,
) -> float | FloatArray | tuple[Any, Any]:
    r"""Internal rate of return: the rate at which the NPV of the cash flows is zero.

    .. math:: \sum_{t=0}^{T} \frac{CF_t}{(1+\mathrm{IRR})^t} = 0,
              \quad \text{i.e. } f(v) = \sum_t CF_t v^t = 0,\ v = \frac{1}{1+\mathrm{IRR}} > 0

    The IRR is reported only when it exists and is unique in :math:`(-100\%, \infty)`:

    * no sign change in the flows → no root (``nan``);
    * exactly one sign change → by Descartes' rule of signs exactly one positive root
      :math:`v`, found for all scenarios at once by a safeguarded Newton/bisection iteration
      on the polynomial in :math:`v` (vectorised Horner evaluation);
    * several sign changes → the roots are counted on a grid in :math:`v \in (0,1]` and in
      :math:`1/v \in (0,1)` with a derivative-bound certificate (two matrix products), and
      rows the grid cannot certify go to the companion-matrix eigenvalues (as
      ``numpy.roots``); the IRR is kept only if exactly one root is positive, else ``nan``
      ("multiple IRRs" or "no IRR").

    Unlike ``numpy_financial.irr``, which returns the root closest to zero when there are
    several, this function refuses to choose (Brealey-Myers: "the IRR rule is then useless").

    Parameters
    ----------
    values : array_like, shape (T+1,) or (N, T+1)
        Cash flows from ``t = 0``; one row per scenario when 2-D.
    tol : float
        Relative tolerance on :math:`v`.
    maxiter : int
        Iteration cap of the single-root search.
    return_codes : bool
        Also return the reason codes (keys of :data:`IRR_REASONS`; 0 = found).

    Returns
    -------
    float or ndarray of shape (N,), and the codes when asked.

    References
    ----------
    Brealey, Myers, Allen, *Principles of Corporate Finance*, 13th ed., ch. 5.3 (pitfalls of
    the IRR: lending vs borrowing, multiple rates); Descartes' rule of signs; W. H. Press et
    al., *Numerical Recipes*, 3rd ed., 2007, §9.4 (``rtsafe``).

    Examples
    --------
    A workshop costs 1,000 now and earns 300 a year for five years:

    >>> round(irr([-1000, 300, 300, 300, 300, 300]), 6)
    0.152382

    A mine that costs 1,600, earns 10,000 and then needs 10,000 to restore the land has two
    IRRs (25 % and 400 %), so none is reported:

    >>> rate, code = irr([-1600, 10000, -10000], return_codes=True)
    >>> rate, irr_reason(code)[:40]
    (nan, 'The cash flows change sign more than onc')
    """
    cf, single = _as_2d(values)
    n_rows = cf.shape[0]
    rate = np.full(n_rows, np.nan)
    code = np.full(n_rows, IRR_NO_SIGN_CHANGE, dtype=np.int8)
    finite = np.isfinite(cf).all(axis=1)
    code[~finite] = IRR_NOT_FINITE
    changes = np.zeros(n_rows, dtype=np.int64)
    changes[finite] = _sign_changes(cf[finite])

    one = np.flatnonzero(finite & (changes == 1))
    for block in _blocks(one):
        rate[block], code[block] = _single_sign_change(cf[block], tol, maxiter)
    many = np.flatnonzero(finite & (changes > 1))
    for block in _blocks(many):
        rate[block], code[block] = _several_sign_changes(cf[block], tol, maxiter)

    if single:
        return (float(rate[0]), int(code[0])) if return_codes else float(rate[0])
    return (rate, code) if return_codes else rate


def irr_reason(code: int) -> str:
    """The sentence that explains an IRR reason code ('' when the IRR was found).

    >>> irr_reason(1)
    'The cash flows never change sign, so no discount rate makes the NPV zero.'
    """
    return IRR_REASONS[int(code)]


def mirr(values: ArrayLike, finance_rate: float, reinvest_rate: float) -> float | FloatArray:
    r"""Modified internal rate of return.

    Outflows are discounted to ``t = 0`` at the finance rate, inflows compounded to ``t = T`` at
    the reinvestment rate, and MIRR is the rate that links the two:

    .. math:: \mathrm{MIRR} = \left(\frac{\sum_{CF_t>0} CF_t (1+r_{re})^{T-t}}
              {-\sum_{CF_t<0} CF_t (1+r_{fin})^{-t}}\right)^{1/T} - 1

    ``nan`` unless there is at least one inflow and one outflow. Same as Excel ``MIRR`` and
    ``numpy_financial.mirr``.

    References
    ----------
    Brealey, Myers, Allen, *Principles of Corporate Finance*, 13th ed., ch. 5 (modified IRR);
    Microsoft Excel function MIRR.

    Examples
    --------
    The workshop financed at 8 % whose income is reinvested at 6 %:

    >>> round(mirr([-1000, 300, 300, 300, 300, 300], 0.08, 0.06), 6)
    0.110799
    """
    cf, single = _as_2d(values)
    periods = cf.shape[1] - 1
    pos = np.where(cf > 0, cf, 0.0)
    neg = np.where(cf < 0, cf, 0.0)
    ok = (cf > 0).any(axis=1) & (cf < 0).any(axis=1) & (periods > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        fv_in = np.asarray(npv(reinvest_rate, pos)) * (1.0 + reinvest_rate) ** periods
        pv_out = -np.asarray(npv(finance_rate, neg))
        out = np.where(ok, (fv_in / pv_out) ** (1.0 / max(periods, 1)) - 1.0, np.nan)
    return _out(np.atleast_1d(out), single)


def payback(values: ArrayLike) -> float | FloatArray:
    r"""Simple payback period in years from ``t = 0``, interpolated inside the crossing year.

    With cumulative flows :math:`C_j = \sum_{t \le j} CF_t` and :math:`k` the first year in
    which :math:`C_k \ge 0` after the cumulative has been negative,

    .. math:: \text{payback} = k - 1 + \frac{-C_{k-1}}{CF_k}

    i.e. the year-``k`` flow is taken as earned evenly through the year. ``0`` when the
    cumulative is never negative (nothing to pay back); ``nan`` ("never") when it is still
    negative at the horizon. A later dip below zero (e.g. a reinvestment) does not move the
    first crossing.

    References
    ----------
    Brealey, Myers, Allen, *Principles of Corporate Finance*, 13th ed., ch. 5.2 (the payback
    rule); UNIDO, *Manual for the Preparation of Industrial Feasibility Studies*, 1991,
    ch. 10 (pay-off period).

    Examples
    --------
    A line costing 1,000 that earns 400 a year: cumulative -1000, -600, -200, +200, so it
    pays back during year 3, half-way through (200 of its 400):

    >>> payback([-1000, 400, 400, 400])
    2.5
    """
    cf, single = _as_2d(values)
    cum = np.cumsum(cf, axis=1)
    n_rows, n = cf.shape
    neg = cum < 0
    ever_neg = neg.any(axis=1)
    first_neg = np.argmax(neg, axis=1)
    after = (cum >= 0) & (np.arange(n) > first_neg[:, None])
    crossed = after.any(axis=1)
    k = np.argmax(after, axis=1)
    rows = np.arange(n_rows)
    prev = cum[rows, np.maximum(k - 1, 0)]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = -prev / cf[rows, k]
    out = np.where(~ever_neg, 0.0, np.where(crossed, k - 1 + frac, np.nan))
    return _out(out, single)


def discounted_payback(rate: ArrayLike, values: ArrayLike) -> float | FloatArray:
    r"""Payback period of the discounted flows :math:`CF_t/(1+r)^t` (see :func:`payback`).

    References
    ----------
    Brealey, Myers, Allen, *Principles of Corporate Finance*, 13th ed., ch. 5.2 (discounted
    payback).

    Examples
    --------
    The line costing 1,000 and earning 400 a year, at 10 %: discounted flows
    -1000, 363.64, 330.58, 300.53, cumulative -1000, -636.36, -305.79, -5.26, so it does not
    pay back in three years, and does in the fourth:

    >>> import math
    >>> math.isnan(discounted_payback(0.10, [-1000, 400, 400, 400]))
    True
    >>> round(discounted_payback(0.10, [-1000, 400, 400, 400, 400]), 4)
    3.0193
    """
    cf, single = _as_2d(values)
    r = np.asarray(rate, dtype=np.float64)
    r = r[:, None] if r.ndim == 1 else r
    disc = cf / (1.0 + r) ** np.arange(cf.shape[1])
    return _out(np.atleast_1d(payback(disc)), single)


def dscr(cfads: ArrayLike, debt_service: ArrayLike) -> FloatArray:
    r"""Debt service coverage ratio per year: cash flow available for debt service over debt
    service, ``nan`` in years with no debt service.

    .. math:: \mathrm{DSCR}_t = \frac{\mathrm{CFADS}_t}{\text{interest}_t + \text{principal}_t}

    References
    ----------
    E. R. Yescombe, *Principles of Project Finance*, 2nd ed., 2014, ch. 12.5 (cover ratios).

    Examples
    --------
    A plant generating 500 a year of cash flow available for debt service, against a loan of
    1,000 at 10 % with one year of grace (interest 100) then three annuity payments of 402.11:

    >>> ratios = dscr([0, 500, 500, 500, 500], [0, 100, 402.11, 402.11, 402.11])
    >>> [round(x, 2) for x in ratios.tolist()]
    [nan, 5.0, 1.24, 1.24, 1.24]
    """
    c = np.asarray(cfads, dtype=np.float64)
    ds = np.asarray(debt_service, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ds > 0, c / ds, np.nan)
