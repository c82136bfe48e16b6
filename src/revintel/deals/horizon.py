"""The period a deal's probability covers: the forecast quarter, and P(close inside it | win).

Deals and the forecast both need these, so they live here, below both (the forecast imports deals,
never the other way round).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from revintel.semantic.time import Period, parse_period

if TYPE_CHECKING:
    from revintel.deals.model import WinModel


def resolve_period(text: str | None, as_of: dt.date, fiscal_start_month: int = 1) -> Period:
    """Parse ``text`` as a period; ``None`` is the quarter in progress on the day after ``as_of``.

    Besides the semantic layer's phrases, ``next quarter``, ``next month`` and ``next year`` work.
    """
    if text is None:
        return parse_period("this quarter", as_of + dt.timedelta(days=1), fiscal_start_month)
    norm = text.strip().lower()
    if norm.startswith("next "):
        this = parse_period("this " + norm[5:], as_of, fiscal_start_month)
        return parse_period("this " + norm[5:], this.end + dt.timedelta(days=1), fiscal_start_month)
    return parse_period(text, as_of, fiscal_start_month)


def period_probabilities(model: WinModel, deals: pd.DataFrame, period: Period, as_of: dt.date) -> np.ndarray:
    """P(close inside ``period`` | win) per open deal, from the empirical time-to-close."""
    if period.end <= as_of or deals.empty:
        return np.zeros(len(deals))
    first = max((period.start - as_of).days, 1)
    return model.timing.prob_between(deals, first, (period.end - as_of).days)
