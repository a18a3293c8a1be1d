"""What the analyst reads beside the text: the note and the tag's description under the cursor, the
list's quotes and notes, the codebook in the legend and the help; and the small things that were
wrong (doubled quotes, double spaces, the help's scrolling, the list's scrollbars)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_app import SIZE, find, open_session, widget_text
from tui.app.app import HedgerowApp
from tui.app.cells import quoted
from tui.app.panels import DocumentPanel, FittedStatic, TagLegend

NOTE = ("The envoy denies any plan for bases, yet the trip secured cooperation: read this against the "
        "closing paragraph, where the author doubts the rhetoric. Second thought: compare with Tuncer.")


def annotated(doc: Path, annotator: str = "alice") -> HedgerowApp:
    session = open_session(doc, annotator)
    session.add(*find(session.text, "Robert Simmons"), "actor", note=NOTE)
    session.add(*find(session.text, "“Currently there are no sites"), "commitment")
    session.save()
    return HedgerowApp(open_session(doc, annotator))


def test_quoted_never_doubles_a_quote_mark() -> None:
    assert quoted("“Currently there are no sites", 40) == "“Currently there are no sites”"
    assert quoted("“Currently there are no sites or bases of NATO in Kazakhstan", 20) == "“Currently there ar…"
    assert quoted("situation,” Simmons said", 40) == "“situation,” Simmons said”"
    assert quoted("Kazakhstan", 40) == "“Kazakhstan”"
    assert quoted("bad\x1b[2Jquote", 40) == "“bad\u241b[2Jquote”"


async def test_tagging_a_quoted_span_says_it_with_one_opening_mark(project_doc: Path) -> None:
    app = HedgerowApp(open_session(project_doc))
    app.NOTICE_SECONDS = 60  # not gone before it is read on a loaded machine
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        app.view.select(*find(app.session.text, "“Currently there are no sites"))
        await pilot.press("2")
        (notice,) = [n.message for n in app._notifications]
        assert notice == "Tagged commitment: “Currently there are no sites”"


async def test_note_dialog_title_has_one_space(project_doc: Path) -> None:
    app = annotated(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        await pilot.press("right_square_bracket", "enter")
        await pilot.pause()
        assert str(app.screen.query_one("#note-title").render()) == "Note on actor"


async def test_the_help_says_it_scrolls_and_lists_the_codebook(project_doc: Path) -> None:
    app = annotated(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.pause()
        assert "↓ more below" in str(app.screen.query_one("#help-hint").render())
        await pilot.press("end")
        await pilot.pause()
        assert "↑ more above" in str(app.screen.query_one("#help-hint").render())
        (rows,) = [rows for title, rows in app.screen.sections if title == "Tags (the codebook)"]
        assert ("3", "hedge: Hedged or uncertain language: 'appeared to', 'could', 'remains to be tested'.") in rows


async def test_details_show_the_whole_note_and_the_tags_description(project_doc: Path) -> None:
    app = annotated(project_doc)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        await pilot.press("right_square_bracket")
        await pilot.pause()
        details = " ".join(widget_text(app.query_one(DocumentPanel)).replace("│", " ").split())
        assert " ".join(NOTE.split()) in details
        assert "actor — Who acts or speaks: a person, state, organisation or group." in details  # whole
        legend = widget_text(app.query_one(TagLegend))
        assert "Who acts or speaks" in legend and "A pledge" not in legend  # the tag under the cursor only


async def test_the_details_grow_for_a_note_and_keys_between_alike_annotations_redo_no_layout(
        project_doc: Path, monkeypatch) -> None:
    """The panels following the cursor lay the screen out again only when their height changes: a
    layout repaints every widget, which made each key between annotations cost three times its rows."""
    session = open_session(project_doc)
    for quote in ("Robert Simmons", "Kazakhstan", "NATO"):
        session.add(*find(session.text, quote), "actor")
    session.add(*find(session.text, "“Currently there are no sites"), "actor", note=NOTE)
    session.save()
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        details = app.query_one(DocumentPanel)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        short = details.outer_size.height
        layouts: list[str] = []
        refresh = FittedStatic.refresh

        def counted(self, *regions, **options):  # type: ignore[no-untyped-def]
            if options.get("layout"):
                layouts.append(type(self).__name__)
            return refresh(self, *regions, **options)

        monkeypatch.setattr(FittedStatic, "refresh", counted)
        await pilot.press("right_square_bracket")  # another actor without a note: the same height
        await pilot.pause()
        assert details.annotation is not None and details.annotation.note == ""
        assert layouts == []
        while details.annotation is None or not details.annotation.note:
            await pilot.press("right_square_bracket")
        await pilot.pause()
        assert "DocumentPanel" in layouts
        assert details.outer_size.height > short + 1  # the whole note shows
        assert " ".join(NOTE.split()) in " ".join(widget_text(details).replace("│", " ").split())


async def test_the_list_shows_the_quote_and_the_start_of_the_note(project_doc: Path) -> None:
    app = annotated(project_doc)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        rows = widget_text(app.annotation_list)
        assert "Robert Simmons ✎ The envoy…" in rows
        assert app.annotation_list.styles.scrollbar_size_vertical == 1
        assert not app.annotation_list.show_horizontal_scrollbar


async def test_80x24_gives_the_text_its_columns_and_the_panel_no_blank_rows(project_doc: Path) -> None:
    app = annotated(project_doc)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.view.scrollable_content_region.width >= 48  # was 46
        details = widget_text(app.query_one(DocumentPanel)).splitlines()[1:-1]
        assert all(line.strip("│ ") for line in details)
        # The document's length whole: the file name (the text pane's title) gives way, not "5,863 cha…".
        assert details[1].strip("│ ").endswith("· 5,863 characters")


async def test_a_long_annotator_name_is_shown_whole(project_doc: Path) -> None:
    name = "bartholomew-vandenberghe-ostrowski"
    app = annotated(project_doc, name)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = "".join(line.strip("│ ") for line in widget_text(app.query_one(DocumentPanel)).splitlines())
        assert name in text.replace(" ", "")


async def test_review_agreement_rows_keep_both_names(project_doc: Path) -> None:
    from tui.app.review_app import ReviewApp
    from tui.app.review_panels import SummaryPanel
    from tui.core.review import Review

    for who in ("alice", "bartholomew-vandenberghe"):
        session = open_session(project_doc, who)
        session.add(*find(session.text, "Ambassador Robert Simmons"), "actor")
        session.save()
    app = ReviewApp(Review.open(project_doc, reviewer="rita"))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        await app.workers.wait_for_complete()
        await pilot.pause()
        summary = widget_text(app.query_one(SummaryPanel))
        assert "alice/bartholomew-vandenberghe" in summary


async def test_the_help_names_keys_not_binding_ids_for_screens_not_on_show(project_doc: Path) -> None:
    app = annotated(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.update_keymap({"documents.sort": "ctrl+o"})  # a user's remap reaches the help too
        keys = {what: key for _, rows in app.help_sections() for key, what in rows}
        assert keys["in the list: open the document"] == "enter"
        assert keys["in the list: sort by title, folder, status or count"] == "ctrl+o"
        assert keys["in the links panel: go to the link's other end"] == "enter"
        assert not [key for key in keys.values() if re.fullmatch(r"[a-z_]+\.[a-z_]+", key)]


async def test_the_footer_shows_whole_keys_that_fit_and_always_the_help(project_doc: Path) -> None:
    from textual.widgets._footer import FooterKey

    app = annotated(project_doc)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("shift+right")  # a selection adds "esc Deselect": more keys than fit in 100 columns
        await pilot.pause()
        await pilot.pause()
        keys = list(app.screen.query(FooterKey))
        palette = next(key for key in keys if key.has_class("-command-palette"))
        shown = [key for key in keys if key is not palette]
        assert "Help" in [key.description for key in shown] and "Quit" not in [key.description for key in shown]
        assert all(key.region.right <= palette.region.x for key in shown)  # none cut, none under the palette
        await pilot.resize_terminal(160, 30)
        for _ in range(3):
            await pilot.pause()
        assert "Quit" in [key.description for key in app.screen.query(FooterKey)]


async def test_moving_between_tags_measures_the_legend_once_and_repaints_two_list_rows(
        project_doc: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """What a key that moves the cursor between annotations costs beside the text: the legend's new
    current tag is shown without measuring the legend again (its rows stay), and the annotation list
    draws again only the row it left and the row it highlights, unless it has to scroll."""
    from textual.scroll_view import ScrollView

    from tui.app.annotation_list import AnnotationList

    session = open_session(project_doc)
    for quote, tag in (("Robert Simmons", "actor"), ("Kazakhstan", "hedge"), ("NATO", "commitment")):
        session.add(*find(session.text, quote), tag)
    session.save()
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right_square_bracket")
        await pilot.pause()
        legend, listing = app.query_one(TagLegend), app.query_one(AnnotationList)
        measured: list[str] = []
        lines: list[int] = []
        whole: list[str] = []
        height = FittedStatic.get_content_height
        refresh_lines = ScrollView.refresh_lines
        refresh = AnnotationList.refresh
        monkeypatch.setattr(FittedStatic, "get_content_height",
                            lambda self, *a: (measured.append(type(self).__name__), height(self, *a))[1])
        monkeypatch.setattr(AnnotationList, "refresh_lines",
                            lambda self, y, n=1: (lines.append(y), refresh_lines(self, y, n))[1])
        monkeypatch.setattr(AnnotationList, "refresh",
                            lambda self, *r, **o: (whole.append("list") if not r else None, refresh(self, *r, **o))[1])
        before, current = listing.highlighted, legend.current
        await pilot.press("right_square_bracket")  # to an annotation of another tag
        await pilot.pause()
        assert legend.current != current and "TagLegend" not in measured
        assert listing.highlighted == before + 1
        assert sorted(lines) == [before, before + 1] and whole == []
        assert legend.current is not None and legend.current in widget_text(legend)


async def test_at_80_by_24_a_linked_annotation_leaves_the_list_its_rows_and_border(
        project: Path, project_doc: Path) -> None:
    """With the links panel up, the details give up rows: the legend (a codebook of four tags) and the
    annotation list (its two rows and its bottom border) still fit above the footer. The list's
    bottom ran off the screen."""
    from tui.app.annotation_list import AnnotationList
    from tui.app.links_panel import LinksPanel

    (project / "hedgerow.toml").write_text("".join(
        f'[[tags]]\nname = "{name}"\ncolour = "{colour}"\n\n' for name, colour in
        (("actor", "#3b82f6"), ("commitment", "#22c55e"), ("hedge", "#f59e0b"), ("evidence", "#a855f7"))))
    session = open_session(project_doc)
    actor = session.add(*find(session.text, "Robert Simmons"), "actor")
    made = session.add(*find(session.text, "denied any need or existing plans"), "commitment")
    session.set_note(made.id, "a long note " * 12)  # details that want more rows than there are
    session.link(made.id, actor.id, "by")
    session.save()
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=(80, 24)) as pilot:
        app.view.move_to(made.start)
        await pilot.pause()
        await pilot.pause()
        links, listing = app.query_one(LinksPanel), app.query_one(AnnotationList)
        details, legend = app.query_one(DocumentPanel), app.query_one(TagLegend)
        assert links.display and links.region.height >= 3
        footer_row = 23
        assert listing.region.bottom <= footer_row and listing.scrollable_content_region.height >= 2
        assert legend.region.y >= links.region.bottom and listing.region.y >= legend.region.bottom
        assert details.region.height >= 3
        rows = [app.screen._compositor.render_strips()[y].text for y in range(24)]
        assert rows[listing.region.bottom - 1].rstrip().endswith("╯")  # the list's bottom border is drawn
        links_bottom = rows[links.region.bottom - 1][links.region.x:links.region.right]
        assert "1 · ⏎" in links_bottom and "…" not in links_bottom  # the keys fit the border, not cut ("x unli…")
        app.view.move_to(0)  # off the linked annotation: the links panel goes, the details take their room back
        await pilot.pause()
        await pilot.pause()
        assert not links.display and listing.region.bottom <= footer_row
