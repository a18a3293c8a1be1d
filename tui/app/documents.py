"""The documents screen: every document of a corpus, one row each, read in a worker.

The list shows names at once (from the folder scan); titles, lengths and each layer's counts
arrive from a worker a batch at a time, through the Summariser's size-and-mtime cache. Typing
filters, ctrl+s sorts, enter opens a document in the annotation screen, ctrl+d marks it done.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input, Static
from textual.widgets.input import Selection
from textual.worker import get_current_worker

from tui.app.cells import fit
from tui.app.row_list import RowList
from tui.app.steady_layout import SteadyLayout
from tui.core.corpus import DONE, IN_PROGRESS, NOT_STARTED, Entry, Prefetch, Summariser, Summary, sort_key
from tui.core.safe_text import shown_line
from tui.core.tags import TagSet
from tui.core.wording import count_of

if TYPE_CHECKING:
    from tui.core.layer_summary import LayerSummary
    from tui.core.session import Session

SORTS = ("title", "folder", "status", "count")
FOLDER_WIDTH = 18  # the folder column at most
STATUS_MARKS = {NOT_STARTED: ("○", "grey50"), IN_PROGRESS: ("◐", "yellow"), DONE: ("●", "green")}
BATCH_SECONDS = 0.25  # the worker posts what it read this often: the list fills in visibly


@lru_cache(maxsize=256)
def _style(color: str | None = None, bold: bool | None = None, dim: bool | None = None) -> Style:
    """One Style per look: a row made a dozen new ones (each parsed and hashed again), and the
    first frame draws every row in view (~8 ms for 35 rows, before)."""
    return Style(color=color, bold=bold, dim=dim)


class DocumentOpened(Message):
    """A worker opened a document (`session`), or could not (`error`)."""

    def __init__(self, path: Path, session: Session | None, error: str = "") -> None:
        super().__init__()
        self.path, self.session, self.error = path, session, error


class DoneMarked(Message):
    """A worker set a document's done mark in its layer file (or says why not)."""

    def __init__(self, path: Path, done: bool, error: str = "") -> None:
        super().__init__()
        self.path, self.done, self.error = path, done, error


