"""`hedgerow review`: adjudicate every annotator's candidates into the gold layer.

The document shows the candidates (one display annotation per candidate, id = its key, struck
through once rejected); the sidebar holds the summary (counts and agreement), the candidate
under the cursor, and the list of every candidate in document order. Decisions go through
`Review`, so undo and redo work and the gold file is saved by an `AutoSaver` off the UI thread.
"""

from __future__ import annotations

from bisect import bisect_left
from pathlib import PurePath
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from tui.app.base import HelpSections, SavingApp
from tui.app.cells import plain, quoted, snippet
from tui.app.dialogs import ChoiceDialog
from tui.app.document_view import DocumentView
from tui.app.footer import KeyFooter
from tui.app.messages import AgreementReady
from tui.app.review_panels import CandidateList, CandidatePanel, SummaryPanel
from tui.app.styles import tag_style
from tui.core.annotation import Annotation
from tui.core.errors import HedgerowError
from tui.core.history import Change
from tui.core.layer import Layer
from tui.core.review import REJECTED, Candidate, Review
from tui.core.safe_text import shown_line
from tui.core.wording import count_of


def display_layer(review: Review) -> Layer:
    """One display annotation per candidate: id = the candidate key, annotator = who has it."""
    return Layer(
        Annotation(start=c.start, end=c.end, quote=c.quote, tag=c.tag, document="", annotator=" ".join(c.annotators),
                   id=c.key, created="-")
        for c in review.candidates
    )


