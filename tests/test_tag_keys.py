"""Digit keys follow the codebook's `key` fields in both apps, not the tags' order."""

from __future__ import annotations

from pathlib import Path

from tests.test_app import SIZE, find, open_session
from tui.app.app import HedgerowApp
from tui.core.tags import Tag, TagSet

OUT_OF_ORDER = """
[[tags]]
name = "claim"
key = "2"
colour = "dark_orange"
description = "What is asserted."

[[tags]]
name = "actor"
key = "1"
colour = "#5fafff"
"""


def test_by_key_reads_the_key_field_not_the_position():
    tags = TagSet((Tag("claim", "#ff0000", "2"), Tag("actor", "#00ff00", "1")))
    assert tags.by_key("1").name == "actor"
    assert tags.by_key("2").name == "claim"
    assert tags.by_key("3") is None
    assert tags.by_key("") is None


def test_keyless_tags_get_the_free_digits_and_the_tenth_none():
    tags = TagSet(tuple(Tag(f"t{i}", "#ffffff", "1" if i == 5 else "") for i in range(10)))
    assert [t.key for t in tags] == ["2", "3", "4", "5", "6", "1", "7", "8", "9", ""]
    assert tags.by_key("1").name == "t5"


async def test_key_1_tags_the_tag_on_key_1(project: Path, project_doc: Path) -> None:
    (project / "hedgerow.toml").write_text(OUT_OF_ORDER, encoding="utf-8")
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        start, end = find(app.session.text, "Ambassador Robert Simmons")
        app.view.select(start, end)
        await pilot.press("1")
        assert [a.tag for a in app.session.layer] == ["actor"]
        await pilot.press("2")  # no selection: retags the annotation under the cursor
        assert [a.tag for a in app.session.layer] == ["claim"]


async def test_review_key_1_accepts_as_the_tag_on_key_1(project: Path, project_doc: Path) -> None:
    from tui.app.review_app import ReviewApp
    from tui.core.review import Review

    (project / "hedgerow.toml").write_text(OUT_OF_ORDER, encoding="utf-8")
    session = open_session(project_doc, "bob")
    start, end = find(session.text, "Ambassador Robert Simmons")
    session.add(start, end, "claim")
    session.save()
    app = ReviewApp(Review.open(project_doc, reviewer="rita"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        await pilot.press("right_square_bracket", "1")
        assert [a.tag for a in app.review.gold] == ["actor"]


async def test_palette_tags_a_tenth_keyless_tag(project: Path, project_doc: Path) -> None:
    codebook = "".join(f'[[tags]]\nname = "t{i}"\ncolour = "#8787ff"\n\n' for i in range(10))
    (project / "hedgerow.toml").write_text(codebook, encoding="utf-8")
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        start, end = find(app.session.text, "Ambassador Robert Simmons")
        app.view.select(start, end)
        commands = {name: run for name, _, run in app.palette_commands()}
        commands["Tag selection as t9"]()  # raised ValueError: int("")
        await pilot.pause()
        assert [a.tag for a in app.session.layer] == ["t9"]


async def test_a_selection_is_tagged_without_the_white_space_at_its_ends(project_doc: Path) -> None:
    """Extending by words takes the space after a word: the span is the word alone, as another
    annotator's would be (a trailing space made the two spans no exact match in `agree`)."""
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        start, end = find(app.session.text, "Simmons, Special")
        app.view.select(start, end)
        await pilot.press("ctrl+shift+left")  # back a word: "Simmons, " with its comma and space
        assert app.session.text[slice(*app.view.selection)] == "Simmons, "
        app.view.select(start - 1, start + len("Simmons"))  # and a space before
        await pilot.press("1")
        (annotation,) = list(app.session.layer)
        assert (annotation.start, annotation.end, annotation.quote) == (start, start + 7, "Simmons")
