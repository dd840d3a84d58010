"""GOV.UK wording for text that is too long, on every form field of the project.

Django's own message ("Ensure this value has at most 200 characters (it has 5000).") reads
as a machine's. A field that gives its own `max_length` message keeps it; every other text
field says what to do, in the design system's words, and names the field when it has a
label."""

from __future__ import annotations

from typing import Any

_MARK = "_harbour_govuk_length_messages"


def too_long_message(label: str | None, limit: int) -> str:
    """ "Minutes must be 50,000 characters or fewer", or without a label "Enter 200
    characters or fewer"."""
    if label:
        return f"{label} must be {limit:,} characters or fewer"
    return f"Enter {limit:,} characters or fewer"


def govuk_length_messages_on_every_text_field() -> None:
    """Done once, at start-up (harbour.common.apps), on forms.CharField itself, so that no
    form, present or future, shows Django's wording."""
    from django import forms
    from django.core.exceptions import ValidationError

    django_clean = forms.CharField.clean
    if getattr(django_clean, _MARK, False):
        return

    def clean(field: forms.CharField, value: Any) -> Any:
        try:
            return django_clean(field, value)
        except ValidationError as problem:
            if "max_length" in field.error_messages or field.max_length is None:
                raise
            raise ValidationError(
                [
                    ValidationError(
                        too_long_message(
                            None if field.label is None else str(field.label), field.max_length
                        ),
                        "max_length",
                    )
                    if item.code == "max_length"
                    else item
                    for item in problem.error_list
                ]
            ) from None

    setattr(clean, _MARK, True)
    clean.__doc__ = django_clean.__doc__
    # The stubs give CharField the clean of any Field; this one is only ever CharField's.
    forms.CharField.clean = clean  # type: ignore[method-assign,assignment]
