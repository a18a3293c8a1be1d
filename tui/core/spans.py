"""The one rule for what a span to tag is: its text without the white space at either end."""

from __future__ import annotations


def trimmed_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """`text[start:end]` without leading and trailing white space (str.isspace: the rule the TUI's
    tag keys follow), or None if the span is only white space. Punctuation stays: "Simmons, " is
    trimmed to "Simmons,". A word move takes the space after a word ("Simmons "), and a span with
    it would differ from another annotator's "Simmons" and count as no exact match."""
    selected = text[start:end]
    kept = selected.strip()
    if not kept:
        return None
    first = start + len(selected) - len(selected.lstrip())
    return first, first + len(kept)