class DocumentList(RowList):
    """The corpus's rows (Summary objects, filled in as the worker reads them)."""

    EMPTY = "no documents"

    def __init__(self, annotator: str, tags: TagSet, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.annotator = annotator
        self.tags = tags
        # Each row drawn once per revision of its figures (a key redraws the rows in view).
        self._drawn: dict[tuple[int, int, int, Style], list[Segment]] = {}
        self._in_view: tuple[object, ...] = ()  # the rows in view when set_rows last drew them
        self.longest_folder = FOLDER_WIDTH  # the corpus's longest folder name: the column is no wider

    def folder_width(self, width: int) -> int:
        """The folder column: as wide as the corpus's longest folder, up to FOLDER_WIDTH and a sixth of
        the row. A corpus with no folders gives the titles its room (at 80 columns titles had 15)."""
        if not self.longest_folder:
            return 0
        return min(FOLDER_WIDTH, max(len("folder"), self.longest_folder), max(0, width // 6))

    def fit_folders(self, summaries: Sequence[Summary]) -> bool:
        """Size the folder column to `summaries` (all of the corpus); True if it changed."""
        longest = max((len(summary.entry.folder) for summary in summaries), default=0)
        if longest == self.longest_folder:
            return False
        self.longest_folder = longest
        self._drawn.clear()
        self.refresh()
        return True

    def set_rows(self, rows: Sequence[Any]) -> None:
        """The rows; the list is drawn again only when those in view, or their figures, changed. The
        worker's progress comes four times a second while a cold start reads, mostly rows out of view,
        and drawing the list each time took the UI thread a third as long as the worker's reading."""
        self.store_rows(rows)
        in_view = self._view()
        if in_view != self._in_view:
            self._in_view = in_view
            self.refresh()

    def set_highlight(self, index: int) -> None:
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        if max(0, min(index, len(self.rows) - 1)) == self.highlighted and top <= self.highlighted < top + height:
            return  # where it was, in view: set_rows has drawn what changed
        super().set_highlight(index)

    def _view(self) -> tuple[object, ...]:
        top = self.scroll_offset.y
        shown = self.rows[top:top + self.scrollable_content_region.height]
        return (len(self.rows), self.highlighted, self.EMPTY if not self.rows else "",
                *((id(row), row.revision) for row in shown))

    def render_row(self, item: Summary, width: int, base: Style) -> list[Segment]:
        key = (id(item), item.revision, width, base)
        drawn = self._drawn.get(key)
        if drawn is None:
            if len(self._drawn) > 4096:
                self._drawn.clear()
            drawn = self._drawn[key] = self._render_row(item, width, base)
        return drawn

    def _render_row(self, item: Summary, width: int, base: Style) -> list[Segment]:
        mark, colour = STATUS_MARKS[item.status(self.annotator)]
        if item.problem:
            mark, colour = "✗", "red"
        own = item.layers.get(self.annotator)
        counts_width = 4 * len(self.tags.tags) + 4
        if own is not None and own.problem:  # the layer cannot be read: say so where its counts go, never 0s
            mark, colour = "!", "red"
            counts = [Segment(fit(f"! {_short_problem(own.problem)}", counts_width), base + _style("red", bold=True))]
        else:
            counts = self._counts(own, base)
        others = item.others(self.annotator)
        who = " ".join([*(["★gold"] if item.has_gold else []), *others])  # first: a long list cut it off
        stale = "⚠" if item.stale() else " "
        folder_width = self.folder_width(width)
        fixed = 2 + 1 + folder_width + (folder_width > 0) + 8 + 1 + counts_width + 1 + 10 + 2
        title_width = max(8, width - fixed)
        title = item.title if item.read else item.entry.name
        if item.problem:  # the file's name and what is wrong with it, across the row
            return [Segment(f"{mark} ", base + _style(colour, bold=True)),
                    Segment(fit(shown_line(f"{item.entry.relative}: {item.problem}"), width - 2),
                            base + _style("red"))]
        segments = [
            Segment(f"{mark} ", base + _style(colour, bold=True)),
            Segment(fit(shown_line(title), title_width) + " ", base + _style(dim=not item.read)),
        ]
        if folder_width:
            segments.append(Segment(fit(shown_line(item.entry.folder), folder_width) + " ", base + _style(dim=True)))
        length = f"{item.length:,}" if item.read else "…"
        segments.append(Segment(length.rjust(8) + " ", base + _style(dim=True)))
        segments += counts
        segments.append(Segment(" " + fit(shown_line(who), 10), base + _style("cyan")))
        segments.append(Segment(" " + stale, base + _style("yellow", bold=True)))
        return segments

    def _counts(self, layer: LayerSummary | None, base: Style) -> list[Segment]:
        """One small coloured count per codebook tag, then the count of tags outside it."""
        segments, known = [], 0
        for tag in self.tags.tags:
            count = layer.counts.get(tag.name, 0) if layer else 0
            known += count
            text = str(count) if count < 1000 else "999"
            style = base + (_style(tag.colour, bold=True) if count else _style(dim=True))
            segments.append(Segment((text if count else "·").rjust(3) + " ", style))
        extra = (layer.total - known) if layer else 0
        segments.append(Segment((f"+{extra}" if extra else "").rjust(4), base + _style(dim=True)))
        return segments


def _short_problem(problem: str) -> str:
    """A layer's problem in the few cells its counts take (`hedgerow status` and opening it say more)."""
    if "conflict" in problem:
        return "conflict"
    return "unreadable" if problem.startswith("cannot read") else "damaged"


class DocumentsScreen(SteadyLayout[None]):
    """The corpus. The app installs one and pushes it; it keeps its rows, sort, filter and cursor."""

    # DEFAULT_CSS, not CSS: a screen's CSS makes Textual parse every stylesheet again when it is pushed.
    DEFAULT_CSS = """
    DocumentsScreen { layout: vertical; }
    #corpus-head { height: 1; padding: 0 1; color: $text-muted; }
    #corpus-filter { height: 3; border: round $primary 40%; }
    #corpus-filter:focus { border: round $primary; }
    #corpus-columns { height: 1; padding: 0 1; color: $text-muted; text-style: bold; }
    #corpus-list { height: 1fr; padding: 0 1; }
    """

    # No -narrow/-wide classes (nothing here uses them): setting them at the first resize restyled
    # every widget of the screen again before its first frame.
    HORIZONTAL_BREAKPOINTS = []  # noqa: RUF012  # Textual declares it an instance variable

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", priority=True, id="documents.open"),
        Binding("up", "move(-1)", "Up", show=False, priority=True, id="documents.up"),
        Binding("down", "move(1)", "Down", show=False, priority=True, id="documents.down"),
        Binding("pageup", "page(-1)", show=False, priority=True, id="documents.page_up"),
        Binding("pagedown", "page(1)", show=False, priority=True, id="documents.page_down"),
        Binding("ctrl+d", "toggle_done", "Done", priority=True, id="documents.done"),
        Binding("ctrl+s", "sort", "Sort", priority=True, id="documents.sort"),
        Binding("escape", "back", "Back / clear", id="documents.back"),
        Binding("ctrl+q", "app.quit", "Quit", priority=True, id="documents.quit"),  # q types into the filter
    ]

    class Progress(Message):
        """The worker has read `read` summaries (posted, not waited on: the worker keeps reading)."""

        def __init__(self, read: int) -> None:
            super().__init__()
            self.read = read

    class Listed(Message):
        """The worker found the corpus's files (the rows, not read yet)."""

        def __init__(self, summariser: Summariser, blanks: list[Summary]) -> None:
            super().__init__()
            self.summariser, self.blanks = summariser, blanks  # sorted as the list shows them

    def __init__(self, root: Path, annotator: str, tags: TagSet, annotations: Path | None = None,
                 prefetch: Prefetch | None = None) -> None:
        super().__init__()
        self.root = Path(root)
        self.prefetch = prefetch
        self.annotator = annotator
        self.tags = tags
        self.annotations = annotations
        self.summaries: list[Summary] = []
        self._by_file: dict[str, Summary] | None = None  # made when first asked: not before the first frame
        self.sort_by = "title"
        self.filter_text = ""
        self.read_count = 0
        self.loaded = False  # every summary read
        self.started = time.perf_counter()
        self.counted_in: float | None = None  # seconds until every count was filled in
        self.summariser: Summariser | None = None
        self.wanted: Path | None = None  # the document to put the cursor on once listed
        self.nothing_listed = DocumentList.EMPTY  # what the list says when it has no rows and no filter
        self.worker_cpu = 0.0  # the reading worker's CPU seconds, for the bench
        self.ui_cpu = 0.0  # the UI thread's CPU seconds from the mount until every count was in, for the bench

    def compose(self) -> ComposeResult:
        yield Static("", id="corpus-head", markup=False)  # it names the folder and the annotator
        yield Input(placeholder="type to filter by title or path", id="corpus-filter")
        yield Static("", id="corpus-columns", markup=False)  # it names the tags
        yield DocumentList(self.annotator, self.tags, id="corpus-list")
        # The footer is mounted after the first frame (_mount_footer).

    @property
    def document_list(self) -> DocumentList:
        return self.query_one(DocumentList)

    def on_mount(self) -> None:
        self.started = time.perf_counter()
        self.ui_cpu = -time.thread_time()
        self.nothing_listed = self.document_list.EMPTY = f"reading {shown_line(str(self.root))} …"
        self._show_head()
        self._show_columns()
        self.query_one(Input).focus()
        if self.prefetch is not None and self.prefetch.ready:  # scanned while Textual loaded: list it now
            summariser, entries = self.prefetch.result()
            self._listed(summariser, summariser.blanks(entries))
        # After the first frame: the scan and the reading share the GIL with the UI thread.
        self.call_after_refresh(self._read_corpus)
        self.call_after_refresh(self._mount_footer)

    def on_screen_resume(self) -> None:
        """Back from a document (o): the filter is kept, all selected, so typing starts a new one
        ("evil" then "empty" filtered by "evilempty") and the arrows and enter go on as before."""
        field = self.query_one("#corpus-filter", Input)
        if field.value:
            field.selection = Selection(0, len(field.value))

    def _mount_footer(self) -> None:
        """The keys, once the list is on screen: the footer's styles (Textual's Footer and its keys)
        took a third of the CPU time between the app's start and the list's first frame (~35 ms).
        It then shows its keys at once and rebuilds them only when they change (tui/app/footer.py):
        the stock Footer built them three times over in the first half second."""
        from tui.app.footer import KeyFooter

        self.mount(KeyFooter())

    def on_resize(self) -> None:
        self._show_columns()

    # -- reading, in a worker -------------------------------------------------------

    @work(thread=True, group="corpus", exit_on_error=False, exclusive=True)
    def _read_corpus(self) -> None:
        summariser, blanks = self.summariser, self.summaries
        shown = sort_key(self.sort_by, self.annotator)
        if summariser is None:  # not listed at mount: scan here
            prefetch = self.prefetch or Prefetch(self.root, self.annotations)
            summariser, entries = prefetch.result()
            blanks = sorted(summariser.blanks(entries), key=shown)
            self.post_message(self.Listed(summariser, blanks))
        else:
            blanks = sorted(blanks, key=shown)
        self.prefetch = None
        started, last = time.thread_time(), time.perf_counter()
        # In the order the list shows them (the rows in view first); each document stat'ed here if the
        # scan did not (a prefetch does not).
        worker = get_current_worker()
        reading = summariser.fill_each(blanks)
        for n, _summary in enumerate(reading, 1):
            if worker.is_cancelled:  # the app quits: it waited for the whole corpus to be read (1-2 s cold)
                reading.close()
                return
            if time.perf_counter() - last > BATCH_SECONDS:
                self.post_message(self.Progress(n))
                last = time.perf_counter()
        self.worker_cpu = time.thread_time() - started
        self.post_message(self.Progress(len(blanks)))
        summariser.save_cache()

    @on(Listed)
    def _on_listed(self, message: Listed) -> None:
        self._listed(message.summariser, message.blanks, ordered=True)

    def _listed(self, summariser: Summariser, blanks: list[Summary], ordered: bool = False) -> None:
        """The rows, before they are read; `ordered`: sorted already (the worker may be filling
        them in by now: sorting them again here would move the rows it has read)."""
        self.summariser = summariser
        self.summaries = blanks
        self._by_file = None
        self.nothing_listed = DocumentList.EMPTY
        if not blanks:
            self.nothing_listed = (f"No documents here: hedgerow looked for .txt and .md files in "
                                   f"{shown_line(str(self.root.resolve()))} and its subfolders. "
                                   f"Add some, or open a folder with: hedgerow DIR")
        self._apply(keep=True, resort=not ordered)
        if self.wanted is not None:
            self.select(self.wanted)
            self.wanted = None

    @on(Progress)
    def _progress(self, event: Progress) -> None:
        read = event.read
        if read > len(self.summaries):
            return  # Listed not handled yet (it is, before this: messages keep their order)
        self.read_count = read
        if read >= len(self.summaries) and not self.loaded:
            self.loaded = True
            self.counted_in = time.perf_counter() - self.started
            self.ui_cpu += time.thread_time()
            listed: Callable[[], None] | None = getattr(self.app, "documents_read", None)
            if listed is not None:
                self.call_after_refresh(listed)
        if not self.loaded and not self.filter_text.split():
            # While the worker reads, the rows keep their places (sorted once, when all are read) and
            # the list is drawn again only if a row in view was filled in: the list does not shuffle
            # under the user four times a second, and the UI thread leaves the GIL to the worker.
            listing = self.document_list
            listing.set_rows(listing.rows)
            self._show_head()
            return
        self._apply(keep=True)  # titles and counts just arrived: sorted and filtered on them now

    # -- what is shown ----------------------------------------------------------------

    def _show_head(self) -> None:
        total = len(self.summaries)
        done = sum(s.status(self.annotator) == DONE for s in self.summaries) if self.loaded else None
        shown = len(self.document_list.rows)
        parts = [f"{shown_line(str(self.root))}: {count_of(total, 'document')}"]
        if shown != total:
            parts.append(f"{shown:,} shown")
        if not self.loaded and total:
            parts.append(f"reading {self.read_count:,}/{total:,}…")
        elif done is not None:
            parts.append(f"{done:,} done by {shown_line(self.annotator)}")
        parts.append(f"sorted by {self.sort_by}")
        # One row, as wide as the screen: no layout (with one, each of the worker's progress notes
        # laid the whole screen out again).
        self.query_one("#corpus-head", Static).update(" · ".join(parts), layout=False)

    def _show_columns(self) -> None:
        width = max(20, self.size.width - 2)
        counts_width = 4 * len(self.tags.tags) + 4
        folder_width = self.document_list.folder_width(width)
        title_width = max(8, width - (2 + 1 + folder_width + (folder_width > 0) + 8 + 1 + counts_width + 1 + 10 + 2))
        tags = "".join(shown_line(t.name)[:3].rjust(3) + " " for t in self.tags.tags) + "    "
        folder = fit("folder", folder_width) + " " if folder_width else ""
        line = ("  " + fit("title", title_width) + " " + folder + "length".rjust(8)
                + " " + tags + " " + fit("others", 10) + " ⚠")
        self.query_one("#corpus-columns", Static).update(line)

    def _apply(self, keep: bool, resort: bool = True) -> None:
        """Filter and sort the rows (`resort`: else they keep the order of `summaries`); keep the cursor
        on the same document when it is still listed."""
        listing = self.document_list
        current = listing.current
        words = self.filter_text.lower().split()
        rows = [s for s in self.summaries
                if all(w in s.title.lower() or w in s.entry.relative.lower() for w in words)] if words \
            else list(self.summaries)
        if resort:
            rows.sort(key=sort_key(self.sort_by, self.annotator))
        if words and self.summaries and not rows:  # not "reading …" from before the list came
            listing.EMPTY = f"no title or path holds “{shown_line(self.filter_text)}”: escape clears the filter"
        else:
            listing.EMPTY = self.nothing_listed
        if listing.fit_folders(self.summaries):
            self._show_columns()
        listing.set_rows(rows)
        if keep and current is not None and current in rows:
            listing.set_highlight(rows.index(current))
        elif not keep:
            listing.set_highlight(0)
        self._show_head()

    # -- keys ------------------------------------------------------------------------

    @on(Input.Changed, "#corpus-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._filter_as_typed()

    def _filter_as_typed(self) -> None:
        """The list filtered by what the field holds now. The keys' actions call it first: in a burst
        ("binary" then enter) the field's Changed messages are still queued when enter's binding runs,
        and it would open the row highlighted before the filter."""
        value = self.query_one("#corpus-filter", Input).value
        if value != self.filter_text:
            self.filter_text = value
            self._apply(keep=False)

    def action_move(self, delta: int) -> None:
        self._filter_as_typed()
        self.document_list.action_move(delta)

    def action_page(self, direction: int) -> None:
        self._filter_as_typed()
        self.document_list.action_page(direction)

    def action_sort(self) -> None:
        self._filter_as_typed()
        self.sort_by = SORTS[(SORTS.index(self.sort_by) + 1) % len(SORTS)]
        self._apply(keep=True)
        self.notify(f"Sorted by {self.sort_by}", timeout=1.5)

    def action_open(self) -> None:
        self._filter_as_typed()
        summary = self.document_list.current
        if summary is None:
            return
        if summary.problem:
            self.notify(f"Cannot open {shown_line(summary.entry.relative)}: {shown_line(summary.problem)}",
                        severity="error")
            return
        # Called, not a posted message: the open starts in this action, so keys typed after enter
        # wait for the document (KeysInOrder) instead of going into the filter.
        open_document: Callable[[Path], None] | None = getattr(self.app, "open_document", None)
        if open_document is not None:
            open_document(summary.entry.path)

    def action_back(self) -> None:
        if self.filter_text:
            self.query_one(Input).value = ""
            return
        back: Callable[[], None] | None = getattr(self.app, "action_back_to_document", None)
        if back is not None:
            back()

    def action_toggle_done(self) -> None:
        self._filter_as_typed()
        summary = self.document_list.current
        if summary is None or summary.problem:
            return
        mark: Callable[[Path, bool], None] | None = getattr(self.app, "mark_done", None)
        if mark is not None:
            mark(summary.entry.path, summary.status(self.annotator) != DONE)

    @on(RowList.Chosen)
    def _chosen(self, event: RowList.Chosen) -> None:
        event.stop()  # the annotation screen's list posts the same message to the app
        if event.focus:  # a double click
            self.action_open()

    # -- from the app ------------------------------------------------------------------

    def summary_of(self, path: Path) -> Summary | None:
        """The row of the document at `path` (the path as listed: the scan's, or the same resolved)."""
        if self._by_file is None:
            self._by_file = {summary.entry.file: summary for summary in self.summaries}
        return self._by_file.get(str(path))

    def reread(self, path: Path) -> None:
        """Read one document's summary again (after it was annotated or marked), and show it."""
        summary = self.summary_of(path)
        if summary is None or self.summariser is None:
            return
        self.summariser.forget_folders()  # a save may have moved an old layout's layer
        self.summariser.fill(summary)  # the cache file is not rewritten for one row: the next start re-reads it
        self._apply(keep=True)  # new rows drawn: set_rows forgets the drawn ones

    def select(self, path: Path) -> None:
        """Put the cursor on this document (after it was opened from the palette)."""
        summary = self.summary_of(path)
        if summary is None:  # not listed yet: once it is
            self.wanted = path
        elif summary in self.document_list.rows:
            self.document_list.set_highlight(self.document_list.rows.index(summary))

    def entries(self) -> list[Entry]:
        return [summary.entry for summary in self.summaries]
