"""The user's config (who annotates) and cache (where each document was left), outside git."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_app import SIZE, open_session
from tui.app.app import HedgerowApp
from tui.core.errors import InputError
from tui.core.paths import resolve_annotator
from tui.core.user_files import cache_dir, last_position


def test_the_annotator_from_the_environment_then_the_config_file(user_files: Path, monkeypatch) -> None:
    (user_files / "config.toml").write_text('annotator = "Carol Ng"\n', encoding="utf-8")
    assert resolve_annotator(None) == "Carol-Ng"
    monkeypatch.setenv("HEDGEROW_ANNOTATOR", "dora")
    assert resolve_annotator(None) == "dora"
    assert resolve_annotator("erin") == "erin"  # --annotator wins


def test_a_bad_user_config_is_one_line_naming_the_file(user_files: Path) -> None:
    (user_files / "config.toml").write_text('annotator = [1]\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"config\.toml: annotator must be a string"):
        resolve_annotator(None)
    (user_files / "config.toml").write_text('anotator = "x"\n', encoding="utf-8")
    with pytest.raises(InputError, match="unknown setting"):
        resolve_annotator(None)


def test_list_uses_the_configured_annotator(project_doc: Path, monkeypatch, capsys) -> None:
    from tui.cli import main

    session = open_session(project_doc, "dora")
    session.add(0, 11, "actor")
    session.save()
    monkeypatch.setenv("HEDGEROW_ANNOTATOR", "dora")
    assert main(["list", str(project_doc)]) == 0
    assert "by dora" in " ".join(capsys.readouterr().out.split())


async def test_reopening_puts_the_cursor_where_it_was_left(project_doc: Path) -> None:
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        app.view.move_to(3041)
        await pilot.press("q")
    assert last_position(project_doc, "alice") == 3041
    assert str(cache_dir()).startswith(str(project_doc.parents[2]))  # the test's tmp folder, not ~/.cache
    assert not (project_doc.parent / ".hedgerow").exists()
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.view.cursor == 3041
    app = HedgerowApp(open_session(project_doc, "bob"))  # each annotator's own place
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.view.cursor == 0
