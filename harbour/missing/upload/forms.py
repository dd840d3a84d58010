"""Forms for uploading a police CSV extract: the file and its force, the force's column
mapping, and the coordinator's answer for every row of the preview.

Every error names what is wrong and how to fix it; `error_list` gives the GOV.UK error
summary's entries, each linking to its field (a field's id is its name; a group of radios'
is its first radio). Errors about the form as a whole, or about a hidden field, link to
`summary_target`, an element every rendering of the page has."""

from __future__ import annotations

from typing import Any

from django import forms

from harbour.children.models import Sex

from ..models import Category, ColumnMapping, PoliceForce, RiskLevel
from .commit import REGISTER_CHANGED, changed_rows
from .files import MAX_BYTES, UploadRefused, read_table
from .mappings import (
    DEFAULT_CATEGORY_VALUES,
    DEFAULT_RISK_VALUES,
    FIELDS,
    format_choices,
    split_values,
)
from .preview import Preview


class UploadFormBase(forms.Form):
    summary_target = ""

    def error_list(self) -> list[dict[str, str]]:
        # An ErrorList gives each message as a str already; str() says so to the checker,
        # whose stubs allow a ValidationError or a lazy string.
        items = [
            {"text": str(message), "href": f"#{self.summary_target}"}
            for message in self.non_field_errors()
        ]
        for name, field in self.fields.items():
            target = self.summary_target if field.widget.is_hidden else name
            for message in self.errors.get(name, []):
                items.append({"text": str(message), "href": f"#{target}"})
        return items


class UploadForm(UploadFormBase):
    summary_target = "force"

    force = forms.ModelChoiceField(
        queryset=PoliceForce.objects.all(),
        error_messages={
            "required": "Select the police force that sent the extract",
            "invalid_choice": "Select the police force that sent the extract",
        },
    )
    file = forms.FileField(
        error_messages={
            "required": "Select the CSV file to upload",
            "empty": "The selected file is empty. Select the police extract",
            "invalid": "Select the CSV file to upload",
        }
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file must be smaller than {MAX_BYTES // (1024 * 1024)} MB. "
                "Split the extract into smaller files"
            )
        content = upload.read()
        try:
            read_table(content)
        except UploadRefused as problem:
            raise forms.ValidationError(str(problem)) from None
        return content


CATEGORY_FIELDS = [(f"category_{code}", code, label) for code, label in Category.choices]
RISK_FIELDS = [(f"risk_{code}", code, label) for code, label in RiskLevel.choices]
FORMAT_FIELDS = [
    ("datetime_format", "How the file writes a date and time", "For the date and time columns."),
    (
        "date_format",
        "How the file writes a date",
        "For dates of birth and a separate date column.",
    ),
    ("time_format", "How the file writes a time", "Only for a separate time column."),
]
FORMAT_KINDS = {"datetime_format": "date and time", "date_format": "date", "time_format": "time"}
# The columns whose values each format reads, for the example from the file itself.
FORMAT_COLUMNS = {
    "datetime_format": ("last_seen", "reported_at", "found_at"),
    "date_format": ("date_of_birth", "last_seen_date"),
    "time_format": ("last_seen_time",),
}


class MappingForm(UploadFormBase):
    """Which of the file's headers supplies each field; the values meaning each category
    and risk grade (comma-separated); the date formats."""

    summary_target = "police_reference"
    version = forms.IntegerField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "This page's copy of the mapping's version is not valid. Reload this "
            "page, check the columns and save the mapping again"
        },
    )

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", "Not in this file"), *[(header, header) for header in headers]]
        for item in FIELDS:
            self.fields[item.key] = forms.ChoiceField(choices=choices, required=False)
            self.fields[item.key].error_messages["invalid_choice"] = (
                "Select one of the file's columns, or 'Not in this file'"
            )
        for name, _code, _label in CATEGORY_FIELDS + RISK_FIELDS:
            self.fields[name] = forms.CharField(max_length=500, required=False, strip=True)
        for name, _label, _hint in FORMAT_FIELDS:
            chosen = self.data.get(name) if self.is_bound else self.initial.get(name)
            choices = format_choices(FORMAT_KINDS[name], keep=chosen or "")
            if name == "time_format":
                choices = [("", "No separate time column"), *choices]
            self.fields[name] = forms.ChoiceField(choices=choices, required=False)
            self.fields[name].error_messages["invalid_choice"] = (
                f"Select how the file writes a {FORMAT_KINDS[name]}"
            )

    def format_examples(self, first_values: dict[str, str]) -> dict[str, str]:
        """For each format, a value from the file in a column it reads: the live example
        the person compares with the choices."""
        examples = {}
        for name, keys in FORMAT_COLUMNS.items():
            for key in keys:
                header = self[key].value()
                if header and header in first_values:
                    examples[name] = (
                        f"This file has {first_values[header]} in its column '{header}'."
                    )
                    break
        return examples

    @staticmethod
    def initial_for(mapping: ColumnMapping | None, headers: list[str]) -> dict[str, Any]:
        if mapping is None:
            lowered = {header.lower(): header for header in headers}
            columns = {
                item.key: lowered[item.label.lower()]
                for item in FIELDS
                if item.label.lower() in lowered
            }
            category_values = DEFAULT_CATEGORY_VALUES
            risk_values = DEFAULT_RISK_VALUES
            formats = {"datetime_format": "%d/%m/%Y %H:%M", "date_format": "%d/%m/%Y"}
            version = None
        else:
            columns = {key: header for key, header in mapping.columns.items() if header in headers}
            category_values, risk_values = mapping.category_values, mapping.risk_values
            formats = {
                "datetime_format": mapping.datetime_format,
                "date_format": mapping.date_format,
                "time_format": mapping.time_format,
            }
            version = mapping.version
        initial: dict[str, Any] = {**columns, **formats, "version": version}
        for name, code, _label in CATEGORY_FIELDS:
            initial[name] = ", ".join(category_values.get(code, []))
        for name, code, _label in RISK_FIELDS:
            initial[name] = ", ".join(risk_values.get(code, []))
        return initial

    def mapping_values(self) -> dict[str, Any]:
        """The arguments for mappings.save_mapping (after is_valid)."""
        data = self.cleaned_data
        return {
            "columns": {item.key: data.get(item.key, "") for item in FIELDS},
            "category_values": {
                code: split_values(data.get(name, "")) for name, code, _label in CATEGORY_FIELDS
            },
            "risk_values": {
                code: split_values(data.get(name, "")) for name, code, _label in RISK_FIELDS
            },
            "formats": {name: data.get(name, "") for name, _label, _hint in FORMAT_FIELDS},
            "version": data.get("version"),
        }


