"""The one sanitising rule: every control character becomes a visible one-cell stand-in."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from tui.core.safe_text import is_safe, json_escaped, shown, shown_line

HOSTILE = [
    "\x1b]52;c;aGVsbG8=\x07",  # OSC 52: set the clipboard
    "\x1b]0;title\x07",  # set the window title
    "\x1b[2J",  # clear the screen
    "\x9b2J",  # C1 CSI
    "\x7f",
    "a\u202eb\u2066c\u2069",  # bidi override and isolates
    "\r",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_sequences_become_visible_one_cell_stand_ins(text: str) -> None:
    out = shown(text)
    assert len(out) == len(text)
    assert cell_len(out) == len(text)
    assert is_safe(out)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in out)


def test_newline_and_tab_are_kept_and_plain_text_is_untouched() -> None:
    assert shown("a\tb\nc") == "a\tb\nc"
    assert shown("Kazakhstan’s “partnership” 👍🏽") == "Kazakhstan’s “partnership” 👍🏽"


def test_one_line_cells_show_newlines_too() -> None:
    assert shown_line("a\nb\x1b") == "a\u2424b\u241b"


def test_one_line_cells_show_tabs_as_spaces() -> None:
    assert shown_line("a\tb") == "a b"


def test_a_lone_surrogate_shows_as_the_replacement_character() -> None:
    text = "note \ud800 end"
    assert shown(text) == "note \ufffd end"
    shown(text).encode("utf-8")  # printable now


def test_json_escaped_is_the_same_json_and_safe() -> None:
    import json

    value = {"note": "a\x9b2J \u202eevil\u202c \x7f \x1b] é 👍", "n": 1}
    text = json_escaped(json.dumps(value, ensure_ascii=False, indent=2))
    assert json.loads(text) == value
    assert is_safe(text)
    assert "é 👍" in text  # readable characters stay as they are
