"""The footer updates its keys in place (no rebuild per key): what it shows must be what a rebuild shows."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Footer, Input

from tests.keys import type_keys
from tests.test_app import SIZE, open_session, screen_row
from tui.app.app import HedgerowApp


def footer_row(app: HedgerowApp) -> str:
    return screen_row(app, app.query_one(Footer).region.y)


def footer_keys(app: HedgerowApp) -> list[tuple[str, str, bool]]:
    return [(key.key_display, key.description, key.has_class("-disabled"))  # type: ignore[attr-defined]
            for key in app.query_one(Footer).query("FooterKey").results()]


async def test_keys_updated_in_place_show_what_a_rebuild_shows(project_doc: Path) -> None:
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = app.query_one(Footer)
        seen: list[str] = []
        # A selection (Deselect comes), its end, the search bar's keys, back to the document.
        for keys in (["shift+right"], ["escape"], ["slash"], ["escape"]):
            await pilot.press(*keys)
            await pilot.pause()
            shown, row = footer_keys(app), footer_row(app)
            footer.call_later(footer.recompose)  # what Textual's Footer draws for the same bindings
            await pilot.pause()
            await pilot.pause()
            assert (shown, row) == (footer_keys(app), footer_row(app)), keys
            seen.append(row)
        assert "Deselect" in seen[0] and "Deselect" not in seen[1]
        assert "Close search" in seen[2] and "Close search" not in seen[3]


async def test_a_query_longer_than_the_bar_scrolls_to_show_the_cursor(project_doc: Path) -> None:
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await type_keys(pilot, "slash", *("Kazakhstan " * 12))
        field = app.query_one("#search-input", Input)
        assert field.value == "Kazakhstan " * 12
        assert field.scroll_x > 0 and field.virtual_size.width == len(field.value) + 1
        assert field.region.x <= field.cursor_screen_offset.x <= field.region.right  # as stock Input: the cell after


async def test_keys_are_born_with_the_footers_compact_state(project_doc: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """No key restyles while the first screen is built (FooterKey starts compact, the footer does
    not: each key added "-compact" on mount and the data binding took it off, a restyle each); the
    footer's compact still reaches every key through the data binding."""
    from textual.widgets._footer import FooterKey

    restyled: list[FooterKey] = []
    restyle = FooterKey.update_node_styles
    monkeypatch.setattr(FooterKey, "update_node_styles",
                        lambda key, animate=True: (restyled.append(key), restyle(key, animate)))
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = app.query_one(Footer)
        keys = list(footer.query(FooterKey).results())
        assert keys and restyled == []
        palette = [key for key in keys if key.has_class("-command-palette")]
        assert len(palette) == 1 and palette[0].compact  # as stock Footer leaves it: not data-bound
        assert all(key.compact is footer.compact is False and not key.has_class("-compact")
                   for key in keys if key not in palette)
        footer.compact = True
        await pilot.pause()
        assert all(key.compact and key.has_class("-compact") for key in footer.query(FooterKey).results())
