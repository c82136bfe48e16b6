"""Compiled win-model trees (lleaves): the same scores as LightGBM, through revintel's own path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from revintel.deals import compiled
from revintel.deals import model as win_model
from revintel.deals.data import load_frames
from revintel.deals.features import CATEGORICAL
from revintel.scope import Scope


@pytest.fixture(scope="module")
def scored(deals_rt):
    m = win_model.ensure(deals_rt)
    rows = win_model.score(m, load_frames(deals_rt, Scope.everything()), deals_rt.as_of())
    rng = np.random.default_rng(1)
    big = rows.iloc[rng.integers(0, len(rows), compiled.MIN_ROWS + 5_000)].reset_index(drop=True)
    big.loc[::7, "amount_log"] = np.nan  # missing values take LightGBM's default branch
    cat = next(c for c in CATEGORICAL if c in big)
    big.loc[::11, cat] = "a value never seen in training"
    return m, big


@pytest.mark.slow
def test_compiled_trees_score_exactly_like_lightgbm(scored) -> None:
    m, big = scored
    fast = compiled.compiled(m.folder)
    assert fast is not None and (m.folder / "model.so").exists()
    x = m.matrix(big)
    reference = m.booster.predict(x, raw_score=True)
    assert m.margin(big) == pytest.approx(reference, abs=1e-9)  # a large batch goes through lleaves
    assert m.calibrated(big) == pytest.approx(np.clip(m.calibrator(reference), 0, 1), abs=1e-9)


def test_the_columnar_matrix_codes_categories_by_the_training_vocabulary(scored) -> None:
    m, big = scored
    x = m.matrix(big.head(50))
    for j, name in enumerate(m.card.features):
        col = big[name].head(50)
        if name in CATEGORICAL:
            vocab = {v: i for i, v in enumerate(m.card.categories.get(name, []))}
            want = col.map(lambda v, vocab=vocab: vocab.get(v, np.nan)).astype(float)
        else:
            want = pd.to_numeric(col).astype(float)
        np.testing.assert_array_equal(x[:, j], want.to_numpy())


def test_a_model_that_was_never_saved_scores_with_lightgbm(scored) -> None:
    assert compiled.compiled(None) is None
