"""Every form of the project refuses control characters in every text field, with the error
on that field (harbour.common.text): forms are found by importing every module, so a new
form is checked without anyone adding it here."""

import pytest

from .every_form import build, every_form_class, text_fields

pytestmark = pytest.mark.django_db

FORMS = every_form_class()


def _name(cls):
    return f"{cls.__module__.removeprefix('harbour.')}.{cls.__qualname__}"


def test_the_walk_finds_the_forms_of_every_app():
    found = {_name(cls) for cls in FORMS}
    for expected in (
        "missing.forms.NotificationForm",
        "missing.upload.forms.MappingForm",
        "interviews.forms.InterviewForm",
        "meetings.forms.ActionForm",
        "authorities.forms.AuthorityForm",
        "audit.forms.TrailFilterForm",
        "accounts.forms.SignInForm",
        "accounts.staff_forms.AddStaffForm",
    ):
        assert expected in found


@pytest.mark.parametrize("cls", FORMS, ids=_name)
def test_a_nul_in_any_text_field_is_refused_on_that_field(cls):
    for name in text_fields(build(cls)):
        form = build(cls, {name: "Ad\x00a"})
        assert not form.is_valid()
        assert form.errors.get(name, [""])[0] == (
            "Remove the control character (U+0000) at character 3: it cannot be stored"
        ), f"{_name(cls)}.{name}"


@pytest.mark.parametrize("cls", FORMS, ids=_name)
def test_a_line_break_is_refused_on_one_line_and_kept_in_a_text_area(cls):
    for name, multi_line in text_fields(build(cls)).items():
        form = build(cls, {name: "first\r\nsecond"})
        form.is_valid()
        refused = "Remove the line break (U+000D) at character 6: this answer must be on one line"
        if multi_line:
            assert refused not in form.errors.get(name, []), f"{_name(cls)}.{name}"
        else:
            assert form.errors.get(name, [""])[0] == refused, f"{_name(cls)}.{name}"


@pytest.mark.parametrize("cls", FORMS, ids=_name)
def test_a_control_character_hidden_by_stripping_is_still_refused(cls):
    for name in text_fields(build(cls)):
        form = build(cls, {name: "Ada\x1f"})
        assert not form.is_valid()
        assert "U+001F" in form.errors.get(name, [""])[0], f"{_name(cls)}.{name}"
