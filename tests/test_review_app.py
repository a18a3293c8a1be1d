"""The review TUI driven by keys: next disagreement, accept, reject, accept agreed, undo, quit; and a snapshot."""

from __future__ import annotations

import html
import json
import re
import time
from pathlib import Path

import pytest
from team_fixture import REVIEWER, find, gold_file, make_project

from tui.app import saver
from tui.app.review_app import ReviewApp
from tui.app.review_panels import CandidateList, CandidatePanel, SummaryPanel, abbreviations
from tui.core.review import Review

SIZE = (120, 40)


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


async def wait_saved(pilot, app: ReviewApp, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while app.review.session.dirty and time.monotonic() < deadline:
        await pilot.pause(0.05)
    assert not app.review.session.dirty, "the gold file was not saved in time"


def on_disk(doc: Path) -> dict:
    return json.loads(gold_file(doc).read_text(encoding="utf-8"))


def screen_text(app: ReviewApp) -> str:
    """The characters on screen (from the SVG screenshot: its text elements, unescaped)."""
    svg = app.export_screenshot()
    return html.unescape("".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))).replace("\xa0", " ")


async def test_accept_reject_flow_by_keys_then_quit(doc: Path) -> None:
    review = Review.open(doc, REVIEWER)
    app = ReviewApp(review)
    special = find(review, "Special Representative of the NATO Secretary-General", "actor")
    office = find(review, "NATO Secretary-General", "actor")
    commitment = find(review, "seemingly ruling out", "commitment")
    hedge = find(review, "seemingly ruling out", "hedge")
    async with app.run_test(size=SIZE) as pilot:
        assert app.current() is None  # the cursor starts on the unannotated first line
        await pilot.press("space")
        assert app.current() == special
        assert app.view.selection == special.span
        assert app.query_one(CandidatePanel).candidate == special
        assert app.candidate_list.highlighted == review.index_of(special)
        await pilot.press("a")
        assert review.decision(special)["decision"] == "accepted"
        await pilot.press("left")  # the cursor moves: back to the innermost candidate at it
        assert app.view.selection is None and app.jumped is None
        assert app.view.cursor == special.start and app.current() == special
        app.view.move_to(office.start + 2)
        await pilot.pause()
        assert app.current() == office and app.query_one(CandidatePanel).candidate == office
        app.view.move_to(special.start)
        await pilot.pause()

        await pilot.press("space")
        assert app.current() == office  # nested inside the accepted span, yet the one chosen
        await pilot.press("r")
        assert review.decision(office)["decision"] == "rejected"
        assert office.key in app.view._flagged  # struck through in the text

        await pilot.press("A")
        assert sorted(a.quote for a in review.gold) == [
            "Ambassador Robert Simmons", "Kazakhstan", "Special Representative of the NATO Secretary-General",
            "appeared to support"]
        await pilot.press("u")  # undoes the whole accept-all
        assert [a.quote for a in review.gold] == ["Special Representative of the NATO Secretary-General"]
        assert review.decision(office)["decision"] == "rejected"

        await pilot.press("space")
        assert app.current() == commitment
        await pilot.press("space")  # same span, other tag: the second one is reachable
        assert app.current() == hedge
        await pilot.press("1")  # accept as actor: edited
        assert review.decision(hedge)["decision"] == "edited" and review.decision(hedge)["tag"] == "actor"
        await pilot.press("u", "ctrl+y")
        assert review.decision(hedge)["tag"] == "actor"

        await wait_saved(pilot, app)
        saved = on_disk(doc)
        assert set(saved["review"]) == {special.key, office.key, hedge.key}
        await pilot.press("q")
    assert app.return_code == 0

    data = on_disk(doc)
    gold = sorted(data["annotations"].values(), key=lambda r: r["start"])
    assert [(r["quote"], r["tag"], r["annotator"]) for r in gold] == [
        ("Special Representative of the NATO Secretary-General", "actor", REVIEWER),
        ("seemingly ruling out", "actor", REVIEWER),
    ]
    assert gold[1]["note"] == "alice: hedged denial"
    table = data["review"]
    assert table[special.key]["decision"] == "accepted" and table[special.key]["from"] == ["bob"]
    assert table[special.key]["gold"] == gold[0]["id"]
    assert table[office.key] | {"at": ""} == {
        "decision": "rejected", "reviewer": REVIEWER, "from": ["alice"], "gold": "", "tag": "actor",
        "sources": [f"alice:{office.sources[0].id}"], "status": "partial", "at": ""}
    assert table[hedge.key]["decision"] == "edited" and table[hedge.key]["from"] == ["alice", "carol"]
    assert table[hedge.key]["reviewer"] == REVIEWER


async def test_quit_saves_pending_decisions_at_once(doc: Path, monkeypatch) -> None:
    monkeypatch.setattr(saver, "COALESCE_SECONDS", 60)  # only the flush at quit can write
    review = Review.open(doc, REVIEWER)
    app = ReviewApp(review)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        assert review.session.dirty and not gold_file(doc).exists()
        await pilot.press("q")
    data = on_disk(doc)
    assert len(data["annotations"]) == 3 and len(data["review"]) == 3
    assert {r["decision"] for r in data["review"].values()} == {"accepted"}


