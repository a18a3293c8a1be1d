"""The TUI driven as a user would, through Textual's Pilot, checking the files on disk."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from textual.geometry import Region

from tests.keys import type_keys
from tui.app.annotation_list import AnnotationList
from tui.app.app import HedgerowApp
from tui.app.panels import DocumentPanel, TagLegend
from tui.core.paths import layer_path
from tui.core.session import Session, SessionOptions

HEDGE = "The rhetoric remains to be tested"
SIZE = (100, 30)


def open_session(doc: Path, annotator: str = "alice", **options) -> Session:
    return Session.open(doc, SessionOptions(annotator=annotator, **options))


def stored(doc: Path, annotator: str = "alice", annotations: Path | None = None) -> dict:
    folder = annotations or doc.parent / "annotations"
    path = folder / doc.stem / f"{annotator}.json"
    return json.loads(path.read_text(encoding="utf-8"))["annotations"]


async def search(pilot, text: str) -> None:
    await pilot.press("slash")
    await type_keys(pilot, *text)
    await pilot.press("enter")
    await pilot.pause()


async def wait_saved(pilot, app: HedgerowApp, timeout: float = 3.0) -> None:
    for _ in range(int(timeout / 0.05)):
        await pilot.pause(0.05)
        if not app.session.dirty and not app.saver._in_flight:
            return
    raise AssertionError("the session was not saved in time")


def widget_text(widget) -> str:
    """What the widget shows on screen, as plain text."""
    region = Region(0, 0, widget.outer_size.width, widget.outer_size.height)
    return "\n".join(strip.text for strip in widget.render_lines(region))


def screen_row(app, y: int) -> str:
    """Row `y` of the screen as drawn, as plain text."""
    return app.screen._compositor.render_strips()[y].text


def find(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


async def test_search_tag_note_quit_writes_exactly_that_annotation(project_doc: Path) -> None:
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, HEDGE)
        assert app.view.selection == find(app.session.text, HEDGE)
        await pilot.press("3")
        await pilot.press("enter")  # the note dialog, on the new annotation under the cursor
        await type_keys(pilot, *"Closing hedge")
        await pilot.press("ctrl+s")
        await pilot.press("q")
    records = list(stored(project_doc).values())
    assert len(records) == 1
    record = records[0]
    start, end = find(project_doc.read_text(encoding="utf-8"), HEDGE)
    assert (record["tag"], record["start"], record["end"]) == ("hedge", start, end)
    assert record["quote"] == HEDGE
    assert record["note"] == "Closing hedge"
    assert record["annotator"] == "alice"
    assert record["suffix"] == "."


async def test_reopened_annotation_is_coloured_and_listed(project_doc: Path) -> None:
    session = open_session(project_doc)
    start, end = find(session.text, HEDGE)
    session.add(start, end, "hedge", note="a note")
    session.save()
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        listing = app.query_one(AnnotationList)
        assert [a.quote for a in listing.rows] == [HEDGE]
        assert "✎" in listing.render_line(0).text and "hedge" in listing.render_line(0).text
        view = app.view
        view.move_to(end + 1)  # keep the cursor off the span so its plain colour shows
        await pilot.pause()
        row, column = view.location(start + 4)
        strip = view.render_line(row - view.scroll_offset.y)
        cell = _style_at(strip, column)
        assert cell.bgcolor is not None and cell.bgcolor.name.lower() == "#ffaf5f"
        assert "hedge" in widget_text(app.query_one(TagLegend))


def _style_at(strip, column: int):
    position = 0
    for segment in strip:
        if position <= column < position + len(segment.text):
            return segment.style
        position += len(segment.text)
    raise AssertionError(f"no cell at column {column}")


async def test_undo_and_redo_restore_the_file(project_doc: Path) -> None:
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, HEDGE)
        await pilot.press("3")
        await wait_saved(pilot, app)
        assert len(stored(project_doc)) == 1
        await pilot.press("u")
        await wait_saved(pilot, app)
        assert stored(project_doc) == {}
        await pilot.press("ctrl+y")
        await wait_saved(pilot, app)
        assert [r["tag"] for r in stored(project_doc).values()] == ["hedge"]


async def test_retag_and_delete_under_the_cursor(project_doc: Path) -> None:
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "Ambassador Robert Simmons")
        await pilot.press("1")
        await pilot.press("2")  # no selection now: retags the annotation under the cursor
        await wait_saved(pilot, app)
        assert [r["tag"] for r in stored(project_doc).values()] == ["commitment"]
        await pilot.press("d")
        await wait_saved(pilot, app)
        assert stored(project_doc) == {}


async def test_overlapping_spans_are_both_kept_and_underlined(project_doc: Path) -> None:
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "Ambassador Robert Simmons, Special Representative")
        await pilot.press("1")
        await search(pilot, "Robert Simmons")
        await pilot.press("3")
        await wait_saved(pilot, app)
        tags = sorted((r["quote"], r["tag"]) for r in stored(project_doc).values())
        assert tags == [("Ambassador Robert Simmons, Special Representative", "actor"), ("Robert Simmons", "hedge")]
        view = app.view
        inner = app.session.text.index("Robert Simmons")
        view.move_to(0)
        await pilot.pause()
        row, column = view.location(inner + 2)
        assert _style_at(view.render_line(row - view.scroll_offset.y), column).underline
        assert len(app.query_one(AnnotationList).rows) == 2


async def test_mouse_drag_selects_then_tags(project_doc: Path) -> None:
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        first = app.session.text.index("Kazakhstan has taken")
        row, column = view.location(first)
        region = view.content_region
        origin = (region.x - view.region.x, region.y - view.region.y)
        await pilot.mouse_down(view, offset=(origin[0] + column, origin[1] + row))
        await pilot.hover(view, offset=(origin[0] + column + 10, origin[1] + row))
        await pilot.mouse_up(view, offset=(origin[0] + column + 10, origin[1] + row))
        await pilot.pause()
        assert view.selection == (first, first + 10)
        await pilot.press("1")
        await wait_saved(pilot, app)
        assert [r["quote"] for r in stored(project_doc).values()] == ["Kazakhstan"]


async def test_sentence_select_tags_the_whole_sentence(project_doc: Path) -> None:
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        text = app.session.text
        app.view.move_to(text.index("downplay fears"))
        await pilot.press("s")
        selected = text[slice(*app.view.selection)]
        assert selected.startswith("Though Ambassador Simmons evidently")
        assert selected.endswith("cooperation with the Alliance.")
        await pilot.press("2")
        await wait_saved(pilot, app)
        assert [r["quote"] for r in stored(project_doc).values()] == [selected]


async def test_next_and_previous_annotation(project_doc: Path) -> None:
    session = open_session(project_doc)
    quotes = ["Kazakhstan has taken", "Robert Simmons", HEDGE]
    for quote in quotes:
        session.add(*find(session.text, quote), "actor")
    session.save()
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        starts = [find(app.session.text, q)[0] for q in quotes]
        await pilot.press("right_square_bracket")
        assert app.view.cursor == starts[0]
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert app.view.cursor == starts[2]
        await pilot.press("left_square_bracket")
        assert app.view.cursor == starts[1]
        listing = app.query_one(AnnotationList)
        assert listing.current.quote == "Robert Simmons"


async def test_going_to_an_annotation_shows_all_of_it(project_doc: Path) -> None:
    session = open_session(project_doc)
    session.add(*find(session.text, "reach genuine new heights. " + HEDGE), "hedge")  # the last paragraph's end
    session.save()
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=(60, 20)) as pilot:  # narrow: the span takes two rows
        view = app.view
        await pilot.press("right_square_bracket")
        annotation = app.session.layer.at_position(0)
        first, last = view.location(annotation.start)[0], view.location(annotation.end - 1)[0]
        top, height = view.scroll_offset.y, view.scrollable_content_region.height
        assert last > first and top <= first and last < top + height
        assert first - top >= 2  # centred, not at the very bottom


async def test_tag_filter_cycles_the_list(project_doc: Path) -> None:
    session = open_session(project_doc)
    for quote, tag in (("Kazakhstan has taken", "actor"), ("Robert Simmons", "actor"), (HEDGE, "hedge")):
        session.add(*find(session.text, quote), tag)
    session.save()
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        listing = app.query_one(AnnotationList)
        assert len(listing.rows) == 3
        await pilot.press("f")
        assert {a.tag for a in listing.rows} == {"actor"} and len(listing.rows) == 2
        await pilot.press("f")
        assert list(listing.rows) == []  # commitment: none
        await pilot.press("f")
        assert [a.quote for a in listing.rows] == [HEDGE]
        await pilot.press("f")
        assert len(listing.rows) == 3


async def test_the_list_moves_the_document(project_doc: Path) -> None:
    session = open_session(project_doc)
    for quote in ("Robert Simmons", HEDGE):
        session.add(*find(session.text, quote), "hedge")
    session.save()
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        listing = app.query_one(AnnotationList)
        await pilot.pause()
        await pilot.click(AnnotationList, offset=(3, 2))  # the second row: one click shows it
        await pilot.pause()
        assert app.view.cursor == find(app.session.text, HEDGE)[0]
        assert listing.current.quote == HEDGE and app.focused is listing
        await pilot.press("up")  # browsing the list moves the document along
        assert app.view.cursor == find(app.session.text, "Robert Simmons")[0]
        await pilot.press("enter")  # and Enter goes there
        assert app.focused is app.view


async def test_copy_puts_quote_and_citation_on_the_clipboard(project_doc: Path) -> None:
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, HEDGE)
        await pilot.press("y")
        assert app.clipboard.startswith(f"“{HEDGE}”")
        assert "Publication: Eurasia Daily Monitor" in app.clipboard
        await pilot.press("3", "y")  # no selection: the annotation's quote
        assert app.clipboard.startswith(f"“{HEDGE}”")


async def test_save_error_keeps_the_data_and_saves_when_writable(tmp_path: Path, project_doc: Path) -> None:
    annotations = tmp_path / "readonly"
    annotations.mkdir()
    folder = annotations / project_doc.stem
    as_root = os.geteuid() == 0
    app = HedgerowApp(open_session(project_doc, annotations=annotations))
    if as_root:
        folder.write_text("in the way")  # root ignores permissions: make the folder impossible instead
    else:
        annotations.chmod(0o555)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await search(pilot, HEDGE)
            await pilot.press("3")
            await pilot.pause(0.5)
            panel = app.query_one(DocumentPanel)
            assert panel.save_state == "error"
            assert "not saved" in widget_text(panel)
            assert len(app.session.layer) == 1 and app.session.dirty
            if as_root:
                folder.unlink()
            else:
                annotations.chmod(0o755)
            for _ in range(60):  # the retry is due within a second or two
                await pilot.pause(0.1)
                if panel.save_state == "saved":
                    break
            assert panel.save_state == "saved"
            assert [r["quote"] for r in stored(project_doc, annotations=annotations).values()] == [HEDGE]
    finally:
        annotations.chmod(0o755)


async def test_quit_with_unsaveable_changes_asks_first(tmp_path: Path, project_doc: Path) -> None:
    annotations = tmp_path / "blocked"
    annotations.mkdir()
    app = HedgerowApp(open_session(project_doc, annotations=annotations))
    (annotations / project_doc.stem).write_text("in the way")
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, HEDGE)
        await pilot.press("3")
        await pilot.press("q")
        await pilot.pause()
        assert type(app.screen).__name__ == "QuitDialog"
        await pilot.press("escape")  # stay: nothing is lost
        assert app.is_running and len(app.session.layer) == 1


async def test_empty_document_opens_and_says_so(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    doc = tmp_path / "empty.txt"
    doc.write_text("  \n\n")
    app = HedgerowApp(open_session(doc))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "empty" in widget_text(app.query_one(DocumentPanel))
        await pilot.press("s", "1")  # nothing to select or tag; no crash
        assert len(app.session.layer) == 0


async def test_keys_can_be_remapped_in_the_config(project: Path, project_doc: Path) -> None:
    (project / "hedgerow.toml").write_text('[keys]\n"app.select_sentence" = "z"\n')
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        app.view.move_to(app.session.text.index("downplay fears"))
        await pilot.press("z")
        assert app.view.selection is not None
        assert app.session.text[slice(*app.view.selection)].startswith("Though Ambassador")


async def test_custom_codebook_tags_with_its_keys(project: Path, project_doc: Path) -> None:
    (project / "hedgerow.toml").write_text(
        '[[tags]]\nname = "claim"\ncolour = "#ff0000"\n\n[[tags]]\nname = "source"\ncolour = "#00ff00"\n')
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "Interfax")
        await pilot.press("2")
        await wait_saved(pilot, app)
        assert [r["tag"] for r in stored(project_doc).values()] == ["source"]
        assert "claim" in widget_text(app.query_one(TagLegend))


async def test_help_and_palette_list_the_actions(project_doc: Path) -> None:
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        names = [name for name, _, _ in app.palette_commands()]
        for wanted in ("Export…", "Undo", "Tag selection as hedge", "Filter: actor", "Search"):
            assert wanted in names


async def test_palette_export_writes_a_w3c_file(project_doc: Path, monkeypatch) -> None:
    monkeypatch.chdir(project_doc.parent)
    session = open_session(project_doc)
    session.add(*find(session.text, HEDGE), "hedge")
    app = HedgerowApp(session)
    async with app.run_test(size=SIZE) as pilot:
        app.export("w3c")  # in a worker, of the annotations as they are now
        session.add(*find(session.text, "Kazakhstan"), "actor")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("Exported 1 annotation to exports/seed.alice.w3c.jsonld" in n.message
                   for n in app._notifications)
    exported = json.loads((project_doc.parent / "exports" / "seed.alice.w3c.jsonld").read_text(encoding="utf-8"))
    assert exported["type"] == "AnnotationCollection" and exported["total"] == 1
    assert exported["first"]["items"][0]["target"]["selector"][0]["exact"] == HEDGE


async def test_changed_text_flags_moved_annotations_and_r_reanchors(project_doc: Path) -> None:
    session = open_session(project_doc)
    for quote, tag in (("Ambassador Robert Simmons", "actor"), ("denied any need", "hedge"),
                       ("Interfax", "actor"), (HEDGE, "hedge")):
        session.add(*find(session.text, quote), tag)
    session.save()
    text = project_doc.read_text(encoding="utf-8")
    text = text.replace("Kazakhstan has taken", "Kazakhstan, it seems, has taken")
    text = text.replace("denied any need", "denied any real need").replace(HEDGE, "The end.")
    project_doc.write_text(text, encoding="utf-8")
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(40):  # the anchors are found in a worker
            await pilot.pause(0.05)
            if app.anchors:
                break
        statuses = {app.session.layer[key].quote: anchor.status.value for key, anchor in app.anchors.items()}
        assert statuses == {"Ambassador Robert Simmons": "moved", "denied any need": "fuzzy",
                            "Interfax": "moved", HEDGE: "orphan"}
        assert "⚠" in widget_text(app.query_one(AnnotationList)) and "✗" in widget_text(app.query_one(AnnotationList))
        await pilot.press("R")
        await pilot.press("enter")  # confirm
        await wait_saved(pilot, app)
        records = {r["quote"]: r for r in stored(project_doc).values()}
        assert set(records) == {"Ambassador Robert Simmons", "denied any real need", "Interfax", HEDGE}
        for quote in ("Ambassador Robert Simmons", "denied any real need", "Interfax"):
            assert text[records[quote]["start"]:records[quote]["end"]] == quote
        assert records[HEDGE]["start"] == session.text.index(HEDGE)  # the orphan is kept, untouched
        assert [a.status.value for a in app.anchors.values()] == ["orphan"]
        await pilot.press("u")  # and it can be undone
        await wait_saved(pilot, app)
        assert "denied any need" in {r["quote"] for r in stored(project_doc).values()}


async def test_re_anchoring_many_annotations_is_checked_again_in_a_worker(project_doc: Path, monkeypatch) -> None:
    from tui.app import app as app_module
    from tui.core import anchoring

    monkeypatch.setattr(app_module, "ANCHOR_ON_THE_SPOT", 2)  # three annotations count as many
    worker_runs: list[int] = []
    moved_anchors = anchoring.moved_anchors

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        worker_runs.append(1)
        return moved_anchors(*args, **kwargs)

    monkeypatch.setattr(anchoring, "moved_anchors", counted)
    session = open_session(project_doc)
    for quote in ("Ambassador Robert Simmons", "denied any need", "Interfax"):
        session.add(*find(session.text, quote), "actor")
    session.save()
    project_doc.write_text("A preface added later.\n\n" + project_doc.read_text(encoding="utf-8"), encoding="utf-8")
    app = HedgerowApp(open_session(project_doc))

    async def anchors_settled() -> dict:
        for _ in range(60):
            await pilot.pause(0.05)
            if app._anchors_wanted is None:
                return {app.session.layer[key].quote: place.status.value for key, place in app.anchors.items()}
        raise AssertionError("the anchors were not found in time")

    async with app.run_test(size=SIZE) as pilot:
        assert set((await anchors_settled()).values()) == {"moved"} and len(app.anchors) == 3
        assert len(worker_runs) == 1
        await pilot.press("R", "enter")
        await pilot.pause()
        assert await anchors_settled() == {}  # all re-anchored: nothing flagged
        assert len(worker_runs) == 2  # found again in the worker, not one by one on the UI thread
        assert "3 moved" not in widget_text(app.query_one(DocumentPanel))
        await pilot.press("u")
        assert len(await anchors_settled()) == 3  # undone: flagged again


async def test_b_hides_the_side_panels_for_a_narrow_terminal(project_doc: Path) -> None:
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        narrow = app.view.size.width
        await pilot.press("b")
        await pilot.pause()
        assert not app.query_one("#sidebar").display
        assert app.view.size.width > narrow + 20
        await pilot.press("b")
        await pilot.pause()
        assert app.view.size.width == narrow


async def test_a_deferred_annotation_file_loads_after_the_first_screen(project_doc: Path) -> None:
    session = open_session(project_doc)
    session.add(*find(session.text, HEDGE), "hedge")
    session.save()
    deferred = Session.open(project_doc, SessionOptions(annotator="alice"), defer=True)
    assert not deferred.loaded and len(deferred.layer) == 0
    app = HedgerowApp(deferred)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(40):
            await pilot.pause(0.05)
            if app.session.loaded:
                break
        assert [a.quote for a in app.query_one(AnnotationList).rows] == [HEDGE]
        assert app.view.annotations is app.session.layer
        await pilot.press("right_square_bracket", "2")  # retag works once loaded
        await wait_saved(pilot, app)
        assert [r["tag"] for r in stored(project_doc).values()] == ["commitment"]


async def test_quitting_while_a_large_file_loads_stops_the_load(project_doc: Path, monkeypatch) -> None:
    """The process ends only once the loader's thread does: quitting while 100,000 annotations
    loaded took 4-6 s. The load stops at its next pause once the app closes, and nothing is written."""
    from tui.core import pacing

    session = open_session(project_doc)
    session.add(*find(session.text, HEDGE), "hedge")
    session.save()
    before = layer_path(project_doc, "alice").read_bytes()
    deferred = Session.open(project_doc, SessionOptions(annotator="alice"), defer=True)
    started, ended = threading.Event(), threading.Event()
    stopped: list[bool] = []

    def endless_read() -> object:  # a load that pauses between pieces, as the store's does
        started.set()
        try:
            for _ in range(500):  # 5 s
                pacing.pause()
                time.sleep(0.01)
        except pacing.Stopped:
            stopped.append(True)
            raise
        finally:
            ended.set()
        raise AssertionError("the load was not stopped")

    monkeypatch.setattr(deferred, "read_annotations", endless_read)
    app = HedgerowApp(deferred)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(40):
            await pilot.pause(0.05)
            if started.is_set():
                break
        await pilot.press("q")
    assert ended.wait(1), "the load went on after the app closed"
    assert stopped == [True]
    assert layer_path(project_doc, "alice").read_bytes() == before


def held_load(monkeypatch, session: Session) -> threading.Event:
    """The deferred file is read only once the returned event is set: keys can be pressed meanwhile."""
    go = threading.Event()
    read = session.read_annotations

    def read_when_let() -> object:
        assert go.wait(10)
        return read()

    monkeypatch.setattr(session, "read_annotations", read_when_let)
    return go


async def wait_loaded(pilot, app: HedgerowApp) -> None:
    for _ in range(100):
        await pilot.pause(0.05)
        if app.session.loaded:
            return
    raise AssertionError("the annotations were not installed in time")


async def test_keys_pressed_while_annotations_load_move_the_cursor_and_changes_wait(
        project_doc: Path, monkeypatch) -> None:
    """The text is usable at once: keys move through it while the file loads; a change is refused
    (saving then would write over the unread file), and after the load it is made on the loaded
    annotations, which are all kept."""
    session = open_session(project_doc)
    session.add(*find(session.text, HEDGE), "hedge")
    session.save()
    before = (project_doc.parent / "annotations" / project_doc.stem / "alice.json").read_bytes()
    deferred = Session.open(project_doc, SessionOptions(annotator="alice"), defer=True)
    go = held_load(monkeypatch, deferred)
    app = HedgerowApp(deferred)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "end", "shift+left", "shift+left")
        cursor, selection = app.view.cursor, app.view.selection
        assert cursor > 0 and selection is not None
        await pilot.press("1")  # tag: refused while loading
        await pilot.pause()
        assert not app.session.loaded and not app.session.dirty
        assert "still loading" in " ".join(str(n.message) for n in app._notifications)
        assert (project_doc.parent / "annotations" / project_doc.stem / "alice.json").read_bytes() == before
        go.set()
        await wait_loaded(pilot, app)
        assert app.view.cursor == cursor and app.view.selection == selection  # the keys' state is kept
        assert [a.quote for a in app.query_one(AnnotationList).rows] == [HEDGE]
        await pilot.press("1")  # now it is made
        await wait_saved(pilot, app)
    tags = sorted((r["tag"], r["start"], r["end"]) for r in stored(project_doc).values())
    start, end = find(project_doc.read_text(encoding="utf-8"), HEDGE)
    assert tags == sorted([("hedge", start, end), ("actor", min(selection), max(selection))])


async def test_quitting_while_annotations_load_leaves_the_file_as_it_was(project_doc: Path, monkeypatch) -> None:
    session = open_session(project_doc)
    session.add(*find(session.text, HEDGE), "hedge")
    session.save()
    path = project_doc.parent / "annotations" / project_doc.stem / "alice.json"
    before = path.read_bytes()
    deferred = Session.open(project_doc, SessionOptions(annotator="alice"), defer=True)
    go = held_load(monkeypatch, deferred)
    app = HedgerowApp(deferred)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "1", "d", "u", "ctrl+s")  # select, tag, delete, undo, save: all wait
        threading.Timer(0.3, go.set).start()  # the file is read after the app has begun to quit
        await pilot.press("q")
        assert not app.session.loaded
    assert path.read_bytes() == before


async def test_input_tells_background_work_to_wait(project_doc: Path, monkeypatch) -> None:
    from tui.core import pacing

    acted: list[str] = []
    monkeypatch.setattr(pacing, "user_acted", lambda: acted.append("acted"))
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        acted.clear()
        await pilot.press("down")
        assert acted
        acted.clear()
        await pilot.click("#document", offset=(3, 2))
        assert acted


async def test_a_damaged_deferred_file_stops_the_app_and_is_left_alone(project_doc: Path) -> None:
    path = project_doc.parent / "annotations" / project_doc.stem / "alice.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"annotations": {', encoding="utf-8")
    app = HedgerowApp(Session.open(project_doc, SessionOptions(annotator="alice"), defer=True))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "1")  # nothing may be saved over the unread file
        for _ in range(40):
            await pilot.pause(0.05)
            if not app.is_running:
                break
    assert app.return_code == 1
    assert path.read_text(encoding="utf-8") == '{"annotations": {'


async def test_the_position_line_follows_the_cursor_and_the_selection(project_doc: Path) -> None:
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        position = app.query_one("#position")
        assert str(position.render()) == "0 · 0%"
        await pilot.press("shift+right", "shift+right", "shift+right")
        assert str(position.render()) == "3 selected · 1-9 tags · 3 · 0%"
        await pilot.press("end")
        offset = app.view.cursor
        assert str(position.render()) == f"{offset:,} · {100 * offset // len(app.session.text)}%"
        assert app.view.border_subtitle is None  # not in the pane's border: setting that redraws the whole pane


def test_workers_report_in_typed_messages_not_callbacks() -> None:
    """Workers are @work methods posting tui.app.messages; nothing calls back into the UI thread by hand."""
    import tui.app

    root = Path(tui.app.__file__).parent
    for path in root.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "call_from_thread" not in source, path.name
        assert "run_worker(" not in source, path.name  # @work instead, so each worker is a typed method


async def test_the_footer_is_never_rebuilt_and_shows_the_keys_as_they_change(project_doc: Path) -> None:
    from textual.widgets import Footer

    app = HedgerowApp(open_session(project_doc))
    rebuilds: list[int] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = app.query_one(Footer)
        original = footer.recompose

        async def counted() -> None:
            rebuilds.append(1)
            await original()

        footer.recompose = counted  # type: ignore[method-assign]
        app.refresh_bindings()  # as a focus-in from the terminal does: the same keys
        await pilot.press("down", "down")
        await pilot.pause()
        assert rebuilds == []
        await pilot.press("shift+right")  # a selection: "Deselect" appears, its key updated in place
        await pilot.pause()
        assert rebuilds == []
        assert "Deselect" in [key.description for key in app.query("FooterKey").results()]  # type: ignore[attr-defined]
        assert "Deselect" in screen_row(app, footer.region.y)
        await pilot.press("escape")  # and goes again
        await pilot.pause()
        assert rebuilds == [] and "Deselect" not in screen_row(app, footer.region.y)


async def test_the_collector_runs_between_keys_not_during_them(project_doc: Path, monkeypatch) -> None:
    from tui.core import gc_policy, pacing

    runs: list[float] = []
    monkeypatch.setattr(gc_policy, "collect_while_idle", lambda: runs.append(pacing.time.monotonic()) or True)
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.35)
        assert runs  # the user is still: the timer looked, and collected
        runs.clear()
        await pilot.press("down")
        pressed = pacing._acted  # when the app saw the key
        await pilot.pause(0.3)
        after = [t for t in runs if t >= pressed]  # one may run before the app sees the key: the user was still
        assert after and min(after) >= pressed + pacing.QUIET  # not while the key was being answered


async def test_loaded_annotations_are_shown_when_the_user_is_still(project_doc: Path, monkeypatch) -> None:
    """Installing a deferred file (and the frame that shows its annotations: ~60 ms with 100,000)
    waits while the user acts, pacing.LONGEST at most, so it does not land on a key."""
    from tui.core import pacing

    session = open_session(project_doc)
    session.add(*find(session.text, HEDGE), "hedge")
    session.save()
    deferred = Session.open(project_doc, SessionOptions(annotator="alice"), defer=True)
    go = held_load(monkeypatch, deferred)
    acting = [True]
    monkeypatch.setattr(pacing, "still_for", lambda seconds: not acting[0])
    monkeypatch.setattr(pacing, "LONGEST", 60.0)  # keys for as long as the test likes
    app = HedgerowApp(deferred)
    async with app.run_test(size=SIZE) as pilot:
        go.set()
        for _ in range(10):
            await pilot.pause(0.05)
        assert not app.session.loaded  # read, but not installed while the user acts
        acting[0] = False
        await wait_loaded(pilot, app)
        assert [a.quote for a in app.query_one(AnnotationList).rows] == [HEDGE]


async def test_a_layer_changed_on_disk_while_open_is_not_written_over(project_doc: Path) -> None:
    """A `hedgerow add` (here: another session) writes the layer while the TUI has it open. The TUI's
    next save leaves that file alone, puts its own annotations in a file beside it, and says so in
    the details and on quitting. It wrote over the other's annotation, showing "✓ saved"."""
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        other = open_session(project_doc)
        other.add(*find(other.text, "Interfax"), "actor", note="added by the CLI")
        other.save()
        written = other.store.path.read_bytes()
        await search(pilot, "Kazakhstan")
        await pilot.press("3")
        await wait_saved(pilot, app)
        assert other.store.path.read_bytes() == written
        [aside] = other.store.path.parent.glob("alice.json.unsaved-*")
        assert [a["quote"] for a in json.loads(aside.read_text(encoding="utf-8"))["annotations"].values()] == \
            ["Kazakhstan"]
        details = widget_text(app.query_one(DocumentPanel))
        assert "not written over" in details and "✓ saved" not in details
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert [a["note"] for a in stored(project_doc).values()] == ["added by the CLI"]


