"""Search matches clear on Esc, and never hide a tag's colour while they show."""

from __future__ import annotations

from pathlib import Path

from rich.color import Color

from tests.test_app import SIZE, find, open_session
from tui.app.app import HedgerowApp


def tagged_app(doc: Path) -> HedgerowApp:
    session = open_session(doc)
    start, end = find(session.text, "Ambassador Robert Simmons")
    session.add(start, end, "hedge")
    session.save()
    return HedgerowApp(open_session(doc))


def style_at(app: HedgerowApp, offset: int):
    view = app.view
    annotations = view.annotations.overlapping(offset, offset + 1)
    return view._style_at(offset, annotations, view._matches_in(offset, offset + 1), None)


async def test_esc_in_the_search_bar_clears_the_matches(project_doc: Path) -> None:
    app = tagged_app(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        await pilot.press("slash", *"Simmons")
        assert app.view.matches
        await pilot.press("escape")
        assert list(app.view.matches) == [] and app.view.current_match is None  # the view owns the search


async def test_esc_after_enter_clears_the_matches_too(project_doc: Path) -> None:
    app = tagged_app(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        await pilot.press("slash", *"Simmons", "enter")
        assert app.view.matches and app.view.selection
        await pilot.press("escape")  # first the selection
        assert app.view.selection is None and app.view.matches
        await pilot.press("escape")  # then the highlights
        assert app.view.matches == []


async def test_a_match_on_a_tag_keeps_the_tag_colour(project_doc: Path) -> None:
    app = tagged_app(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        hedge = Color.parse(app.session.tags.colour_of("hedge"))
        await pilot.press("slash", *"Simmons")
        matches = list(app.view.matches)
        start, _ = matches[0]
        app.view.set_matches(matches, current=None)
        style = style_at(app, start)
        assert style.bgcolor == hedge and style.underline
        app.view.set_matches(matches, current=0)
        style = style_at(app, start)
        assert style.bgcolor == hedge and style.underline and style.overline
        untagged = app.session.text.index("Simmons", start + 10)
        assert style_at(app, untagged).bgcolor is not None  # plain text: a background is fine there
