"""Untrusted input stays inert: no control character from a document or an annotation file reaches
the terminal (TUI or CLI), none of it is read as markup, and `y` still copies the real text."""

from __future__ import annotations

import contextlib
import io
import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from hostile import ARTICLE, BIDI, CLEAR, HOSTILE_TAG, NOTE, OSC52, OSC_TITLE, SGR, hostile_project, unsafe
from textual.geometry import Region
from textual.widget import Widget

from tests.keys import type_keys
from tui.app.app import HedgerowApp
from tui.app.dialogs import NoteDialog, restore_controls
from tui.cli import main
from tui.core.safe_text import shown
from tui.core.session import Session, SessionOptions

SIZE = (110, 34)
C1 = {chr(code) for code in range(0x80, 0xA0)}


def rendered_strips(app) -> list[tuple[str, str]]:
    """(widget, line) for every line every visible widget on every screen draws."""
    lines = []
    for screen in app.screen_stack:
        for widget in screen.walk_children(with_self=True):
            if not isinstance(widget, Widget) or not widget.display or not widget.outer_size.area:
                continue
            region = Region(0, 0, widget.outer_size.width, widget.outer_size.height)
            lines += [(type(widget).__name__, strip.text) for strip in widget.render_lines(region)]
    return lines


def assert_inert(app) -> list[tuple[str, str]]:
    lines = rendered_strips(app)
    bad = [(widget, text) for widget, text in lines if unsafe(text)]
    assert not bad, bad[:5]
    return lines


def open_app(doc: Path) -> HedgerowApp:
    return HedgerowApp(Session.open(doc, SessionOptions(annotator="alice")))


@pytest.fixture
def hostile_doc(tmp_path: Path) -> Path:
    return hostile_project(tmp_path / "project")


@pytest.fixture
def clipboard():
    """Every way hedgerow can reach a clipboard, recorded."""
    with mock.patch.object(HedgerowApp, "copy_to_clipboard") as osc52, mock.patch("pyperclip.copy") as system:
        yield osc52, system


async def test_a_hostile_document_draws_no_control_character_and_never_touches_the_clipboard(
        hostile_doc: Path, clipboard) -> None:
    osc52, system = clipboard
    app = open_app(hostile_doc)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        drawn = " ".join(text for _, text in assert_inert(app))
        assert "␛]52;c;aGFja2Vk␇" in drawn and "␛[2J" in drawn and "␦31m" in drawn and "␦evil␦" in drawn
        assert "[bold]B[/bold]" in drawn and "[link=http://evil.example]L[/link]" in drawn and ":smile:" in drawn
        assert "[link=http://evil.example]t␛[2J" in drawn  # the crafted tag, in the legend and the list
        assert "␛" not in app.session.text and OSC52 in app.session.text  # the text itself is unchanged
        assert "\x1b" not in app.title and "pwned" in app.title

        await pilot.press("right_square_bracket")  # to the first annotation: the note dialog
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        drawn = " ".join(text for _, text in assert_inert(app))
        assert "[bold]B[/bold]" in drawn and "␛]0;pwned␇" in drawn
        await pilot.press("escape")

        await pilot.press("slash", *"minister")  # search: a match inside the hostile paragraph
        await pilot.press("enter")
        await pilot.pause()
        assert_inert(app)

        await pilot.press("right_square_bracket", "right_square_bracket")  # the crafted tag's notice
        app.notify(f"a notice quoting {NOTE} {HOSTILE_TAG}")
        await pilot.pause()
        drawn = " ".join(text for _, text in assert_inert(app))
        assert "a notice quoting note ␛]52" in drawn

        await pilot.press("b")  # panels hidden and shown again
        await pilot.press("b")
        await pilot.pause()
        assert_inert(app)
        await pilot.press("q")
    osc52.assert_not_called()
    system.assert_not_called()