async def test_panels_follow_decisions_and_keys_without_a_candidate(doc: Path) -> None:
    review = Review.open(doc, REVIEWER)
    app = ReviewApp(review)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")  # nothing under the cursor: a warning, no change
        assert review.session.version == 0
        text = screen_text(app)
        assert "No candidate under the cursor" in text
        await pilot.press("right_square_bracket", "right_square_bracket", "r")
        assert review.decision(find(review, "Ambassador Robert Simmons", "actor"))["decision"] == "rejected"
        await pilot.press("left_square_bracket")
        assert app.current() == find(review, "Kazakhstan", "actor")
        await pilot.press("A")
        summary = app.query_one(SummaryPanel)
        assert review.summary()["decisions"] == {"accepted": 2, "rejected": 1, "edited": 0}
        rendered = screen_text(app)
        assert "accepted" in rendered and "rejected" in rendered and summary.border_title == "summary"
        assert app.query_one(CandidateList).border_subtitle == "8 undecided of 11"
        # the list drives the document: tab to it, move down
        await pilot.press("tab", "down")
        assert app.current() == review.candidates[1]
        await wait_saved(pilot, app)


def test_abbreviations_are_unique_prefixes() -> None:
    assert abbreviations(["alice", "bob", "carol"]) == {"alice": "a", "bob": "b", "carol": "c"}
    assert abbreviations(["ann", "anna", "bob"]) == {"ann": "ann", "anna": "anna", "bob": "b"}
    assert abbreviations(["alice", "alan"]) == {"alice": "ali", "alan": "ala"}


def test_review_screen_snapshot(doc: Path, snap_compare) -> None:
    review = Review.open(doc, REVIEWER)
    review.accept_all_agreed()
    review.reject(find(review, "NATO Secretary-General", "actor"))
    review.accept(find(review, "seemingly ruling out", "commitment"), "hedge")
    review.session.save()
    review.agreement()  # worked out now, so the screen never shows it still in progress
    app = ReviewApp(review)
    # the next undecided disagreement after the start: alice and carol's hedge on "seemingly ruling out"
    assert snap_compare(app, terminal_size=SIZE, press=["space", "space"])


async def test_help_lists_the_review_keys(doc: Path) -> None:
    app = ReviewApp(Review.open(doc, REVIEWER))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        text = screen_text(app)
        assert "u / ctrl+z" in text and "next undecided disagreement" in text and "? / f1" in text
        await pilot.press("escape")
        assert "next undecided disagreement" not in screen_text(app)


async def test_digit_keys_follow_the_codebook_keys(doc: Path) -> None:
    (doc.parent / "hedgerow.toml").write_text(
        '[[tags]]\nname = "hedge"\nkey = "2"\ncolour = "#ffaf5f"\n\n'
        '[[tags]]\nname = "actor"\nkey = "1"\ncolour = "#5fafff"\n', encoding="utf-8")
    review = Review.open(doc, REVIEWER)
    app = ReviewApp(review)
    hedge = find(review, "seemingly ruling out", "hedge")
    async with app.run_test(size=SIZE) as pilot:
        app.jump(hedge)
        await pilot.press("1")
        assert review.decision(hedge)["tag"] == "actor" and review.decision(hedge)["decision"] == "edited"
        await pilot.press("2")
        assert review.decision(hedge)["tag"] == "hedge" and review.decision(hedge)["decision"] == "accepted"
        await pilot.press("9")  # no tag there: nothing changes
        assert review.decision(hedge)["decision"] == "accepted" and len(review.gold) == 1
        await wait_saved(pilot, app)


async def test_notices_have_their_own_row_at_80_columns(doc: Path) -> None:
    app = ReviewApp(Review.open(doc, REVIEWER))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        app.notify("5 decisions followed their re-anchored spans (u undoes), and a longer tail.", timeout=60)
        await pilot.pause(0.1)
        await pilot.pause()
        [toast] = list(app.screen.query("Toast"))
        assert toast.region.height == 1  # one row, not wrapped over the panels
        for panel in (app.candidate_list, app.view, app.query_one(CandidatePanel)):
            assert not toast.region.overlaps(panel.region), panel


async def test_at_80_columns_the_text_keeps_room_beside_a_summary_that_fits(doc: Path) -> None:
    """The sidebar was 52 columns at any size: at 80 the text pane had 24."""
    app = ReviewApp(Review.open(doc, REVIEWER))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.query_one("#document").size.width >= 34
        summary = app.query_one(SummaryPanel)
        lines = [strip.text for strip in summary.render_lines(summary.region.reset_offset)]
        header = next(line for line in lines if line.strip("│ ").startswith("agreement"))
        assert "κ" in header and "α" in header  # the agreement header on one row


async def test_at_80x24_a_long_quote_leaves_the_candidate_panel_its_annotators(tmp_path: Path) -> None:
    """Three rows of quote filled the candidate panel: the annotators and their notes were cut off."""
    quote = ("“Currently there are no sites or bases of NATO in Kazakhstan, and I do not see any need to "
             "change this situation,”")
    layers = {"alice": [(quote, "commitment", "the office")], "bob": [(quote, "commitment", "the envoy")],
              "carol": [("Kazakhstan", "actor", "")]}
    doc = make_project(tmp_path / "long", layers)
    app = ReviewApp(Review.open(doc, REVIEWER))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.query_one(CandidatePanel)
        panel.show(find(app.review, quote, "commitment"))
        await pilot.pause()
        lines = [strip.text for strip in panel.render_lines(panel.region.reset_offset)]
        drawn = "\n".join(lines)
        assert "✓ alice" in drawn and "✎ the office" in drawn and "✓ bob" in drawn and "✎ the envoy" in drawn, drawn
        assert "““" not in drawn and "“Currently there" in drawn  # the quote's own marks, not doubled
