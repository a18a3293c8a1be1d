"""Annotator names map one-to-one to files; gold is the review's; an import makes records the layer's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.cli import main
from tui.core.errors import InputError
from tui.core.paths import MAX_NAME, check_annotator, default_annotator, layer_path
from tui.core.session import Session, SessionOptions

RULE = "an annotator name is 1 to 64 ASCII letters, digits, '.', '_' or '-'"


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("name", "problem"), [
    ("", "--annotator needs a name"),
    ("   ", "--annotator needs a name"),
    (".", "is a folder, not a name"),
    ("..", "is a folder, not a name"),
    ("a/b", "holds a path separator"),
    ("../alice", "holds a path separator"),
    ("a\\b", "holds a path separator"),
    ("a\x1b]0;x\x07", "holds control characters"),
    ("a\u202eb", "holds control characters"),
    ("a\nb", "holds control characters"),
    ("x" * (MAX_NAME + 1), f"of {MAX_NAME + 1} characters is longer than {MAX_NAME}"),
    ("Jane Doe", "holds ' '"),
    ("José", "holds 'é'"),
    ("a:b", "holds ':'"),
    ("-rf", "starts with '-'"),
    (".hidden", "starts with '.'"),
    ("con", "is a device name on Windows"),
    ("LPT1", "is a device name on Windows"),
])
def test_each_bad_name_is_refused_with_one_line_saying_what_is_allowed(
        capsys, project_doc: Path, name: str, problem: str) -> None:
    code, out, err = run(capsys, "open", project_doc, f"--annotator={name}")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("hedgerow: ")
    assert problem in err and RULE in err
    assert "\x1b" not in err and "\u202e" not in err
    assert not (project_doc.parent / "annotations").exists()  # nothing written under any name


@pytest.mark.parametrize("name", ["alice", "a-b", "a_b", "a.b", "A1", "_x", "x" * MAX_NAME, "gold-standard"])
def test_good_names_are_their_file_names_unchanged(project_doc: Path, name: str) -> None:
    session = Session.open(project_doc, SessionOptions(annotator=name))
    assert session.annotator == name
    assert session.store.path == project_doc.parent / "annotations" / "seed" / f"{name}.json"
    session.add(0, 5, "actor")
    session.save()
    assert session.store.path.is_file()


def test_names_that_used_to_share_a_file_now_have_one_each_or_are_refused(project_doc: Path) -> None:
    paths = {layer_path(project_doc, name) for name in ("a-b", "a_b", "a.b")}
    assert len(paths) == 3
    for refused in ("a/b", ".", ".."):
        with pytest.raises(InputError):
            check_annotator(refused)
    long_a, long_b = "x" * MAX_NAME + "a", "x" * MAX_NAME + "b"  # were both cut to the same 64
    for name in (long_a, long_b):
        with pytest.raises(InputError, match="longer than"):
            check_annotator(name)


def test_a_name_differing_only_in_case_from_a_layer_is_refused(capsys, project_doc: Path) -> None:
    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    session.add(0, 5, "actor")
    session.save()
    code, _, err = run(capsys, "list", project_doc, "--annotator", "Alice")
    assert code == 2 and "differs only in case from the existing layer 'alice'" in err


def test_gold_is_refused_unless_through_the_review(capsys, project_doc: Path, tmp_path: Path) -> None:
    for command in (["open", project_doc], ["import", project_doc, tmp_path / "x.json"]):
        for name in ("gold", "Gold"):
            code, _, err = run(capsys, *command, "--annotator", name)
            assert code == 2 and "is the review's layer" in err and "hedgerow review" in err, err
    with pytest.raises(InputError, match="review's layer"):
        Session.open(project_doc, SessionOptions(annotator="gold"))
    gold = Session.open(project_doc, SessionOptions(annotator="gold", gold=True))  # what the review does
    assert gold.store.path.name == "gold.json"
    gold.add(0, 5, "actor")
    gold.save()
    code, out, err = run(capsys, "list", project_doc, "--annotator", "gold")  # reading it is fine
    assert code == 0 and "1 annotation by gold" in out, err


def test_the_default_name_is_derived_from_git_and_refused_rather_than_cut(monkeypatch) -> None:
    import subprocess

    class Done:
        def __init__(self, stdout: str) -> None:
            self.stdout = stdout

    monkeypatch.setattr(subprocess, "run", lambda *a, **k: Done("José García-Márquez\n"))
    assert default_annotator() == "Jose-Garcia-Marquez"
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: Done("x" * 80 + "\n"))
    with pytest.raises(InputError, match="pass --annotator NAME"):
        default_annotator()


# -- import: every record in the layer says whose layer it is -----------------------------------


def annotate(doc: Path, annotator: str, spans: list[tuple[str, str]]) -> None:
    session = Session.open(doc, SessionOptions(annotator=annotator))
    for quote, tag in spans:
        start = session.text.index(quote)
        session.add(start, start + len(quote), tag)
    session.save()


def records(doc: Path, annotator: str) -> list[dict]:
    path = doc.parent / "annotations" / doc.stem / f"{annotator}.json"
    return list(json.loads(path.read_text(encoding="utf-8"))["annotations"].values())


@pytest.mark.parametrize("fmt", ["json", "w3c", "jsonl", "csv"])
def test_import_reattributes_every_record_and_keeps_its_maker(capsys, project_doc: Path, tmp_path: Path,
                                                              fmt: str) -> None:
    annotate(project_doc, "bob", [("Kazakhstan", "actor"), ("could include", "hedge")])
    exported = tmp_path / f"bob.{fmt}"
    assert run(capsys, "export", project_doc, "--annotator", "bob", "-f", fmt, "-o", exported)[0] == 0
    annotate(project_doc, "alice", [("NATO", "actor")])

    code, _, err = run(capsys, "import", project_doc, "--annotator", "alice", exported)
    assert code == 0, err
    assert "imported 2, skipped 0" in err
    assert err.rstrip().endswith("; 2 re-attributed to alice (their maker kept as original_annotator)")
    layer = records(project_doc, "alice")
    assert len(layer) == 3 and {r["annotator"] for r in layer} == {"alice"}
    assert sorted(r["original_annotator"] for r in layer) == ["", "bob", "bob"]
    code, out, _ = run(capsys, "list", project_doc, "--annotator", "alice")
    assert out.count("alice (from bob)") == 2

    # alice's layer passed on to carol: the first maker stays
    again = tmp_path / f"alice.{fmt}"
    assert run(capsys, "export", project_doc, "--annotator", "alice", "-f", fmt, "-o", again)[0] == 0
    code, _, err = run(capsys, "import", project_doc, "--annotator", "carol", again)
    assert code == 0 and "; 3 re-attributed to carol" in err
    assert sorted(r["original_annotator"] for r in records(project_doc, "carol")) == ["alice", "bob", "bob"]


def test_importing_ones_own_export_reattributes_nothing(capsys, project_doc: Path, tmp_path: Path) -> None:
    annotate(project_doc, "bob", [("Kazakhstan", "actor")])
    exported = tmp_path / "bob.json"
    run(capsys, "export", project_doc, "--annotator", "bob", "-o", exported)
    (project_doc.parent / "annotations" / "seed" / "bob.json").unlink()
    code, _, err = run(capsys, "import", project_doc, "--annotator", "bob", exported)
    assert code == 0 and "imported 1, skipped 0" in err and "re-attributed" not in err
    assert [r["original_annotator"] for r in records(project_doc, "bob")] == [""]


def test_a_codebook_key_holding_a_control_character_is_refused(tmp_path: Path) -> None:
    from tui.core.tags import parse_config

    with pytest.raises(InputError, match=r"\[keys\] must map"):
        parse_config({"keys": {"app.search": "slash,\x1b]0;x\x07"}})
    assert parse_config({"keys": {"app.search": "slash,ctrl+f"}}).keys == {"app.search": "slash,ctrl+f"}


def test_a_record_from_before_original_annotator_loads_on_the_fast_path() -> None:
    from tui.core.annotation import POSITION, Annotation, record_values

    made = Annotation.create("Kazakhstan said", 0, 10, "actor", document="d", annotator="a")
    old = made.to_record()
    del old["original_annotator"]
    values = record_values(old)
    assert values is not None and values[POSITION["original_annotator"]] == ""
    assert Annotation(*values) == made
    assert record_values({**old, "surprise": 1}) is None  # anything else: the careful path
    assert record_values({**old, "original_annotator": 7}) is None
