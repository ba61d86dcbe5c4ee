"""Discounted cash-flow metrics against hand-worked examples and numpy-financial.

Each expected value names where it came from; tolerances are stated per table.
"""

from __future__ import annotations

import math

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from technopark.finance import metrics as m

# --------------------------------------------------------------------------- NPV


@pytest.mark.parametrize(
    ("rate", "values", "expected", "source"),
    [
        # 300 x annuity factor (1 - 1.1**-5)/0.1 = 300 x 3.790787 = 1137.236; minus 1000.
        (0.10, [-1000, 300, 300, 300, 300, 300], 137.236031, "hand: annuity factor"),
        # -100 + 60/1.2 + 72/1.44 = -100 + 50 + 50 = 0 exactly.
        (0.20, [-100, 60, 72], 0.0, "hand: constructed so the IRR is 20 %"),
        # Brealey-Myers-Allen ch.2: office block, 700 in one year discounted at 7 %, cost
        # 350 land + 300 construction now: -650 + 700/1.07 = -650 + 654.206 = 4.206.
        (0.07, [-650, 700], 4.205607, "Brealey-Myers-Allen ch. 2 office block"),
        (0.0, [-5, 2, 2, 2], 1.0, "hand: rate 0 is the plain sum"),
    ],
)
def test_npv_hand_worked(rate: float, values: list[float], expected: float, source: str) -> None:
    assert m.npv(rate, values) == pytest.approx(expected, abs=1e-6), source


def test_npv_is_vectorised_over_scenarios_and_rates() -> None:
    cf = np.array([[-1000, 300, 300, 300, 300, 300], [-100, 60, 72, 0, 0, 0]], dtype=float)
    out = m.npv(np.array([0.10, 0.20]), cf)
    assert out == pytest.approx([137.236031, 0.0], abs=1e-6)


def test_npv_rejects_a_scalar_and_a_wrong_number_of_rates() -> None:
    with pytest.raises(ValueError, match="sequence of yearly values"):
        m.npv(0.1, 5.0)
    with pytest.raises(ValueError, match="one per scenario"):
        m.npv(np.array([0.1, 0.2, 0.3]), np.ones((2, 3)))


# --------------------------------------------------------------------------- IRR


@pytest.mark.parametrize(
    ("values", "expected", "source"),
    [
        ([-100, 60, 72], 0.20, "hand: -100 + 60/1.2 + 72/1.44 = 0"),
        ([-100, 110], 0.10, "hand: one-year loan at 10 %"),
        ([-100, 0, 121], 0.10, "hand: 121 = 100 x 1.1^2"),
        # Leading zero year: the same project started a year later has the same IRR.
        ([0, -100, 60, 72], 0.20, "hand: leading zero does not change the IRR"),
        # Borrowing: +100 now, repay 110 next year, the 'IRR' is the 10 % cost of the loan.
        ([100, -110], 0.10, "hand: borrowing at 10 %"),
        # Losing money: -100 then 50: v = 2, IRR = -50 %.
        ([-100, 50], -0.50, "hand: half the money back"),
        # Excel IRR help example: -70000, 12000, 15000, 18000, 21000, 26000 -> 8.66 %.
        ([-70000, 12000, 15000, 18000, 21000, 26000], 0.086630948, "Microsoft Excel IRR help"),
    ],
)
def test_irr_hand_worked(values: list[float], expected: float, source: str) -> None:
    rate, code = m.irr(values, return_codes=True)
    assert code == 0, source
    assert rate == pytest.approx(expected, abs=1e-9), source


