"""Every code shown on the meetings pages is shown by its label (issue 10, 7)."""

import pytest

from harbour.meetings.models import Trigger
from harbour.meetings.thresholds import trigger_words


@pytest.mark.parametrize("code", Trigger.values)
def test_every_meeting_trigger_is_shown_in_words(code):
    words = trigger_words(code)
    assert words != code and "_" not in words


@pytest.mark.parametrize(
    ("utc", "words"),
    [
        ("2026-12-04T13:16:00+00:00", "4 December 2026 at 1:16pm"),
        ("2026-06-04T08:00:00+00:00", "4 June 2026 at 9am"),
        ("2026-12-04T12:00:00+00:00", "4 December 2026 at midday"),
        ("2026-12-04T00:00:00+00:00", "4 December 2026 at midnight"),
    ],
)
def test_times_on_the_meetings_pages_are_in_gov_uk_style(utc, words):
    import datetime as dt

    from harbour.common.display import when_text

    assert when_text(dt.datetime.fromisoformat(utc)) == words