async def test_each_control_takes_one_cell_one_cursor_step_and_is_dimmed(hostile_doc: Path) -> None:
    app = open_app(hostile_doc)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        esc = ARTICLE.index(OSC52)
        view.move_to(esc)
        await pilot.pause()
        row, column = view.location(esc)
        await pilot.press("right")
        assert view.cursor == esc + 1  # one code point, one step
        assert view.location(esc + 1) == (row, column + 1)  # one cell
        view.move_to(len(ARTICLE))
        await pilot.pause()
        strip = view.render_line(row - view.scroll_offset.y)
        cells, styles = 0, {}
        for segment in strip:
            for character in segment.text:
                styles[cells] = (character, segment.style)
                cells += 1
        line_start = view.offset_at_point(0, row - view.scroll_offset.y)
        for offset in range(line_start, line_start + 60):
            character, style = styles[view.location(offset)[1]]
            if ARTICLE[offset] in "\x1b\x07\x9b\u202e":
                assert character in "␛␇␦" and style.dim, (offset, character)
            else:
                assert character == ARTICLE[offset] and not style.dim


async def test_y_copies_the_real_text_not_the_stand_ins(hostile_doc: Path, clipboard) -> None:
    osc52, system = clipboard
    app = open_app(hostile_doc)
    async with app.run_test(size=SIZE) as pilot:
        start = ARTICLE.index("said")
        app.view.select(start, start + 4 + len(OSC52) + 1)
        await pilot.press("y")
        await pilot.pause()
    copied = osc52.call_args.args[0]
    assert f"said {OSC52}" in copied and "␛" not in copied
    assert system.call_args.args[0] == copied


