"""The hedgerow TUI: read a document, select spans, tag and annotate them."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.compose import compose
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from tui.app.base import HelpSections, SavingApp
from tui.app.cells import plain, quoted
from tui.app.commands import DocumentCommands, HedgerowCommands
from tui.app.documents import DocumentOpened, DocumentsScreen, DoneMarked
from tui.app.linking import LINK_BINDINGS, LINK_HELP, LINK_KEYS_SHOWN, LinkingMixin
from tui.app.messages import AnchorsFound, AnnotationsRead, AnnotationsUnreadable, ExportFinished, ReportWritten
from tui.core import gc_policy, pacing
from tui.core.errors import HedgerowError
from tui.core.options import SessionOptions
from tui.core.safe_text import shown_line
from tui.core.wording import count_of

if TYPE_CHECKING:
    from tui.app.annotation_list import AnnotationList
    from tui.app.dialogs import ConfirmDialog, ExportDialog, NoteDialog
    from tui.app.document_view import DocumentView
    from tui.app.footer import KeyFooter
    from tui.app.links_panel import LinksPanel
    from tui.app.panels import DocumentPanel, Sidebar, TagLegend
    from tui.app.search_bar import SearchBar
    from tui.app.styles import tag_styles
    from tui.core.anchoring import Placement
    from tui.core.annotation import Annotation
    from tui.core.corpus import Prefetch
    from tui.core.history import Change
    from tui.core.layer import Layer, Version
    from tui.core.links import Link
    from tui.core.segment import paragraph_at, sentence_at
    from tui.core.session import Session
    from tui.core.tags import TagSet

# Re-anchoring, search and the clipboard (pyperclip, ctypes) are imported where used: not paying
# for them before the first frame.


def import_annotation_screen() -> None:
    """The annotation screen's widgets, into this module's names: imported when a document is first
    composed (or by the worker that opens one), so the documents screen's first frame never waits
    for them (issue 12)."""
    from tui.app.annotation_list import AnnotationList
    from tui.app.dialogs import ConfirmDialog, ExportDialog, NoteDialog
    from tui.app.document_view import DocumentView
    from tui.app.footer import KeyFooter
    from tui.app.links_panel import LinksPanel
    from tui.app.panels import DocumentPanel, Sidebar, TagLegend
    from tui.app.search_bar import SearchBar
    from tui.app.styles import tag_styles
    from tui.core.segment import paragraph_at, sentence_at
    from tui.core.session import Session

    globals().update(AnnotationList=AnnotationList, ConfirmDialog=ConfirmDialog, ExportDialog=ExportDialog,
                     NoteDialog=NoteDialog, DocumentView=DocumentView, KeyFooter=KeyFooter,
                     LinksPanel=LinksPanel, DocumentPanel=DocumentPanel, Sidebar=Sidebar, TagLegend=TagLegend,
                     SearchBar=SearchBar, tag_styles=tag_styles, paragraph_at=paragraph_at,
                     sentence_at=sentence_at, Session=Session)


def binding_ids() -> set[str]:
    """Every binding id a user may remap in [keys]: the app's, its panes', screens' and dialogs'."""
    from textual.binding import Binding

    from tui.app.brief_screen import BriefLines, BriefScreen
    from tui.app.documents import DocumentsScreen
    from tui.app.entity_dialog import EntityDialog
    from tui.app.review_app import ReviewApp
    from tui.app.review_panels import CandidateList

    import_annotation_screen()
    owners = [HedgerowApp, DocumentView, AnnotationList, LinksPanel, SearchBar, DocumentsScreen, BriefScreen,
              BriefLines, EntityDialog, NoteDialog, ConfirmDialog, ExportDialog, ReviewApp, CandidateList]
    return {binding.id for owner in owners for cls in owner.__mro__ for binding in cls.__dict__.get("BINDINGS", ())
            if isinstance(binding, Binding) and binding.id}


def check_keys(session: Session) -> None:
    """InputError for a bad [keys] entry in the session's config (tui.core.tags.check_keys)."""
    if not session.config.keys:
        return  # nothing to check: not importing every screen's module before the first frame
    from tui.core.tags import check_keys as check

    check(session.config, binding_ids())


PaletteCommand = tuple[str, str, Callable[[], object]]  # (name, help, what it runs) in the command palette
EXPORT_EXTENSIONS = {"json": "json", "w3c": "w3c.jsonld", "jsonl": "jsonl", "csv": "csv", "qdpx": "qdpx", "qdc": "qdc"}
CORPUS_ACTIONS = frozenset({"documents", "toggle_done", "help", "quit", "command_palette", "back_to_document"})
ANCHOR_ON_THE_SPOT = 50  # changes this small are re-checked on the UI thread; larger ones in a worker
NOTICE_ROOM_BESIDE_A_SELECTION = 24  # "Match 1 of 12" whole beside a selection, or the "1-9 tags" hint goes


