"""Every form of the project says that text is too long in GOV.UK words, never Django's
"Ensure this value has at most ... characters" (issue 10, bug 8)."""

import pytest

from harbour.common.form_messages import too_long_message

from .every_form import build, every_form_class, text_fields

pytestmark = pytest.mark.django_db

FORMS = every_form_class()


def _name(cls):
    return f"{cls.__module__.removeprefix('harbour.')}.{cls.__qualname__}"


@pytest.mark.parametrize("cls", FORMS, ids=_name)
def test_text_over_a_fields_limit_is_refused_in_govuk_words(cls):
    form = build(cls)
    for name in text_fields(form):
        limit = form.fields[name].max_length
        if limit is None:
            continue
        too_long = build(cls, {name: "a" * (limit + 1)})
        too_long.is_valid()
        # Another rule may speak first (an email address's form); Django's words never do.
        for message in too_long.errors.get(name, []):
            assert "Ensure this value" not in message, f"{_name(cls)}.{name}: {message}"
            if "characters" in message:
                assert f"{limit:,} characters or fewer" in message, f"{_name(cls)}.{name}"


def test_the_message_names_the_field_when_it_has_a_label():
    assert too_long_message("Venue", 200) == "Venue must be 200 characters or fewer"
    assert too_long_message(None, 5000) == "Enter 5,000 characters or fewer"
