"""Finding text: plain or regex, case-insensitive by default. Offsets are code points."""

from __future__ import annotations

import re

from tui.core.errors import InputError

MAX_MATCHES = 100_000  # beyond this, highlighting stops helping


def compile_query(query: str, *, regex: bool = False, case_sensitive: bool = False) -> re.Pattern[str]:
    flags = 0 if case_sensitive else re.IGNORECASE
    try:
        return re.compile(query if regex else re.escape(query), flags)
    except re.error as error:
        raise InputError(f"bad regular expression: {error}") from None


def find_all(text: str, query: str, *, regex: bool = False, case_sensitive: bool = False,
             limit: int = MAX_MATCHES) -> list[tuple[int, int]]:
    """Non-empty matches in order, at most `limit`."""
    if not query:
        return []
    pattern = compile_query(query, regex=regex, case_sensitive=case_sensitive)
    matches = []
    for match in pattern.finditer(text):
        if match.end() > match.start():
            matches.append(match.span())
            if len(matches) >= limit:
                break
    return matches
