"""The documents screen driven through Pilot: open a document from the list, annotate it, come back to
updated counts, mark it done, restart; filter, sort, bad files, an empty folder, a file gone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus_fixture import write_corpus
from textual.geometry import Region

from tests.keys import type_keys
from tui.app.app import HedgerowApp
from tui.app.documents import DocumentsScreen
from tui.core.paths import layer_path
from tui.core.session import Session, SessionOptions

SIZE = (110, 30)
TEXTS = {
    "seeds/a-first.txt": "Alpha report\n\nThe minister may commit to a plan.\n",
    "seeds/b/second.txt": "Bravo report\n\nThe state commits to nothing at all.\n",
    "seeds/c-third.md": "Charlie notes\n\nNATO perhaps wants a base.\n",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path, TEXTS)


def corpus_app(root: Path) -> HedgerowApp:
    return HedgerowApp(None, corpus=root / "seeds", options=SessionOptions(annotator="alice"), annotator="alice")


def screen_text(app: HedgerowApp) -> str:
    screen = app.screen
    lines = []
    for widget in screen.query("*"):
        if widget.display and hasattr(widget, "render_lines") and widget.outer_size.height:
            region = Region(0, 0, widget.outer_size.width, widget.outer_size.height)
            lines += [strip.text for strip in widget.render_lines(region)]
    return "\n".join(lines)


# `app.session` is the new document's as soon as a switch starts; `app._opening` is False once its
# screen is mounted. Tests wait for both: ending during a switch tore the app down under it.
async def until(pilot, condition, timeout: float = 15.0) -> None:  # long only when it fails, on a loaded machine
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out")


def row_of(app: HedgerowApp, title: str) -> str:
    listing = app.documents.document_list
    for index, summary in enumerate(listing.rows):
        if summary.title == title:
            return listing.render_line(index - listing.scroll_offset.y).text
    raise AssertionError(f"{title} is not listed")


async def test_open_the_second_tag_go_back_see_the_count_mark_done_and_restart(corpus: Path) -> None:
    app = corpus_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.documents is not None and app.documents.loaded)
        screen = app.documents
        assert isinstance(app.screen, DocumentsScreen)
        assert [s.title for s in screen.document_list.rows] == ["Alpha report", "Bravo report", "Charlie notes"]
        assert row_of(app, "Bravo report").split()[:3] == ["○", "Bravo", "report"]
        await pilot.press("down", "enter")  # the second document
        await until(pilot, lambda: not isinstance(app.screen, DocumentsScreen))
        assert app.session.document.title == "Bravo report"
        await pilot.press("s", "2")  # the sentence under the cursor, tagged commitment
        await until(pilot, lambda: len(app.session.layer) == 1)
        await pilot.press("o")  # back to the list
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen))
        assert screen.document_list.current.title == "Bravo report"  # the cursor where it was
        row = row_of(app, "Bravo report")
        assert row.startswith("◐") and " 1 " in row
        await pilot.press("ctrl+d")
        await until(pilot, lambda: row_of(app, "Bravo report").startswith("●"))
        await pilot.press("ctrl+q")
    stored = json.loads(layer_path(corpus / "seeds/b/second.txt", "alice").read_text(encoding="utf-8"))
    assert stored["meta"]["1"]["done"] is True and len(stored["annotations"]) == 1

    again = corpus_app(corpus)  # a restart
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: again.documents is not None and again.documents.loaded)
        assert row_of(again, "Bravo report").startswith("●")
        assert row_of(again, "Alpha report").startswith("○")
        assert "1 done" in screen_text(again)  # the header (its end may be cut by a long tmp path)


async def test_typing_filters_escape_clears_and_ctrl_s_sorts(corpus: Path) -> None:
    session = Session.open(corpus / "seeds/c-third.md", SessionOptions(annotator="alice"))
    for word in ("NATO", "perhaps", "base"):
        start = session.text.index(word)
        session.add(start, start + len(word), "actor")
    session.save()
    app = corpus_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.documents is not None and app.documents.loaded)
        listing = app.documents.document_list
        await type_keys(pilot, *"brav")
        assert [s.title for s in listing.rows] == ["Bravo report"]
        await type_keys(pilot, *"zz")
        assert listing.rows == [] and listing.render_line(0).text.startswith("no title or path holds “bravzz”")
        await pilot.press("escape")
        assert len(listing.rows) == 3
        titles = {}
        for _ in range(3):
            await pilot.press("ctrl+s")
            titles[app.documents.sort_by] = [s.title for s in listing.rows]
        assert titles["folder"][-1] == "Bravo report"  # in b/
        assert titles["status"][-1] == "Charlie notes"  # in progress after not started
        assert titles["count"][0] == "Charlie notes"  # the most annotations first


async def test_bad_files_are_listed_with_their_problem_and_do_not_open(corpus: Path) -> None:
    (corpus / "seeds/binary.txt").write_bytes(b"\x00\x01PNG")
    (corpus / "seeds/latin.txt").write_bytes("café".encode("latin-1"))
    app = corpus_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.documents is not None and app.documents.loaded)
        assert "binary.txt: looks like a binary file" in row_of(app, "binary.txt")
        assert "latin.txt: not valid UTF-8" in row_of(app, "latin.txt")
        await type_keys(pilot, *"binary")
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, DocumentsScreen) and app.session is None


async def test_an_empty_folder_says_where_hedgerow_looked(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    app = corpus_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.documents is not None and app.documents.summariser is not None)
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "No documents here: hedgerow looked for .txt and .md files in" in text
        assert str((tmp_path / "seeds").resolve())[:30] in text
        await pilot.press("enter", "escape", "1", "d")  # nothing to open, nothing to tag: no error
        assert app.session is None


async def test_a_document_deleted_while_listed_is_reported_when_opened(corpus: Path) -> None:
    app = corpus_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.documents is not None and app.documents.loaded)
        (corpus / "seeds/a-first.txt").unlink()
        await pilot.press("enter")
        await until(pilot, lambda: "No such file" in row_of(app, "a-first.txt"))
        assert isinstance(app.screen, DocumentsScreen) and app.session is None
        await pilot.press("down", "enter")  # the next one still opens
        await until(pilot, lambda: app.session is not None and not app._opening)
        assert app.session.document.title == "Bravo report"


async def test_a_single_file_shows_its_projects_documents_and_the_palette_jumps(corpus: Path) -> None:
    session = Session.open(corpus / "seeds/a-first.txt", SessionOptions(annotator="alice"))
    app = HedgerowApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"second")  # before the list was ever shown: by file name
        await pilot.pause(0.5)
        await pilot.press("enter")
        await until(pilot, lambda: app.session.document.title == "Bravo report" and not app._opening)
        await pilot.press("o")
        await until(pilot, lambda: app.documents is not None and app.documents.loaded)
        assert app.documents.root == corpus / "seeds"
        assert [s.title for s in app.documents.document_list.rows] == ["Alpha report", "Bravo report",
                                                                       "Charlie notes"]
        assert app.documents.document_list.current.title == "Bravo report"
        await pilot.press("escape")  # back to the open document
        assert not isinstance(app.screen, DocumentsScreen)
        await pilot.press("ctrl+p")
        await type_keys(pilot, *"charlie")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await until(pilot, lambda: app.session.document.title == "Charlie notes" and not app._opening)
        assert not isinstance(app.screen, DocumentsScreen)


async def test_a_document_left_from_the_palette_shows_its_new_counts_in_the_list(corpus: Path) -> None:
    app = HedgerowApp(Session.open(corpus / "seeds/a-first.txt", SessionOptions(annotator="alice")))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")  # the list, read once
        await until(pilot, lambda: app.documents is not None and app.documents.loaded)
        await pilot.press("escape")
        await pilot.pause()
        start = app.session.text.index("minister")
        app.view.select(start, start + len("minister"))
        await pilot.press("1")  # an actor in Alpha
        await pilot.press("ctrl+p", *"charlie")  # then straight to another document, not by the list
        await pilot.pause(0.5)
        await pilot.press("enter")
        await until(pilot, lambda: app.session.document.title == "Charlie notes" and not app._opening)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen))
        alpha = app.documents.summary_of(corpus / "seeds/a-first.txt")
        assert alpha is not None and alpha.layer("alice").counts == {"actor": 1}


async def test_a_document_opened_while_a_dialog_is_up_switches_once_it_is_gone(corpus: Path) -> None:
    """The palette that chose a document may still be closing when the worker has opened it: the
    switch waits for it, else it recomposed the screen on top (the palette's, here the help's)."""
    from tui.app.search_bar import SearchBar

    app = HedgerowApp(Session.open(corpus / "seeds/a-first.txt", SessionOptions(annotator="alice")))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert help_screen is not app.screen_stack[0]
        app.open_document(corpus / "seeds/c-third.md")
        await pilot.pause(0.5)
        assert app.screen is help_screen and app.session.document.title == "Alpha report"
        assert not help_screen.query(SearchBar)  # the help still the help
        await pilot.press("escape")
        await until(pilot, lambda: app.session.document.title == "Charlie notes" and not app._opening)
        await pilot.pause()
        assert app.screen is app.screen_stack[0] and app.screen.query_one(SearchBar)
        assert app.view.border_title == "c-third.md"


async def test_a_document_changed_while_listed_is_noticed_when_opened(corpus: Path) -> None:
    doc = corpus / "seeds/a-first.txt"
    session = Session.open(doc, SessionOptions(annotator="alice"))
    start = session.text.index("minister")
    session.add(start, start + len("minister"), "actor")
    session.save()
    app = corpus_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.documents is not None and app.documents.loaded)
        assert not row_of(app, "Alpha report").rstrip().endswith("⚠")
        doc.write_text("Alpha report\n\nA new first line.\nThe minister may commit to a plan.\n", encoding="utf-8")
        await pilot.press("enter")
        await until(pilot, lambda: app.session is not None and not app._opening)
        assert app.session.document_changed  # the annotation screen flags the moved annotation
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen))
        await until(pilot, lambda: row_of(app, "Alpha report").rstrip().endswith("⚠"))  # the counts refresh in a worker


async def test_a_prefetched_scan_is_listed_at_mount(corpus: Path) -> None:
    """`hedgerow DIR` scans while Textual loads; the rows are then there when the screen mounts."""
    from tui.core.corpus import Prefetch

    prefetch = Prefetch(corpus / "seeds")
    prefetch.result()
    app = HedgerowApp(None, corpus=corpus / "seeds", options=SessionOptions(annotator="alice"), annotator="alice",
                      prefetch=prefetch)
    async with app.run_test(size=SIZE) as pilot:
        assert app.documents is not None and len(app.documents.summaries) == 3  # before any worker ran
        await until(pilot, lambda: app.documents.loaded)
        assert [s.title for s in app.documents.document_list.rows] == ["Alpha report", "Bravo report",
                                                                       "Charlie notes"]


async def test_keys_typed_after_enter_and_o_reach_the_screen_they_open(corpus: Path) -> None:
    """A burst: enter opens the document and `s` then selects its sentence (not typed into the
    filter); `o` goes back to the list and the letters after it filter it (none runs as a command)."""
    from tests.test_key_bursts import burst, settle

    app = corpus_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.documents is not None and app.documents.loaded)
        burst(app, ["enter", "s"])
        await until(pilot, lambda: not isinstance(app.screen, DocumentsScreen))
        await settle(pilot)
        assert app.session is not None and app.session.document.title == "Alpha report"
        assert app.view.selection is not None, "the s after enter did not reach the document"
        assert app.documents.filter_text == ""
        burst(app, ["o", *"bravo"])  # in the document: b hides the panels, p selects, o opens the list
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen))
        await settle(pilot)
        assert app.documents.filter_text == "bravo"
        assert app.query_one("#sidebar").display, "the b after o reached the document"
        assert [s.title for s in app.documents.document_list.rows] == ["Bravo report"]


async def test_help_before_any_document_is_opened_shows_the_corpus_codebook(corpus: Path) -> None:
    from tui.app.dialogs import HelpScreen

    app = corpus_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.documents is not None and app.documents.loaded)
        app.action_help()
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        title, rows = app.help_sections()[-1]
        assert title == "Tags (the codebook)" and [key for key, _ in rows][:3] == ["1", "2", "3"]
        assert "actor" in rows[0][1]


async def test_the_header_shows_a_folder_name_with_brackets_as_it_is(tmp_path: Path) -> None:
    """The folder and annotator names are shown, never read as markup."""
    root = tmp_path / "[b]reports[/b]"
    (root / "seeds").mkdir(parents=True)
    (root / "seeds/one.txt").write_text("One\n\nThe minister may commit.\n", encoding="utf-8")
    (root / ".git").mkdir()
    app = corpus_app(root)
    async with app.run_test(size=(200, 30)) as pilot:
        await until(pilot, lambda: app.documents is not None and app.documents.loaded)
        await pilot.pause()
        assert "[b]reports[/b]/seeds: 1 document" in screen_text(app)


async def test_the_dialogs_css_held_back_from_the_first_frame_styles_the_help_pushed_at_once(corpus: Path) -> None:
    """The annotation screen's and dialogs' CSS is parsed after the list's first frame (issue 12):
    a dialog pushed before that (here, in the same tick as the mount) loads it first."""
    from tui.app.dialogs import HelpScreen

    app = corpus_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        assert app._css_later  # held back: the list is shown without it
        app.action_help()
        await until(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen.query("#help-dialog"))
        await pilot.pause()
        assert not app._css_later
        assert app.screen.query_one("#help-dialog").outer_size.width == 84  # dialogs.tcss's width
    app = corpus_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: not app._css_later)  # once the counts are in, on its own
        await until(pilot, lambda: app.documents is not None and app.documents.loaded)
        await pilot.press("enter")
        await until(pilot, lambda: app.session is not None and app.query("#document"))
        assert app.query_one("#sidebar").outer_size.width in (28, 34, 44)  # app.tcss's widths


def test_the_documents_screen_shows_before_the_annotation_screen_is_imported(corpus: Path) -> None:
    """Checked in a fresh interpreter: the first frame of `hedgerow DIR` does not wait for the
    annotation screen's widgets; opening a document imports them."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from pathlib import Path\n"
            "from tui.app.app import HedgerowApp\n"
            "from tui.core.options import SessionOptions\n"
            # the annotation screen's widgets, and the core a session needs (the saver's errors pulled these in)
            "screen = ('tui.app.document_view', 'tui.app.annotation_list', 'tui.app.panels', 'tui.app.search_bar',\n"
            "          'tui.core.store', 'tui.core.layer', 'tui.core.rows')\n"
            "def on_ready(self):\n"
            "    print(sorted(m for m in screen if m in sys.modules))\n"
            "    self.exit()\n"
            "HedgerowApp.on_ready = on_ready\n"
            "HedgerowApp(None, corpus=Path(sys.argv[1]), options=SessionOptions(annotator='alice'), annotator='alice')"
            ".run(headless=True, size=(100, 30))\n"
            "from tui.app.app import import_annotation_screen\n"
            "import_annotation_screen()\n"
            "print(sorted(m for m in screen if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code, str(corpus / "seeds")], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", str(sorted(("tui.app.document_view", "tui.app.annotation_list",
                                                               "tui.app.panels", "tui.app.search_bar", "tui.core.store",
                                                               "tui.core.layer", "tui.core.rows")))]


