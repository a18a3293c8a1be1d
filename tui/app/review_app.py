"""`hedgerow review`: adjudicate every annotator's candidates into the gold layer.

The document shows the candidates (one display annotation per candidate, id = its key, struck
through once rejected); the sidebar holds the summary (counts and agreement), the candidate
under the cursor, and the list of every candidate in document order. Decisions go through
`Review`, so undo and redo work and the gold file is saved by an `AutoSaver` off the UI thread.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import islice

from rich.cells import cell_len, set_cell_size
from rich.console import Group
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, Static

from tui.app.dialogs import HelpScreen, QuitDialog
from tui.app.document_view import DocumentView
from tui.app.saver import AutoSaver
from tui.app.styles import tag_style
from tui.core.annotation import Annotation
from tui.core.errors import HedgerowError
from tui.core.history import Change
from tui.core.layer import Layer
from tui.core.review import AGREED, DECISIONS, PARTIAL, REJECTED, SINGLE, Candidate, Review

STATUS_MARK = {AGREED: "✓", PARTIAL: "≈", SINGLE: "·"}
STATUS_STYLE = {AGREED: Style(color="green", bold=True), PARTIAL: Style(color="yellow", bold=True),
                SINGLE: Style(color="bright_black", bold=True)}
DECISION_STYLE = {"accepted": Style(color="green"), "rejected": Style(color="red"), "edited": Style(color="cyan"),
                  "undecided": Style(dim=True)}
MAX_PAIRS = 6  # agreement rows shown in the summary


def abbreviations(names: list[str]) -> dict[str, str]:
    """The shortest prefix of each name that no other name starts with (at least one letter)."""
    result = {}
    for name in names:
        others = [n for n in names if n != name]
        size = 1
        while size < len(name) and any(o.startswith(name[:size]) for o in others):
            size += 1
        result[name] = name[:size]
    return result


def snippet(text: str, width: int) -> str:
    """`text` on one line in at most `width` cells, cut with "…" (wide characters count double)."""
    text = " ".join(text.split())
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + "…"


def fit(text: str, width: int) -> str:
    """A snippet padded to exactly `width` cells."""
    return set_cell_size(snippet(text, width), width)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def display_layer(review: Review) -> Layer:
    """One display annotation per candidate: id = the candidate key, annotator = who has it."""
    return Layer(
        Annotation(start=c.start, end=c.end, quote=c.quote, tag=c.tag, document="", annotator=" ".join(c.annotators),
                   id=c.key, created="-")
        for c in review.candidates
    )


class ReviewView(DocumentView):
    """The document view, with the selection keys kept out of the footer (they do nothing here)."""

    BINDINGS = [
        Binding("shift+right", "cursor_right(True)", "Select", show=False, id="view.select_right"),
        Binding("escape", "clear_selection", "Deselect", show=False, id="view.clear_selection"),
    ]


class CandidateList(ScrollView, can_focus=True):
    """Every candidate, one row each: status, tag, quote, who, decision (Line API: only rows in view)."""

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False, id="candidates.up"),
        Binding("down", "move(1)", "Down", show=False, id="candidates.down"),
        Binding("pageup", "page(-1)", show=False, id="candidates.page_up"),
        Binding("pagedown", "page(1)", show=False, id="candidates.page_down"),
        Binding("home", "edge(0)", show=False, id="candidates.first"),
        Binding("end", "edge(1)", show=False, id="candidates.last"),
        Binding("enter", "jump", "Go to", id="candidates.jump"),
    ]

    class Jump(Message):
        """Show this candidate in the document; `focus` moves the keyboard focus there too."""

        def __init__(self, candidate: Candidate, focus: bool) -> None:
            super().__init__()
            self.candidate = candidate
            self.focus = focus

    def __init__(self, review: Review, **kwargs) -> None:
        super().__init__(**kwargs)
        self.review = review
        self.rows = review.candidates
        self.highlighted = 0
        self.border_title = "candidates"
        names = review.annotators
        self.short = abbreviations(names)

    def on_mount(self) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows))
        summary = self.review.summary(agreement=False)
        self.border_subtitle = f"{summary['undecided']:,} undecided of {len(self.rows):,}"
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows))

    def highlight(self, candidate: Candidate | None) -> None:
        """Follow the document: highlight this candidate's row."""
        if candidate is None or not self.rows:
            return
        self._set_highlight(self.review.index_of(candidate))

    def _set_highlight(self, index: int) -> None:
        self.highlighted = max(0, min(index, len(self.rows) - 1))
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        if self.highlighted < top:
            self.scroll_to(y=self.highlighted, animate=False)
        elif height and self.highlighted >= top + height:
            self.scroll_to(y=self.highlighted - height + 1, animate=False)
        self.refresh()

    @property
    def current(self) -> Candidate | None:
        return self.rows[self.highlighted] if self.rows else None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = self.scroll_offset.y + y
        base = self.rich_style
        if not self.rows:
            return Strip([Segment("no candidates" if y == 0 else "", base + Style(dim=True))]).crop_extend(0, width, base)
        if row >= len(self.rows):
            return Strip.blank(width, base)
        candidate = self.rows[row]
        if row == self.highlighted:
            base = base + (Style(reverse=True) if self.has_focus else Style(bold=True, underline=True))
        tags = self.review.session.tags
        colour = tags.colour_of(candidate.tag)
        record = self.review.decision(candidate)
        decision = record.get("decision", "undecided") if record else "undecided"
        who = " ".join(self.short[n] if n in candidate.annotators else "·".ljust(len(self.short[n]))
                       for n in self.review.annotators)
        tag_width = min(10, max(len(t) for t in [*tags.names, candidate.tag]))
        room = max(0, width - 2 - 2 - tag_width - 1 - 1 - len(who) - 1 - 9)
        segments = [
            Segment(STATUS_MARK[candidate.status] + " ", base + STATUS_STYLE[candidate.status]),
            Segment("█ ", base + Style(color=colour)),
            Segment(candidate.tag[:tag_width].ljust(tag_width) + " ", base + Style(color=colour, bold=True)),
            Segment(fit(candidate.quote, room) + " ", base),
            Segment(who + " ", base + Style(dim=True)),
            Segment(decision.ljust(9), base + DECISION_STYLE[decision]),
        ]
        return Strip(segments).crop_extend(0, width, base)

    def _user_move(self, index: int) -> None:
        if self.rows:
            self._set_highlight(index)
            self.post_message(self.Jump(self.rows[self.highlighted], focus=False))

    def action_move(self, delta: int) -> None:
        self._user_move(self.highlighted + delta)

    def action_page(self, direction: int) -> None:
        self._user_move(self.highlighted + direction * max(1, self.scrollable_content_region.height - 1))

    def action_edge(self, end: int) -> None:
        self._user_move(len(self.rows) - 1 if end else 0)

    def action_jump(self) -> None:
        if self.current is not None:
            self.post_message(self.Jump(self.current, focus=True))

    def on_click(self, event: events.Click) -> None:
        row = event.y + self.scroll_offset.y
        if 0 <= row < len(self.rows):
            self._set_highlight(row)
            self.post_message(self.Jump(self.rows[row], focus=event.chain >= 2))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


