"""Schedules in words: presets and a time become cron; any cron reads back in words."""

from __future__ import annotations

import datetime as dt

import pytest
from croniter import croniter

from revintel.briefs.presets import describe, from_cron, to_cron
from revintel.errors import InvalidRequest


@pytest.mark.parametrize(
    ("preset", "at", "cron", "words"),
    [
        ("weekdays", "07:00", "0 7 * * 1-5", "Every weekday at 7:00 Europe/London"),
        ("first_monday", "08:30", "30 8 * * 1#1", "First Monday of the month at 8:30 Europe/London"),
        ("daily", "18:05", "5 18 * * *", "Every day at 18:05 Europe/London"),
    ],
)
def test_a_preset_and_a_time_become_cron_and_read_back_in_words(preset, at, cron, words) -> None:
    assert to_cron(preset, at) == cron
    assert from_cron(cron) == (preset, at)
    assert describe(cron, "Europe/London") == words


def test_first_monday_of_the_month_runs_on_first_mondays() -> None:
    it = croniter(to_cron("first_monday", "07:00"), dt.datetime(2026, 1, 1))
    runs = [it.get_next(dt.datetime) for _ in range(3)]
    assert runs == [dt.datetime(2026, 1, 5, 7), dt.datetime(2026, 2, 2, 7), dt.datetime(2026, 3, 2, 7)]


def test_custom_keeps_the_expert_cron_and_says_so() -> None:
    assert to_cron("custom", "", "15 6 * * 2") == "15 6 * * 2"
    assert describe("15 6 * * 2") == "cron 15 6 * * 2 (UTC)"


@pytest.mark.parametrize("at", ["7am", "24:00", "07:60", ""])
def test_a_time_that_is_not_hh_mm_is_refused_with_what_was_expected(at) -> None:
    with pytest.raises(InvalidRequest, match="not a time of day") as e:
        to_cron("weekdays", at)
    assert e.value.details["expected"] == "HH:MM (00:00-23:59)"


@pytest.mark.slow  # the page composes today's brief first
def test_the_briefs_page_offers_presets_and_shows_schedules_in_words(client_as) -> None:
    c = client_as("cfo")
    r = c.post(
        "/briefs/schedules",
        data={
            "name": "Morning",
            "preset": "weekdays",
            "at": "07:00",
            "timezone": "Europe/London",
            "channels": "email",
            "email_to": "cfo@example.com",
        },
        follow_redirects=True,
    )
    assert r.status_code == 200
    assert 'data-testid="schedule-preset"' in r.text and "First Monday of the month" in r.text
    assert "Every weekday at 7:00 Europe/London" in r.text
