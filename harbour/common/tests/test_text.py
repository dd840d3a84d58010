"""The one definition of the text Harbour accepts (harbour.common.text)."""

import sys

import pytest

from harbour.common.text import any_refused, refused_character, refused_inside_one_line


@pytest.mark.parametrize(
    "text",
    ["", "Zoë O'Neill-Smith", "Łódź 😀", "مرحبا", "שלום", "NSP/26/0101", "a b", "\ufeffx"],
)
def test_ordinary_text_in_any_script_is_accepted(text):
    assert refused_character(text) is None
    assert refused_character(text, multi_line=True) is None


@pytest.mark.parametrize(
    "character, described",
    [
        ("\x00", "a control character (U+0000)"),
        ("\x08", "a control character (U+0008)"),
        ("\x0b", "a control character (U+000B)"),
        ("\x0c", "a control character (U+000C)"),
        ("\x1b", "a control character (U+001B)"),
        ("\x1f", "a control character (U+001F)"),
        ("\x7f", "a control character (U+007F)"),
        ("\x80", "a control character (U+0080)"),
        ("\x9f", "a control character (U+009F)"),
        ("\ud800", "a surrogate (U+D800)"),
        ("\udfff", "a surrogate (U+DFFF)"),
        ("\ufdd0", "a noncharacter (U+FDD0)"),
        ("\ufffe", "a noncharacter (U+FFFE)"),
        ("\uffff", "a noncharacter (U+FFFF)"),
        ("\U0001fffe", "a noncharacter (U+1FFFE)"),
        ("\U0010ffff", "a noncharacter (U+10FFFF)"),
    ],
)
def test_controls_surrogates_and_noncharacters_are_refused_in_any_text(character, described):
    for multi_line in (False, True):
        refused = refused_character(f"ab{character}c", multi_line=multi_line)
        assert str(refused) == f"{described} at character 3"


@pytest.mark.parametrize(
    "character, described",
    [("\t", "a tab (U+0009)"), ("\n", "a line break (U+000A)"), ("\r", "a line break (U+000D)")],
)
def test_tabs_and_line_breaks_are_refused_on_one_line_and_allowed_in_a_multi_line_answer(
    character, described
):
    assert str(refused_character(f"a{character}b")) == f"{described} at character 2"
    assert refused_character(f"a{character}b", multi_line=True) is None


def test_the_first_refused_character_is_named_counting_from_one_before_spaces_are_removed():
    refused = refused_character("  ab\x01c\x00")
    assert (refused.character, refused.position, refused.code) == ("\x01", 5, "U+0001")


def test_the_instruction_tells_a_person_what_to_remove_and_why():
    assert refused_character("ab\x00").instruction == (
        "Remove the control character (U+0000) at character 3: it cannot be stored"
    )
    assert refused_character("a\nb").instruction == (
        "Remove the line break (U+000A) at character 2: this answer must be on one line"
    )


def test_a_whole_row_is_checked_at_once():
    assert not any_refused(["C1", "Zoë", ""])
    assert any_refused(["C1", "Zo\x00ë"])
    assert any_refused(["C1", "a\nb"])
    assert not any_refused(["C1", "a\nb"], multi_line=True)
    assert any_refused(["C1", "a\nb\x7f"], multi_line=True)


def test_inside_a_one_line_value_from_a_file_only_tabs_and_line_breaks_within_it_count():
    assert refused_inside_one_line(" Ada \r\n") is None
    assert str(refused_inside_one_line("  Ad\ta ")) == "a tab (U+0009) at character 5"
    assert str(refused_inside_one_line("\nAd\x00a")) == (
        "a control character (U+0000) at character 4"
    )


def test_every_refused_character_is_one_python_calls_unprintable():
    # The fast path: text that str.isprintable() accepts is not searched at all. Each
    # printable character is searched here next to a NUL: the NUL must be found first.
    printable = (chr(code) for code in range(sys.maxunicode + 1) if chr(code).isprintable())
    refused_yet_printable = [
        f"U+{ord(character):04X}"
        for character in printable
        if refused_character(character + "\x00").position == 1
    ]
    assert refused_yet_printable == []