def test_irr_next_to_minus_100_percent() -> None:
    # Found by hypothesis: 1.8 m paid twice for 0.01 back. With a = 1817388.1796875,
    # -a - a v + 0.01 v^2 = 0 gives v = (a + sqrt(a^2 + 0.04 a)) / 0.02, IRR = 1/v - 1, a root
    # right on Cauchy's bound, where the polynomial's value is rounding noise.
    a = 1817388.1796875
    v = (a + math.sqrt(a * a + 0.04 * a)) / 0.02
    rate, code = m.irr([-a, -a, 0.01], return_codes=True)
    assert code == m.IRR_OK
    assert 1 + rate == pytest.approx(1 / v, rel=1e-9)


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ([100, 50, 20], m.IRR_NO_SIGN_CHANGE),  # money only comes in
        ([-100, -50, 0], m.IRR_NO_SIGN_CHANGE),  # money only goes out
        ([0, 0, 0], m.IRR_NO_SIGN_CHANGE),
        # Brealey-Myers-Allen ch. 5 (Descartes): -1600, +10000, -10000 has IRRs 25 % and 400 %.
        ([-1600, 10000, -10000], m.IRR_MULTIPLE),
        # -100, +250, -200: f(v) = -100 + 250 v - 200 v^2 has discriminant 62500 - 80000 < 0.
        ([-100, 250, -200], m.IRR_NO_ROOT),
        ([-100, float("nan"), 120], m.IRR_NOT_FINITE),
    ],
)
def test_irr_is_nan_with_a_reason(values: list[float], code: int) -> None:
    rate, got = m.irr(values, return_codes=True)
    assert math.isnan(rate)
    assert got == code
    assert m.irr_reason(got)


def test_irr_with_several_sign_changes_but_one_root_is_kept() -> None:
    # -100, +230, -132: roots v = 1/1.1 and v = 1/1.2 -> two IRRs (10 % and 20 %): refused.
    assert m.irr([-100, 230, -132], return_codes=True)[1] == m.IRR_MULTIPLE
    # -100, +50, -10, +100: three sign changes; f(v) = -100 + 50v - 10v^2 + 100v^3 is
    # increasing for v > 0 (f' = 50 - 20v + 300v^2 > 0), so there is exactly one root.
    rate, code = m.irr([-100, 50, -10, 100], return_codes=True)
    assert code == m.IRR_OK
    assert m.npv(rate, [-100, 50, -10, 100]) == pytest.approx(0.0, abs=1e-9)
    assert rate == pytest.approx(npf.irr([-100, 50, -10, 100]), abs=1e-9)


def test_irr_mixed_rows_in_one_call() -> None:
    cf = np.array(
        [
            [-100, 60, 72],
            [100, 50, 20],
            [-1600, 10000, -10000],
            [-100, 110, 0],
        ],
        dtype=float,
    )
    rate, codes = m.irr(cf, return_codes=True)
    assert rate[0] == pytest.approx(0.2, abs=1e-12)
    assert rate[3] == pytest.approx(0.1, abs=1e-12)
    assert np.isnan(rate[1]) and np.isnan(rate[2])
    assert codes.tolist() == [0, m.IRR_NO_SIGN_CHANGE, m.IRR_MULTIPLE, 0]


def _conventional_flows() -> st.SearchStrategy[list[float]]:
    """Investment first, income after: exactly one sign change, as in most projects."""
    money = st.floats(min_value=1.0, max_value=1e7, allow_nan=False)
    income = st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=1e7))
    return st.tuples(
        st.lists(money, min_size=1, max_size=3),
        st.lists(income, min_size=1, max_size=25),
    ).map(lambda t: [-x for x in t[0]] + t[1])


@settings(max_examples=300, deadline=None)
@given(_conventional_flows())
def test_vectorised_irr_agrees_with_numpy_financial(values: list[float]) -> None:
    ours, code = m.irr(values, return_codes=True)
    ref = npf.irr(values)
    if code == m.IRR_NO_SIGN_CHANGE:  # all income zero
        assert not any(v > 0 for v in values)
        return
    assert code == m.IRR_OK
    if not np.isnan(ref) and -0.99 < ref < 10:
        # Beyond that range np.roots loses accuracy (e.g. [-1, 1803947, 60, 6809021, 0.03125]:
        # numpy-financial 1803948.84, exact 1803946.0000354 by 50-digit Newton, ours the
        # latter); there only the defining identity below is checked.
        assert ours == pytest.approx(ref, rel=1e-6, abs=1e-8)
    # The defining identity: NPV at the IRR is zero, relative to the size of its terms (not
    # checkable near -100 %, where 1 + IRR itself has lost its digits to cancellation).
    if ours < -0.999:
        return
    v = 1.0 / (1.0 + ours)
    terms = [c * v**t for t, c in enumerate(values)]
    assert abs(sum(terms)) <= 1e-9 * sum(abs(x) for x in terms)


