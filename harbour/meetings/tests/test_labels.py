"""Every code shown on the meetings pages is shown by its label (issue 10, 7)."""

import pytest

from harbour.meetings.models import Trigger
from harbour.meetings.triggers import trigger_words


@pytest.mark.parametrize("code", Trigger.values)
def test_every_meeting_trigger_is_shown_in_words(code):
    words = trigger_words(code)
    assert words != code and "_" not in words
