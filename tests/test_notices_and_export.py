"""The palette's export asks for format and layer and writes under exports/; notices come one at a
time, on the status row, never over the annotation list or the help."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.keys import type_keys
from tests.test_app import HEDGE, SIZE, find, open_session
from tui.app.app import HedgerowApp
from tui.app.dialogs import ExportDialog


def two_layers(doc: Path) -> HedgerowApp:
    bob = open_session(doc, "bob")
    bob.add(*find(bob.text, "Kazakhstan"), "actor")
    bob.save()
    session = open_session(doc)
    session.add(*find(session.text, HEDGE), "hedge", note="closing “hedge”")
    session.save()
    return HedgerowApp(open_session(doc))


async def test_palette_export_asks_format_and_layer_and_says_the_path(project_doc: Path, monkeypatch,
                                                                      tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # not the project: nothing may land in the current folder
    app = two_layers(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        commands = {name: run for name, _, run in app.palette_commands()}
        commands["Export…"]()
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        assert [value for value, _ in app.screen.layer_choices] == ["alice", "bob", "*"]
        await pilot.press("down")  # csv -> csv for Excel
        await pilot.press("enter")  # to the layer list
        await pilot.press("enter")  # alice: export
        await app.workers.wait_for_complete()
        await pilot.pause()
        path = project_doc.parent / "exports" / "seed.alice.excel.csv"
        assert [n.message for n in app._notifications] == ["Exported 1 annotation to exports/seed.alice.excel.csv"]
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        assert rows[0]["quote"] == HEDGE and rows[0]["note"] == "closing “hedge”"

        commands["Export…"]()
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # json
        await pilot.press("down", "enter")  # bob's layer, read from his file
        await app.workers.wait_for_complete()
        await pilot.pause()
        exported = json.loads((project_doc.parent / "exports" / "seed.bob.json").read_text(encoding="utf-8"))
        assert [a["annotator"] for a in exported["annotations"]] == ["bob"]
    assert list(elsewhere.iterdir()) == []
    assert not list(project_doc.parent.glob("*.json*"))  # nothing in the project root either
    # The folder ignores itself: in an analyst's own repository git lists none of it.
    assert (project_doc.parent / "exports" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    import subprocess

    repo = project_doc.parent
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").unlink(missing_ok=True)
    status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, check=True).stdout
    assert "exports/" not in status and "seed.txt" in status


async def test_esc_cancels_the_export(project_doc: Path) -> None:
    app = two_layers(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        app.action_export()
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportDialog)
        assert not (project_doc.parent / "exports").exists()


async def test_one_notice_at_a_time_and_never_over_the_list(project_doc: Path) -> None:
    app = two_layers(project_doc)
    app.NOTICE_SECONDS = 60  # not gone before it is read on a loaded machine
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        await pilot.press("right_square_bracket", "u", "ctrl+y", "u")  # three notices in a row
        await pilot.pause(0.1)
        await pilot.pause()
        assert len(app._notifications) == 1
        toasts = list(app.screen.query("Toast"))
        assert len(toasts) == 1
        assert not toasts[0].region.overlaps(app.annotation_list.region)
        assert toasts[0].region.height == 1


async def test_notices_from_one_burst_or_one_action_do_not_stack(project_doc: Path) -> None:
    """Tagging a commitment says so and proposes its actor (two notices from one key); `l` right after
    says how to link. Each notice was posted before the one before it was shown, so clearing at
    notify() missed them: three notices stood over the text, the first with text showing after it."""
    session = open_session(project_doc)
    session.add(*find(session.text, "Robert Simmons"), "actor")
    session.save()
    app = HedgerowApp(open_session(project_doc))
    app.NOTICE_SECONDS = 60
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await type_keys(pilot, *"/denied any need or existing plans", "enter", "2")
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["a links it by actor “Robert Simmons”"]
        await type_keys(pilot, *"/Currently there are no sites", "enter", "2", "l")
        await pilot.pause(0.1)
        await pilot.pause()
        [notice] = app._notifications
        assert notice.message.startswith("⏎ on the other end links, esc cancels: from “Current")
        assert len(app.screen.query("Toast")) == 1


async def test_the_help_has_no_notice_over_it(project_doc: Path) -> None:
    app = two_layers(project_doc)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        app.notify("a notice", timeout=60)  # long enough for a loaded machine
        await pilot.pause()
        assert app._notifications
        await pilot.press("question_mark")
        await pilot.pause()
        assert not app._notifications and not list(app.screen.query("Toast"))


async def test_a_long_notice_stops_short_of_the_cursor_position_beside_it(project_doc: Path) -> None:
    """The notice covered the position's first digits ("10 · 73%" for 410) and, two rows high, the
    text pane's bottom border. Information now fits its row; an error is still shown whole."""
    from tui.app.app import HedgerowApp
    from tui.core.session import Session, SessionOptions

    app = HedgerowApp(Session.open(project_doc, SessionOptions(annotator="alice")))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        app.view.move_to(4100)
        await pilot.pause()
        app.notify("Tagged condition: “only if alternative supplies could be found in time for the winter”")
        await pilot.pause(0.2)
        rows = [strip.text for strip in app.screen._compositor.render_strips()]
        position = str(app.query_one("#position").render()).strip()
        assert position.startswith("4,100 ·")
        row = next(r for r in rows if "Tagged condition" in r)
        assert position in row and row.index("…") < row.index(position)  # the readout whole, the notice cut short
        assert sum("Tagged condition" in r or "winter" in r for r in rows) == 1  # one row
        app.view.select(4100, 4133)  # a selection widens the readout: the notice leaves it whole too
        await pilot.press("a")  # "Nothing proposed (…)"
        await pilot.pause(0.2)
        rows = [strip.text for strip in app.screen._compositor.render_strips()]
        position = str(app.query_one("#position").render()).strip()
        assert position.startswith("33 selected · 1-9 tags · 4,1")
        row = next(r for r in rows if "Nothing proposed" in r)
        assert position in row and row.index("…") < row.index(position)
        where = "Exported 1 annotation to exports/" + "kazakhstan-nato-partnership-edm-2005" * 2 + ".alice.qdpx"
        app.notify(where, whole=True)  # where a file went: never cut
        await pilot.pause(0.2)
        assert [n.message for n in app._notifications] == [where]
        app.notify("Cannot open it: " + "/a/long/path" * 8 + ": no such file", severity="error")
        await pilot.pause(0.2)
        [error] = list(app._notifications)
        assert error.message.endswith("no such file")  # an error is never cut