async def test_the_footer_shows_the_list_keys_once_after_the_first_frame_and_keeps_them(corpus: Path) -> None:
    from textual.widgets._footer import FooterKey

    from tui.app.footer import KeyFooter

    app = corpus_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.documents is not None and app.documents.loaded)
        footer = app.documents.query_one(KeyFooter)
        await until(pilot, lambda: bool(footer.query(FooterKey)))
        keys = list(footer.query(FooterKey))
        # and how to leave: q types into the filter, and Textual's own ctrl+q was a key not shown
        assert {"Open", "Done", "Sort", "Quit"} <= {key.description for key in keys}
        for _ in range(3):
            app.documents.refresh_bindings()  # the same bindings published again
            await pilot.pause(0.05)
        assert list(footer.query(FooterKey)) == keys  # the same widgets: not rebuilt


async def test_a_filter_and_enter_in_one_burst_open_the_row_the_filter_leaves(corpus: Path) -> None:
    app = corpus_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.documents is not None and app.documents.loaded)
        assert app.documents.document_list.current.title == "Alpha report"  # highlighted before the filter
        await type_keys(pilot, *"bravo", "enter")  # a paste, or a fast typist: enter's binding runs first
        await until(pilot, lambda: app.session is not None and not app._opening)
        assert app.session.document.title == "Bravo report"