@settings(max_examples=50, deadline=None)
@given(
    st.integers(min_value=0, max_value=2**32 - 1),
    st.integers(min_value=1, max_value=300),
    st.integers(min_value=2, max_value=30),
)
def test_irr_over_random_scenario_stacks_matches_row_by_row(seed: int, n: int, years: int) -> None:
    rng = np.random.default_rng(seed)
    cf = rng.normal(100.0, 80.0, size=(n, years))
    cf[:, 0] = -rng.uniform(100.0, 1000.0, size=n)
    stacked, codes = m.irr(cf, return_codes=True)
    for i in range(n):
        single, code = m.irr(cf[i], return_codes=True)
        assert code == codes[i]
        if code == 0:
            assert stacked[i] == pytest.approx(single, rel=1e-9, abs=1e-12)
            ref = npf.irr(cf[i])
            # numpy-financial picks the root closest to zero; ours is the unique one.
            assert stacked[i] == pytest.approx(ref, rel=1e-6, abs=1e-8)


# --------------------------------------------------------------------------- MIRR


@pytest.mark.parametrize(
    ("values", "fin", "reinv"),
    [
        ([-1000, 300, 300, 300, 300, 300], 0.08, 0.06),
        ([-120000, 39000, 30000, 21000, 37000, 46000], 0.10, 0.12),  # Excel MIRR help
        ([-100, 50, -20, 90, 40], 0.07, 0.05),
    ],
)
def test_mirr_agrees_with_numpy_financial(values: list[float], fin: float, reinv: float) -> None:
    assert m.mirr(values, fin, reinv) == pytest.approx(npf.mirr(values, fin, reinv), rel=1e-12)


def test_mirr_by_hand_and_excel() -> None:
    # Excel MIRR help: loan 120,000 at 10 %, income reinvested at 12 % -> 12.61 %.
    assert m.mirr([-120000, 39000, 30000, 21000, 37000, 46000], 0.10, 0.12) == pytest.approx(
        0.126094, abs=1e-6
    )
    # Hand: -100 then +121 after 2 years with nothing between:
    # FV of inflows = 121, PV of outflows = 100, (121/100)^(1/2) - 1 = 10 %.
    assert m.mirr([-100, 0, 121], 0.05, 0.07) == pytest.approx(0.10, abs=1e-12)
    assert math.isnan(m.mirr([100, 200], 0.1, 0.1))


# --------------------------------------------------------------------------- payback


@pytest.mark.parametrize(
    ("values", "expected", "why"),
    [
        # cumulative -1000, -600, -200, +200: k = 3, 3 - 1 + 200/400 = 2.5
        ([-1000, 400, 400, 400], 2.5, "crossing inside year 3"),
        # cumulative -1000, -500, 0: exactly zero at the end of year 2: 2 - 1 + 500/500 = 2
        ([-1000, 500, 500], 2.0, "crossing exactly at a year end"),
        # two years of investment, then 300 a year:
        # cumulative -500, -1000, -700, -400, -100, +200: k = 5, 4 + 100/300 = 4.3333
        ([-500, -500, 300, 300, 300, 300], 4 + 1 / 3, "two-year build"),
        # a year without flows before the investment: cumulative 0, -100, -40, +20: k = 3,
        # 2 + 40/60; the leading zero is not 'paid back' at t = 0.
        ([0, -100, 60, 60], 2 + 40 / 60, "leading zero year"),
        # no investment at all: nothing to pay back
        ([100, 100], 0.0, "never negative"),
    ],
)
def test_payback(values: list[float], expected: float, why: str) -> None:
    assert m.payback(values) == pytest.approx(expected, abs=1e-12), why


def test_payback_never() -> None:
    # cumulative -1000, -900, -800: still negative at the horizon.
    assert math.isnan(m.payback([-1000, 100, 100]))


