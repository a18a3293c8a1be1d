"""What untrusted text looks like on a terminal: every control character as a visible stand-in.

Documents and annotation files come from the web and from colleagues. A control character from
them must never reach the terminal (OSC 52 could set the clipboard, CSI could move the cursor, a
bidi override could reorder what is shown). `shown` maps each one to a single-cell picture, so
offsets stay one code point to one cell and the text in memory is never changed.

Markup is the other half: untrusted text is never parsed as rich or Textual markup (a note
holding `[link=...]` must print literally), so callers hand it over as plain `Text`, or with
`markup=False`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

# C0 controls (but newline and tab) -> the Control Pictures block (U+2400 + code); DEL -> U+2421.
_C0 = {code: 0x2400 + code for code in range(0x20) if code not in (0x09, 0x0A)}
_DEL = {0x7F: 0x2421}
# C1 controls (U+0080-U+009F, e.g. U+009B, a one-byte CSI) and the bidi overrides and isolates
# have no picture of their own: U+2426 (symbol for substitute form two) stands in for them all.
STAND_IN = "\u2426"
_C1 = {code: ord(STAND_IN) for code in range(0x80, 0xA0)}
BIDI_CONTROLS = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
_BIDI = {code: ord(STAND_IN) for code in BIDI_CONTROLS}
# A lone surrogate (a JSON "\ud800" in an annotation file) cannot even be encoded for the
# terminal: writing it would crash the program, so it shows as the replacement character.
SURROGATES = range(0xD800, 0xE000)
_SURROGATE = {code: 0xFFFD for code in SURROGATES}

_TABLE = {**_C0, **_DEL, **_C1, **_BIDI, **_SURROGATE}
# One-line cells: a newline shows as U+2424 (symbol for newline), a tab as a space (a raw tab
# would jump to the terminal's next tab stop and break the cell's width).
_TABLE_ONE_LINE = {**_TABLE, 0x0A: 0x2424, 0x09: 0x20}



def _character_class(codes: Iterable[int]) -> str:
    """A regex class of these code points as ranges: listing the 2,048 surrogates one by one
    cost 20 ms at import, before the first frame."""
    ranges: list[list[int]] = []
    for code in sorted(codes):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[" + "".join(re.escape(chr(low)) + (f"-{re.escape(chr(high))}" if high > low else "")
                         for low, high in ranges) + "]"


# Made when first used (module __getattr__): the two compiles took ~3.5 ms of the documents
# screen's start, whose text (plain file names, most of the time) never needed them.
_MADE_LATER: dict[str, Callable[[], Any]] = {
    "UNSAFE": lambda: re.compile(_character_class(_TABLE)),
    "UNSAFE_ONE_LINE": lambda: re.compile(_character_class(_TABLE_ONE_LINE)),
    "STAND_INS": lambda: frozenset(map(chr, set(_TABLE_ONE_LINE.values()) - {0x20})),
}


def __getattr__(name: str) -> Any:
    if name not in _MADE_LATER:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = globals()[name] = _MADE_LATER[name]()
    return value


def _unsafe() -> re.Pattern[str]:
    found: re.Pattern[str] = globals().get("UNSAFE") or __getattr__("UNSAFE")
    return found


if TYPE_CHECKING:  # what __getattr__ makes, for the type checker
    UNSAFE: re.Pattern[str]
    UNSAFE_ONE_LINE: re.Pattern[str]
    STAND_INS: frozenset[str]


def is_safe(text: str) -> bool:
    """Whether `text` holds nothing that `shown` would replace (newline and tab are safe)."""
    return _unsafe().search(text) is None


def shown(text: str) -> str:
    """`text` with every control character replaced by a one-cell visible stand-in.

    Newline and tab are kept; the result has as many code points as `text`.
    """
    if text.isprintable() or is_safe(text):
        return text
    return text.translate(_TABLE)


def shown_line(text: str) -> str:
    """Like `shown`, for a one-line cell: a newline shows as U+2424 too, a tab as a space."""
    if text.isprintable():
        return text
    return text.translate(_TABLE_ONE_LINE)


def json_escaped(json_text: str) -> str:
    """JSON text with every character `shown` would replace written as a \\uXXXX escape.

    The same JSON value, safe to print on a terminal: such characters can only stand inside
    JSON strings, where an escape means the same character.
    """
    if json_text.isprintable() or is_safe(json_text):
        return json_text
    return _unsafe().sub(_escape, json_text)


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"