async def test_the_list_is_drawn_again_only_when_the_rows_in_view_or_their_figures_change(corpus: Path) -> None:
    """The worker's progress notes (four a second while a cold start reads) redraw the list only
    when what is in view changed; a row whose figures changed (re-read after a save) is drawn again."""
    app = corpus_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.documents is not None and app.documents.loaded)
        await pilot.pause()
        screen, listing = app.documents, app.documents.document_list
        refreshed: list[object] = []
        real = type(listing).refresh
        listing.refresh = lambda *a, **k: refreshed.append(a) or real(listing, *a, **k)  # type: ignore[method-assign]
        screen._apply(keep=True)  # a progress note that changed nothing in view
        assert refreshed == []
        before = row_of(app, "Alpha report")
        annotate = Session.open(corpus / "seeds/a-first.txt", SessionOptions(annotator="alice"))
        start = annotate.text.index("minister")
        annotate.add(start, start + len("minister"), "actor")
        annotate.save()
        screen.reread(corpus / "seeds/a-first.txt")  # as after a save: that row's revision changes
        assert refreshed
        after = row_of(app, "Alpha report")
        assert after != before and " 1 " in after
        refreshed.clear()
        await pilot.press("ctrl+s")  # sorted by folder: other rows in view
        assert refreshed



