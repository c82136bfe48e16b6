"""Mapping a CRM's stage names onto the canonical stages.

The built-in mapping (``stages.yaml`` next to this module) covers the standard Salesforce and
HubSpot pipelines. ``--mapping FILE`` or ``REVINTEL_STAGE_MAPPING_FILE`` names a YAML file whose
entries are added over it (user entries win). A stage found in no mapping is an error naming the
value and the mapping file, unless the record's own closed/won flags say how it ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from revintel.errors import Problem, ValidationFailed
from revintel.warehouse.schema import STAGE_ORDER, STAGES

DEFAULT_MAPPING = Path(__file__).with_name("stages.yaml")
STATUS_OF = dict(STAGES)


@dataclass
class StageMapping:
    """Source stage (lower-cased) -> canonical stage, and the file(s) it came from."""

    stages: dict[str, str]
    files: list[Path]

    @property
    def label(self) -> str:
        """The mapping file a user should edit (theirs when given, else the built-in one)."""
        return str(self.files[-1])

    def get(self, source_stage: str | None) -> str | None:
        return None if source_stage is None else self.stages.get(source_stage.strip().lower())

    def rows(self) -> list[tuple[str, str, str]]:
        """``(source stage lower-cased, canonical stage, status)`` rows, for a scratch table."""
        return [(k, v, STATUS_OF[v]) for k, v in self.stages.items()]


def _section(data: object, source: str, path: Path) -> dict[str, str]:
    if not isinstance(data, dict):
        raise ValidationFailed(
            f"stage mapping {path} is not a YAML mapping",
            problems=[
                Problem("not a mapping", file=str(path), expected="`source stage: canonical stage` lines")
            ],
        )
    if any(isinstance(v, dict) for v in data.values()):
        merged: dict[str, str] = {}
        for key in ("default", source):
            merged.update(data.get(key) or {})
        return merged
    return dict(data)


def _check(entries: dict[str, str], path: Path) -> dict[str, str]:
    problems = [
        Problem(
            "not a canonical stage",
            file=str(path),
            column=str(k),
            value=v,
            expected="one of " + ", ".join(STAGE_ORDER),
        )
        for k, v in entries.items()
        if v not in STAGE_ORDER
    ]
    if problems:
        raise ValidationFailed(
            f"stage mapping {path} maps to unknown stages", problems=problems, total=len(problems)
        )
    return {str(k).strip().lower(): v for k, v in entries.items()}


def load_mapping(source: str, override: Path | None = None) -> StageMapping:
    """The stage mapping for ``source``: the built-in one with ``override``'s entries on top.

    Raises:
        ValidationFailed: The override is not YAML or maps to a non-canonical stage.
    """
    stages = _check(
        _section(yaml.safe_load(DEFAULT_MAPPING.read_text()), source, DEFAULT_MAPPING), DEFAULT_MAPPING
    )
    files = [DEFAULT_MAPPING]
    if override is not None:
        path = Path(override).expanduser()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ValidationFailed(
                f"cannot read the stage mapping {path}",
                problems=[
                    Problem(
                        str(exc).splitlines()[0],
                        file=str(path),
                        expected="a YAML file of `source stage: canonical stage` lines",
                    )
                ],
                total=1,
            ) from exc
        stages.update(_check(_section(data or {}, source, path), path))
        files.append(path)
    return StageMapping(stages, files)


def unmapped_stage_problems(
    rows: list[tuple[str, int, int]], *, file: str, column: str, mapping_label: str, what: str, unit: str
) -> list[Problem]:
    """One located problem per ``(stage, first line, count)`` whose stage the mapping does not know."""
    return [
        Problem(
            f"{what} {stage!r} is not in the stage mapping ({n} {unit})",
            file=file,
            line=line,
            column=column,
            value=stage,
            expected=f"a stage listed in {mapping_label} (add `{stage}: <canonical stage>` there, "
            "or pass --mapping FILE)",
        )
        for stage, line, n in rows
    ]