class SummaryPanel(Static):
    """Counts per status, decisions, and the agreement figures, compact."""

    def __init__(self, review: Review, **kwargs) -> None:
        super().__init__(**kwargs)
        self.review = review
        self.border_title = "summary"
        self.save_state = "saved"
        self.save_error = ""

    def on_mount(self) -> None:
        self.refresh_summary()

    def set_save_state(self, state: str, error: str = "") -> None:
        self.save_state, self.save_error = state, error
        self.refresh_summary()

    def refresh_summary(self) -> None:
        s = self.review.summary(agreement=False)
        status, made = s["status"], s["decisions"]
        counts = Table.grid(padding=(0, 1))
        counts.add_column(no_wrap=True)
        counts.add_column(justify="right", no_wrap=True)
        counts.add_column(width=2)
        counts.add_column(no_wrap=True)
        counts.add_column(justify="right", no_wrap=True)
        rows = [(f"{STATUS_MARK[name]} {name}", status[name], STATUS_STYLE[name], decision, made[decision],
                 DECISION_STYLE[decision]) for name, decision in zip((AGREED, PARTIAL, SINGLE), DECISIONS)]
        rows.append(("  total", s["candidates"], Style(bold=True), "undecided", s["undecided"], Style(bold=True)))
        for label, count, style, label2, count2, style2 in rows:
            counts.add_row(Text(label, style=style), f"{count:,}", "", Text(label2, style=style2), f"{count2:,}")
        text = Text()
        left = s["undecided_disagreements"]
        if left:
            text.append(f"{left:,} disagreement(s) to settle", style="yellow")
        else:
            text.append("every disagreement settled ✓", style="green")
        text.append(f" · gold {s['gold']:,}\n")
        if s["stale_decisions"]:
            text.append(f"⚠ {s['stale_decisions']} decision(s) on spans no annotator has now\n", style="yellow")
        if s["mismatched_quotes"]:
            text.append(f"⚠ {s['mismatched_quotes']} quote(s) differ from the text: run hedgerow check\n",
                        style="bold yellow")
        text.append("reviewer ", style="dim")
        text.append(self.review.reviewer)
        if self.save_state == "error":
            text.append(" · ✗ not saved", style="bold red")
        elif self.save_state == "saving" or self.review.session.dirty:
            text.append(" · … saving", style="yellow")
        else:
            text.append(" · ✓ saved", style="green")
        self.update(Group(counts, text, self._agreement(s["agreement"])))
        self.border_subtitle = "✗ not saved" if self.save_state == "error" else ""

    def _agreement(self, report: dict | None) -> Text | Group:
        if not self.review.agreement_ready:
            return Text("agreement: working it out…", style="dim")
        if report is None:
            return Text("agreement n/a (needs two annotators)", style="dim")
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True, overflow="ellipsis", max_width=20)
        for _ in range(4):
            table.add_column(justify="right", no_wrap=True)
        table.add_row(Text("agreement", style="bold"),
                      *(Text(h, style="bold") for h in ("exact", "overlap", "κ", "α")))
        for pair in islice(report["pairs"], MAX_PAIRS):
            o = pair["overall"]
            table.add_row(f"{pair['a']}/{pair['b']}",
                          *(_fmt(o[k]) for k in ("exact_f1", "overlap_f1", "kappa", "alpha")))
        hidden = len(report["pairs"]) - MAX_PAIRS
        if hidden > 0:
            table.add_row(Text(f"+{hidden} more pairs: hedgerow agree", style="dim"))
        footer = Text(f"pooled α {_fmt(report['overall_alpha'])} · lowest exact F1 {_fmt(report['min_exact_f1'])}",
                      style="dim")
        return Group(table, footer)


