"""Rich styles for tags: the tag's colour as background, with readable text on it."""

from __future__ import annotations

from rich.color import Color
from rich.style import Style

from tui.core.tags import TagSet


def readable_on(colour: str) -> str:
    """Black or white, whichever reads better on `colour`."""
    red, green, blue = Color.parse(colour).get_truecolor()
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#000000" if luminance > 140 else "#ffffff"


def tag_style(colour: str) -> Style:
    return Style(bgcolor=colour, color=readable_on(colour))


def tag_styles(tags: TagSet) -> dict[str, Style]:
    return {tag.name: tag_style(tag.colour) for tag in tags}


def swatch(colour: str) -> Style:
    return Style(color=colour, bold=True)