async def test_rows_are_read_in_the_order_shown_and_keep_their_places_until_all_are_read(tmp_path: Path) -> None:
    """The worker reads the rows in the order the list shows them (the rows in view first, not the
    folders' order); while it reads they stay where they are, and are sorted once all are read."""
    import threading
    import time

    from tui.core import corpus as corpus_module

    root = write_corpus(tmp_path, {"seeds/x/n.txt": "Alpha\n\nOne.\n", "seeds/y/m.txt": "Zulu\n\nTwo.\n",
                                   "seeds/z/o.txt": "Mike\n\nThree.\n"})
    order: list[str] = []
    last = threading.Event()
    real_fill = corpus_module.Summariser.fill

    def fill(self, summary, scanned=False):  # type: ignore[no-untyped-def]
        order.append(summary.entry.relative)
        if len(order) == 2:
            time.sleep(0.3)  # the worker's progress note comes after this row
        elif len(order) == 3:
            last.wait(10)
        real_fill(self, summary, scanned)

    corpus_module.Summariser.fill = fill  # type: ignore[method-assign]
    try:
        app = corpus_app(root)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.documents is not None and app.documents.read_count == 2)
            await pilot.pause()
            listing = app.documents.document_list
            assert order == ["y/m.txt", "x/n.txt", "z/o.txt"]  # as listed: by name, m n o
            assert [s.title for s in listing.rows] == ["Zulu", "Alpha", "o.txt"]  # in place, not re-sorted
            assert listing.render_line(0).text.split()[:2] == ["○", "Zulu"]  # drawn as read
            last.set()
            await until(pilot, lambda: app.documents.loaded)
            await pilot.pause()
            assert [s.title for s in listing.rows] == ["Alpha", "Mike", "Zulu"]  # sorted once all are read
            assert listing.render_line(0).text.split()[:2] == ["○", "Alpha"]
    finally:
        last.set()
        corpus_module.Summariser.fill = real_fill  # type: ignore[method-assign]