class CandidatePanel(Static):
    """The candidate under the cursor: status, tag, who has it (with notes), and the decision."""

    def __init__(self, review: Review, **kwargs) -> None:
        super().__init__(**kwargs)
        self.review = review
        self.candidate: Candidate | None = None
        self.border_title = "candidate"

    def show(self, candidate: Candidate | None) -> None:
        self.candidate = candidate
        self.refresh_details()

    def on_mount(self) -> None:
        self.refresh_details()

    def refresh_details(self) -> None:
        candidate = self.candidate
        if candidate is None:
            self.update(Text("No candidate under the cursor.\nspace: next disagreement · ]: next candidate",
                             style="dim"))
            return
        colour = self.review.session.tags.colour_of(candidate.tag)
        record = self.review.decision(candidate)
        text = Text()
        text.append(f"{STATUS_MARK[candidate.status]} {candidate.status}  ", style=STATUS_STYLE[candidate.status])
        text.append(f" {candidate.tag} ", style=tag_style(colour))
        text.append(f"  {candidate.start}–{candidate.end}  ", style="dim")
        if record:
            decision = record.get("decision", "")
            text.append(decision, style=DECISION_STYLE.get(decision, Style()))
            if decision == "edited":
                text.append(f" → {record.get('tag', '')}", style="cyan")
        else:
            text.append("undecided", style=DECISION_STYLE["undecided"])
        text.append("\n")
        text.append(f"“{snippet(candidate.quote, 120)}”\n", style="italic")
        notes = {}
        for source in candidate.sources:
            notes.setdefault(source.annotator, []).append(source.note)
        for name in self.review.annotators:
            if name in notes:
                text.append(f"✓ {name}", style="bold")
                note = " / ".join(n for n in notes[name] if n.strip())
                if note:
                    text.append(f"  ✎ {snippet(note, 60)}", style="yellow")
            else:
                text.append(f"✗ {name}", style="dim")
            text.append("\n")
        text.rstrip()
        self.update(text)


