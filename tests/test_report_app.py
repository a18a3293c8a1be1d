"""The TUI's "Report as HTML", run from the command palette as a user would, checking the file."""

from __future__ import annotations

from pathlib import Path

from report_fixture import annotate, find
from report_html import read_page

from tests.keys import type_keys
from tui.app.app import HedgerowApp
from tui.core.paths import exports_dir
from tui.core.session import Session, SessionOptions

SIZE = (100, 30)


async def test_palette_report_as_html_writes_under_exports_and_says_where(project_doc: Path) -> None:
    annotate(project_doc)
    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    app = HedgerowApp(session)
    async with app.run_test(size=SIZE) as pilot:
        session.add(*find(session.text, "Tugay Tuncer"), "actor", "unsaved yet: the report shows it anyway")
        await pilot.press("ctrl+p")
        await type_keys(pilot, *"Report as HTML")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        path = exports_dir(project_doc) / "seed.alice.report.html"
        messages = [n.message for n in app._notifications]
        assert "Report written to exports/seed.alice.report.html" in messages, messages  # as the export says it
    assert path.parent == project_doc.parent / "exports"
    page = read_page(path.read_text(encoding="utf-8"))
    assert page.quotes == {a.id: a.quote for a in session.layer}  # the layer as it was, unsaved change included
    assert len(page.quotes) == 20 and "unsaved yet" in path.read_text(encoding="utf-8")
