"""Screens compared with pytest-textual-snapshot. Update with `make test PYTEST_ARGS=--snapshot-update`."""

from __future__ import annotations

from pathlib import Path

from tui.app.app import HedgerowApp
from tui.core.session import Session, SessionOptions

SPANS = [
    ("Kazakhstan has taken further steps", "commitment", ""),
    ("Ambassador Robert Simmons", "actor", "NATO's envoy"),
    ("Robert Simmons", "hedge", ""),  # nested inside the actor span: an overlap
    ("seemingly ruling out the possibility", "hedge", "softens the denial"),
    ("The rhetoric remains to be tested", "hedge", "closing hedge"),
]


def annotated_app(doc: Path) -> HedgerowApp:
    session = Session.open(doc, SessionOptions(annotator="alice"))
    for quote, tag, note in SPANS:
        start = session.text.index(quote)
        session.add(start, start + len(quote), tag, note=note)
    session.save()
    return HedgerowApp(Session.open(doc, SessionOptions(annotator="alice")))


def put_cursor_on(quote: str):
    async def run_before(pilot) -> None:
        await pilot.pause()
        pilot.app.view.move_to(pilot.app.session.text.index(quote) + 3)
        await pilot.pause()
    return run_before


def test_main_screen_80x24(snap_compare, project_doc: Path) -> None:
    app = annotated_app(project_doc)
    assert snap_compare(app, terminal_size=(80, 24), run_before=put_cursor_on("Robert Simmons"))


def test_main_screen_120x40(snap_compare, project_doc: Path) -> None:
    app = annotated_app(project_doc)
    assert snap_compare(app, terminal_size=(120, 40), run_before=put_cursor_on("Robert Simmons"))


def test_help_screen(snap_compare, project_doc: Path) -> None:
    app = annotated_app(project_doc)
    assert snap_compare(app, terminal_size=(100, 40), press=["question_mark"])


def test_note_dialog(snap_compare, project_doc: Path) -> None:
    app = annotated_app(project_doc)

    async def run_before(pilot) -> None:
        await put_cursor_on("The rhetoric remains")(pilot)
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_brief_screen(snap_compare, project_doc: Path) -> None:
    """The summary on its own row, the legend and keys on the next: at 100 columns they wrapped as one."""
    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    made = {}
    for quote, tag, note in SPANS:
        start = session.text.index(quote)
        made[quote] = session.add(start, start + len(quote), tag, note=note)
    commitment = made["Kazakhstan has taken further steps"]
    session.link(commitment.id, made["Ambassador Robert Simmons"].id, "by")
    session.link(made["seemingly ruling out the possibility"].id, commitment.id, "hedges")
    session.save()
    app = HedgerowApp(Session.open(project_doc, SessionOptions(annotator="alice")))
    assert snap_compare(app, terminal_size=(100, 30), press=["B"])