def test_payback_keeps_the_first_crossing() -> None:
    # cumulative -100, +20, -80, +40: first crossing in year 1 (100/120 into it).
    assert m.payback([-100, 120, -100, 120]) == pytest.approx(100 / 120, abs=1e-12)


def test_payback_vectorised() -> None:
    out = m.payback(np.array([[-1000, 400, 400, 400], [-1000, 100, 100, 100]], dtype=float))
    assert out[0] == 2.5 and np.isnan(out[1])


def test_discounted_payback_by_hand() -> None:
    # At 10 %: -1000, 400/1.1 = 363.636, 400/1.21 = 330.579, 400/1.331 = 300.526,
    # 400/1.4641 = 273.205. Cumulative after year 3: -5.259; year 4 crosses:
    # 3 + 5.259/273.205 = 3.01925.
    assert m.discounted_payback(0.10, [-1000, 400, 400, 400, 400]) == pytest.approx(
        3.019250, abs=1e-6
    )
    assert math.isnan(m.discounted_payback(0.10, [-1000, 400, 400, 400]))
    # At a zero rate it is the simple payback.
    assert m.discounted_payback(0.0, [-1000, 400, 400, 400]) == 2.5


# --------------------------------------------------------------------------- DSCR


def test_dscr_by_hand() -> None:
    out = m.dscr([0, 500, 500, 300], [0, 100, 400, 300])
    assert np.isnan(out[0])
    assert out[1:].tolist() == [5.0, 1.25, 1.0]


def _roots_reference(values: np.ndarray) -> tuple[int, float]:
    """Classify by all roots from numpy.roots (companion matrix), row by row."""
    if np.all(values >= 0) or np.all(values <= 0):
        return m.IRR_NO_SIGN_CHANGE, math.nan
    roots = np.roots(values[::-1])
    real = roots[(np.abs(roots.imag) < 1e-9) & (roots.real > 0)].real
    if real.size == 0:
        return m.IRR_NO_ROOT, math.nan
    if real.size > 1:
        return m.IRR_MULTIPLE, math.nan
    return m.IRR_OK, 1.0 / real[0] - 1.0


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=3, max_value=25))
def test_irr_with_several_sign_changes_matches_all_roots(seed: int, years: int) -> None:
    # Volatile flows and a mid-life reinvestment: most rows change sign several times, so the
    # certified-grid path and its companion-matrix fallback are both exercised.
    rng = np.random.default_rng(seed)
    cf = rng.normal(50.0, 150.0, size=(400, years))
    cf[:, 0] = -1000.0
    cf[::2, years // 2] -= 800.0
    rate, codes = m.irr(cf, return_codes=True)
    for i in range(cf.shape[0]):
        code, ref = _roots_reference(cf[i])
        assert codes[i] == code, cf[i]
        if code == m.IRR_OK:
            assert rate[i] == pytest.approx(ref, rel=1e-7, abs=1e-9)


def _payback_by_loop(values: list[float]) -> float:
    """The payback rule written as a plain loop, to check the vectorised one."""
    cumulative, was_negative = 0.0, False
    for k, cf in enumerate(values):
        before = cumulative
        cumulative += cf
        if was_negative and cumulative >= 0:
            return k - 1 + (-before) / cf
        was_negative = was_negative or cumulative < 0
    return math.nan if was_negative else 0.0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-1000, max_value=1000), min_size=1, max_size=15))
def test_payback_agrees_with_a_plain_loop(values: list[int]) -> None:
    flows = [float(v) for v in values]
    expected = _payback_by_loop(flows)
    got = m.payback(flows)
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)
    stacked = m.payback(np.array([flows, flows]))
    assert np.array_equal(stacked, [got, got], equal_nan=True)


def test_mirr_over_a_stack_agrees_with_numpy_financial() -> None:
    rng = np.random.default_rng(4)
    cf = rng.normal(100, 200, size=(50, 12))
    cf[:, 0] = -1000
    out = m.mirr(cf, 0.08, 0.05)
    for i in range(50):
        assert out[i] == pytest.approx(npf.mirr(cf[i], 0.08, 0.05), rel=1e-12)
