"""Copying: OSC 52 through the terminal (works over SSH), plus pyperclip where it has a backend."""

from __future__ import annotations

from typing import Any

import pyperclip  # type: ignore[import-untyped]  # no stubs published
from textual.app import App


def copy_text(app: App[Any], text: str) -> str:
    """Copy `text` every way available; returns a notice saying what worked."""
    app.copy_to_clipboard(text)  # OSC 52: the terminal decides whether to honour it
    try:
        pyperclip.copy(text)
        system = True
    except Exception:  # PyperclipException on a headless machine; never let copying crash the app
        system = False
    where = "terminal clipboard (OSC 52) and system clipboard" if system else \
        "terminal clipboard (OSC 52); no system clipboard here"
    return f"Copied {len(text):,} characters to the {where}"


def citation(quote: str, title: str, path_name: str, start: int, end: int) -> str:
    return f"“{quote}”\n— {title} ({path_name}, characters {start}–{end})"