async def test_at_80_columns_a_search_notice_beside_its_selection_is_whole(project_doc: Path) -> None:
    """At 80x24 the readout of a selection ("17 selected · 1-9 tags · 5,159 · 87%") left a notice
    12 columns: "Match 1 of…". Where the hint leaves a notice less than its room, the hint goes."""
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await type_keys(pilot, *"/will be developed", "enter")
        await pilot.pause(0.2)
        position = str(app.query_one("#position").render()).strip()
        assert position.startswith("17 selected · ") and "1-9 tags" not in position
        [notice] = app._notifications
        assert notice.message == "Match 1 of 1"
        row = next(strip.text for strip in app.screen._compositor.render_strips() if "Match 1 of 1" in strip.text)
        assert position in row and row.index("Match") < row.index(position)


async def test_a_warning_too_long_for_its_row_wraps_clear_of_the_readout(project_doc: Path) -> None:
    """Warnings are shown whole; one row of one ran over the selection's readout, leaving
    "…nothing tagged. -9 tags · 3 · 37%". It now takes rows of the notice's room."""
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        app.view.select(100, 103)
        await pilot.pause()
        warning = "The selection is only white space; nothing tagged. Select some words, then a tag key."
        app.notify(warning, severity="warning")
        await pilot.pause(0.2)
        assert [n.message for n in app._notifications] == [warning]
        position = str(app.query_one("#position").render()).strip()
        rows = [strip.text for strip in app.screen._compositor.render_strips()]
        row = next(r for r in rows if position in r)  # the readout is whole: nothing drawn over it
        assert "then a tag key." in row.split(position)[0]  # the warning's last row beside it
        toast = app.screen.query_one("Toast").region
        assert toast.right <= row.index(position)
        shown = " ".join(r[1:toast.right].strip() for r in rows[toast.y:toast.bottom])
        assert shown == warning  # whole, over rows
