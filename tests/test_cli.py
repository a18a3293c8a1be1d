"""The command line: bad input gives one clear line and the right exit code, never a traceback."""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from tui.cli import main
from tui.core import atomic
from tui.core.session import Session, SessionOptions

ALICE = ["--annotator", "alice"]
HEDGEROW = Path(sys.executable).with_name("hedgerow")


def run(capsys: pytest.CaptureFixture, *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def layer_file(project: Path, annotator: str = "alice") -> Path:
    return project / "annotations" / "seed" / f"{annotator}.json"


def annotate(doc: Path, spans: list[tuple[str, str]], annotator: str = "alice") -> Session:
    session = Session.open(doc, SessionOptions(annotator=annotator))
    for quote, tag in spans:
        start = session.text.index(quote)
        session.add(start, start + len(quote), tag)
    session.save()
    return session


# -- bad documents ----------------------------------------------------------------------------


def test_missing_document(capsys, tmp_path: Path) -> None:
    code, out, err = run(capsys, "list", tmp_path / "nope.txt", *ALICE)
    assert code == 2
    assert err.strip() == f"hedgerow: {tmp_path / 'nope.txt'}: no such file"
    assert out == ""


def test_missing_document_with_the_open_shorthand(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, tmp_path / "nope.txt", *ALICE)  # `hedgerow DOC` means `hedgerow open DOC`
    assert code == 2 and "no such file" in err


def test_directory(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "list", tmp_path, *ALICE)
    assert code == 2
    assert "is a directory, not a text document" in err


def test_binary_file(capsys, tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    code, _, err = run(capsys, "list", path, *ALICE)
    assert code == 2
    assert "looks like a binary file (it contains NUL bytes)" in err


def test_non_utf8_document(capsys, tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes("Kazakhstan’s defence: Almaty à Astana".encode("cp1252"))
    code, _, err = run(capsys, "list", path, *ALICE)
    assert code == 2
    assert "not valid UTF-8 (byte 0x92 at offset 10)" in err
    assert "convert it first" in err and "iconv -f latin1 -t utf-8 report.txt > report.utf8.txt" in err


def test_empty_document_opens_and_list_says_so(capsys, project: Path) -> None:
    path = project / "blank.txt"
    path.write_text("  \n\n\t \n", encoding="utf-8")
    code, _out, err = run(capsys, "list", path, *ALICE)
    assert code == 2  # no layer by alice: as `check` says (issue 9, item 7)
    assert "the document is empty" in err
    assert "no annotations by alice on blank.txt" in err and "no layers yet" in err
    session = Session.open(path, SessionOptions(annotator="alice"))  # what `open` does before the TUI
    assert session.document.is_empty and len(session.layer) == 0


# -- bad arguments ----------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["list"],  # no document
    ["list", "doc.txt", "--bogus"],
    ["export", "doc.txt", "--format", "xml"],
    ["--no-such-option"],
])
def test_bad_arguments_exit_2(capsys, args: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "usage: hedgerow" in err and "error:" in err


def test_no_arguments_opens_the_documents_screen_on_seeds_and_a_folder_on_itself(monkeypatch, project: Path) -> None:
    from tui.app.app import HedgerowApp

    started: list[HedgerowApp] = []
    monkeypatch.setattr(HedgerowApp, "run", lambda self: started.append(self))
    monkeypatch.setattr("tui.commands.documents.need_terminal", lambda command: None)  # no tty under pytest
    assert main([]) == 0
    assert main([str(project), "--annotator", "alice"]) == 0
    assert [(app.session, app.corpus, app.annotator) for app in started][1] == (None, project, "alice")
    assert started[0].session is None and started[0].corpus == Path("seeds")


def test_help_without_a_command(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0 and "usage: hedgerow" in capsys.readouterr().out


def test_blank_annotator(capsys, project_doc: Path) -> None:
    code, _, err = run(capsys, "list", project_doc, "--annotator", "  ")
    assert code == 2 and "--annotator needs a name" in err


# -- bad config -------------------------------------------------------------------------------

BAD_CONFIGS = [
    ("unknown-field", '[[tags]]\nname = "a"\ncolour = "red"\nhotkey = "x"\n', "unknown field(s) hotkey"),
    ("duplicate-key", '[[tags]]\nname = "a"\ncolour = "red"\nkey = "2"\n[[tags]]\nname = "b"\ncolour = "red"\n'
                      'key = "2"\n', "duplicate key '2'"),
    ("duplicate-name", '[[tags]]\nname = "a"\ncolour = "red"\n[[tags]]\nname = "a"\ncolour = "red"\n',
     "duplicate tag name 'a'"),
    ("bad-colour", '[[tags]]\nname = "a"\ncolour = "reddish"\n', "bad colour 'reddish'"),
    ("invalid-toml", '[[tags]]\nname = "a\n', "invalid TOML"),
]


@pytest.mark.parametrize(("content", "message"), [c[1:] for c in BAD_CONFIGS], ids=[c[0] for c in BAD_CONFIGS])
def test_bad_tags_file(capsys, project_doc: Path, tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "codebook.toml"
    config.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "list", project_doc, *ALICE, "--tags", config)
    assert code == 2
    assert err.startswith(f"hedgerow: {config}: ")
    assert message in err
    assert out == ""


def test_missing_tags_file(capsys, project_doc: Path, tmp_path: Path) -> None:
    code, _, err = run(capsys, "list", project_doc, *ALICE, "--tags", tmp_path / "none.toml")
    assert code == 2 and "no such config file" in err


def test_bad_project_config(capsys, project_doc: Path) -> None:
    (project_doc.parent / "hedgerow.toml").write_text("[[tags]]\nname = 1\n", encoding="utf-8")
    code, _, err = run(capsys, "list", project_doc, *ALICE)
    assert code == 2 and "hedgerow.toml: tags[0] needs a non-empty 'name'" in err


# -- damaged annotation files -----------------------------------------------------------------


@pytest.mark.parametrize("raw", [b'{"annotations": {"x": ', b'{"annotations": []}', b"\x00\x01garbage"],
                         ids=["truncated", "wrong-shape", "garbage"])
@pytest.mark.parametrize("command", ["list", "import", "export"])
def test_corrupt_annotations_file(capsys, project_doc: Path, tmp_path: Path, raw: bytes, command: str) -> None:
    path = layer_file(project_doc.parent)
    path.parent.mkdir(parents=True)
    path.write_bytes(raw)
    extra = [tmp_path / "export.json"] if command == "import" else []
    if extra:
        extra[0].write_text('{"hedgerow": {"format": "hedgerow-annotations", "version": 1}, "annotations": []}')
    code, out, err = run(capsys, command, project_doc, *ALICE, *extra)
    assert code == 1
    assert err.startswith(f"hedgerow: {path}: ")
    assert "corrupt" in err or "not a hedgerow annotation file" in err
    assert "Traceback" not in err and out == ""
    assert path.read_bytes() == raw
    assert sorted(p.name for p in path.parent.iterdir()) == ["alice.json"]


@pytest.mark.parametrize("raw", [b"", b"\n  \n"], ids=["empty", "blank"])
def test_empty_annotations_file_is_refused(capsys, project_doc: Path, raw: bytes) -> None:
    path = layer_file(project_doc.parent)
    path.parent.mkdir(parents=True)
    path.write_bytes(raw)
    code, out, err = run(capsys, "list", project_doc, *ALICE)
    assert code == 1
    assert "the file is empty, so it was damaged" in err
    assert "No annotations" not in out  # not mistaken for an empty layer
    assert path.read_bytes() == raw


# -- list, export, import ---------------------------------------------------------------------


def test_list_shows_tag_span_and_quote(capsys, project_doc: Path) -> None:
    session = annotate(project_doc, [("Kazakhstan", "actor"), ("appeared to support", "hedge")])
    code, out, err = run(capsys, "list", project_doc, *ALICE)
    assert code == 0, err
    for annotation in session.layer:
        assert annotation.tag in out
        assert f"{annotation.start}–{annotation.end}" in out
        assert annotation.quote in out
    assert "2 annotations by alice" in " ".join(out.split())  # the title may wrap
    assert out.index("Kazakhstan") < out.index("appeared to support")  # document order


def test_one_annotation_is_counted_in_the_singular(capsys, project_doc: Path) -> None:
    annotate(project_doc, [("Kazakhstan", "actor")])
    code, out, err = run(capsys, "list", project_doc, *ALICE)
    assert code == 0, err
    assert "1 annotation by alice" in " ".join(out.split())
    code, out, err = run(capsys, "check", project_doc, *ALICE)
    assert "alice: 1 annotation:" in out


def test_list_without_annotations(capsys, project_doc: Path) -> None:
    code, _, err = run(capsys, "list", project_doc, *ALICE)
    assert code == 2
    assert "no annotations by alice on seed.txt" in err and "no layers yet" in err
    assert not (project_doc.parent / "annotations").exists()  # listing writes nothing


@pytest.mark.parametrize("command", [["list"], ["check"], ["export", "-f", "csv", "-o"]])
def test_list_check_and_export_agree_on_a_missing_layer_and_name_those_there_are(capsys, project_doc: Path,
                                                                                 command: list[str]) -> None:
    annotate(project_doc, [("Kazakhstan", "actor")], annotator="bob")
    annotate(project_doc, [("Kazakhstan", "actor")], annotator="carol")
    written = project_doc.parent / "out.csv"
    code, out, err = run(capsys, command[0], project_doc, *ALICE, *command[1:], *([written] if command[1:] else []))
    assert not written.exists()  # a typo in a name is not an empty export
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "no annotations by alice on seed.txt" in err and "layers here: bob, carol" in err


def test_list_filters_by_tag_and_grep(capsys, project_doc: Path) -> None:
    annotate(project_doc, [("Kazakhstan", "actor"), ("Ambassador Robert Simmons", "actor"),
                           ("appeared to support", "hedge")])
    code, out, _ = run(capsys, "list", project_doc, *ALICE, "--tag", "actor")
    assert code == 0 and "Kazakhstan" in out and "Simmons" in out and "appeared" not in out
    code, out, _ = run(capsys, "list", project_doc, *ALICE, "--grep", "simmons|APPEARED")
    assert code == 0 and "Simmons" in out and "appeared" in out and "Kazakhstan" not in out
    code, out, _ = run(capsys, "list", project_doc, *ALICE, "--tag", "hedge", "--grep", "simmons")
    assert code == 0 and "No annotations tagged hedge matching 'simmons' by alice" in out
    code, _, err = run(capsys, "list", project_doc, *ALICE, "--grep", "(")
    assert code == 2 and "not a valid regular expression" in err


@pytest.mark.parametrize("command", [[], ["open"], ["review"]])
def test_the_tuis_without_a_terminal_exit_2_with_one_line(project_doc: Path, command: list[str]) -> None:
    annotate(project_doc, [("Kazakhstan", "actor")], annotator="alice")
    arguments = [*command, str(project_doc), *(ALICE if command != ["review"] else [])]
    result = subprocess.run([sys.executable, "-m", "tui", *arguments],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and "needs a terminal" in result.stderr
    assert "\x1b" not in result.stderr


needs_export = pytest.mark.skipif(importlib.util.find_spec("tui.core.export") is None,
                                  reason="tui.core.export is not written yet")


@needs_export
@pytest.mark.parametrize("fmt", ["json", "w3c", "jsonl", "csv"])
def test_export_runs(capsys, project_doc: Path, fmt: str) -> None:
    annotate(project_doc, [("Kazakhstan", "actor"), ("could include", "hedge")])
    code, out, err = run(capsys, "export", project_doc, *ALICE, "--format", fmt)
    assert code == 0, err
    assert "Kazakhstan" in out and "could include" in out
    if fmt in ("json", "w3c"):
        json.loads(out)


@needs_export
def test_export_then_import_into_another_annotator(capsys, project_doc: Path, tmp_path: Path) -> None:
    annotate(project_doc, [("Kazakhstan", "actor"), ("could include", "hedge")], annotator="bob")
    exported = tmp_path / "bob.json"
    code, _, err = run(capsys, "export", project_doc, "--annotator", "bob", "-o", exported)
    assert code == 0, err
    code, _, err = run(capsys, "import", project_doc, *ALICE, exported)
    assert code == 0, err
    assert "imported 2" in err
    assert {a.quote for a in Session.open(project_doc, SessionOptions(annotator="alice")).layer} == {
        "Kazakhstan", "could include"}
    code, _, err = run(capsys, "import", project_doc, *ALICE, exported)  # again: nothing new
    assert code == 0 and "imported 0, skipped 2" in err


@pytest.fixture
def bob_export(project_doc: Path, tmp_path: Path) -> Path:
    pytest.importorskip("tui.core.export")
    from tui.core.export import render

    session = annotate(project_doc, [("Kazakhstan", "actor")], annotator="bob")
    path = tmp_path / "bob-export.json"
    path.write_text(render("json", session.document, session.layer.items()), encoding="utf-8")
    return path


def test_import_into_read_only_folder(capsys, project_doc: Path, bob_export: Path) -> None:
    folder = project_doc.parent / "annotations" / "seed"
    alice = folder / "alice.json"
    annotate(project_doc, [("NATO", "actor")])
    before = alice.read_bytes()
    os.chmod(folder, 0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: chmod does not make the folder read-only")
        code, _, err = run(capsys, "import", project_doc, *ALICE, bob_export)
    finally:
        os.chmod(folder, 0o755)
    assert code == 1
    assert "read-only or not writable" in err and "old file is untouched" not in err
    assert alice.read_bytes() == before


def test_import_when_the_folder_refuses_writes(capsys, project_doc: Path, bob_export: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The same failure simulated, so it runs as root too: creating the temp file fails with EACCES."""
    alice = layer_file(project_doc.parent)
    annotate(project_doc, [("NATO", "actor")])
    before = alice.read_bytes()
    real_open = os.open

    def refuse(path, flags, *args):
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args)

    fake_os = types.SimpleNamespace(**{n: getattr(os, n) for n in dir(os) if not n.startswith("__")})
    fake_os.open = refuse
    monkeypatch.setattr(atomic, "os", fake_os)
    code, _, err = run(capsys, "import", project_doc, *ALICE, bob_export)
    assert code == 1
    assert err.startswith(f"hedgerow: {alice}: cannot write (the directory is read-only or not writable)")
    assert alice.read_bytes() == before
    assert sorted(p.name for p in alice.parent.iterdir()) == ["alice.json", "bob.json"]


def test_import_when_annotations_folder_is_a_file(capsys, project_doc: Path, bob_export: Path,
                                                  tmp_path: Path) -> None:
    not_a_folder = tmp_path / "annotations-file"
    not_a_folder.write_text("I am a file\n", encoding="utf-8")
    code, out, err = run(capsys, "import", project_doc, *ALICE, "--annotations", not_a_folder, bob_export)
    assert code == 1
    assert err.startswith(f"hedgerow: {not_a_folder / 'seed' / 'alice.json'}: ")
    assert "Not a directory" in err or "cannot create" in err
    assert "Traceback" not in err and out == ""
    assert not_a_folder.read_text(encoding="utf-8") == "I am a file\n"


# -- the real console script ------------------------------------------------------------------


@pytest.fixture
def console_script() -> Path:
    script = HEDGEROW if HEDGEROW.exists() else shutil.which("hedgerow")
    if not script:
        pytest.skip("the hedgerow console script is not installed")
    return Path(script)


@pytest.mark.parametrize("case", ["missing", "binary", "corrupt-layer", "bad-args"])
def test_console_script_reports_without_traceback(console_script: Path, project_doc: Path, case: str) -> None:
    args: list[str] = ["list", str(project_doc), *ALICE]
    expected_code, expected = 2, ""
    if case == "missing":
        args[1] = str(project_doc.with_name("nope.txt"))
        expected = "no such file"
    elif case == "binary":
        project_doc.write_bytes(b"abc\x00def")
        expected = "binary file"
    elif case == "corrupt-layer":
        path = layer_file(project_doc.parent)
        path.parent.mkdir(parents=True)
        path.write_text('{"annotations": {"a": {"start": "x"}}}', encoding="utf-8")
        expected_code, expected = 1, "is invalid"
    else:
        args.append("--frobnicate")
        expected = "unrecognized arguments: --frobnicate"
    result = subprocess.run([str(console_script), *args], capture_output=True, text=True, timeout=60,
                            cwd=project_doc.parent)
    assert result.returncode == expected_code, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) <= 2  # one line (argparse adds its usage line)


def test_console_script_lists(console_script: Path, project_doc: Path) -> None:
    annotate(project_doc, [("Kazakhstan", "actor")])
    result = subprocess.run([str(console_script), "list", str(project_doc), *ALICE], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Kazakhstan" in result.stdout and "actor" in result.stdout


# -- the parser ------------------------------------------------------------------------------


def test_each_command_is_registered_by_the_module_that_cli_imports_for_it() -> None:
    from tui.cli import build_parser
    from tui.commands import COMMANDS

    def registered(parser) -> set[str]:
        return set(parser._subparsers._group_actions[0].choices)

    assert registered(build_parser()) == set(COMMANDS)
    for command in COMMANDS:
        assert command in registered(build_parser(command))


def test_opening_a_document_does_not_load_the_other_commands(tmp_path: Path) -> None:
    """`hedgerow DOC` imports only what opening needs (checked in a fresh interpreter)."""
    code = ("import sys, tui.cli\n"
            "tui.cli.main([sys.argv[1], '--annotator', ' '])\n"  # a blank annotator: fails before the TUI
            "print(sorted(m for m in sys.modules if m.startswith(('tui.commands.', 'rich.table'))))")
    doc = tmp_path / "doc.txt"
    doc.write_text("text\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", code, str(doc)], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "['tui.commands.common', 'tui.commands.documents']"


def test_opening_the_tui_freezes_what_is_loaded_and_collects_less_often(project_doc: Path) -> None:
    """Checked in a fresh interpreter, with the app's run replaced: the collector's settings are global.
    It stays off while the app builds its first frame, and comes back when the app says it is shown."""
    code = ("import gc, sys, tui.cli\n"
            "from tui.core import gc_policy\n"
            "from tui.app.app import HedgerowApp\n"
            "def run(self):\n"
            "    print(gc.get_threshold()[0], gc.get_freeze_count() > 0, gc.isenabled())\n"
            "    gc_policy.shown()\n"
            "    print(gc.isenabled())\n"
            "HedgerowApp.run = run\n"
            "import tui.commands.documents as documents; documents.need_terminal = lambda command: None\n"
            "sys.exit(tui.cli.main([sys.argv[1], '--annotator', 'alice']))")
    result = subprocess.run([sys.executable, "-c", code, str(project_doc)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["10000", "True", "False", "True"]


async def test_the_app_brings_the_collector_back_after_its_first_frame(project_doc: Path) -> None:
    import gc

    from tui.app.app import HedgerowApp
    from tui.core import gc_policy
    from tui.core.session import Session, SessionOptions

    enabled, threshold, interval = gc.isenabled(), gc.get_threshold(), sys.getswitchinterval()
    try:
        gc.enable()
        with gc_policy.starting_a_tui(until_shown=True):
            session = Session.open(project_doc, SessionOptions(annotator="alice"))
        assert not gc.isenabled()
        app = HedgerowApp(session)
        async with app.run_test() as pilot:
            await pilot.pause()
            assert gc.isenabled()
    finally:
        sys.setswitchinterval(interval)
        gc.unfreeze()
        gc.set_threshold(*threshold)
        (gc.enable if enabled else gc.disable)()


def test_a_batch_command_runs_with_the_collector_paused_and_restores_it(project_doc: Path) -> None:
    """The policy is set by the entry point (tui.cli.main), not by the code that loads."""
    annotate(project_doc, [("Kazakhstan", "actor")])
    code = ("import gc, sys, tui.cli, tui.commands.documents as documents\n"
            "seen = []\n"
            "real = documents.run_list\n"
            "def spy(args):\n"
            "    seen.append(gc.isenabled())\n"
            "    return real(args)\n"
            "documents.run_list = spy\n"
            "code = tui.cli.main(['list', sys.argv[1], '--annotator', 'alice'])\n"
            "print(seen, gc.isenabled(), gc.get_threshold()[0], gc.get_freeze_count())\n"
            "sys.exit(code)")
    result = subprocess.run([sys.executable, "-c", code, str(project_doc)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[False] True 700 0"


def test_no_module_but_the_policy_touches_the_collector() -> None:
    import re

    import tui

    root = Path(tui.__file__).parent
    uses_gc = re.compile(r"^\s*(import gc\b|from gc import)", re.MULTILINE)
    users = sorted(str(path.relative_to(root)) for path in root.rglob("*.py")
                   if uses_gc.search(path.read_text(encoding="utf-8")))
    assert users == ["core/gc_policy.py"]


def test_export_excel_writes_csv_with_a_bom(capsys, project_doc: Path, tmp_path: Path) -> None:
    annotate(project_doc, [("“Currently there are no sites", "commitment")])
    out_file = tmp_path / "for-excel.csv"
    code, _, _ = run(capsys, "export", project_doc, *ALICE, "--excel", "--output", out_file)
    assert code == 0
    data = out_file.read_bytes()
    assert data.startswith("\ufefftag,quote,note,annotator,".encode("utf-8"))
    assert "“Currently there are no sites".encode() in data
    code, _, err = run(capsys, "export", project_doc, *ALICE, "--excel", "--format", "json")
    assert code == 2 and "--excel writes csv" in err


def test_opening_a_document_asks_git_for_the_annotator_once(monkeypatch, project_doc: Path) -> None:
    """The default annotator is git's user.name: a process to start, so `hedgerow DOC` asks once
    (it asked twice: to size the annotator's file, then to open it), and opens that layer."""
    import subprocess

    from tui.app.app import HedgerowApp

    asked: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(command, *args, **kwargs):
        if command[:2] == ["git", "config"]:
            asked.append(command)
            return subprocess.CompletedProcess(command, 0, "Gita Example\n", "")
        return real_run(command, *args, **kwargs)

    started: list[HedgerowApp] = []
    monkeypatch.setattr("tui.core.paths.subprocess.run", counting_run)
    monkeypatch.setattr(HedgerowApp, "run", lambda self: started.append(self))
    monkeypatch.setattr("tui.commands.documents.need_terminal", lambda command: None)  # no tty under pytest
    assert main([str(project_doc)]) == 0
    assert len(asked) == 1
    assert started[0].session.annotator == "Gita-Example"


def test_an_export_of_another_document_is_refused_in_one_line(capsys, project_doc: Path, tmp_path: Path) -> None:
    """It printed one "not imported" line per annotation, each quoting the text at its offsets."""
    other = project_doc.parent / "other.txt"
    other.write_text("An altogether different article, about trade.\n" * 20, encoding="utf-8")
    annotate(project_doc, [("Kazakhstan", "actor"), ("could include", "hedge"), ("NATO", "actor")], annotator="bob")
    exported = tmp_path / "bob.json"
    assert run(capsys, "export", project_doc, "--annotator", "bob", "-o", exported)[0] == 0
    code, _, err = run(capsys, "import", other, *ALICE, exported)
    assert code == 1
    [line] = [line for line in err.splitlines() if line.startswith("not imported")]
    assert "was exported from another document" in line and "none of its 3 annotations matches" in line
    assert "imported 0" in err
