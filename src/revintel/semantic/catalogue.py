"""Loading and validating the metric catalogue (built-in ``metrics.yaml`` + the user's file).

The built-in file must be valid (a test keeps it so). A user file (``REVINTEL_METRICS_FILE``) is
validated metric by metric with the line each problem is on; broken entries are left out and
reported in ``Catalogue.problems``, valid ones are merged over the built-in catalogue, and the
built-in catalogue always survives. :func:`check_metrics_file` raises the problems instead, for
``revintel metrics --check FILE``.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from revintel.errors import ConfigError, Problem, ValidationFailed
from revintel.semantic import expr
from revintel.semantic.model import (
    DIRECTIONS,
    DOMAINS,
    TABLE_JOINS,
    TIME_KINDS,
    UNITS,
    Budget,
    Catalogue,
    Dimension,
    Metric,
    TimeSpec,
)
from revintel.text import nearest
from revintel.warehouse.schema import TABLES_BY_NAME

log = logging.getLogger(__name__)
BUILTIN = "metrics.yaml"
_METRIC_KEYS = {
    "label",
    "description",
    "domain",
    "table",
    "date",
    "formula",
    "where",
    "compose",
    "time",
    "unit",
    "format",
    "direction",
    "synonyms",
    "dimensions",
    "grain",
    "budget",
    "headline",
    "hidden",
    "components",
    "latest",
}


def scoped_columns(table: str) -> list[str]:
    """Columns of the scoped table for ``table``: its own plus those its dimension joins bring."""
    cols = list(TABLES_BY_NAME[table].column_names)
    for join in TABLE_JOINS.get(table, ()):
        for out, _ in join.columns:
            if out not in cols:
                cols.append(out)
    return cols


#: libyaml's safe loader when PyYAML was built with it (10x faster: the catalogue is read at every start)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Reader:
    """Builds metrics and dimensions from one YAML document, collecting located problems."""

    def __init__(self, text: str, file: str):
        self.file = file
        self.text = text
        self.problems: list[Problem] = []
        self._root: Any = None  # the node tree, for line numbers: composed only if a problem needs one
        try:
            self.data = yaml.load(text, Loader=_LOADER) or {}  # noqa: S506 - a safe loader
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            self.problems.append(
                Problem(
                    f"not valid YAML: {getattr(exc, 'problem', exc)}",
                    file=file,
                    line=mark.line + 1 if mark else None,
                )
            )
            self.data = {}
        if not isinstance(self.data, dict):
            self.problems.append(
                Problem("expected a mapping with `metrics:` and/or `dimensions:`", file=file, line=1)
            )
            self.data = {}

    @property
    def root(self) -> Any:
        if self._root is None and self.text.strip():
            try:
                self._root = yaml.compose(self.text, Loader=_LOADER)
            except yaml.YAMLError:
                self._root = False
        return self._root

    def line_of(self, section: str, key: str) -> int | None:
        if not isinstance(self.root, yaml.MappingNode):
            return None
        for k, v in self.root.value:
            if k.value == section and isinstance(v, yaml.MappingNode):
                for kk, _ in v.value:
                    if kk.value == key:
                        return kk.start_mark.line + 1
        return None

    def problem(
        self,
        section: str,
        key: str,
        message: str,
        column: str | None = None,
        value: Any = None,
        expected: str | None = None,
    ) -> None:
        self.problems.append(
            Problem(
                f"{section[:-1]} {key!r}: {message}",
                file=self.file,
                line=self.line_of(section, key),
                column=column,
                value=value,
                expected=expected,
            )
        )

    def dimensions(self) -> dict[str, Dimension]:
        out = {}
        for key, spec in (self.data.get("dimensions") or {}).items():
            if not isinstance(spec, dict) or not spec.get("description"):
                self.problem("dimensions", key, "needs a description", column="description")
                continue
            out[key] = Dimension(
                id=key,
                label=spec.get("label", key.replace("_", " ").title()),
                description=spec["description"],
                column=spec.get("column", key),
                synonyms=tuple(str(s).lower() for s in spec.get("synonyms", ())),
                time=bool(spec.get("time", False)),
            )
        return out

    def metrics(self, known_dims: dict[str, Dimension], source: str) -> dict[str, Metric]:
        out = {}
        for key, spec in (self.data.get("metrics") or {}).items():
            before = len(self.problems)
            metric = self._metric(str(key), spec, known_dims, source)
            if metric is not None and len(self.problems) == before:
                out[metric.id] = metric
        return out

    def _metric(self, key: str, spec: Any, dims: dict[str, Dimension], source: str) -> Metric | None:
        if not isinstance(spec, dict):
            self.problem("metrics", key, "expected a mapping of fields")
            return None
        for name in set(spec) - _METRIC_KEYS:
            self.problem(
                "metrics", key, f"unknown field {name!r}", column=name, expected=nearest(name, _METRIC_KEYS)
            )
        for name in ("label", "description", "domain", "unit"):
            if not spec.get(name):
                self.problem("metrics", key, f"missing required field {name!r}", column=name)
        self._choice(key, spec, "domain", DOMAINS)
        self._choice(key, spec, "unit", UNITS)
        self._choice(key, spec, "direction", DIRECTIONS)
        time = self._time(key, spec.get("time") or {})
        if bool(spec.get("formula")) == bool(spec.get("compose")):
            self.problem("metrics", key, "needs exactly one of `formula` or `compose`", column="formula")
            return None
        if spec.get("formula"):
            self._check_formula(key, spec)
        allowed = self._allowed_dims(key, spec, dims)
        return Metric(
            id=key,
            label=str(spec.get("label", key)),
            description=str(spec.get("description", "")),
            domain=str(spec.get("domain", "")),
            unit=str(spec.get("unit", "")),
            direction=str(spec.get("direction", "up")),
            table=spec.get("table"),
            date=spec.get("date"),
            formula=spec.get("formula"),
            where=spec.get("where"),
            compose=spec.get("compose"),
            time=time,
            format=spec.get("format"),
            synonyms=tuple(str(s).lower() for s in spec.get("synonyms", ())),
            dimensions=allowed,
            grain=str(spec.get("grain", "month")),
            budget=self._budget(spec.get("budget")),
            headline=spec.get("headline"),
            hidden=bool(spec.get("hidden", False)),
            components=tuple(spec.get("components", ())),
            latest_by=tuple((spec.get("latest") or {}).get("by", ())),
            latest_order=(spec.get("latest") or {}).get("order"),
            source=source,
        )

    def _choice(self, key: str, spec: dict[str, Any], name: str, allowed: tuple[str, ...]) -> None:
        value = spec.get(name)
        if value is not None and value not in allowed:
            self.problem(
                "metrics",
                key,
                f"{name} must be one of {', '.join(allowed)}",
                column=name,
                value=value,
                expected=nearest(str(value), allowed),
            )

    def _time(self, key: str, spec: dict[str, Any]) -> TimeSpec:
        kind = spec.get("kind", "flow")
        if kind not in TIME_KINDS:
            self.problem(
                "metrics", key, f"time.kind must be one of {', '.join(TIME_KINDS)}", column="time", value=kind
            )
            kind = "flow"
        if kind == "snapshot" and not spec.get("valid_from"):
            self.problem("metrics", key, "a snapshot needs time.valid_from", column="time")
        return TimeSpec(
            kind=kind,
            valid_from=spec.get("valid_from"),
            valid_to=spec.get("valid_to"),
            open_when=spec.get("open_when"),
            at=spec.get("at", "end"),
            months=int(spec.get("months", 12)),
        )

    def _check_formula(self, key: str, spec: dict[str, Any]) -> None:
        table = spec.get("table")
        if table not in TABLES_BY_NAME:
            self.problem(
                "metrics",
                key,
                "unknown table",
                column="table",
                value=table,
                expected=nearest(str(table), TABLES_BY_NAME),
            )
            return
        cols = set(scoped_columns(table))
        texts = [("formula", spec["formula"]), ("where", spec.get("where")), ("date", None)]
        time = spec.get("time") or {}
        texts += [("time", time.get("open_when"))]
        for field_name, text in texts:
            if not text:
                continue
            try:
                used = expr.columns_of(str(text))
            except expr.FormulaError as exc:
                self.problem("metrics", key, exc.message, column=field_name, value=text)
                continue
            for col in sorted(used - cols):
                self.problem(
                    "metrics",
                    key,
                    f"{field_name} uses unknown column {col!r} of {table}",
                    column=field_name,
                    value=col,
                    expected=nearest(col, cols),
                )
        for field_name, named in (
            ("date", spec.get("date")),
            ("time", time.get("valid_from")),
            ("time", time.get("valid_to")),
        ):
            if named and named not in cols:
                self.problem(
                    "metrics",
                    key,
                    f"unknown column {named!r} of {table}",
                    column=field_name,
                    value=named,
                    expected=nearest(str(named), cols),
                )
        if not spec.get("date"):
            self.problem("metrics", key, "needs a `date` column placing rows in time", column="date")

    def _allowed_dims(self, key: str, spec: dict[str, Any], dims: dict[str, Dimension]) -> tuple[str, ...]:
        listed = spec.get("dimensions")
        if listed is not None:
            for d in listed:
                if d not in dims:
                    self.problem(
                        "metrics",
                        key,
                        "unknown dimension",
                        column="dimensions",
                        value=d,
                        expected=nearest(str(d), dims),
                    )
            return tuple(d for d in listed if d in dims)
        if spec.get("table") in TABLES_BY_NAME:
            cols = set(scoped_columns(spec["table"]))
            return tuple(d.id for d in dims.values() if not d.time and d.column in cols)
        return ()

    @staticmethod
    def _budget(spec: Any) -> Budget | None:
        if spec is None:
            return None
        if isinstance(spec, str):
            return Budget(metric=spec)
        dims = tuple(spec.get("dimensions", ("region", "capability")))
        return Budget(
            metric=spec.get("metric"),
            formula=spec.get("formula"),
            agg=spec.get("agg", "sum"),
            target=spec.get("target"),
            dimensions=dims,
        )


def _finish(metrics: dict[str, Metric], dims: dict[str, Dimension], reader: _Reader | None) -> None:
    """Cross-metric checks: compose references, components, targets; composite allowed dimensions."""
    for m in list(metrics.values()):
        refs: set[str] = set(m.components)
        if m.compose:
            try:
                refs |= expr.columns_of(m.compose)
            except expr.FormulaError as exc:
                refs = set()
                if reader:
                    reader.problem("metrics", m.id, exc.message, column="compose")
        if m.budget and m.budget.target:
            refs.add(m.budget.target)
        missing = sorted(r for r in refs if r not in metrics)
        if missing:
            if reader:
                reader.problem(
                    "metrics",
                    m.id,
                    f"refers to unknown metric(s) {', '.join(missing)}",
                    column="compose",
                    expected=nearest(missing[0], metrics),
                )
            metrics.pop(m.id, None)
    for m in list(metrics.values()):
        if m.compose and not m.dimensions:
            parts = [metrics[r] for r in expr.columns_of(m.compose)]
            common = [d for d in dims if all(d in p.dimensions for p in parts)]
            metrics[m.id] = _replace(m, dimensions=tuple(common))


def _replace(m: Metric, **changes: Any) -> Metric:
    from dataclasses import replace

    return replace(m, **changes)


@lru_cache(maxsize=1)
def builtin_text() -> str:
    return resources.files("revintel.semantic").joinpath(BUILTIN).read_text(encoding="utf-8")


def load_builtin() -> Catalogue:
    """The built-in catalogue; raises ConfigError if the packaged file is broken (a bug)."""
    reader = _Reader(builtin_text(), BUILTIN)
    dims = reader.dimensions()
    metrics = reader.metrics(dims, "built-in")
    _finish(metrics, dims, reader)
    if reader.problems:
        raise ConfigError("the built-in metric catalogue is invalid: " + "; ".join(map(str, reader.problems)))
    return Catalogue(metrics, dims)


def read_user_file(
    path: Path, base: Catalogue
) -> tuple[dict[str, Metric], dict[str, Dimension], list[Problem]]:
    """Valid metrics and dimensions of a user file, and the located problems of the rest."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        return {}, {}, [Problem(f"cannot read the metrics file: {exc.strerror}", file=str(path))]
    reader = _Reader(text, str(path))
    dims = {**base.dimensions_by_id, **reader.dimensions()}
    metrics = reader.metrics(dims, str(path))
    merged = {**base.metrics_by_id, **metrics}
    _finish(merged, dims, reader)
    user_metrics = {k: merged[k] for k in metrics if k in merged}
    user_dims = {k: v for k, v in dims.items() if k not in base.dimensions_by_id}
    return user_metrics, user_dims, reader.problems


def load_catalogue(settings: Any = None) -> Catalogue:
    """The catalogue: built-in metrics, plus valid metrics from ``settings.metrics_file`` if set.

    A broken user file never takes down the built-in catalogue: its problems are logged and kept in
    ``Catalogue.problems`` (each with file and line), and its valid metrics still load.
    """
    base = load_builtin()
    path = getattr(settings, "metrics_file", None)
    if not path:
        return base
    metrics, dims, problems = read_user_file(Path(path), base)
    for p in problems:
        log.warning("metrics file problem: %s", p)
    return Catalogue({**base.metrics_by_id, **metrics}, {**base.dimensions_by_id, **dims}, problems)


def check_metrics_file(path: Path) -> Catalogue:
    """Validate a user metrics file; raises ValidationFailed with every located problem."""
    base = load_builtin()
    metrics, dims, problems = read_user_file(Path(path), base)
    if problems:
        raise ValidationFailed(
            f"{path}: {len(problems)} problem(s) in the metrics file",
            problems=problems,
            total=len(problems),
            hint="fix the lines above; valid metrics still load",
        )
    return Catalogue({**base.metrics_by_id, **metrics}, {**base.dimensions_by_id, **dims})
