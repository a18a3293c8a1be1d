"""A paste's ESC stays text (tui/app/paste_guard.py): Textual's parser, fed as the Linux driver feeds
it, chunk by chunk, gives one Paste event and no key press for pasted escape sequences."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st
from textual import events
from textual._xterm_parser import XTermParser

from tui.app.paste_guard import ESC_STAND_IN, PASTE_END, PASTE_START, InertPasteParser, PasteGuard, install


def parsed(parser: XTermParser, chunks: list[str]) -> list[object]:
    found: list[object] = []
    for chunk in chunks:
        found.extend(parser.feed(chunk))
    return found


def keys_and_pastes(found: list[object]) -> list[tuple[str, str]]:
    return [("key", e.key) if isinstance(e, events.Key) else ("paste", e.text) for e in found
            if isinstance(e, events.Key | events.Paste)]


def test_escape_sequences_in_a_paste_are_text_not_key_presses() -> None:
    hostile = f"{PASTE_START}see\x1b[Xdd{PASTE_END}"
    assert ("key", "d") in keys_and_pastes(parsed(XTermParser(), [hostile]))  # what Textual alone does
    assert keys_and_pastes(parsed(InertPasteParser(), [hostile])) == [("paste", f"see{ESC_STAND_IN}[Xdd")]
    note = f"{PASTE_START}AB\x1b[31mCD\x07{PASTE_END}"
    assert keys_and_pastes(parsed(InertPasteParser(), [note])) == [("paste", f"AB{ESC_STAND_IN}[31mCD\x07")]


def test_markers_cut_between_reads_are_still_found() -> None:
    stream = f"x{PASTE_START}a\x1b]0;pwned\x07b\x1b{PASTE_END}y"
    for cut in range(1, len(stream)):
        events_ = keys_and_pastes(parsed(InertPasteParser(), [stream[:cut], stream[cut:]]))
        assert events_ == [("key", "x"), ("paste", f"a{ESC_STAND_IN}]0;pwned\x07b{ESC_STAND_IN}"), ("key", "y")], cut


def test_outside_a_paste_keys_and_escape_are_passed_on_at_once() -> None:
    guard = PasteGuard()
    assert guard("\x1b") == "\x1b"  # an Escape key press is not held back for the next read
    assert guard("[A") == "[A"
    assert keys_and_pastes(parsed(InertPasteParser(), ["\x1b[A", "j"])) == [("key", "up"), ("key", "j")]


@given(st.lists(st.text(alphabet="ab\x1b[2001~;m\x07", max_size=12), max_size=4), st.data())
def test_any_paste_cut_anywhere_is_one_paste_of_its_text_with_esc_as_stand_in(parts: list[str], data) -> None:
    body = "".join(parts)
    assume(PASTE_END not in body)  # a terminal never sends its closing sequence inside a paste
    stream = f"{PASTE_START}{body}{PASTE_END}"
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=4)))
    chunks = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
    guard = PasteGuard()
    rewritten = "".join(guard(chunk) for chunk in chunks)
    assert rewritten == f"{PASTE_START}{body.replace(chr(27), ESC_STAND_IN)}{PASTE_END}"
    assert not guard.in_paste


def test_the_linux_driver_reads_through_the_guard() -> None:
    from textual.drivers import linux_driver

    install()
    assert linux_driver.XTermParser is InertPasteParser
