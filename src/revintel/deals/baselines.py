"""The simple forecasts a win model must beat, fitted on the same earlier windows it learns from.

* ``base_rate``: every deal gets the win rate of the rows the model learned from;
* ``crm_stage``: the CRM's own stage probability (where the CRM records one for most deals);
* ``age_logistic``: a logistic regression on the deal's age alone (``log(1 + days open)``).

Each is a :class:`Fallback`: a small, saved predictor. When none of the model's test-window
Brier score beats the best of them, the model card says so and the fallback is what
:meth:`revintel.deals.model.WinModel.predict` serves (so the forecast uses the better one).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

NAMES = ("base_rate", "crm_stage", "age_logistic")
MIN_CRM_COVERAGE = 0.5


@dataclass
class Fallback:
    """A baseline predictor: ``kind`` is one of :data:`NAMES`; ``params`` what it needs."""

    kind: str
    params: dict[str, float] = field(default_factory=dict)

    def __call__(self, f: pd.DataFrame) -> np.ndarray:
        """Probability of winning per row of ``f`` (features as built by ``features_as_of``)."""
        rate = float(self.params.get("rate", 0.5))
        if self.kind == "crm_stage":
            crm = (
                f["crm_probability"].astype(float)
                if "crm_probability" in f
                else pd.Series(np.nan, index=f.index)
            )
            return crm.fillna(rate).clip(0, 1).to_numpy()
        if self.kind == "age_logistic":
            age = f["age_days"].astype(float).fillna(self.params.get("median_age", 0.0)).clip(lower=0)
            z = self.params["intercept"] + self.params["coef"] * np.log1p(age.to_numpy())
            return 1.0 / (1.0 + np.exp(-z))
        return np.full(len(f), rate)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def fit(rows: pd.DataFrame) -> dict[str, Fallback | None]:
    """Every baseline fitted on ``rows`` (labelled training rows); ``None`` where one cannot be built."""
    y = rows["won"].to_numpy(int)
    rate = float(y.mean()) if len(y) else 0.5
    out: dict[str, Fallback | None] = {"base_rate": Fallback("base_rate", {"rate": rate})}
    crm = rows["crm_probability"] if "crm_probability" in rows else pd.Series(dtype=float)
    coverage = float(crm.notna().mean()) if len(crm) else 0.0
    out["crm_stage"] = Fallback("crm_stage", {"rate": rate}) if coverage >= MIN_CRM_COVERAGE else None
    age = rows["age_days"].astype(float)
    ok = age.notna().to_numpy()
    if ok.sum() >= 30 and len(np.unique(y[ok])) == 2:
        lr = LogisticRegression(C=1.0).fit(np.log1p(age[ok].clip(lower=0)).to_numpy().reshape(-1, 1), y[ok])
        out["age_logistic"] = Fallback(
            "age_logistic",
            {
                "rate": rate,
                "coef": float(lr.coef_[0, 0]),
                "intercept": float(lr.intercept_[0]),
                "median_age": float(age.median()),
            },
        )
    else:
        out["age_logistic"] = None
    return out
