"""A forecast's P10-P90 are the calibrated ones on every path, even before anyone ran a backtest.

The standard backtest calibrates the band scale; the first forecast of a scope on new data runs it
(``bands.calibrated``), so a CLI in a home where no server ran shows the ranges the page shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from revintel.config import Settings
from revintel.forecast import BACKTEST_PERIODS
from revintel.forecast import backtest as backtest_module
from revintel.forecast.backtest import backtest
from revintel.forecast.rollup import forecast
from revintel.runtime import Runtime
from revintel.scope import get_persona


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    """A new home with the synthetic pipeline, where no backtest has run; calibration on (the default)."""
    from revintel.deals import synthetic

    monkeypatch.setenv("REVINTEL_HOME", str(tmp_path))
    monkeypatch.setenv("REVINTEL_FORECAST_CALIBRATE", "true")
    r = Runtime(Settings(home=tmp_path))
    synthetic.load(r.warehouse, synthetic.generate())
    yield r
    r.close()


def test_first_forecast_on_new_data_has_the_ranges_the_standard_backtest_calibrated(fresh, run_cli) -> None:
    ceo = get_persona("ceo").scope
    first = forecast(fresh, ceo).to_dict()
    scale = first["model"]["band_scale"]
    assert scale is not None and scale > 0  # not the model's own ranges
    calls = []
    original = backtest_module.backtest

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(backtest_module, "backtest", counting)
        assert forecast(fresh, ceo).to_dict()["model"]["band_scale"] == scale
    assert calls == []  # calibrated once per data, scope and date: the second forecast replays nothing
    assert backtest(fresh, ceo, BACKTEST_PERIODS)["band_scale"] == scale  # the page's: same scale
    code, out, _ = run_cli("forecast", "--json")
    assert code == 0
    cli = json.loads(out)
    assert cli["model"]["band_scale"] == scale
    assert cli["total"]["p10"] == pytest.approx(first["total"]["p10"])
    assert cli["total"]["p90"] == pytest.approx(first["total"]["p90"])


def test_a_scope_with_too_little_history_keeps_the_model_ranges_and_is_not_replayed_again(
    fresh, monkeypatch
) -> None:
    ceo = get_persona("ceo").scope
    as_of = fresh.as_of()
    # seven months into the synthetic history: a model trains, but no past quarter can be replayed
    early = as_of.replace(year=as_of.year - 1, month=8, day=15)
    out = forecast(fresh, ceo, as_of=early).to_dict()
    assert out["model"]["band_scale"] is None
    monkeypatch.setattr(backtest_module, "backtest", lambda *a, **k: pytest.fail("replayed again"))
    assert forecast(fresh, ceo, as_of=early).to_dict()["model"]["band_scale"] is None


def test_calibration_off_leaves_the_model_ranges(tmp_path: Path) -> None:
    from revintel.deals import synthetic

    r = Runtime(Settings(home=tmp_path, forecast_calibrate=False))
    try:
        synthetic.load(r.warehouse, synthetic.generate())
        assert forecast(r, get_persona("ceo").scope).to_dict()["model"]["band_scale"] is None
    finally:
        r.close()