class ReviewApp(App[int]):
    CSS_PATH = "review.tcss"
    TITLE = "hedgerow review"

    BINDINGS = [
        Binding("a", "accept", "Accept", id="review.accept"),
        Binding("r", "reject", "Reject", id="review.reject"),
        *(Binding(str(n), f"accept_tag({n})", f"Accept as tag {n}", show=False, id=f"review.tag_{n}")
          for n in range(1, 10)),
        Binding("A", "accept_agreed", "Accept agreed", key_display="A", id="review.accept_agreed"),
        Binding("space", "next_disagreement", "Next disagreement", key_display="space", id="review.next_disagreement"),
        Binding("right_square_bracket", "next_candidate(1)", "Next", show=False, id="review.next_candidate"),
        Binding("left_square_bracket", "next_candidate(-1)", "Previous", show=False, id="review.previous_candidate"),
        Binding("u,ctrl+z", "undo", "Undo", id="review.undo"),
        Binding("ctrl+y", "redo", "Redo", show=False, id="review.redo"),
        Binding("tab", "focus_next", "Next pane", show=False, id="review.focus_next"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="review.help"),
        Binding("q", "quit", "Quit", id="review.quit"),
    ]

    HELP = [
        ("Deciding", [("review.accept", "accept the candidate under the cursor into gold"),
                      ("review.reject", "reject it (a rejected candidate is struck through)"),
                      ("1 … 9", "accept it with that tag instead (edited)"),
                      ("review.accept_agreed", "accept every agreed candidate still undecided (one undo)"),
                      ("review.undo", "undo"), ("review.redo", "redo")]),
        ("Moving", [("review.next_disagreement", "next undecided disagreement (partial or single)"),
                    ("review.next_candidate", "next candidate"), ("review.previous_candidate", "previous candidate"),
                    ("arrows, pgup/pgdn", "move the cursor in the text"),
                    ("review.focus_next", "move between the text and the candidate list"),
                    ("enter", "in the list: go to the candidate")]),
        ("Marks", [("✓ ≈ ·", "agreed by everyone · partial (overlap or other tag) · one annotator only"),
                   ("a b c", "who has the candidate (first letters of the annotators)")]),
        ("Other", [("review.help", "this help"), ("review.quit", "quit (the gold file is saved first)")]),
    ]

    def __init__(self, review: Review) -> None:
        super().__init__()
        self.review = review
        self.jumped: Candidate | None = None  # the candidate last jumped to (it may not be innermost)
        self.saver = AutoSaver(self, review.session, self._show_save_state)

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        review = self.review
        tags = review.session.tags
        names = {*tags.names, *(c.tag for c in review.candidates)}
        styles = {name: tag_style(tags.colour_of(name)) for name in names}
        with Horizontal(id="main"):
            yield ReviewView(review.text, display_layer(review), tag_styles=styles, id="document")
            with Vertical(id="sidebar"):
                yield SummaryPanel(review, id="summary")
                yield CandidatePanel(review, id="detail")
                yield CandidateList(review, id="candidates")
        yield Footer()

    @property
    def view(self) -> DocumentView:
        return self.query_one(DocumentView)

    @property
    def candidate_list(self) -> CandidateList:
        return self.query_one(CandidateList)

    def on_mount(self) -> None:
        document = self.review.session.document
        self.title = f"hedgerow review — {document.title}"
        self.view.border_title = snippet(document.title, 60)
        self.view.border_subtitle = f"{len(self.review.annotators)} annotator(s): {', '.join(self.review.annotators)}"
        if self.review.session.config.keys:
            self.set_keymap(self.review.session.config.keys)
        self.review.subscribe(self._on_change)
        if not self.review.agreement_ready:
            self.run_worker(self._work_out_agreement, thread=True, group="agreement", exit_on_error=False)
        self.view.set_flagged(self._rejected())
        self.view.focus()
        self._follow_cursor()
        if not self.review.candidates:
            self.notify("The annotators' files hold no annotations: nothing to review.", severity="warning",
                        timeout=8)

    # -- state flows through the review's session; this keeps the screen in step ---------------

    def _work_out_agreement(self) -> None:
        self.review.agreement()  # cached by the review; only the summary shows it
        self.call_from_thread(self.query_one(SummaryPanel).refresh_summary)

    def _rejected(self) -> list[str]:
        return [key for key, record in self.review.decisions.items() if record.get("decision") == REJECTED]

    def _on_change(self, change: Change) -> None:
        self.view.set_flagged(self._rejected())
        self.candidate_list.rebuild()
        self.query_one(SummaryPanel).refresh_summary()
        self.query_one(CandidatePanel).refresh_details()
        self.saver.changed()

    def _show_save_state(self, state: str, error: str) -> None:
        self.query_one(SummaryPanel).set_save_state(state, error)
        if state == "error" and self.saver.failures == 1:
            self.notify(f"Not saved: {error}. Your decisions are kept in memory; retrying.", severity="error",
                        timeout=10)

    # -- the current candidate ---------------------------------------------------------------

    def current(self) -> Candidate | None:
        """The candidate under the cursor: the innermost one at the cursor, except right after a
        jump (space, ] and [, the list), while its span is still selected: then the one jumped
        to, which may be an outer one or share its span with another tag."""
        view = self.view
        jumped = self.jumped
        if jumped is not None and view.selection == jumped.span:
            return jumped
        found = view.annotations.at(view.cursor)
        return self.review.get(found[0].id) if found else None

    def _follow_cursor(self) -> None:
        view = self.view
        if self.jumped is not None and view.selection != self.jumped.span:
            self.jumped = None  # the cursor moved on: back to the innermost candidate
        candidate = self.current()
        self.candidate_list.highlight(candidate)
        self.query_one(CandidatePanel).show(candidate)

    @on(DocumentView.CursorMoved)
    @on(DocumentView.SelectionChanged)
    def _cursor_moved(self) -> None:
        self._follow_cursor()

    @on(CandidateList.Jump)
    def _list_jump(self, event: CandidateList.Jump) -> None:
        self.jump(event.candidate)
        if event.focus:
            self.view.focus()

    def jump(self, candidate: Candidate) -> None:
        """Select the candidate's span in the text (cursor at its start) and make it current."""
        self.jumped = candidate
        view = self.view
        view.move_to(candidate.end, scroll=False)
        view.move_to(candidate.start, extend=True, center=True)
        self._follow_cursor()

    # -- deciding ------------------------------------------------------------------------------

    def _target(self) -> Candidate | None:
        candidate = self.current()
        if candidate is None:
            self.notify("No candidate under the cursor: space goes to the next disagreement, ] to the next "
                        "candidate.", severity="warning", timeout=4)
        return candidate

    def action_accept(self) -> None:
        if (candidate := self._target()) is not None:
            change = self.review.accept(candidate)
            self.notify(f"Accepted {candidate.tag}: “{snippet(candidate.quote, 40)}”" if change
                        else "Already accepted.", timeout=2)

    def action_reject(self) -> None:
        if (candidate := self._target()) is not None:
            change = self.review.reject(candidate)
            self.notify(f"Rejected {candidate.tag}: “{snippet(candidate.quote, 40)}”" if change
                        else "Already rejected.", timeout=2)

    def action_accept_tag(self, number: int) -> None:
        tags = self.review.session.tags
        found = tags.by_key(str(number)) or (tags.tags[number - 1] if number <= len(tags) else None)
        if found is None:
            self.notify(f"No tag on key {number}: the codebook has {len(tags)} tags.", severity="warning")
            return
        if (candidate := self._target()) is None:
            return
        tag = found.name
        try:
            change = self.review.accept(candidate, tag)
        except HedgerowError as error:
            self.notify(str(error), severity="error")
            return
        what = "Accepted" if tag == candidate.tag else f"Accepted {candidate.tag} as"
        self.notify(f"{what} {tag}" if change else f"Already accepted as {tag}.", timeout=2)

    def action_accept_agreed(self) -> None:
        before = self.review.summary(agreement=False)["decisions"]["accepted"]
        change = self.review.accept_all_agreed()
        if change is None:
            self.notify("No undecided agreed candidates.", timeout=2)
        else:
            accepted = self.review.summary(agreement=False)["decisions"]["accepted"] - before
            self.notify(f"Accepted {accepted} agreed candidate(s) (u undoes them all)", timeout=3)

    def action_undo(self) -> None:
        change = self.review.undo()
        self.notify(f"Undid: {change.label}" if change else "Nothing to undo", timeout=2)

    def action_redo(self) -> None:
        change = self.review.redo()
        self.notify(f"Redid: {change.label}" if change else "Nothing to redo", timeout=2)

    # -- moving --------------------------------------------------------------------------------

    def action_next_disagreement(self) -> None:
        candidate = self.review.next_undecided_disagreement(self.view.cursor, after=self.current())
        if candidate is None:
            self.notify("No undecided disagreements left. A accepts the agreed ones.", timeout=3)
            return
        self.jump(candidate)

    def action_next_candidate(self, direction: int) -> None:
        candidates = self.review.candidates
        if not candidates:
            return
        current = self.current()
        if current is not None:
            index = self.review.index_of(current) + direction
        elif direction > 0:
            index = bisect_left([c.start for c in candidates], self.view.cursor + 1)
        else:
            index = bisect_left([c.start for c in candidates], self.view.cursor) - 1
        if not 0 <= index < len(candidates):
            self.notify("No more candidates that way.", timeout=2)
            return
        self.jump(candidates[index])

    # -- help and quit ------------------------------------------------------------------------

    def help_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        bindings = [b for _, b in self._bindings] + [b for _, b in self.view._bindings]
        keys: dict[str, list[str]] = {}
        for binding in bindings:
            if binding.id and binding.key not in keys.setdefault(binding.id, []):
                keys[binding.id].append(binding.key)
        return [(title, [(_key_display(",".join(keys.get(k, [k]))), d) for k, d in rows]) for title, rows in self.HELP]

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.help_sections()))

    async def action_quit(self) -> None:
        error = self.saver.flush()
        if not error:
            self.exit(0)
            return

        def decide(lose: bool | None) -> None:
            if lose:
                self.exit(return_code=1)

        self.push_screen(QuitDialog(error, self.review.session.version - self.review.session.saved_version), decide)


def _key_display(keys: str) -> str:
    names = {"question_mark": "?", "right_square_bracket": "]", "left_square_bracket": "[", "space": "space"}
    return " / ".join(names.get(k.strip(), k.strip()) for k in keys.split(","))


__all__ = ["ReviewApp", "CandidateList", "SummaryPanel", "CandidatePanel"]