class HedgerowApp(LinkingMixin, SavingApp):
    CSS_PATH: ClassVar[list[str | PurePath]] = ["app.tcss", "dialogs.tcss"]
    TITLE = "hedgerow"
    COMMANDS = SavingApp.COMMANDS | {HedgerowCommands, DocumentCommands}
    # -tiny: the text gets it all. (Textual declares it on App as an instance variable, not a ClassVar.)
    HORIZONTAL_BREAKPOINTS = [(0, "-tiny"), (64, "-narrow"), (110, "-wide")]  # noqa: RUF012

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"tag({n})", f"Tag {n}", show=False, id=f"app.tag_{n}") for n in range(1, 10)),
        Binding("slash", "search", "Search", id="app.search"),
        Binding("n", "next_match(1)", "Next match", show=False, id="app.next_match"),
        Binding("N", "next_match(-1)", "Previous match", show=False, id="app.previous_match"),
        Binding("enter,e", "note", "Note", id="app.note"),
        Binding("d,delete", "delete", "Delete", id="app.delete"),
        Binding("u,ctrl+z", "undo", "Undo", id="app.undo"),
        *LINK_KEYS_SHOWN,
        # After Link and Brief: with a selection made (and esc Deselect shown) the footer has no room
        # for Sentence at 100 columns, and a selection is there already.
        Binding("s", "select_sentence", "Sentence", id="app.select_sentence"),
        Binding("p", "select_paragraph", "Paragraph", show=False, id="app.select_paragraph"),
        Binding("ctrl+y", "redo", "Redo", show=False, id="app.redo"),
        Binding("right_square_bracket", "next_annotation(1)", "Next", show=False, id="app.next_annotation"),
        Binding("left_square_bracket", "next_annotation(-1)", "Previous", show=False, id="app.previous_annotation"),
        Binding("y", "copy", "Copy", id="app.copy"),
        Binding("f", "cycle_filter", "Filter", show=False, id="app.filter"),
        Binding("b", "toggle_panels", "Panels", show=False, id="app.toggle_panels"),
        Binding("R", "reanchor", "Re-anchor", show=False, id="app.reanchor"),
        Binding("tab", "focus_next", "Next pane", show=False, id="app.focus_next"),
        Binding("o", "documents", "Documents", id="app.documents"),
        Binding("ctrl+d", "toggle_done", "Done", show=False, id="app.done"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("escape", "clear_search", "Clear matches", show=False, id="app.clear_search"),
        *LINK_BINDINGS,
    ]

    KEY_HELP: ClassVar[HelpSections] = [
        ("Reading", [("arrows, pgup/pgdn", "move the cursor"), ("home / end", "start / end of the line"),
                     ("ctrl+left / ctrl+right", "by word"), ("ctrl+home / ctrl+end", "start / end of the document"),
                     ("mouse wheel", "scroll")]),
        ("Selecting", [("shift+arrows", "extend the selection"), ("shift+ctrl+left/right", "extend by word"),
                       ("app.select_sentence", "select the sentence under the cursor"),
                       ("app.select_paragraph", "select the paragraph"),
                       ("mouse drag / double-click", "select / select a word"),
                       ("escape", "deselect, the cursor at its start")]),
        ("Searching", [("app.search", "search; enter selects the next match"),
                       ("app.next_match", "next match"), ("app.previous_match", "previous match"),
                       ("app.clear_search", "clear the matches' highlights"),
                       ("ctrl+r / ctrl+t", "in the search bar: regex / case-sensitive")]),
        ("Annotating", [("1 … 9",
                         "tag the selection with the tag on that key (or retag the annotation under the cursor)"),
                        ("app.note", "add or edit the note of the annotation under the cursor"),
                        ("app.delete", "delete the annotation under the cursor"),
                        ("app.undo", "undo"), ("app.redo", "redo"),
                        ("app.next_annotation", "next annotation"), ("app.previous_annotation", "previous annotation"),
                        ("app.reanchor", "re-anchor annotations after the text changed (⚠ moved, ✗ orphan)"),
                        ("app.copy", "copy the selection or the annotation's quote, with a citation")]),
        ("Documents", [("app.documents", "the documents of the corpus (or of this document's project)"),
                       ("app.done", "mark this document done for you, or not done"),
                       ("documents.open", "in the list: open the document"),
                       ("type", "in the list: filter by title or path; escape clears"),
                       ("documents.sort", "in the list: sort by title, folder, status or count"),
                       ("documents.done", "in the list: mark the document done, or not done"),
                       ("documents.back", "in the list: back to the open document")]),
        ("Panels", [("app.filter", "filter the annotation list by tag (cycles)"),
                    ("app.toggle_panels", "hide or show the side panels"),
                    ("app.focus_next", "move between the text and the annotation list"),
                    ("ctrl+p", "command palette: every action, exports too"),
                    ("app.help", "this help"), ("app.quit", "quit (everything is already saved)")]),
        LINK_HELP,
    ]

    def bindings_elsewhere(self) -> list[Binding]:
        from tui.app.links_panel import LinksPanel  # the help on the documents screen: maybe not imported yet

        return [binding for binding in [*DocumentsScreen.BINDINGS, *LinksPanel.BINDINGS]
                if isinstance(binding, Binding)]

    def __init__(self, session: Session | None, corpus: Path | None = None,
                 options: SessionOptions | None = None, annotator: str | None = None,
                 prefetch: Prefetch | None = None) -> None:
        """`session`: the document to annotate; None (with `corpus`) starts on the documents screen."""
        super().__init__(session)
        self.session = session  # None only until a document is opened
        self.corpus = corpus
        self.options = options or SessionOptions()
        self.annotator = annotator or (session.annotator if session else "")
        self.documents: DocumentsScreen | None = None
        self._found: list[tuple[str, str, Path]] | None = None  # the corpus's files, for the palette
        self._prefetch = prefetch  # the corpus's scan, started before Textual loaded
        self._opening = False
        self.anchors: dict[str, Placement] = {}  # annotations whose quote is no longer at their offsets
        self._anchors_wanted: int | None = None  # the session version a worker is finding anchors for
        self._css_later: list[Path] = []
        if session is None:  # the documents screen first: the annotation screen's and dialogs' CSS after it
            self._css_later, self.css_path = self.css_path, []

    # -- layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self._set_breakpoint_classes()  # before the widgets exist: they are then styled once
        session = self.session
        if session is None:  # the documents screen comes first (it has its own footer)
            return
        import_annotation_screen()
        self._load_css_later()
        with Horizontal(id="main"):
            with Vertical(id="text-column"):
                yield DocumentView(session.text, session.layer, tag_styles=tag_styles(session.tags), id="document")
                # Not the pane's border subtitle: setting that redraws the whole pane on every key.
                yield Static("", id="position")
            with Sidebar(id="sidebar"):
                yield DocumentPanel(session, id="details")
                yield LinksPanel(session, id="links")
                yield TagLegend(session, id="legend")
                yield AnnotationList(session, id="annotations")
        yield SearchBar(on_submit=self._search_submitted, on_close=self._search_closed, id="search")
        # The footer is mounted in on_mount, once the text has focus: its keys are then right the
        # first time, not rebuilt after the first frame (see tui/app/footer.py).

    def _load_css_later(self) -> None:
        """The CSS held back from the documents screen's first frame (its parsing, and every widget
        styled against fewer rules), read once the counts are in, or before the annotation screen,
        a dialog or a notice needs it, and applied to every screen."""
        paths, self._css_later = self._css_later, []
        if not paths:
            return
        self.css_path = paths
        self.stylesheet.read_all(paths)
        self.stylesheet.parse()
        self.stylesheet.update(self)
        for screen in self.screen_stack:
            self.stylesheet.update(screen)

    def documents_read(self) -> None:
        """The documents screen has every count: now the held-back CSS (it would have slowed that)."""
        self._load_css_later()

    def notify(self, *args: Any, **kwargs: Any) -> None:
        self._load_css_later()  # a notice's place and look are in dialogs.tcss
        super().notify(*args, **kwargs)

    def push_screen(self, *args: Any, **kwargs: Any) -> Any:
        if self._css_later and args and args[0] not in ("documents", self.documents):
            self._load_css_later()  # a dialog or the help, before that CSS was loaded
        return super().push_screen(*args, **kwargs)

    @property
    def current(self) -> Session:
        """The open document's session: the annotation screen's code runs only once there is one."""
        if self.session is None:
            raise RuntimeError("no document is open")
        return self.session

    @property
    def view(self) -> DocumentView:
        return self.query_one(DocumentView)

    @property
    def annotation_list(self) -> AnnotationList:
        return self.query_one(AnnotationList)

    def on_mount(self) -> None:
        if self.session is None:
            self.action_documents()
        else:
            self._start_session()

    def _start_session(self) -> None:
        self.set_title(f"hedgerow — {self.current.document.title}")
        if self.current.config.keys:
            self.set_keymap(self.current.config.keys)
        self.query_one(SearchBar).display = False
        self.current.subscribe(self._on_change)
        self.links_mounted()
        self.call_after_refresh(gc_policy.shown)  # the collector, held off through the first frame (gc_policy)
        if self.current.loaded:
            self._annotations_ready()
        else:
            self.query_one(DocumentPanel).set_save_state("loading")
            # After the first frame: the worker would hold the GIL half the time until the text shows.
            self.call_after_refresh(self._read_annotations)
        self.screen.set_focus(self.view)  # now, not later as focus() does: the footer reads it
        self.mount(KeyFooter())
        self.view.border_title = plain(self.current.document.path.name)
        self._show_position()
        self.call_after_refresh(self._restore_position)
        if self.current.document.is_empty:
            self.notify("This document is empty: there is nothing to annotate.", severity="warning", timeout=8)

    def _restore_position(self) -> None:
        """The cursor where this annotator left this document (kept in the user's cache, not in git)."""
        from tui.core.user_files import last_position

        offset = last_position(self.current.document.path, self.current.annotator)
        if offset and offset <= len(self.current.text) and self.view.cursor == 0:
            self.view.move_to(offset, center=True)

    def prepare_to_quit(self) -> None:
        self._remember_position()

    def _remember_position(self) -> None:
        from tui.core.user_files import remember_position

        if self.session is None or not self.query(DocumentView):  # no document opened yet
            return

        remember_position(self.current.document.path, self.current.annotator, self.view.cursor)

    def _set_breakpoint_classes(self) -> None:
        """The screen's -tiny/-narrow/-wide class for the terminal's width, before the first layout.

        Textual sets it on the screen's first Resize, which comes after a first frame laid out with
        the default sidebar width: the text pane would be wrapped and drawn twice at two widths.
        """
        width, current = self.size.width, None
        for minimum, name in sorted(self.HORIZONTAL_BREAKPOINTS):
            if width >= minimum:
                current = name
        self.screen.update_classes({name: name == current for _, name in self.HORIZONTAL_BREAKPOINTS})

    # -- loading: a large annotation file is read in a worker while the text is already shown --

    @work(thread=True, group="load", exit_on_error=False)
    def _read_annotations(self) -> None:
        try:
            with pacing.stop_when(self.closing.is_set):  # the app quits: no need to finish
                stored, layer = self.current.read_annotations()
        except pacing.Stopped:
            return
        except HedgerowError as error:
            self.post_message(AnnotationsUnreadable(error))
            return
        self.post_message(AnnotationsRead(stored, layer))

    @on(AnnotationsUnreadable)
    def _annotations_unreadable(self, message: AnnotationsUnreadable) -> None:
        # A damaged file: say so and stop, never write over it.
        self.exit_with_error(f"hedgerow: {message.error}", message.error.exit_code)

    @on(AnnotationsRead)
    def _install(self, message: AnnotationsRead) -> None:
        # In a still moment: the install and the frame that shows every annotation in view take ~60 ms
        # of CPU with 100,000 (headless, load ~4), which a key pressed meanwhile waited for.
        pacing.when_still(lambda: self._install_now(message), self.set_timer)

    def _install_now(self, message: AnnotationsRead) -> None:
        self.current.install(message.stored, message.layer)
        gc_policy.keep_loaded()  # the deferred file's columns: full collections would walk them item by item
        self.view.annotations = self.current.layer
        self.annotation_list.rebuild()
        self.query_one(TagLegend).refresh_counts()
        self.query_one(DocumentPanel).set_save_state("saved")
        self._follow_cursor()
        self._annotations_ready()

    def _annotations_ready(self) -> None:
        if self.current.document_changed:
            self._find_anchors_later()

    # -- state changes flow through the session; this keeps the screen in step -----------

    def _on_change(self, change: Change) -> None:
        if self.current.document_changed:
            if len(change.pairs) > ANCHOR_ON_THE_SPOT or self._anchors_wanted is not None:
                self._find_anchors_later()  # a re-anchoring or an import: all of them, in a worker
            else:
                self._update_anchors(change.touched)
        self.view.refresh_annotations()
        self.annotation_list.rebuild()
        self.query_one(TagLegend).refresh_counts()
        self._follow_cursor()
        self.saver.changed()

    def _find_anchors_later(self) -> None:
        """Find every annotation in the changed text in a worker; the last one asked for wins."""
        self._anchors_wanted = self.current.version
        self._find_anchors(self.current.version, self.current.layer.snapshot())

    @work(thread=True, group="anchors", exit_on_error=False)
    def _find_anchors(self, version: int, layer: Layer) -> None:
        """In a worker: the annotations whose quote is no longer at their offsets (most simply still hold)."""
        from tui.core.anchoring import Placement, moved_anchors

        moved = moved_anchors(self.current.text, layer)  # in order, made one at a time
        self.post_message(AnchorsFound(version, {a.annotation.id: Placement.of(a) for a in moved}))

    @on(AnchorsFound)
    def _found_anchors(self, message: AnchorsFound) -> None:
        if message.version == self._anchors_wanted:  # not overtaken by a change made while it ran
            self._anchors_wanted = None
            self._show_anchors(message.anchors)

    def _update_anchors(self, annotations: list[Version]) -> None:
        from tui.core.anchoring import Placement, anchor_all, quote_holds

        text, layer = self.current.text, self.current.layer
        for annotation in annotations:
            self.anchors.pop(annotation.id, None)
        moved = [a for a in annotations if a.id in layer and not quote_holds(text, layer[a.id])]
        found = anchor_all(text, [layer[a.id] for a in moved]) if moved else []
        self._show_anchors({**self.anchors, **{a.annotation.id: Placement.of(a) for a in found}})

    def _show_anchors(self, anchors: dict[str, Placement]) -> None:
        self.anchors = anchors
        statuses = {key: anchor.status.value for key, anchor in anchors.items()}
        self.view.set_flagged(statuses)
        self.annotation_list.statuses = statuses
        self.annotation_list.refresh()
        self.query_one(DocumentPanel).set_anchor_counts(statuses)

    def action_reanchor(self) -> None:
        """Offer the new offsets of annotations whose text moved; orphans stay as they are."""
        from tui.core.anchoring import FUZZY, MOVED, ORPHAN

        if not self.anchors:
            self.notify("Every annotation's quote is at its offsets: nothing to re-anchor.", timeout=3)
            return
        movable = {key: place for key, place in self.anchors.items() if place.status is not ORPHAN}
        orphans = len(self.anchors) - len(movable)
        counts = {status: sum(p.status is status for p in movable.values()) for status in (MOVED, FUZZY)}
        found = counts[MOVED] + counts[FUZZY]
        body = (f"The text changed since these were annotated. Of the quotes, {counts[MOVED]:,} "
                f"{'was' if counts[MOVED] == 1 else 'were'} found elsewhere exactly and {counts[FUZZY]:,} "
                f"approximately; {'it' if found == 1 else 'they'} will get new offsets. "
                f"{count_of(orphans, 'orphan')} {'was' if orphans == 1 else 'were'} not found and "
                f"{'stays' if orphans == 1 else 'stay'} as {'it is' if orphans == 1 else 'they are'}, listed with ✗. "
                f"u undoes this.")

        def apply(yes: bool | None) -> None:
            if yes and movable:
                text, sha, layer = self.current.text, self.current.document.sha256, self.current.layer
                moved = (place.anchor(layer[key]).relocated(text, sha)
                         for key, place in movable.items() if key in layer)
                change = self.current.replace_many(moved, "re-anchor")  # one at a time: never 100,000 objects
                self.notify(f"Re-anchored {count_of(len(change.pairs) if change else 0, 'annotation')}.", timeout=3)

        self.push_screen(ConfirmDialog("Re-anchor annotations", body, "Re-anchor" if movable else "OK"), apply)

    def show_save_state(self, state: str, error: str) -> None:
        # Not query_one: that searches the screen on top (a dialog while a save ends, or none
        # while the app shuts down), where the panel is not.
        for panel in self.screen_stack[0].query(DocumentPanel) if self.screen_stack else ():
            panel.set_save_state(state, error)

    # -- the cursor ----------------------------------------------------------------------

    def under_cursor(self) -> Annotation | None:
        offset, selection = self.view.cursor, self.view.selection
        if selection is not None and offset == selection[1] and offset > selection[0]:
            offset -= 1  # the cursor just after a selection (a search's match): its last character
        return self.view.annotation_at(offset)

    def _follow_cursor(self) -> None:
        annotation = self.under_cursor()
        self.annotation_list.highlight_annotation(annotation)
        self.query_one(DocumentPanel).show_annotation(annotation)
        self.show_links(annotation)
        selection = self.view.selection
        if annotation is None and selection is not None:
            annotation = self.current.at(selection[0])
        self.query_one(TagLegend).show_current(annotation.tag if annotation else None)

    # The annotation screen's own messages are handled by name, not with @on: @on needs their classes
    # when this class is made, and the documents screen shows first without them (issue 12).
    def on_document_view_cursor_moved(self) -> None:
        self._follow_cursor()
        self._show_position()

    def on_document_view_selection_changed(self) -> None:
        self._follow_cursor()
        self._show_position()

    def notice_room(self) -> int | None:
        """A notice stops short of the cursor's position, right-aligned on the same row under the text:
        it covered it ("10 · 73%" for 410), and a notice two rows high covered the text pane's border.
        The offset is taken at its widest, and the selection's part while there is one: a notice cut
        into it left "gs · 508 · 8%" beside it. A notice from an action that cleared the selection (a
        tag) has the room the readout will leave once it is redrawn."""
        if self._room_beside("") is None:  # no text pane (the documents screen): no readout either
            return None
        return self._room_beside(self._selected_readout())

    def _room_beside(self, selected: str) -> int | None:
        try:
            column = self.query_one("#text-column")
        except Exception:  # the documents screen, a dialog: no text pane under the notice
            return None
        if not column.size.width:
            return None
        readout = len(selected + f"{len(self.current.text):,} · 100%")
        return max(12, column.size.width - readout - 6)  # its padding, the toast's, a gap

    def _selected_readout(self) -> str:
        """How much is selected, and the hint that digits tag it where that leaves a notice its room."""
        if not self.view.selection:
            return ""
        start, end = self.view.selection
        selected = f"{end - start:,} selected · "
        hinted = selected + "1-9 tags · "
        room = self._room_beside(hinted)
        return hinted if room is None or room >= NOTICE_ROOM_BESIDE_A_SELECTION else selected

    def _show_position(self) -> None:
        """Where the cursor is, and how much is selected, under the text."""
        view, length = self.view, max(1, len(self.current.text))
        where = self._selected_readout() + f"{view.cursor:,} · {100 * view.cursor // length}%"
        self.query_one("#position", Static).update(where, layout=False)  # one row: nothing else moves

    def on_row_list_chosen(self, event: AnnotationList.Chosen) -> None:  # the documents list stops its own
        self.view.clear_selection()
        self.view.choose(event.item)
        self.view.reveal(event.item.start, event.item.end)
        if event.focus:
            self.view.focus()

    # -- tagging -----------------------------------------------------------------------

    def action_tag(self, number: int) -> None:
        found = self.current.tags.by_key(str(number))
        if found is None:
            keys = ", ".join(f"{t.key} {t.name}" for t in self.current.tags if t.key)
            self.notify(f"No tag on key {number} (keys: {keys}).", severity="warning")
            return
        self.tag_as(found.name)

    def tag_as(self, tag: str) -> None:
        """Tag the selection as `tag`, or retag the annotation under the cursor."""
        selection = self.view.selection
        try:
            if selection:
                from tui.core.spans import trimmed_span

                span = trimmed_span(self.current.text, *selection)  # the CLI's add trims as this does
                if span is None:
                    self.notify("The selection is only white space; nothing tagged.", severity="warning")
                    return
                start, end = span
                # Cleared first: what the add says (a proposal) has the room the readout leaves without it.
                cursor = self.view.cursor
                self.view.clear_selection()
                try:
                    added = self.current.add(start, end, tag)
                except HedgerowError:  # refused: the selection is back as it was, to retry
                    self.view.select(selection[1] if cursor == selection[0] else selection[0], cursor, scroll=False)
                    raise
                self.view.move_to(added.start)
                if self.proposal is None or self.proposal[0] != added.id:  # a proposal says more: it stays
                    self.notify(f"Tagged {shown_line(tag)}: {quoted(added.quote, 40)}", markup=False)
            elif (current := self.under_cursor()) is not None:
                if current.tag != tag:
                    unfit = len(self.current.unfit_links(current.id, tag))
                    self.current.retag(current.id, tag)
                    gone = f"; {count_of(unfit, 'link')} that no longer fit removed (u undoes)" if unfit else ""
                    self.notify(f"Retagged as {shown_line(tag)}{gone}", markup=False)
            else:
                self.notify("Select some text first (shift+arrows, s, /, or drag), then press a tag key.",
                            severity="warning")
        except HedgerowError as error:
            self.notify(str(error), severity="error")

    def action_note(self) -> None:
        annotation = self.under_cursor()
        if annotation is None:
            self.notify("Put the cursor on an annotation to add a note.", severity="warning")
            return

        def save_note(note: str | None) -> None:
            if note is not None and annotation.id in self.current.layer:
                self.current.set_note(annotation.id, note)

        colour = self.current.tags.colour_of(annotation.tag)
        self.push_screen(NoteDialog(self.current.get(annotation.id), colour), save_note)

    def action_delete(self) -> None:
        annotation = self.under_cursor()
        if annotation is None:
            self.notify("No annotation under the cursor.", severity="warning")
            return
        self.current.delete(annotation.id)
        self.notify(f"Deleted {shown_line(annotation.tag)} {quoted(annotation.quote, 30)} (u undoes)", markup=False)

    def action_undo(self) -> None:
        change = self.current.undo()
        self.notify(f"Undid: {change.label}" if change else "Nothing to undo", timeout=2)

    def action_redo(self) -> None:
        change = self.current.redo()
        self.notify(f"Redid: {change.label}" if change else "Nothing to redo", timeout=2)

    def action_next_annotation(self, direction: int) -> None:
        layer, cursor = self.current.layer, self.view.cursor
        current = self.view.annotation_at(cursor)
        position = layer.position_of(current.id) if current is not None and current.start == cursor else None
        if position is not None:  # on one's start: the next in order, though it starts there too
            index = position + direction
            annotation = layer.at_position(index) if 0 <= index < len(layer) else None
        else:
            annotation = layer.next_after(cursor) if direction > 0 else layer.previous_before(cursor)
        if annotation is None:
            self.notify("No more annotations that way.", timeout=2)
            return
        self.view.clear_selection()
        self.view.choose(annotation)
        self.view.reveal(annotation.start, annotation.end)

    # -- selecting ---------------------------------------------------------------------

    def action_select_sentence(self) -> None:
        self._select(*sentence_at(self.current.text, self.view.cursor))

    def action_select_paragraph(self) -> None:
        self._select(*paragraph_at(self.current.text, self.view.cursor))

    def _select(self, start: int, end: int) -> None:
        if end > start:
            self.view.select(start, end)

    # -- search ------------------------------------------------------------------------

    def action_search(self) -> None:
        self.clear_notifications()  # the bar takes the notices' row
        self.query_one(SearchBar).open()

    def on_search_bar_changed(self, event: SearchBar.Changed) -> None:
        self._run_search(event.query, event.regex, event.case_sensitive)

    def _search_submitted(self, query: str, regex: bool, case_sensitive: bool) -> None:
        if not self._run_search(query, regex, case_sensitive):
            return
        self.query_one(SearchBar).display = False
        self.view.focus()
        self._goto_match_after(self.view.cursor, 1)

    def _search_closed(self) -> None:
        self.action_clear_search()
        self.view.focus()

    def action_clear_search(self) -> None:
        """Esc: the matches are no longer highlighted (n and N need a new search)."""
        self.view.set_matches([])  # the view owns the search's matches

    def _run_search(self, query: str, regex: bool, case_sensitive: bool) -> bool:
        from tui.core.search import find_all

        bar = self.query_one(SearchBar)
        try:
            matches = find_all(self.current.text, query, regex=regex, case_sensitive=case_sensitive)
        except HedgerowError as error:
            bar.set_count(str(error))
            return False
        self.view.set_matches(matches)  # the view owns the matches and which one is current
        count = len(matches)
        bar.set_count(f"{count:,} match{'' if count == 1 else 'es'}" if query else "")
        return bool(matches)

    def _goto_match_after(self, offset: int, direction: int) -> None:
        view = self.view
        matches, current = view.matches, view.current_match
        if not matches:
            self.notify("No matches.", severity="warning", timeout=2)
            return
        from bisect import bisect_left

        if current is None:  # the first match at or after the cursor, or the last one before it
            index = bisect_left(matches, (offset,)) - (direction < 0)
        else:
            index = current + direction
        wrapped = not 0 <= index < len(matches)
        index %= len(matches)
        start, end = matches[index]
        view.set_current_match(index)
        view.select(start, end, scroll=False)
        view.reveal(start, end)
        note = " (wrapped)" if wrapped else ""
        self.query_one(SearchBar).set_count(f"{index + 1:,}/{len(matches):,}")
        self.notify(f"Match {index + 1} of {len(matches)}{note}", timeout=1.5)

    def action_next_match(self, direction: int) -> None:
        if not self.view.matches:
            self.notify("Nothing to repeat: search first with /", severity="warning", timeout=2)
            return
        self._goto_match_after(self.view.cursor, direction)

    # -- clipboard, panels, help, export, quit -----------------------------------------

    def action_copy(self) -> None:
        from tui.app.clipboard import citation, copy_text

        document = self.current.document
        if self.view.selection:
            start, end = self.view.selection
        elif (annotation := self.under_cursor()) is not None:
            start, end = annotation.start, annotation.end
        else:
            self.notify("Select text or put the cursor on an annotation to copy.", severity="warning")
            return
        text = citation(self.current.text[start:end], document.title, document.path.name, start, end)
        self.notify(copy_text(self, text), timeout=4)

    def action_cycle_filter(self) -> None:
        names = [None, *self.current.tags.names]
        current = self.annotation_list.tag_filter
        self.set_filter(names[(names.index(current) + 1) % len(names)] if current in names else None)

    def set_filter(self, tag: str | None) -> None:
        self.annotation_list.tag_filter = tag
        self.annotation_list.rebuild()
        legend = self.query_one(TagLegend)
        legend.filter = tag
        legend.refresh_counts()

    def action_toggle_panels(self) -> None:
        sidebar = self.query_one("#sidebar")
        sidebar.display = not sidebar.display
        if not sidebar.display:
            self.view.focus()

    def action_export(self) -> None:
        """Ask for the format and the layer, then export into the project's git-ignored exports/."""
        from tui.core.paths import GOLD, exports_dir, layer_files
        from tui.core.safe_text import shown_line

        session = self.current
        mine = session.annotator
        layers = [(mine, f"{shown_line(mine)} (yours, as it is now)")]
        files = layer_files(session.document.path, session.store.path.parent.parent)
        layers += [(name, shown_line(name)) for name in files if name != mine]
        if (session.store.path.parent / f"{GOLD}.json").is_file():
            layers.append((GOLD, "gold (the adjudicated layer)"))
        if len(files) > 1 or (files and mine not in files):
            layers.append(("*", "every annotator together (gold excluded)"))
        folder = exports_dir(session.document.path)
        shown_folder = shown_line(self._relative(folder))

        def chosen(choice: tuple[str, str] | None) -> None:
            if choice is not None:
                self.export(*choice)

        self.push_screen(ExportDialog(layers, shown_folder), chosen)

    def _relative(self, path: Path) -> str:
        from tui.core.paths import project_root

        try:
            return str(path.relative_to(project_root(self.current.document.path)))
        except ValueError:
            return str(path)

    def export(self, fmt: str, layer: str | None = None) -> None:
        """Write a layer to exports/<stem>.<layer>.<ext> in a worker; the notice says where.

        `fmt` is an export format or "excel" (CSV with a BOM). The current annotator's layer is
        taken as it is now (a snapshot); other layers are read from their files.
        """
        from tui.core.paths import ignored_exports_dir, safe_name

        session = self.current
        layer = layer or session.annotator
        extension = "excel.csv" if fmt == "excel" else EXPORT_EXTENSIONS[fmt]
        name = "all" if layer == "*" else safe_name(layer)
        try:
            folder = ignored_exports_dir(session.document.path)
        except HedgerowError as error:
            self.notify(f"Export failed: {error}", severity="error", markup=False)
            return
        path = folder / f"{session.document.stem}.{name}.{extension}"
        if fmt == "qdc":  # the codebook: no layer's, the project's
            path = folder / "codebook.qdc"
        snapshot = session.layer.snapshot() if layer == session.annotator else None
        links = list(session.links) if snapshot is not None else None
        self._export(fmt, layer, path, snapshot, links)

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, fmt: str, layer: str, path: Path, snapshot: Layer | None,
                links: list[Link] | None = None) -> None:
        from tui.core.atomic import atomic_write_chunks
        from tui.core.export import pieces
        from tui.core.links import load_with_links
        from tui.core.paths import layer_files, layer_path

        session = self.current
        annotations: Layer | list[Annotation]
        layers: list[tuple[str, Layer | list[Annotation]]]  # for REFI-QDA: each under its own user
        if fmt == "qdc":
            from tui.core.refi_qda_write import qdc_chunks

            try:
                atomic_write_chunks(path, qdc_chunks(session.tags))
            except HedgerowError as error:
                self.post_message(ExportFinished(fmt, path, 0, str(error)))
                return
            self.post_message(ExportFinished(fmt, path, len(session.tags)))
            return
        try:
            if snapshot is not None:
                annotations = snapshot
                layers = [(layer, snapshot)]
            elif layer == "*":
                files = layer_files(session.document.path, session.store.path.parent.parent)
                every, links_of = load_with_links(files)
                annotations = [a for found in every.values() for a in found]
                layers = list(every.items())
                links = [link for found in links_of.values() for link in found]
            else:
                file = layer_path(session.document.path, layer, session.store.path.parent.parent)
                found, links_of = load_with_links({layer: file})
                annotations, links = found[layer], links_of[layer]
                layers = [(layer, annotations)]
            if fmt == "qdpx":
                from tui.core.refi_qda_write import Summary, qdpx_chunks, refi_links

                atomic_write_chunks(path, qdpx_chunks(session.document, layers, session.tags, Summary(),
                                                      refi_links(session.document, layers, links or ())))
            else:
                written = pieces("csv" if fmt == "excel" else fmt, session.document, annotations, links or (),
                                 **({"excel": True} if fmt == "excel" else {}))
                atomic_write_chunks(path, (piece.encode("utf-8") for piece in written))
        except HedgerowError as error:
            self.post_message(ExportFinished(fmt, path, 0, str(error)))
            return
        self.post_message(ExportFinished(fmt, path, len(annotations)))

    # -- the corpus: the documents screen, opening another document, the done mark ------------

    def corpus_root(self) -> Path:
        """The folder whose documents the list shows: the one given, else the open document's
        project (its seeds/ folder when the document is under it)."""
        if self.corpus is not None:
            return self.corpus
        from tui.core.paths import project_root

        document = self.current.document.path
        root = project_root(document)
        seeds = root / "seeds"
        return seeds if seeds in document.parents else root

    def _annotating(self) -> bool:
        return self.session is not None and not isinstance(self.screen, DocumentsScreen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The annotation screen's keys do nothing (and are not offered) over the documents list;
        escape clears the search's matches only when there are some (otherwise it goes on as before)."""
        if action in CORPUS_ACTIONS:
            return True
        if not self._annotating():
            return False
        if action == "clear_search":
            return bool(self.view.matches)
        return super().check_action(action, parameters)  # the link mode's Enter and Esc (LinkingMixin)

    def action_documents(self) -> None:
        """Show the documents list, with this document's counts as they are now."""
        if isinstance(self.screen, DocumentsScreen):
            return
        if self.documents is None:
            tags = self.codebook()
            self.documents = DocumentsScreen(self.corpus_root(), self.annotator, tags, self.options.annotations,
                                             self._prefetch)
            self.install_screen(self.documents, "documents")
        if self.session is not None:
            self.saver.flush()  # the list reads the file: it must hold what is on screen
            self.documents.reread(self.current.document.path)
            self.documents.select(self.current.document.path)
        self.push_screen("documents")

    def codebook(self) -> TagSet:
        """The open document's tags, or the corpus's before one is opened."""
        return self.session.tags if self.session is not None else self._corpus_tags()

    def _corpus_tags(self) -> TagSet:
        from tui.core.paths import config_path
        from tui.core.tags import load_config

        assert self.corpus is not None
        config = load_config(config_path(self.corpus.resolve() / "_", self.options.tags))
        return config.tags

    def focus_pending(self) -> bool:
        return self._opening  # keys typed after enter on the list go to the document it opens

    def action_back_to_document(self) -> None:
        if isinstance(self.screen, DocumentsScreen) and self.session is not None:
            self.pop_screen()

    def open_document(self, path: Path) -> None:
        """Open another document in the annotation screen; it is read in a worker, not on the UI thread."""
        if self.session is not None and self.current.document.path == path.resolve():
            if isinstance(self.screen, DocumentsScreen):
                self.pop_screen()
            return
        if self._opening:
            return
        self._opening = True
        options = SessionOptions(annotator=self.annotator, annotations=self.options.annotations,
                                 tags=self.options.tags)
        self._open_in_worker(path, options)

    @work(thread=True, group="open", exit_on_error=False)
    def _open_in_worker(self, path: Path, options: SessionOptions) -> None:
        import_annotation_screen()  # here, off the UI thread, rather than in the compose that shows it
        try:
            session = Session.open(path, options)
        except HedgerowError as error:  # deleted, changed into binary, damaged layer: say so, stay
            self.post_message(DocumentOpened(path, None, str(error)))
            return
        self.post_message(DocumentOpened(path, session))

    @on(DocumentOpened)
    async def _document_opened(self, message: DocumentOpened) -> None:
        if message.session is None:
            self._open_failed(message.path, message.error)
        elif not isinstance(self.screen, DocumentsScreen) and self.screen is not self.screen_stack[0]:
            # The palette that chose it is still closing (or a dialog is open): the switch recomposes
            # the screen on top, and would fill the palette's instead of the document's. Once it is gone.
            self.set_timer(0.05, partial(self.post_message, DocumentOpened(message.path, message.session)))
        else:
            await self._switch_to(message.session)

    def _open_failed(self, path: Path, error: str) -> None:
        self._opening = False
        self.notify(f"Cannot open it: {shown_line(error)}", severity="error", timeout=8)
        if self.documents is not None:
            self.documents.reread(path)

    async def _switch_to(self, session: Session) -> None:
        from tui.app.saver import AutoSaver

        try:
            check_keys(session)
        except HedgerowError as error:
            self._open_failed(session.document.path, str(error))
            return
        try:
            if self.session is not None and (left := self.saver.flush()) and left != self.saver.aside_message:
                self.notify(f"Not switching: the open document is not saved ({self.saver.last_error}).",
                            severity="error")
                return  # (saved beside a file that changed on disk is saved: it goes on)
            if self.session is not None and self.documents is not None:
                self.documents.reread(self.current.document.path)  # left from the palette: its row as saved
            if isinstance(self.screen, DocumentsScreen):
                await self.pop_screen()
            self.session = session
            self.saver = AutoSaver(self, session, self._show_save_state)
            self.anchors, self._anchors_wanted = {}, None  # a worker still finding the old one's is ignored
            # The annotation screen's widgets again, on the app's own screen by name: App.recompose
            # works on whichever screen is on top when each of its steps runs.
            screen = self.screen_stack[0]
            async with screen.batch():
                await screen.query("*").exclude(".-textual-system").remove()
                await screen.mount_all(compose(self))
            self._start_session()
        finally:
            self._opening = False

    def action_toggle_done(self) -> None:
        if isinstance(self.screen, DocumentsScreen):  # the palette over the list: the highlighted row
            self.screen.action_toggle_done()
        elif self.session is not None:
            self.mark_done(self.current.document.path, not self.current.done)

    def mark_done(self, path: Path, done: bool) -> None:
        """Set or clear this annotator's done mark on a document, kept in their layer file."""
        if self.session is not None and self.current.document.path == path.resolve():
            try:
                self.current.set_done(done)
            except HedgerowError as error:
                self.notify(str(error), severity="error")
                return
            if isinstance(self.screen, DocumentsScreen):
                self.saver.flush()
                self.screen.reread(path)
            self.notify("Marked done." if done else "Marked not done.", timeout=2)
            return
        options = SessionOptions(annotator=self.annotator, annotations=self.options.annotations,
                                 tags=self.options.tags)
        self._mark_in_worker(path, done, options)

    @work(thread=True, group="mark", exit_on_error=False)
    def _mark_in_worker(self, path: Path, done: bool, options: SessionOptions) -> None:
        from tui.core.session import Session

        try:
            session = Session.open(path, options)
            session.set_done(done)
            session.save()
        except HedgerowError as error:
            self.post_message(DoneMarked(path, done, str(error)))
            return
        self.post_message(DoneMarked(path, done))

    @on(DoneMarked)
    def _marked(self, message: DoneMarked) -> None:
        path, done = message.path, message.done
        if message.error:
            self.notify(f"Not marked: {shown_line(message.error)}", severity="error")
            return
        if self.documents is not None:
            self.documents.reread(path)
        self.notify("Marked done." if done else "Marked not done.", timeout=2)

    def corpus_documents(self) -> list[tuple[str, str, Path]]:
        """(title, path from the corpus root, path) of every listed document, for the palette."""
        if self.documents is None:  # the list was never shown: the files' names, found once
            if self._found is None:
                from tui.core.corpus import discover

                self._found = [(e.name, e.relative, e.path) for e in discover(self.corpus_root(), stat=False)]
            return self._found
        return [(s.title, s.entry.relative, s.entry.path) for s in self.documents.summaries if not s.problem]

    def report_html(self) -> None:
        """Write the HTML report of the annotations as they are now under exports/, in a worker."""
        from tui.core.paths import ignored_exports_dir

        document = self.current.document
        try:
            folder = ignored_exports_dir(document.path)
        except HedgerowError as error:
            self.notify(shown_line(f"Report failed: {error}"), severity="error", markup=False)
            return
        path = folder / f"{document.stem}.{self.current.annotator}.report.html"
        self._report_html(path, self.current.layer.snapshot(), list(self.current.links))

    @work(thread=True, group="export", exit_on_error=False)
    def _report_html(self, path: Path, layer: Layer, links: list[Link] | None = None) -> None:
        from tui.core.brief import BriefRoles
        from tui.core.report import layer_page, write_report

        session = self.current
        try:
            write_report(path, layer_page(session.document, layer, session.annotator, session.tags,
                                          stale=session.document_changed, links=links or (),
                                          roles=BriefRoles.of(session.config.relations)))
        except HedgerowError as error:
            self.post_message(ReportWritten(path, str(error)))
            return
        self.post_message(ReportWritten(path))

    @on(ReportWritten)
    def _report_written(self, message: ReportWritten) -> None:
        from tui.core.safe_text import shown_line

        if message.error:
            self.notify(shown_line(f"Report failed: {message.error}"), severity="error", markup=False)
        else:
            self.notify(shown_line(f"Report written to {self._relative(message.path)}"), timeout=8, markup=False,
                        whole=True)

    @on(ExportFinished)
    def _exported(self, message: ExportFinished) -> None:
        from tui.core.safe_text import shown_line

        if message.error:
            self.notify(f"Export failed: {message.error}", severity="error", markup=False)
            return
        count = f"the codebook ({count_of(message.count, 'tag')})" if message.fmt == "qdc" else \
            count_of(message.count, "annotation")
        self.notify(f"Exported {count} to {shown_line(self._relative(message.path))}", timeout=6, markup=False,
                    whole=True)

    def palette_commands(self) -> list[PaletteCommand]:
        corpus: list[PaletteCommand] = [
            ("Documents", "The corpus: every document with its counts and status", self.action_documents),
            ("Mark done / not done", "Your done mark on this document", self.action_toggle_done)]
        if not self._annotating():
            if self.session is not None:
                corpus.append(("Back to the document", f"Return to {shown_line(self.current.document.title)}",
                               self.action_back_to_document))
            return corpus
        commands: list[PaletteCommand] = [*corpus,
            ("Search", "Find text; enter selects the next match", self.action_search),
            ("Select sentence", "Select the sentence under the cursor", self.action_select_sentence),
            ("Select paragraph", "Select the paragraph under the cursor", self.action_select_paragraph),
            ("Edit note", "Add or edit the note of the annotation under the cursor", self.action_note),
            ("Delete annotation", "Delete the annotation under the cursor", self.action_delete),
            ("Undo", "Undo the last change", self.action_undo),
            ("Redo", "Redo the last undone change", self.action_redo),
            ("Next annotation", "Go to the next annotation", lambda: self.action_next_annotation(1)),
            ("Previous annotation", "Go to the previous annotation", lambda: self.action_next_annotation(-1)),
            ("Copy with citation", "Copy the selection or the annotation's quote", self.action_copy),
            ("Toggle side panels", "Hide or show the side panels", self.action_toggle_panels),
            ("Show keys", "Every key binding", self.action_help),
            ("Re-anchor", "Move annotations to where their quotes are now (after the text changed)",
             self.action_reanchor),
            ("Filter: all tags", "Show every annotation in the list", lambda: self.set_filter(None)),
        ]
        commands += self.link_palette_commands()
        for tag in self.current.tags:
            commands.append((f"Tag selection as {tag.name}", tag.description, partial(self.tag_as, tag.name)))
            commands.append((f"Filter: {tag.name}", f"List only {tag.name} annotations",
                             partial(self.set_filter, tag.name)))
        commands.append(("Export…", "Choose a format and a layer; written under exports/ (git ignores it)",
                         self.action_export))
        commands.append(("Report as HTML", "Write the annotated text, notes and legend as one HTML page "
                         "under exports/", self.report_html))
        return commands
