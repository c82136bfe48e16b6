"""The win model's trees compiled to machine code with lleaves, for scoring many deals at once.

LightGBM's own ``Booster.predict`` walks the trees in an interpreter loop; lleaves compiles the
same model file (the same trees, thresholds and categorical splits) with LLVM into a native
function, which scores 1M deals several times faster (docs/performance.md). The compiled library
is cached next to the model (``model.so`` in the model's folder, written once per model version),
so a restarted process loads it in milliseconds. The compiled scores equal LightGBM's raw scores
(tests/deals/test_compiled.py); where lleaves or LLVM is unavailable, or compilation fails,
scoring falls back to LightGBM and logs why.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("revintel.deals.compiled")

#: below this many rows LightGBM's own predict is as fast as calling into the compiled model
MIN_ROWS = 20_000
_lock = threading.Lock()
_loaded: dict[str, Any] = {}
_failed: set[str] = set()


def compiled(folder: Path | None, *, build: bool = True) -> Any | None:
    """The lleaves model compiled from ``folder/model.txt`` (raw scores), or None.

    Args:
        folder: a saved model's folder (None for models that were never saved, e.g. backtests).
        build: compile now when no compiled library is cached yet (seconds); False only loads one.
    """
    if folder is None or not (folder / "model.txt").exists():
        return None
    key = str(folder)
    with _lock:
        if key in _loaded:
            return _loaded[key]
        if key in _failed:
            return None
        lib = folder / "model.so"
        if not lib.exists() and not build:
            return None
        try:
            import lleaves

            model = lleaves.Model(model_file=str(folder / "model.txt"))
            tmp = folder / f"model.{threading.get_ident()}.so"
            if lib.exists():
                model.compile(cache=str(lib), raw_score=True)
            else:
                model.compile(cache=str(tmp), raw_score=True)
                tmp.replace(lib)
        except Exception:  # optional accelerator: any failure means LightGBM scores instead
            log.warning("could not compile the win model with lleaves; scoring with LightGBM", exc_info=True)
            _failed.add(key)
            return None
        _loaded[key] = model
        return model


def raw_scores(model: Any, x: np.ndarray, threads: int) -> np.ndarray:
    """Raw log-odds from a compiled model for the feature matrix ``x`` (float64, C order)."""
    return np.asarray(model.predict(np.ascontiguousarray(x, dtype=np.float64), n_jobs=threads))
