"""Pasted text stays text: an ESC inside a bracketed paste never becomes key presses.

Textual's input parser (8.x) reads an ESC inside a bracketed paste as the start of an escape
sequence; one it does not know is "reissued" as key presses, so `see\\x1b[Xdd` pasted into the
text pane pressed `d` twice (delete) and `[`, and `\\x1b[31m` in a note reordered the note. Text
copied from an article (`y` copies it as it is) and pasted back would run commands.

Here the bytes of a paste reach Textual's parser with every ESC but the paste's closing one
replaced by its stand-in, "␛" (U+241B), which is how hedgerow shows it anyway (safe_text): the
parser then sees plain characters until the end of the paste. Outside a paste nothing changes
and nothing waits (an Escape key press is passed on at once).
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._xterm_parser import XTermParser
from textual.message import Message

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"
ESC_STAND_IN = "\u241b"


class PasteGuard:
    """Rewrites a stream of terminal input, chunk by chunk, as described above."""

    def __init__(self) -> None:
        self.in_paste = False
        self._tail = ""  # the end of the last chunk outside a paste: a paste's start may be split
        self._held = ""  # in a paste: an ESC at a chunk's end that may begin the closing sequence

    def __call__(self, data: str) -> str:
        out: list[str] = []
        text, self._held = self._held + data, ""
        position = 0
        if not self.in_paste:
            seen = self._tail + text
            found = seen.find(PASTE_START)
            if found < 0:
                self._tail = seen[-(len(PASTE_START) - 1):]
                return text
            self._tail = ""
            position = found + len(PASTE_START) - (len(seen) - len(text))
            out.append(text[:position])
            self.in_paste = True
        while position < len(text):
            if not self.in_paste:  # after the paste: pass the rest on, looking for the next paste
                out.append(self(text[position:]))
                break
            escape = text.find("\x1b", position)
            if escape < 0:
                out.append(text[position:])
                break
            out.append(text[position:escape])
            rest = text[escape:]
            if rest.startswith(PASTE_END):
                out.append(PASTE_END)
                position = escape + len(PASTE_END)
                self.in_paste = False
            elif PASTE_END.startswith(rest):
                self._held = rest  # the closing sequence, cut by the read: decided with the next chunk
                break
            else:
                out.append(ESC_STAND_IN)
                position = escape + 1
        return "".join(out)


class InertPasteParser(XTermParser):
    """Textual's parser, fed through a PasteGuard."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._guard = PasteGuard()

    def feed(self, data: str) -> Iterable[Message]:
        return super().feed(self._guard(data) if data else data)


def install() -> None:
    """Have Textual's Linux driver read the terminal through InertPasteParser (called by the TUI's
    entry point; the driver makes its parser when its input thread starts)."""
    from textual.drivers import linux_driver

    if getattr(linux_driver, "XTermParser", None) is XTermParser:
        linux_driver.XTermParser = InertPasteParser  # type: ignore[attr-defined]