async def test_every_count_is_complete_and_right_after_a_cold_and_a_warm_start(tmp_path: Path) -> None:
    """Many documents in folders, three layers each: every row's counts equal what the layer files
    hold, cold (no cache), warm (from the cache), and after a layer is rewritten in place (its size
    and mtime change, its folder's do not) and a document's text changes."""
    texts = {f"seeds/f{n % 3}/doc-{n:02d}.txt": f"Title {n:02d}\n\nThe minister may commit to plan {n}.\n"
             for n in range(12)}
    root = write_corpus(tmp_path, texts)
    for n, relative in enumerate(sorted(texts)):
        for k, annotator in enumerate(("alice", "bob", "carol")):
            session = Session.open(root / relative, SessionOptions(annotator=annotator))
            for word, tag in [("minister", "actor"), ("may", "hedge"), ("commit", "commitment"),
                              ("plan", "commitment")][: 1 + (n + k) % 4]:
                start = session.text.index(word)
                session.add(start, start + len(word), tag)
            session.save()

    def truth() -> dict[str, dict[str, dict[str, int]]]:
        found: dict[str, dict[str, dict[str, int]]] = {}
        for relative in texts:
            layers = {}
            for annotator in ("alice", "bob", "carol"):
                records = json.loads(layer_path(root / relative, annotator).read_text(encoding="utf-8"))["annotations"]
                tags = [record["tag"] for record in records.values()]
                layers[annotator] = {tag: tags.count(tag) for tag in set(tags)}
            found[relative.removeprefix("seeds/")] = layers
        return found

    async def shown() -> dict[str, dict[str, dict[str, int]]]:
        app = corpus_app(root)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.documents is not None and app.documents.loaded)
            summaries = app.documents.summaries
            assert len(summaries) == len(texts) and all(s.read for s in summaries)
            return {s.entry.relative: {name: dict(layer.counts) for name, layer in s.layers.items()}
                    for s in summaries}

    cache = root / ".hedgerow-cache" / "corpus-v3.json"
    assert not cache.exists()
    assert await shown() == truth()  # cold
    assert cache.is_file()
    assert await shown() == truth()  # warm
    layer = layer_path(root / "seeds/f1/doc-04.txt", "bob")
    folder_mtime, before = layer.parent.stat().st_mtime_ns, truth()
    layer.write_bytes(layer_path(root / "seeds/f0/doc-06.txt", "bob").read_bytes())  # in place
    assert layer.parent.stat().st_mtime_ns == folder_mtime
    assert truth()["f1/doc-04.txt"]["bob"] != before["f1/doc-04.txt"]["bob"]
    assert await shown() == truth()
    (root / "seeds/f2/doc-05.txt").write_text("Title 05 again\n\nAnother text.\n", encoding="utf-8")
    app = corpus_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.documents is not None and app.documents.loaded)
        changed = app.documents.summary_of(root / "seeds/f2/doc-05.txt")
        assert changed is not None and changed.title == "Title 05 again"
        assert sorted(changed.stale()) == ["alice", "bob", "carol"]  # ⚠: the text changed under the layers


