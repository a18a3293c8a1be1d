"""Review: accepting a span that nearly duplicates one already in gold warns and offers to keep one;
gold notes from several annotators keep one line per annotator."""

from __future__ import annotations

from pathlib import Path

from team_fixture import find, make_project

from tui.app.dialogs import ChoiceDialog
from tui.app.review_app import ReviewApp
from tui.core.review import Review

LAYERS = {
    "alice": [("seemingly ruling out", "hedge", "hedged denial,\nnot a commitment"),
              ("Kazakhstan", "actor", "")],
    "bob": [("seemingly", "hedge", "just the adverb"),
            ("seemingly ruling out", "hedge", "the whole phrase")],
}


def open_review(tmp_path: Path) -> Review:
    return Review.open(make_project(tmp_path / "project", LAYERS), "rita")


def test_near_duplicates_are_gold_spans_of_the_same_tag_that_overlap(tmp_path: Path) -> None:
    review = open_review(tmp_path)
    short, whole = find(review, "seemingly", "hedge"), find(review, "seemingly ruling out", "hedge")
    assert review.near_duplicates(whole) == []
    review.accept(short)
    assert review.near_duplicates(whole) == [short]
    assert review.near_duplicates(whole, "actor") == []  # another tag is another question
    review.accept_instead(whole, [short])
    assert [(a.quote, a.tag) for a in review.gold] == [("seemingly ruling out", "hedge")]
    assert review.decision(short)["decision"] == "rejected"
    review.undo()  # one step
    assert [a.quote for a in review.gold] == ["seemingly"]


def test_gold_notes_keep_one_line_per_annotator(tmp_path: Path) -> None:
    review = open_review(tmp_path)
    review.accept(find(review, "seemingly ruling out", "hedge"))
    (gold,) = review.gold
    assert gold.note.splitlines() == ["alice: hedged denial, not a commitment", "bob: the whole phrase"]


async def test_the_review_app_asks_which_to_keep(tmp_path: Path) -> None:
    review = open_review(tmp_path)
    app = ReviewApp(review)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        app.jump(find(review, "seemingly", "hedge"))
        await pilot.press("a")
        app.jump(find(review, "seemingly ruling out", "hedge"))
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        body = str(app.screen.query_one("#confirm-body").render())
        assert "“seemingly”" in body and "bob" in body
        await pilot.press("enter")  # the first button: keep this one only
        await pilot.pause()
        assert [a.quote for a in review.gold] == ["seemingly ruling out"]
        await pilot.press("u")
        assert [a.quote for a in review.gold] == ["seemingly"]
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape")  # cancel: nothing changes
        await pilot.pause()
        assert [a.quote for a in review.gold] == ["seemingly"]
        # Keep the one in gold: this one is decided, rejected, not left to settle; u undoes it.
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("tab", "enter")  # the second button
        await pilot.pause()
        ruling_out = find(review, "seemingly ruling out", "hedge")
        assert [a.quote for a in review.gold] == ["seemingly"]
        assert review.decision(ruling_out)["decision"] == "rejected"
        await pilot.press("u")
        await pilot.pause()
        assert review.decision(ruling_out) is None
