"""The stage mapping: built-in pipelines, user files added over them, and bad targets refused."""

from __future__ import annotations

import pytest

from revintel.errors import ValidationFailed
from revintel.warehouse.ingest.stages import DEFAULT_MAPPING, load_mapping


@pytest.mark.parametrize(
    ("source", "stage", "canonical"),
    [
        ("salesforce", "Negotiation/Review", "Negotiation"),
        ("salesforce", "  id. decision makers ", "Proposal"),
        ("hubspot", "appointmentscheduled", "Prospecting"),
        ("hubspot", "Contract Sent", "Negotiation"),
        ("maven", "Closed Won", "Closed Won"),
    ],
)
def test_built_in_stages_map_ignoring_case_and_spaces(source, stage, canonical):
    assert load_mapping(source).get(stage) == canonical


def test_a_source_does_not_see_another_sources_stages():
    assert load_mapping("salesforce").get("contractsent") is None


def test_a_user_file_adds_over_the_built_in_mapping_and_is_named_in_errors(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("Verbal Commit: Negotiation\nQualification: Proposal\n")
    mapping = load_mapping("salesforce", path)
    assert mapping.get("verbal commit") == "Negotiation"
    assert mapping.get("Qualification") == "Proposal"  # the user's entry wins
    assert mapping.get("Needs Analysis") == "Qualification"  # built-ins kept
    assert mapping.label == str(path) and mapping.files == [DEFAULT_MAPPING, path]


def test_a_target_that_is_not_a_canonical_stage_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("Verbal Commit: Almost Won\n")
    with pytest.raises(ValidationFailed) as info:
        load_mapping("salesforce", path)
    problem = info.value.problems[0]
    assert (problem.file, problem.column, problem.value) == (str(path), "Verbal Commit", "Almost Won")
    assert "Negotiation" in problem.expected


def test_a_missing_mapping_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValidationFailed, match="cannot read the stage mapping"):
        load_mapping("salesforce", tmp_path / "nope.yaml")
