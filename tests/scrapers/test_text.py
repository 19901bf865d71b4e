"""Page text into record text: characters no feed can carry, and prose in angle brackets."""

from __future__ import annotations

import pytest

from scrapers.read.text import clean_block, clean_inline, html_links, html_to_text, scalar_json

SCALAR_CASES = [
    # (case, text, clean_inline, clean_block)
    ("a lone surrogate", "Ann \ud800Lee", "Ann \ufffdLee", "Ann \ufffdLee"),
    ("a surrogate pair", "Smile \ud83d\ude00", "Smile \U0001f600", "Smile \U0001f600"),
    ("a low surrogate first", "x\udc00\ud800y", "x\ufffd\ufffdy", "x\ufffd\ufffdy"),
    ("controls XML forbids", "A\x00B\x01C\x08D\x1bE\x1fF", "ABCDEF", "ABCDEF"),
    ("non-characters", "A\ufffeB\uffffC", "ABC", "ABC"),
    ("a vertical tab breaks a line", "One\x0btwo\x0cthree", "One two three", "One\ntwo\nthree"),
    ("tab, line feed and return stay whitespace", "a\tb\r\nc", "a b c", "a b\nc"),
]


@pytest.mark.parametrize(
    ("text", "inline", "block"),
    [case[1:] for case in SCALAR_CASES],
    ids=[case[0] for case in SCALAR_CASES],
)
def test_text_holds_only_what_every_feed_can_carry(text: str, inline: str, block: str) -> None:
    assert (clean_inline(text), clean_block(text)) == (inline, block)
    assert html_to_text(text) == block


@pytest.mark.parametrize(
    ("text", "inline", "block"),
    [
        ("Ann Lee", "Ann Lee", "Ann Lee"),
        ("Ann  Lee", "Ann Lee", "Ann Lee"),
        (" Ann", "Ann", "Ann"),
        ("Ann\xa0Lee", "Ann Lee", "Ann Lee"),
        ("Ann\u200bLee", "Ann\u200bLee", "Ann\u200bLee"),
        ("One\n\nTwo\nThree", "One Two Three", "One\n\nTwo\nThree"),
        ("One\n\n\nTwo", "One Two", "One\n\nTwo"),
        ("One \nTwo", "One Two", "One\nTwo"),
        ("One\n Two", "One Two", "One\nTwo"),
        ("\nOne", "One", "One"),
        ("A\x00B", "AB", "AB"),
        ("", None, None),
    ],
)
def test_text_cleaned_once_stays_as_it_is(text: str, inline: str | None, block: str | None) -> None:
    # Normalizing cleans what reading the page cleaned: clean text must come back unchanged.
    assert (clean_inline(text), clean_block(text)) == (inline, block)
    assert (clean_inline(inline), clean_block(block)) == (inline, block)


def test_markup_with_a_lone_surrogate_is_read() -> None:
    assert html_to_text("<p>Half \ud800 a character</p><p>\x01Next</p>") == (
        "Half \ufffd a character\n\nNext"
    )
    assert html_links('<a href="https://x.example/\ud800">x</a>') == ["https://x.example/\ufffd"]


def test_every_string_of_decoded_json_is_cleaned() -> None:
    data = {"name\ud800": ["a\x01", {"b": "c\udfff"}], "n": 1, "none": None}
    assert scalar_json(data) == {"name\ufffd": ["a", {"b": "c\ufffd"}], "n": 1, "none": None}


PROSE_CASES = [
    # (case, fragment, text): only a real element's name makes a tag.
    ("a name in angle brackets", "<b>Speaker:</b> <Ann Lee>", "Speaker: <Ann Lee>"),
    ("an e-mail address", "<p>Ann Lee <ann@mit.edu></p>", "Ann Lee <ann@mit.edu>"),
    ("a comparison", "<i>x</i> < y and <z", "x < y and <z"),
    ("plain text keeps its brackets", "Speaker: <Ann Lee>", "Speaker: <Ann Lee>"),
    ("a custom element is markup", "<p>a <my-widget>b</my-widget></p>", "a b"),
    ("Word's namespaced tags are markup", "<p>a<o:p></o:p> b</p>", "a b"),
    ("a comment is markup", "<p>a<!-- hidden --> b</p>", "a b"),
]


@pytest.mark.parametrize(
    ("fragment", "text"),
    [case[1:] for case in PROSE_CASES],
    ids=[case[0] for case in PROSE_CASES],
)
def test_angle_brackets_that_open_no_tag_are_text(fragment: str, text: str) -> None:
    assert html_to_text(fragment) == text