async def test_the_note_dialog_keeps_the_controls_it_shows_as_stand_ins(hostile_doc: Path) -> None:
    app = open_app(hostile_doc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("right_square_bracket", "enter")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        assert app.screen.query_one("#note-text").text == shown(NOTE)
        await type_keys(pilot, *" more")  # typed at the end, where the dialog puts the cursor
        app.screen.query_one("#note-text").move_cursor((0, 0))
        await type_keys(pilot, *"Edited: ")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.session.layer.items()[0].note == f"Edited: {NOTE} more"


def test_restore_controls_keeps_unchanged_parts_and_takes_typed_text_as_typed() -> None:
    original = f"a{OSC52}b"
    assert restore_controls(original, shown(original)) == original
    assert restore_controls(original, "X" + shown(original)) == "X" + original
    assert restore_controls(original, shown(original).replace("b", "typed ␛")) == f"a{OSC52}typed ␛"
    assert restore_controls(original, "") == ""


async def test_a_paste_into_the_search_field_comes_in_as_stand_ins(hostile_doc: Path) -> None:
    from textual import events

    app = open_app(hostile_doc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        field = app.query_one("#search-input")
        field.post_message(events.Paste(f"x{CLEAR}y"))
        await pilot.pause()
        assert field.value == "x␛[2Jy"
        assert_inert(app)


async def test_a_paste_into_a_note_keeps_its_line_ends_and_shows_controls_as_stand_ins(project_doc: Path) -> None:
    """Terminals send a pasted newline as CR: it was saved as the stand-in "␍" in the note."""
    from textual import events

    from tests.test_app import find, open_session, stored

    session = open_session(project_doc)
    session.add(*find(session.text, "Kazakhstan"), "actor")
    session.save()
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        app.view.move_to(next(iter(app.session.layer)).start)
        await pilot.press("enter")
        await pilot.pause()
        area = app.screen.query_one("#note-text")
        app.post_message(events.Paste(f"line one\rline two\r\nthree {CLEAR}"))  # as the terminal's driver does
        await pilot.pause()
        assert area.text == "line one\nline two\nthree ␛[2J"
        await pilot.press("ctrl+s")
        await pilot.pause()
    [record] = stored(project_doc).values()
    assert record["note"] == "line one\nline two\nthree ␛[2J"  # typed (pasted) text is kept as typed


# -- the CLI ----------------------------------------------------------------------------------


def forced_terminal(monkeypatch) -> io.StringIO:
    """stdout as a colour terminal would be: rich writes its styles, and isatty() says yes."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "250")  # no folding: each cell on one line
    monkeypatch.delenv("NO_COLOR", raising=False)
    return out


def assert_no_escape_bel_or_c1(output: str) -> None:
    content = SGR.sub("", output)  # the console's own colours, and only those
    assert "\x1b" not in content and "\x07" not in content
    assert not C1 & set(content)
    assert not set(BIDI) - set("evilso ") & set(content)


def test_list_on_a_forced_terminal_prints_no_escape_bel_or_c1(hostile_doc: Path, monkeypatch) -> None:
    out = forced_terminal(monkeypatch)
    assert main(["list", str(hostile_doc), "--annotator", "alice"]) == 0
    output = out.getvalue()
    assert SGR.search(output), "not a terminal: the test would prove nothing"
    assert_no_escape_bel_or_c1(output)
    assert "␛]52;c;aGFja2Vk␇" in output and "␦31m" in output
    assert "[bold]B[/bold] [link=http://evil" in output  # markup prints literally
    assert "\x1b]8;" not in output  # no hyperlink from [link=...]


def test_show_and_check_and_agree_on_a_forced_terminal(hostile_doc: Path, monkeypatch) -> None:
    out = forced_terminal(monkeypatch)
    layer = hostile_doc.parent / "annotations" / "hostile" / "alice.json"
    assert main(["show", str(layer)]) == 0
    bob = layer.with_name("bob.json")
    bob.write_bytes(layer.read_bytes())
    hostile_doc.write_text(ARTICLE.replace("A second", "The second"), encoding="utf-8")  # check has work
    main(["check", str(hostile_doc), "--all"])
    assert main(["agree", str(hostile_doc)]) == 0
    assert main(["agree", str(hostile_doc), "--json"]) == 0
    output = out.getvalue()
    assert_no_escape_bel_or_c1(output)
    assert "␛]0;pwned␇" in output


def test_export_to_a_terminal_is_escaped_or_refused_and_to_a_pipe_is_faithful(
        hostile_doc: Path, monkeypatch, capsys) -> None:
    out = forced_terminal(monkeypatch)
    assert main(["export", str(hostile_doc), "--annotator", "alice", "-f", "jsonl"]) == 0
    escaped = out.getvalue()
    assert_no_escape_bel_or_c1(escaped)
    assert json.loads(escaped.splitlines()[0])["note"] == NOTE  # the same JSON
    assert main(["export", str(hostile_doc), "--annotator", "alice", "-f", "csv"]) == 2
    error = capsys.readouterr().err
    assert "--output" in error and "pipe" in error and len(error.strip().splitlines()) == 1

    result = subprocess.run([sys.executable, "-m", "tui", "export", str(hostile_doc), "--annotator", "alice",
                             "-f", "csv"], capture_output=True, cwd=hostile_doc.parent)
    assert result.returncode == 0
    assert OSC52.encode() in result.stdout and "\u009b".encode() in result.stdout  # byte for byte


def test_a_corpus_export_to_a_terminal_is_escaped_or_refused_too(hostile_doc: Path, monkeypatch, capsys) -> None:
    out = forced_terminal(monkeypatch)
    assert main(["export", "--corpus", str(hostile_doc.parent), "--annotator", "alice", "-f", "jsonl"]) == 0
    escaped = out.getvalue()
    assert_no_escape_bel_or_c1(escaped)
    assert json.loads(escaped.splitlines()[0])["note"] == NOTE  # the same JSON
    assert main(["export", "--corpus", str(hostile_doc.parent), "--annotator", "alice", "-f", "csv"]) == 2
    assert "--output" in capsys.readouterr().err


def test_add_json_and_the_markdown_brief_to_a_terminal_are_inert(hostile_doc: Path, monkeypatch) -> None:
    text = Session.open(hostile_doc, SessionOptions(annotator="alice")).text
    start = text.index("NATO")  # a commitment whose quote holds the CSI sequence, C1 and more
    end = text.index("\n", start)
    out = forced_terminal(monkeypatch)
    assert main(["add", str(hostile_doc), "--start", str(start), "--end", str(end), "--tag", "commitment",
                 "--annotator", "alice", "--json"]) == 0
    assert json.loads(out.getvalue())["quote"] == text[start:end]  # the same JSON, escaped
    assert main(["brief", str(hostile_doc), "--annotator", "alice", "--format", "md"]) == 0
    output = out.getvalue()
    assert_no_escape_bel_or_c1(output)
    assert "Commitments with no actor linked" in output


def test_status_and_corpus_agreement_as_json_to_a_terminal_are_inert(hostile_doc: Path, monkeypatch) -> None:
    layer = hostile_doc.parent / "annotations" / "hostile" / "alice.json"
    layer.with_name("bob.json").write_bytes(layer.read_bytes())
    title = "C1 \u009b31m and \u202ereversed\u202c title"  # json.dumps escapes C0, not these
    (hostile_doc.parent / "c1.txt").write_text(f"{title}\n\nBody.\n", encoding="utf-8")
    out = forced_terminal(monkeypatch)
    assert main(["status", str(hostile_doc.parent), "--json"]) == 0
    status = out.getvalue()
    assert_no_escape_bel_or_c1(status)
    assert title in [d["title"] for d in json.loads(status)["documents"]]  # the same JSON: the title as it is
    out.seek(0)
    out.truncate()
    assert main(["agree", "--corpus", str(hostile_doc.parent), "--json"]) == 0
    assert_no_escape_bel_or_c1(out.getvalue())
    assert json.loads(out.getvalue())["documents_compared"] == 1


def test_errors_quoting_file_names_and_content_print_stand_ins(tmp_path: Path, capsys) -> None:
    assert main(["list", str(tmp_path / f"missing{OSC_TITLE}.txt")]) == 2
    bad = tmp_path / "export.json"
    bad.write_text(json.dumps({"hedgerow": {"format": f"x{CLEAR}", "version": 9}, "annotations": []}))
    doc = hostile_project(tmp_path / "p")
    assert main(["import", str(doc), str(bad), "--annotator", "alice"]) == 2
    error = capsys.readouterr().err
    assert "\x1b" not in error and "\x07" not in error
    assert "missing␛]0;pwned␇.txt" in error and "unsupported hedgerow export" in error
    assert_no_escape_bel_or_c1(error)


def test_the_tui_in_a_real_terminal_writes_no_hostile_sequence(hostile_doc: Path) -> None:
    """Everything the app writes to a pseudo-terminal while it opens the document and its note."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app, as `hedgerow hostile.txt` in a 100x30 terminal
        os.chdir(hostile_doc.parent)
        env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "PYTHONPATH") if key in os.environ}
        os.execve(sys.executable, [sys.executable, "-m", "tui", hostile_doc.name, "--annotator", "alice"],
                  {**env, "TERM": "xterm-256color"})
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    output = bytearray()

    def read_for(seconds: float, until: bytes = b"") -> None:
        """Read until `until` has come and the app has been quiet for a moment (or `seconds` passed)."""
        deadline, quiet = time.monotonic() + seconds, time.monotonic() + 1
        while time.monotonic() < deadline and not (until in output and time.monotonic() > quiet):
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    output.extend(os.read(fd, 65536))
                except OSError:
                    return
                quiet = time.monotonic() + 0.5

    try:
        read_for(30, until=b"saved")  # the first screen, the annotations loaded
        os.write(fd, b"]")
        read_for(10, until=" · ".encode())
        os.write(fd, b"e")  # the note dialog
        read_for(15, until=b"kept unless deleted")
        os.write(fd, b"\x1b")
        read_for(3)
        os.write(fd, b"q")
        read_for(5)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)
    text = output.decode("utf-8", "replace")
    assert "saved" in text and "␛]52;c;aGFja2Vk␇" in text, text[-2000:]
    assert "kept unless deleted" in text, SGR.sub("", text)[-3000:]
    for sequence in (b"\x1b]52;c;aGFja2Vk", b"\x1b]0;pwned", b"\x1b[2J", "\u009b".encode(), "\u202e".encode(),
                     "\u2066".encode(), b"\x1b]8;"):
        assert sequence not in output, sequence


async def test_a_hostile_codebook_is_inert_in_the_legend_and_the_palette(tmp_path: Path) -> None:
    doc = hostile_project(tmp_path / "project")
    (doc.parent / "hedgerow.toml").write_text(
        '[[tags]]\nname = "actor"\ncolour = "#5fafff"\n'
        'description = "who [bold]acts[/bold] \\u001b]52;c;aGk=\\u0007"\n'
        '[[tags]]\nname = "evil[link=http://x]y[/link]\\u001b[2J"\ncolour = "#ff0000"\n'
        'description = "\\u009b2J"\n', encoding="utf-8")
    app = open_app(doc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        drawn = " ".join(text for _, text in assert_inert(app))
        assert "evil[link=http://x]y[/link]␛[2J" in drawn
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        assert_inert(app)
        await type_keys(pilot, *"Tag")
        await pilot.pause(0.5)
        drawn = " ".join(text for _, text in assert_inert(app))
        assert "who [bold]acts[/bold] ␛]52;c;aGk=␇" in drawn and "evil[link=http://x]y[/link]␛[2J" in drawn