async def test_a_layer_that_cannot_be_read_says_so_in_its_row_not_zero_counts(corpus: Path) -> None:
    """A merge conflict in the annotator's own layer: the row says so where the counts go."""
    doc = corpus / "seeds/a-first.txt"
    session = Session.open(doc, SessionOptions(annotator="alice"))
    session.add(4, 12, "actor")
    session.save()
    raw = session.store.path.read_text(encoding="utf-8")
    session.store.path.write_text(raw.replace('    "1": {', '<<<<<<< ours\n=======\n>>>>>>> theirs\n    "1": {', 1),
                                  encoding="utf-8")
    app = corpus_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.documents is not None and app.documents.loaded)
        row = row_of(app, "Alpha report")
        assert row.lstrip().startswith("!") and "! conflict" in row and " 0 " not in row
        assert row_of(app, "Bravo report").lstrip().startswith("○")  # no layer: not started, as before


async def test_quitting_while_the_counts_are_read_stops_the_reading(tmp_path: Path, monkeypatch) -> None:
    """The worker read the whole corpus before the process could end: quitting during a cold start
    of 2,000 documents took 1-2 s. It stops at the next document once the app quits."""
    import time

    from tui.core.corpus import Summariser

    root = write_corpus(tmp_path, {f"seeds/d{n:03}.txt": f"Document {n}\n" for n in range(200)})
    filled: list[str] = []
    fill = Summariser.fill

    def slow_fill(self, summary, *args, **kwargs):
        time.sleep(0.01)  # a slow disk: 200 documents take 2 s
        filled.append(summary.key)
        return fill(self, summary, *args, **kwargs)

    monkeypatch.setattr(Summariser, "fill", slow_fill)
    app = corpus_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(filled) > 5)
    quit_at = len(filled)
    time.sleep(0.3)  # a worker still reading would read ~30 more documents meanwhile
    assert len(filled) <= quit_at + 1, f"read {len(filled) - quit_at} documents after the app quit"
    assert len(filled) < 200


