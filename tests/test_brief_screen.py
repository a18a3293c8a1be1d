"""The TUI's brief (B), driven through Pilot: every entity's bar starts in one column, whatever its
name's length or width, and the legend's glyphs tell hedged from bare without colour."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len

from tests.test_app import wait_loaded
from tui.app.app import HedgerowApp
from tui.app.brief_screen import BriefLines, BriefScreen
from tui.core.brief import BARE_MARK, HEDGED_MARK, NAME_COLUMN, NO_COMMITMENT_MARK
from tui.core.session import Session, SessionOptions

LONG_NAME = "A Very Long Named Organisation For International Cooperation And Development"
TEXT = (f"Dana Qasymova said she would act. The ministry pledged to build a road, it may perhaps happen, "
        f"and to pave it. 東京都庁 vowed to help. {LONG_NAME} promised aid.\n")
# (actor's quote, its commitments' quotes, the hedges of the first commitment)
ACTORS = [("Dana Qasymova", ["would act"], []), ("The ministry", ["pledged to build a road", "to pave it"],
                                                   ["may perhaps"]),
          ("東京都庁", ["vowed to help"], []), (LONG_NAME, ["promised aid"], [])]
BAR_GLYPHS = {HEDGED_MARK, BARE_MARK, NO_COMMITMENT_MARK}


def annotated(project: Path) -> Path:
    doc = project / "actors.txt"
    doc.write_text(TEXT, encoding="utf-8")
    session = Session.open(doc, SessionOptions(annotator="alice"))

    def add(quote: str, tag: str):  # type: ignore[no-untyped-def]
        start = session.text.index(quote)
        return session.add(start, start + len(quote), tag)

    for name, commitments, hedges in ACTORS:
        actor = add(name, "actor")
        made = [add(quote, "commitment") for quote in commitments]
        for commitment in made:
            session.link(commitment.id, actor.id, "by")
        for quote in hedges:
            session.link(add(quote, "hedge").id, made[0].id, "hedges")
    session.save()
    return doc


def bar_column(line: str) -> int:
    """The cell where the line's bar starts."""
    at = next(i for i, c in enumerate(line) if c in BAR_GLYPHS)
    return cell_len(line[:at])


async def test_every_bar_starts_in_one_column(project: Path) -> None:
    app = HedgerowApp(Session.open(annotated(project), SessionOptions(annotator="alice")))
    async with app.run_test(size=(110, 34)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("B")
        await pilot.pause()
        assert isinstance(app.screen, BriefScreen)
        lines = app.screen.query_one(BriefLines)
        drawn = [lines.render_line(y).text for y in range(lines.scrollable_content_region.height)]
        heads = [line for line in drawn if any(c in BAR_GLYPHS for c in line)]
        assert len(heads) == len(ACTORS)
        columns = {bar_column(line) for line in heads}
        assert len(columns) == 1, heads
        # the widest name that fits sets the column; the long one is cut with … to it
        assert columns == {NAME_COLUMN + 2}
        [long] = [line for line in heads if line.startswith("A Very Long")]
        assert "…" in long and LONG_NAME not in long
        assert any(line.startswith("東京都庁 ") for line in heads)  # two cells a character, padded as such
        ministry = next(line for line in heads if line.startswith("The ministry"))
        assert HEDGED_MARK in ministry and BARE_MARK in ministry  # one hedged, one bare: both glyphs
        legend = str(app.screen.query_one("#brief-summary").render())
        assert f"{HEDGED_MARK} hedged {BARE_MARK} bare" in legend and HEDGED_MARK != BARE_MARK


async def test_short_names_make_a_narrow_column(project: Path) -> None:
    doc = project / "short.txt"
    doc.write_text("Ann will go. Bo will stay.\n", encoding="utf-8")
    session = Session.open(doc, SessionOptions(annotator="alice"))
    for name, quote in (("Ann", "will go"), ("Bo", "will stay")):
        start, made = session.text.index(name), session.text.index(quote)
        actor = session.add(start, start + len(name), "actor")
        session.link(session.add(made, made + len(quote), "commitment").id, actor.id, "by")
    session.save()
    app = HedgerowApp(Session.open(doc, SessionOptions(annotator="alice")))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("B")
        await pilot.pause()
        lines = app.screen.query_one(BriefLines)
        drawn = [lines.render_line(y).text for y in range(lines.scrollable_content_region.height)]
        heads = [line for line in drawn if any(c in BAR_GLYPHS for c in line)]
        assert [line[:6] for line in heads] == ["Ann  █", "Bo   █"]  # padded to "Ann", not to 32 cells