class ReviewView(DocumentView):
    """The document view, with the selection keys kept out of the footer (they do nothing here)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("shift+right", "cursor_right(True)", "Select", show=False, id="view.select_right"),
        Binding("escape", "clear_selection", "Deselect", show=False, id="view.clear_selection"),
    ]


class ReviewApp(SavingApp):
    CSS_PATH: ClassVar[list[str | PurePath]] = ["review.tcss", "dialogs.tcss"]
    TITLE = "hedgerow review"

    BINDINGS: ClassVar[list[BindingType]] = [
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

    KEY_HELP: ClassVar[HelpSections] = [
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
        super().__init__(review.session)
        self.review = review
        self.jumped: Candidate | None = None  # the candidate last jumped to (it may not be innermost)

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
        yield Static("", id="status")  # the notices' row (dialogs.tcss): they never cover the candidates
        yield KeyFooter()

    @property
    def view(self) -> DocumentView:
        return self.query_one(DocumentView)

    @property
    def candidate_list(self) -> CandidateList:
        return self.query_one(CandidateList)

    def on_mount(self) -> None:
        document = self.review.session.document
        self.set_title(f"hedgerow review — {document.title}")
        self.view.border_title = plain(snippet(document.title, 60))
        self.view.border_subtitle = plain(f"{count_of(len(self.review.annotators), 'annotator')}: "
                                          f"{', '.join(self.review.annotators)}")
        if self.review.session.config.keys:
            self.set_keymap(self.review.session.config.keys)
        self.review.subscribe(self._on_change)
        if not self.review.agreement_ready:
            self._work_out_agreement()
        self.view.set_flagged(self._rejected())
        self.view.focus()
        self._follow_cursor()
        if self.review.followed:
            moved = len(self.review.followed.records) // 2
            self.notify(f"{count_of(moved, 'decision')} followed their re-anchored spans (u undoes).", timeout=6)
        if not self.review.candidates:
            self.notify("The annotators' files hold no annotations: nothing to review.", severity="warning",
                        timeout=8)

    # -- state flows through the review's session; this keeps the screen in step ---------------

    @work(thread=True, group="agreement", exit_on_error=False)
    def _work_out_agreement(self) -> None:
        self.review.agreement()  # cached by the review; only the summary shows it
        self.post_message(AgreementReady())

    @on(AgreementReady)
    def _agreement_ready(self) -> None:
        self.query_one(SummaryPanel).refresh_summary()

    def _rejected(self) -> list[str]:
        return [key for key, record in self.review.decisions.items() if record.get("decision") == REJECTED]

    def _on_change(self, change: Change) -> None:
        self.view.set_flagged(self._rejected())
        self.candidate_list.rebuild()
        self.query_one(SummaryPanel).refresh_summary()
        self.query_one(CandidatePanel).refresh_details()
        self.saver.changed()

    def show_save_state(self, state: str, error: str) -> None:
        # Not query_one: that searches the screen on top (a dialog, or none at shutdown).
        for panel in self.screen_stack[0].query(SummaryPanel) if self.screen_stack else ():
            panel.set_save_state(state, error)

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

    @on(CandidateList.Chosen)
    def _list_jump(self, event: CandidateList.Chosen) -> None:
        self.jump(event.item)
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
            self._accept(candidate)

    def _accept(self, candidate: Candidate, tag: str | None = None) -> None:
        """Accept into gold; first, when gold holds the same tag on an overlapping span, ask which to keep."""
        final = tag or candidate.tag
        others = self.review.near_duplicates(candidate, final)
        if not others:
            self._accepted(candidate, final, self.review.accept(candidate, tag))
            return
        spans = "; ".join(f"{quoted(o.quote, 40)} ({o.start}–{o.end}, {', '.join(map(shown_line, o.annotators))})"
                          for o in others)
        body = (f"Gold already has {shown_line(final)} on {spans}, which overlaps "
                f"{quoted(candidate.quote, 40)} ({candidate.start}–{candidate.end}, "
                f"{', '.join(map(shown_line, candidate.annotators))}). Two {shown_line(final)}s on nearly the "
                f"same words are rarely meant. u undoes whichever you choose.")

        def decide(choice: str | None) -> None:
            if choice == "this":
                self._accepted(candidate, final, self.review.accept_instead(candidate, others, tag))
            elif choice == "both":
                self._accepted(candidate, final, self.review.accept(candidate, tag))
            elif choice == "other":  # decided: this one is rejected (it stayed undecided, counted as to settle)
                self.review.reject(candidate)
                self.notify("Kept the one in gold; this one is rejected (u undoes).", markup=False)

        self.push_screen(ChoiceDialog("A near-duplicate in gold", body,
                                      [("this", "Keep this one only"), ("other", "Keep the one in gold"),
                                       ("both", "Keep both")]), decide)

    def _accepted(self, candidate: Candidate, tag: str, change: Change | None) -> None:
        if change is None:
            self.notify(f"Already accepted as {shown_line(tag)}.", markup=False)
        elif tag == candidate.tag:
            self.notify(f"Accepted {shown_line(tag)}: {quoted(candidate.quote, 40)}", markup=False)
        else:
            self.notify(f"Accepted {shown_line(candidate.tag)} as {shown_line(tag)}", markup=False)

    def action_reject(self) -> None:
        if (candidate := self._target()) is not None:
            change = self.review.reject(candidate)
            self.notify(f"Rejected {shown_line(candidate.tag)}: {quoted(candidate.quote, 40)}" if change
                        else "Already rejected.", markup=False)

    def action_accept_tag(self, number: int) -> None:
        tags = self.review.session.tags
        found = tags.by_key(str(number))
        if found is None:
            keys = ", ".join(f"{t.key} {t.name}" for t in tags if t.key)
            self.notify(f"No tag on key {number} (keys: {keys}).", severity="warning")
            return
        if (candidate := self._target()) is None:
            return
        try:
            self._accept(candidate, found.name)
        except HedgerowError as error:
            self.notify(str(error), severity="error", markup=False)

    def action_accept_agreed(self) -> None:
        before = self.review.summary(agreement=False)["decisions"]["accepted"]
        change = self.review.accept_all_agreed()
        if change is None:
            self.notify("No undecided agreed candidates.", timeout=2)
        else:
            accepted = self.review.summary(agreement=False)["decisions"]["accepted"] - before
            self.notify(f"Accepted {count_of(accepted, 'agreed candidate')} (u undoes them all)", timeout=3)

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
            left = self.review.summary(agreement=False)["undecided"]
            self.notify(f"No undecided disagreements left; {count_of(left, 'agreed candidate')} undecided: "
                        "A accepts them." if left else "Every candidate is decided.", timeout=3)
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