SEX_CHOICES = [(Sex.UNKNOWN, Sex.UNKNOWN.label), (Sex.FEMALE, "Female"), (Sex.MALE, "Male")]


class ChoicesForm(UploadFormBase):
    """One answer for every row that can be recorded: `row-<n>` is "child:<pk>" (a child
    offered for that row), "new" or "skip"; `sex-<n>` the sex of a new child; `offered-<n>`
    (hidden) the digest of the answers the row was shown with (Row.offered)."""

    # The form's errors as a whole link to the form itself (id "rows" on the page).
    summary_target = "rows"
    mapping_version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This page's copy of the column mapping's version is missing. Check "
            "the rows and record them again",
            "invalid": "This page's copy of the column mapping's version is not valid. Check "
            "the rows and record them again",
        },
    )

    def __init__(self, *args: Any, preview: Preview, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.preview = preview
        self.rows = preview.of("ready")
        # Rows whose answers changed since the page was shown: answered again, from nothing.
        self.changed = set(changed_rows(preview, self.offered())) if self.is_bound else set()
        for row in self.rows:
            name = f"row-{row.number}"
            self.fields[name] = forms.ChoiceField(
                choices=[(value, value) for value in row.choices()],
                initial=row.default_choice(),
                error_messages={
                    "required": f"Row {row.number}: select the child this notification is "
                    "about, a new child, or 'Do not record this row'",
                    "invalid_choice": f"Row {row.number}: select one of the answers offered",
                },
            )
            if "new" in row.choices():
                self.fields[f"sex-{row.number}"] = forms.ChoiceField(
                    choices=SEX_CHOICES, required=False, initial=Sex.UNKNOWN
                )

    def offered(self) -> dict[int, str]:
        """The digests posted: {row number: Row.offered() as shown}."""
        found = {}
        for name, value in self.data.items():
            number = name.removeprefix("offered-")
            if name.startswith("offered-") and number.isdigit():
                found[int(number)] = str(value)
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data is None:
            # Cannot happen: Form.clean returns cleaned_data. The stubs allow None because an
            # override may return nothing; none between here and Form does.
            raise TypeError("Form.clean returned None instead of cleaned_data")
        if self.changed:
            self.add_error(None, REGISTER_CHANGED)
        return data

    def choices(self) -> dict[int, str]:
        """The answers, with any posted for rows that can no longer be recorded (a reference
        recorded by someone else since the preview): commit refuses those."""
        answers = {}
        ready = {row.number for row in self.rows}
        for name, value in self.data.items():
            number = name.removeprefix("row-")
            if name.startswith("row-") and number.isdigit() and int(number) not in ready:
                answers[int(number)] = str(value)
        return {
            **answers,
            **{row.number: self.cleaned_data[f"row-{row.number}"] for row in self.rows},
        }

    def sexes(self) -> dict[int, str]:
        return {
            row.number: self.cleaned_data.get(f"sex-{row.number}") or Sex.UNKNOWN
            for row in self.rows
            if f"sex-{row.number}" in self.fields
        }

    def value(self, name: str) -> str:
        """What the row's radios or select show: as posted, else the proposal."""
        if name not in self.fields:
            return ""
        if self.is_bound:
            number = name.split("-", 1)[1]
            if name.startswith("row-") and number.isdigit() and int(number) in self.changed:
                return ""
            return self.data.get(name, "")
        return str(self.fields[name].initial or "")
