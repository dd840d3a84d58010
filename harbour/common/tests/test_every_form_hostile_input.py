"""Every form of the project, filled with hostile text (Hypothesis): no exception escapes,
every refusal is on a field of the form (or the form as a whole), and a text field holding
a refused character is refused on that field (docs/security.md, "Hostile input")."""

import pytest
from django.utils.datastructures import MultiValueDict
from hypothesis import given
from hypothesis import strategies as st

from harbour.common.text import refused_character

from .every_form import build, every_form_class, text_fields
from .hostile import HOSTILE_TEXT, hostile_settings

pytestmark = pytest.mark.django_db

FORMS = every_form_class()


def _name(cls):
    return f"{cls.__module__.removeprefix('harbour.')}.{cls.__qualname__}"


@pytest.mark.parametrize("cls", FORMS, ids=_name)
def test_any_text_in_any_field_is_refused_on_that_field_or_accepted(cls):
    names = list(build(cls).fields)

    @hostile_settings(max_examples=25)
    @given(st.fixed_dictionaries({name: HOSTILE_TEXT for name in names}))
    def fill(values):
        form = build(cls, MultiValueDict({name: [value] for name, value in values.items()}))
        form.is_valid()
        assert set(form.errors) <= {*form.fields, "__all__"}
        for name, multi_line in text_fields(form).items():
            refused = refused_character(values[name], multi_line=multi_line)
            if refused is not None:
                assert form.errors[name][0] == refused.instruction, name
        if hasattr(form, "error_list"):
            form.error_list()

    fill()
