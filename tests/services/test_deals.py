"""The deals services: the risk list's kept JSON is encoded as the API's other answers are."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np

from revintel.services.deals import json_body


def test_a_missing_figure_is_sent_as_null_not_as_a_server_error() -> None:
    body = json_body(
        {"risk": float("nan"), "loss": np.float64("inf"), "rows": [1.5, float("-inf")], "n": np.int64(3)}
    )
    assert json.loads(body) == {"risk": None, "loss": None, "rows": [1.5, None], "n": 3}


def test_dates_and_non_ascii_names_read_back_as_sent() -> None:
    body = json_body({"close_date": dt.date(2025, 12, 31), "account": "Société Générale"})
    assert json.loads(body) == {"close_date": "2025-12-31", "account": "Société Générale"}
    assert "Société".encode() in body
