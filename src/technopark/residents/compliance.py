"""Compliance of one commitment on one date (pure Python, no Django).

A commitment has a start date, a due date and either a numeric target (investment, jobs,
export share) or an event to happen (construction started, documents filed). On a date it is:

* ``met`` — the target is reached, or the event happened, on or before the due date;
  (``met`` is a fourth status beside the three asked for: a fulfilled commitment is neither
  merely "on track" nor at risk);
* ``breached`` — the due date has passed and it is not met (an event that happened late is a
  breach too: the term was missed);
* ``at_risk`` — the share of the time gone, ``(today − start) / (due − start)``, is at least
  ``time_share`` and the share of the target reached, ``actual / target``, is below
  ``progress_share`` (an event not yet happened counts as 0 reached);
* ``on_track`` — otherwise.

The thresholds come from the regime's commitment template (``at_risk`` block) and default to
time ≥ 0.5 and progress < 0.5.

>>> import datetime as dt
>>> from decimal import Decimal
>>> r = evaluate(start=dt.date(2026, 1, 1), due=dt.date(2026, 12, 31), today=dt.date(2026, 9, 1),
...              target=Decimal(100), actual=Decimal(30))
>>> r.status, round(r.time_share, 3), r.progress_share  # 243 of 364 days gone, 30 % reached
('at_risk', 0.668, Decimal('0.3'))
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

ON_TRACK = "on_track"
AT_RISK = "at_risk"
BREACHED = "breached"
MET = "met"

DEFAULT_TIME_SHARE = 0.5
DEFAULT_PROGRESS_SHARE = Decimal("0.5")


@dataclass(frozen=True)
class Evaluation:
    """The result: a status, the two shares it was decided on, and the facts for the reason."""

    status: str
    time_share: float
    progress_share: Decimal | None
    days_left: int


def evaluate(
    *,
    start: dt.date,
    due: dt.date,
    today: dt.date,
    target: Decimal | None = None,
    actual: Decimal | None = None,
    done_on: dt.date | None = None,
    reached_on: dt.date | None = None,
    time_share: float = DEFAULT_TIME_SHARE,
    progress_share: Decimal = DEFAULT_PROGRESS_SHARE,
) -> Evaluation:
    """Evaluate one commitment (see the module docstring for the rules).

    Numeric commitments pass ``target`` and ``actual`` (None = nothing reported = 0) and, when
    known, ``reached_on`` — the end of the period in which the target was reached (reached after
    the due date = breached); event commitments pass ``done_on`` (None = not yet).
    """
    span = (due - start).days
    gone = (today - start).days
    share_gone = 1.0 if span <= 0 else min(max(gone / span, 0.0), 1.0)
    days_left = (due - today).days
    if target is not None:
        reached = actual or Decimal(0)
        progress = Decimal(1) if target <= 0 else reached / target
        if progress >= 1:
            late = reached_on is not None and reached_on > due
            return Evaluation(BREACHED if late else MET, share_gone, progress, days_left)
    else:
        if done_on is not None and done_on <= today:
            status = MET if done_on <= due else BREACHED
            return Evaluation(status, share_gone, Decimal(1), days_left)
        progress = Decimal(0)
    if today > due:
        return Evaluation(BREACHED, share_gone, progress if target is not None else None, days_left)
    if share_gone >= time_share and progress < progress_share:
        return Evaluation(AT_RISK, share_gone, progress if target is not None else None, days_left)
    return Evaluation(ON_TRACK, share_gone, progress if target is not None else None, days_left)
