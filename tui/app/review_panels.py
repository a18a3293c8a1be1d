"""The review's side panels: the candidate list, the summary with agreement, the current candidate."""

from __future__ import annotations

from itertools import islice
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.console import Group
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.binding import BindingType
from textual.widgets import Static

from tui.app.cells import fit, quoted, snippet
from tui.app.row_list import RowList, list_bindings
from tui.app.styles import tag_style
from tui.core.review import AGREED, DECISIONS, PARTIAL, SINGLE, Candidate, Review
from tui.core.safe_text import shown_line
from tui.core.wording import count_of

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


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


class CandidateList(RowList):
    """Every candidate, one row each: status, tag, quote, who, decision."""

    BINDINGS: ClassVar[list[BindingType]] = list_bindings("candidates")
    EMPTY = "no candidates"

    def __init__(self, review: Review, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.review = review
        self.border_title = "candidates"
        self.short = abbreviations(review.annotators)

    def on_mount(self) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        self.set_rows(self.review.candidates)
        summary = self.review.summary(agreement=False)
        self.border_subtitle = f"{summary['undecided']:,} undecided of {len(self.rows):,}"

    def highlight(self, candidate: Candidate | None) -> None:
        """Follow the document: highlight this candidate's row."""
        if candidate is not None and self.rows:
            self.set_highlight(self.review.index_of(candidate))

    def render_row(self, candidate: Candidate, width: int, base: Style) -> list[Segment]:
        tags = self.review.session.tags
        colour = tags.colour_of(candidate.tag)
        record = self.review.decision(candidate)
        decision = record.get("decision", "undecided") if record else "undecided"
        who = shown_line(" ".join(self.short[n] if n in candidate.annotators else "·".ljust(len(self.short[n]))
                                  for n in self.review.annotators))
        tag_width = min(10, max(len(t) for t in [*tags.names, candidate.tag]))
        room = max(0, width - 2 - 2 - tag_width - 1 - 1 - len(who) - 1 - 9)
        return [
            Segment(STATUS_MARK[candidate.status] + " ", base + STATUS_STYLE[candidate.status]),
            Segment("█ ", base + Style(color=colour)),
            Segment(fit(candidate.tag, tag_width) + " ", base + Style(color=colour, bold=True)),
            Segment(fit(candidate.quote, room) + " ", base),
            Segment(who + " ", base + Style(dim=True)),
            Segment(decision.ljust(9), base + DECISION_STYLE[decision]),
        ]


class SummaryPanel(Static):
    """Counts per status, decisions, and the agreement figures, compact."""

    def __init__(self, review: Review, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.review = review
        self.border_title = "summary"
        self.save_state = "saved"
        self.save_error = ""

    def on_mount(self) -> None:
        self.refresh_summary()

    def on_resize(self) -> None:
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
                 DECISION_STYLE[decision]) for name, decision in zip((AGREED, PARTIAL, SINGLE), DECISIONS, strict=True)]
        rows.append(("  total", s["candidates"], Style(bold=True), "undecided", s["undecided"], Style(bold=True)))
        for label, count, style, label2, count2, style2 in rows:
            counts.add_row(Text(label, style=style), f"{count:,}", "", Text(label2, style=style2), f"{count2:,}")
        text = Text()
        left = s["undecided_disagreements"]
        if left:
            text.append(f"{count_of(left, 'disagreement')} to settle", style="yellow")
        else:
            text.append("every disagreement settled ✓", style="green")
        text.append(f" · gold {s['gold']:,}\n")
        if s["stale_decisions"]:
            text.append(f"⚠ {count_of(s['stale_decisions'], 'decision')} on spans no annotator has now\n",
                        style="yellow")
        if s["mismatched_quotes"]:
            text.append(f"⚠ {count_of(s['mismatched_quotes'], 'quote')} differ from the text: run hedgerow check\n",
                        style="bold yellow")
        text.append("reviewer ", style="dim")
        text.append(shown_line(self.review.reviewer))
        if self.save_state == "error":
            text.append(" · ✗ not saved", style="bold red")
        elif self.save_state == "saving" or self.review.session.dirty:
            text.append(" · … saving", style="yellow")
        else:
            text.append(" · ✓ saved", style="green")
        self.update(Group(counts, text, self._agreement(s["agreement"])))
        self.border_subtitle = "✗ not saved" if self.save_state == "error" else ""

    def _agreement(self, report: dict[str, Any] | None) -> Text | Group:
        if not self.review.agreement_ready:
            return Text("agreement: working it out…", style="dim")
        if report is None:
            return Text("agreement n/a (needs two annotators)", style="dim")
        # Whole names: a pair too long for the row gets a row of its own, its figures under it.
        figures = "{:>5} {:>7} {:>5} {:>5}"
        width = max(30, self.content_region.width or 48)
        room = width - len(figures.format("", "", "", "")) - 1
        pairs = [(shown_line(f"{pair['a']}/{pair['b']}"), pair["overall"])
                 for pair in islice(report["pairs"], MAX_PAIRS)]
        column = min(room, max([len("agreement"), *(cell_len(name) for name, _ in pairs)]))
        table = Text()
        heading = "agreement".ljust(column) + " " + figures.format("exact", "overlap", "κ", "α") + "\n"
        table.append(heading, style="bold")
        for name, o in pairs:
            numbers = figures.format(*(_fmt(o[k]) for k in ("exact_f1", "overlap_f1", "kappa", "alpha")))
            if cell_len(name) <= column:
                table.append(name + " " * (column - cell_len(name)) + " " + numbers + "\n")
            else:
                table.append(name + "\n")
                table.append(" " * (column + 1) + numbers + "\n")
        hidden = len(report["pairs"]) - MAX_PAIRS
        if hidden > 0:
            table.append(f"+{hidden} more pairs: hedgerow agree\n", style="dim")
        table.rstrip()
        footer = Text(f"pooled α {_fmt(report['overall_alpha'])} · lowest exact F1 {_fmt(report['min_exact_f1'])}",
                      style="dim")
        return Group(table, footer)


class CandidatePanel(Static):
    """The candidate under the cursor: status, tag, who has it (with notes), and the decision."""

    def __init__(self, review: Review, **kwargs: Any) -> None:
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
        text.append(f" {shown_line(candidate.tag)} ", style=tag_style(colour))
        text.append(f"  {candidate.start}–{candidate.end}  ", style="dim")
        if record:
            decision = record.get("decision", "")
            text.append(shown_line(str(decision)), style=DECISION_STYLE.get(decision, Style()))
            if decision == "edited":
                text.append(f" → {shown_line(str(record.get('tag', '')))}", style="cyan")
        else:
            text.append("undecided", style=DECISION_STYLE["undecided"])
        text.append("\n")
        # At most two rows of quote: at 80x24 a long one filled the panel, and the annotators and
        # their notes below it were cut off.
        room = max(20, min(120, 2 * (self.content_region.width or 60) - 4))
        text.append(quoted(candidate.quote, room) + "\n", style="italic")  # no doubled mark: "““Currently"
        notes: dict[str, list[str]] = {}
        for source in candidate.sources:
            notes.setdefault(source.annotator, []).append(source.note)
        for name in self.review.annotators:
            if name in notes:
                text.append(f"✓ {shown_line(name)}", style="bold")
                note = " / ".join(n for n in notes[name] if n.strip())
                if note:
                    text.append(f"  ✎ {snippet(note, 60)}", style="yellow")
            else:
                text.append(f"✗ {shown_line(name)}", style="dim")
            text.append("\n")
        text.rstrip()
        self.update(text)
