"""An actor's entity is shown where its annotation is: `list`, `show`, and the TUI's details panel."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.keys import type_keys
from tests.test_app import find, open_session, widget_text
from tui.app.app import HedgerowApp
from tui.app.panels import DocumentPanel
from tui.cli import main

HOSTILE = "Ambassador \x1b[2J\u202eSimmons"  # a colleague's file: an escape and a bidi override


def run(capsys: pytest.CaptureFixture, *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def tag_simmons(doc: Path, entity: str = "Robert Simmons", *, robert: bool = True) -> None:
    session = open_session(doc)
    if robert:
        session.add(*find(session.text, "Robert Simmons"), "actor")
    start = session.text.index("Simmons also suggested")
    session.add(start, start + 7, "actor", entity=entity)
    session.save()


def test_list_has_an_entity_column_where_an_actor_has_one(capsys, project_doc: Path) -> None:
    session = open_session(project_doc)
    session.add(*find(session.text, "Robert Simmons"), "actor")
    session.save()
    code, out, _ = run(capsys, "list", project_doc, "--annotator", "alice")
    assert code == 0 and "entity" not in out  # none has one: no empty column
    tag_simmons(project_doc, robert=False)
    code, out, _ = run(capsys, "list", project_doc, "--annotator", "alice")
    assert code == 0
    header = next(line for line in out.splitlines() if "quote" in line)
    assert [cell.strip() for cell in header.strip("┃").split("┃")] == ["tag", "span", "quote", "note", "entity",
                                                                        "annotator"]
    simmons = next(line for line in out.splitlines() if "│ Simmons " in line)
    assert "Robert Simmons" in simmons
    code, out, _ = run(capsys, "list", project_doc, "--annotator", "alice", "--grep", "robert s")
    assert code == 0 and "2 annotations matching" in out  # the entity is searched too


def test_show_prints_the_entity(capsys, project_doc: Path) -> None:
    tag_simmons(project_doc)
    code, out, _ = run(capsys, "show", project_doc.parent / "annotations" / "seed" / "alice.json")
    assert code == 0
    robert, simmons = out.splitlines()[1:]
    assert '"Simmons"  entity: "Robert Simmons"  (alice, ' in simmons
    assert "entity" not in robert


def test_a_hostile_entity_stays_inert_in_list_and_show(capsys, project_doc: Path) -> None:
    tag_simmons(project_doc, HOSTILE)
    for args in (["list", project_doc, "--annotator", "alice"],
                 ["show", project_doc.parent / "annotations" / "seed" / "alice.json"]):
        code, out, _ = run(capsys, *args)
        assert code == 0 and "\x1b" not in out and "\u202e" not in out
        assert "\u241b[2J" in out or "\\u001b[2J" in out  # the escape as its stand-in (show: a JSON escape)


async def test_the_details_panel_names_the_entity_under_the_cursor(project_doc: Path) -> None:
    tag_simmons(project_doc, HOSTILE)
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        details = app.query_one(DocumentPanel)
        await pilot.press("right_square_bracket")  # "Robert Simmons": no entity of its own
        await pilot.pause()
        assert app.under_cursor().quote == "Robert Simmons"
        assert "entity" not in widget_text(details)
        height = details.outer_size.height
        await pilot.press("right_square_bracket")  # "Simmons", named by a colleague's file
        await pilot.pause()
        shown = widget_text(details)
        assert app.under_cursor().quote == "Simmons"
        assert "entity Ambassador \u241b[2J" in shown and "\x1b" not in shown and "\u202e" not in shown
        assert details.outer_size.height == height  # the entity takes a blank row: no new layout
        await pilot.press("E")  # named again in the TUI: the panel follows
        await pilot.pause()
        app.screen.query_one("Input").value = ""
        await type_keys(pilot, *"Robert Simmons", "enter")
        await pilot.pause()
        assert "entity Robert Simmons" in widget_text(details)


async def test_at_80x24_a_long_entity_leaves_the_note_its_row(project_doc: Path) -> None:
    session = open_session(project_doc)
    start = session.text.index("Simmons also suggested")
    session.add(start, start + 7, "actor", note="the envoy",
                entity="Special Representative of the NATO Secretary-General Robert Simmons")
    session.save()
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("right_square_bracket")
        await pilot.pause()
        rows = [line.strip("│ ") for line in widget_text(app.query_one(DocumentPanel)).splitlines()[1:-1]]
        assert rows[-1] == "✎ the envoy"  # in view, below the entity
        assert [row for row in rows if row.startswith("entity ")] == ["entity Special"]
        assert rows[rows.index("entity Special") + 1].endswith("…")  # two rows at most
        assert rows[rows.index("entity Special") - 1].startswith("█ actor")  # the description gave way