async def test_the_folder_column_is_as_wide_as_the_corpus_folders_and_gone_without_any(tmp_path: Path) -> None:
    """At 80 columns titles were cut to 15 characters beside an empty folder column of 13."""
    flat = write_corpus(tmp_path / "flat", {"seeds/a.txt": "An article about a winding title\n\nText.\n",
                                            "seeds/b.txt": "Another article\n\nMore text.\n"})
    app = corpus_app(flat)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.documents is not None and len(app.documents.document_list.rows) == 2
                    and all(row.read for row in app.documents.document_list.rows))
        await pilot.pause()
        columns = str(app.documents.query_one("#corpus-columns").render())
        assert "folder" not in columns
        assert "An article about a winding title" in row_of(app, "An article about a winding title")
    app = corpus_app(write_corpus(tmp_path / "nested", TEXTS))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.documents is not None and len(app.documents.document_list.rows) == 3
                    and all(row.read for row in app.documents.document_list.rows))
        await pilot.pause()
        columns = str(app.documents.query_one("#corpus-columns").render())
        assert "folder " in columns  # the header whole, the column as wide as "folder"
        assert " b " in row_of(app, "Bravo report") and app.documents.document_list.folder_width(78) == len("folder")


async def test_gold_is_shown_first_among_the_others_where_many_cut_the_column(corpus: Path) -> None:
    """★gold came after the other annotators, so with a few of them it was cut off ("bob dave…")."""
    doc = corpus / "seeds/a-first.txt"
    for name in ("bob", "dave", "erin", "frank", "gold"):
        session = Session.open(doc, SessionOptions(annotator=name, gold=name == "gold"))
        session.add(4, 10, "actor")
        session.save()
    app = corpus_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.documents is not None and app.documents.loaded)
        row = row_of(app, "Alpha report")
        assert "★gold bob" in row and "…" in row


async def test_back_from_a_document_the_filter_is_kept_and_typing_starts_a_new_one(corpus: Path) -> None:
    """"bravo", open, o, then "charlie" filtered by "bravocharlie": nothing listed."""
    app = corpus_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.documents is not None and app.documents.loaded)
        await type_keys(pilot, *"bravo", "enter")
        await until(pilot, lambda: app.session is not None and not app._opening)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen))
        await pilot.pause()
        assert [s.title for s in app.documents.document_list.rows] == ["Bravo report"]  # the filter kept
        await type_keys(pilot, *"charlie")
        await pilot.pause()
        assert app.screen.query_one("#corpus-filter").value == "charlie"
        assert [s.title for s in app.documents.document_list.rows] == ["Charlie notes"]
