"""Precision and recall of the trackers on a labelled set of turns.

The set is a text file, one turn per line: ``role | labels | text``. Labels are objection
categories, ``comp=<Competitor>``, ``risk``, ``next`` and ``amount=<number> <CUR>``, comma
separated (empty: nothing should be found). Each (turn, label) pair counts once.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from revintel.conversations.trackers import Match, Trackers, load_trackers, match_turn


def labels_of(matches: list[Match]) -> set[str]:
    """The labels a list of tracker hits stands for, in the labelled set's vocabulary."""
    out = set()
    for m in matches:
        if m.kind == "objection":
            out.add(m.name)
        elif m.kind == "competitor":
            out.add(f"comp={m.name}")
        elif m.kind == "risk":
            out.add("risk")
        elif m.kind == "next_step":
            out.add("next")
        elif m.kind == "pricing" and m.amount is not None:
            out.add(f"amount={m.amount:g} {m.currency}")
    return out


def read_labelled(path: Path) -> list[tuple[str, set[str], str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        role, labels, text = (p.strip() for p in line.split("|", 2))
        wanted = set()
        for lab in (x.strip() for x in labels.split(",") if x.strip()):
            if lab.startswith("amount="):
                num, cur = lab[7:].split()
                lab = f"amount={float(num):g} {cur}"
            wanted.add(lab)
        rows.append((role, wanted, text))
    return rows


def family(label: str) -> str:
    if "=" in label:
        return label.split("=", 1)[0]
    return label if label in ("risk", "next") else "objection"


def evaluate(path: Path, trackers: Trackers | None = None) -> dict[str, Any]:
    """Micro precision/recall overall and by family (objection, comp, risk, next, amount)."""
    trackers = trackers or load_trackers()
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    errors = []
    rows = read_labelled(path)
    for role, wanted, text in rows:
        got = labels_of(match_turn(text, role, trackers))
        for lab in got & wanted:
            tp[family(lab)] += 1
        for lab in got - wanted:
            fp[family(lab)] += 1
        for lab in wanted - got:
            fn[family(lab)] += 1
        if got != wanted:
            errors.append(
                {"text": text, "role": role, "missed": sorted(wanted - got), "extra": sorted(got - wanted)}
            )

    def pr(t: int, f_p: int, f_n: int) -> dict[str, float]:
        return {
            "precision": round(t / (t + f_p), 3) if t + f_p else 1.0,
            "recall": round(t / (t + f_n), 3) if t + f_n else 1.0,
            "support": t + f_n,
        }

    fams = sorted(set(tp) | set(fp) | set(fn))
    return {
        "turns": len(rows),
        **pr(sum(tp.values()), sum(fp.values()), sum(fn.values())),
        "by_family": {f: pr(tp[f], fp[f], fn[f]) for f in fams},
        "errors": errors,
    }
