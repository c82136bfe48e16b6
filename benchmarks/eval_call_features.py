"""Do conversation statistics improve the win model? Test-window AUC/Brier without and with them.

Runs :func:`revintel.deals.call_features.evaluate` (the models protocol: train, calibration and
test windows; only calls dated before each snapshot) as the CEO at one or more as-of dates on a
home that already holds data (e.g. after ``revintel demo seed``):

    .venv/bin/python benchmarks/eval_call_features.py --home ~/.revintel --as-of 2025-06-30 2025-12-31
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")


def main() -> None:
    import pandas as pd

    from revintel.config import Settings
    from revintel.deals.call_features import evaluate
    from revintel.runtime import Runtime
    from revintel.scope import get_persona

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--as-of", nargs="+", required=True)
    args = ap.parse_args()
    rt = Runtime(Settings(home=args.home))
    out = [evaluate(rt, get_persona("ceo").scope, pd.Timestamp(d)) for d in args.as_of]
    rt.close()
    print(json.dumps({"runs": out}, indent=2, default=str))


if __name__ == "__main__":
    main()