async def test_tagging_the_same_span_with_the_same_tag_again_adds_nothing_and_says_why(project_doc: Path) -> None:
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        for _ in range(2):
            await search(pilot, "Kazakhstan")
            await pilot.press("1")
            await pilot.pause()
        assert [a.quote for a in app.session.layer] == ["Kazakhstan"]
        assert any("already tagged actor there" in n.message for n in app._notifications)


async def test_escape_after_a_search_leaves_the_cursor_on_the_match(project_doc: Path) -> None:
    """Find an annotation, Esc, then act on it: the cursor was left just past the match, on nothing."""
    session = open_session(project_doc)
    start, end = find(session.text, "Robert Simmons")
    session.add(start, end, "actor")
    session.save()
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "Robert Simmons")
        assert app.view.selection == (start, end)
        await pilot.press("escape")
        await pilot.pause()
        assert app.view.selection is None and app.view.cursor == start
        assert app.under_cursor() is not None and app.under_cursor().quote == "Robert Simmons"


async def test_the_palette_has_no_second_keys_panel_and_no_screenshot_into_the_project(project_doc: Path) -> None:
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Quit" in titles and "Theme" in titles
        assert "Keys" not in titles and "Screenshot" not in titles


async def test_the_entity_dialog_cuts_a_long_quote_at_a_word_with_an_ellipsis(project_doc: Path) -> None:
    session = open_session(project_doc)
    quote = "Special Representative of the NATO Secretary-General for the Caucasus and Central Asia"
    session.add(*find(session.text, quote), "actor")
    session.save()
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket", "E")
        await pilot.pause()
        title = str(app.screen.query("Label").first().render())
        assert title.startswith("Entity of “Special Representative") and title.endswith("…”"), title
