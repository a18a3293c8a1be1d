"""Issue 8: every damaged annotation file gets one line naming the file and the problem, exit 1,
and the file stays byte-for-byte as it was -- through every command that reads it."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tui.cli import main
from tui.core.errors import StoreError
from tui.core.session import Session, SessionOptions
from tui.core.store import CHUNK, AnnotationStore

ALICE = ["--annotator", "alice"]
SPANS = [("Kazakhstan", "actor"), ("appeared to support", "hedge"), ("could include", "hedge")]


def saved_layer(doc: Path, annotator: str = "alice") -> Session:
    session = Session.open(doc, SessionOptions(annotator=annotator))
    for quote, tag in SPANS:
        start = session.text.index(quote)
        session.add(start, start + len(quote), tag, note="a note" if tag == "actor" else "")
    session.save()
    return session


def first_record(raw: str) -> tuple[str, dict]:
    """The key and record of the file's first annotation (whatever the schema)."""
    data = json.loads(raw)
    key = next(iter(data["annotations"]))
    return key, data["annotations"][key]


def with_record(raw: str, change: Callable[[dict], None]) -> str:
    """The file with its first record changed, laid out as hedgerow writes it (so it is streamed)."""
    from tui.core.store import dumps_stable

    data = json.loads(raw)
    key = next(iter(data["annotations"]))
    change(data["annotations"][key])
    return dumps_stable(data)


def replaced(raw: str, old: str, new: str) -> str:
    assert old in raw
    return raw.replace(old, new, 1)


def twice_in_record(raw: str) -> str:
    """The first record's `note` line written twice (one record holding the key twice)."""
    line = re.search(r'\n      "note": [^\n]*,', raw)
    assert line
    again = "\n" + line.group(0)[1:].replace('"a note"', '"another note"')
    return raw[:line.end()] + again + raw[line.end():]


def twice_in_table(raw: str) -> str:
    """The first record written twice, under the same key."""
    start = raw.index('\n    "', raw.index('"annotations"'))
    end = raw.index("\n    }", start) + len("\n    }")
    return raw[:end] + "," + raw[start:end] + raw[end:]


def compact(raw: str) -> str:
    return json.dumps(json.loads(raw))  # stock json / TinyDB's layout: read whole, not streamed


DEEP = "[" * 50_000 + "]" * 50_000
HUGE = "9" * 5_000

# (id, how to damage the saved file's text, what the one line must say)
CASES: list[tuple[str, Callable[[str, Session], str], str]] = [
    ("deep-nesting", lambda raw, s: DEEP, "nested too deeply"),
    ("deep-note", lambda raw, s: replaced(raw, '"note": "a note"', f'"note": {DEEP}'), "nested too deeply"),
    ("deep-note-compact", lambda raw, s: replaced(compact(raw), '"note": "a note"', f'"note": {DEEP}'),
     "nested too deeply"),
    ("huge-integer", lambda raw, s: re.sub(r'"start": \d+', f'"start": {HUGE}', raw, count=1),
     "a number with more than 4,300 digits"),
    ("past-the-text", lambda raw, s: with_record(raw, lambda r: r.update(start=10_000, end=10_010)),
     "offsets 10000-10010 are outside the text, which has 5,863 characters"),
    ("start-after-end", lambda raw, s: with_record(raw, lambda r: r.update(start=20, end=10)),
     "start 20 is after end 10"),
    ("negative-start", lambda raw, s: with_record(raw, lambda r: r.update(start=-3)), "negative start -3"),
    ("key-twice-in-record", lambda raw, s: twice_in_record(raw), 'has the key "note" twice'),
    ("key-twice-in-record-compact", lambda raw, s: compact(raw).replace(
        '"note": "a note"', '"note": "a note", "note": "b"', 1), 'has the key "note" twice'),
    ("record-twice-in-table", lambda raw, s: twice_in_table(raw), "appears twice in table \"annotations\""),
    ("table-twice", lambda raw, s: replaced(raw, '\n  "meta": {', '\n  "meta": {},\n  "meta": {'),
     'the key "meta" appears twice at the top level'),
    ("record-not-object", lambda raw, s: with_record(raw, lambda r: r.clear()).replace("{}", "[1, 2]", 1),
     "is not an object (got a list)"),
    ("note-not-string", lambda raw, s: with_record(raw, lambda r: r.update(note=5)),
     "field 'note' must be a string, got 5"),
    ("tag-null", lambda raw, s: with_record(raw, lambda r: r.update(tag=None)),
     "field 'tag' must be a string, got null"),
    ("start-float", lambda raw, s: with_record(raw, lambda r: r.update(start=1.5)),
     "field 'start' must be an integer, got 1.5"),
]
# `show` reads a file alone (git's textconv): it has no text to check offsets against.
NEEDS_TEXT = {"past-the-text"}


def commands(doc: Path, layer: Path, tmp_path: Path) -> dict[str, list[str]]:
    export = tmp_path / "import.jsonl"
    export.write_text("", encoding="utf-8")
    return {
        "list": ["list", str(doc), *ALICE],
        "check": ["check", str(doc), *ALICE],
        "export": ["export", str(doc), "--format", "csv", *ALICE],
        "export-all": ["export", str(doc), "--format", "w3c", "--all", "--annotator", "bob"],
        "import": ["import", str(doc), str(export), *ALICE],
        "agree": ["agree", str(doc)],
        "show": ["show", str(layer)],
    }


@pytest.mark.parametrize(("damage", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_command_gives_one_line_exit_1_and_leaves_the_file(
        project_doc: Path, tmp_path: Path, capsys: pytest.CaptureFixture, damage, message: str) -> None:
    saved_layer(project_doc, "bob")  # a good layer beside it: agree and export --all read both
    session = saved_layer(project_doc)
    layer = session.store.path
    raw = damage(layer.read_text(encoding="utf-8"), session)
    layer.write_text(raw, encoding="utf-8")
    digest = hashlib.sha256(layer.read_bytes()).hexdigest()
    case = next(c[0] for c in CASES if c[1] is damage)
    for name, argv in commands(project_doc, layer, tmp_path).items():
        if name == "show" and case in NEEDS_TEXT:
            continue
        code = main(argv)
        _out, err = capsys.readouterr()
        assert code == 1, (name, err)
        assert err.count("\n") == 1 and err.startswith(f"hedgerow: {layer}: "), (name, err[:300])
        assert message in err, (name, err[:300])
        assert "Traceback" not in err and len(err) < 400, (name, len(err))
        assert hashlib.sha256(layer.read_bytes()).hexdigest() == digest, name


def test_a_record_twice_in_different_batches_of_a_large_file(project_doc: Path) -> None:
    """The streaming reader reads CHUNK bytes at a time: a duplicate record far from the first is found too."""
    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    made = [session.add(i, i + 5, "hedge", note="n" * 300) for i in range(0, 5_000, 2)]
    session.save()
    path = session.store.path
    raw = path.read_text(encoding="utf-8")
    assert len(raw.encode()) > 2 * CHUNK
    first = raw.index('\n    "', raw.index('"annotations"'))
    end = raw.index("\n    }", first) + len("\n    }")
    table_end = raw.index("\n  },\n  \"meta\"")
    broken = raw[:table_end] + "," + raw[first:end] + raw[table_end:]  # the first record again, at the end
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(StoreError) as info:
        AnnotationStore(path).load(session.text, session.document.sha256)
    record_id = json.loads(raw[first:end].join("{}")).popitem()[1]["id"]
    assert str(info.value) == f"{path}: duplicate annotation id {record_id}; left untouched"
    assert path.read_text(encoding="utf-8") == broken
    assert len(made) == 2_500


def test_a_file_made_on_another_version_of_the_text_still_loads(project_doc: Path) -> None:
    """Offsets past the end are damage only on the text the record was made on; after an edit of
    the text they are re-anchoring's to find."""
    session = saved_layer(project_doc)
    path = session.store.path
    path.write_text(with_record(path.read_text(encoding="utf-8"),
                                lambda r: r.update(start=10_000, end=10_010, document="0" * 64)), encoding="utf-8")
    stored = AnnotationStore(path).load(session.text, session.document.sha256)
    assert max(a.end for a in stored.annotations) == 10_010


def test_w3c_never_gives_a_position_that_disagrees_with_its_quote(project_doc: Path) -> None:
    from tui.core.export import sha256_uri, w3c_collection

    session = saved_layer(project_doc)
    old = session.text
    project_doc.write_text("Preface added.\n" + old, encoding="utf-8")  # every offset moved by 15
    reopened = Session.open(project_doc, SessionOptions(annotator="alice"))
    items = w3c_collection(reopened.document, reopened.layer)["first"]["items"].items
    current = sha256_uri(reopened.document.sha256)
    for a in items:
        item = __import__("tui.core.export", fromlist=["w3c_annotation"]).w3c_annotation(
            a, current, reopened.text)
        position = item["target"]["selector"][1]
        quote = item["target"]["selector"][0]["exact"]
        text = reopened.text if item["target"]["source"] == current else old
        assert text[position["start"]:position["end"]] == quote
        assert item["target"]["source"] == sha256_uri(session.document.sha256)  # the text it was made on


def test_one_id_given_to_two_records_in_different_batches(project_doc: Path) -> None:
    """Two different annotations under one TinyDB id, far apart in a large file."""
    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    for i in range(0, 5_000, 2):
        session.add(i, i + 5, "hedge", note="n" * 300)
    session.save()
    path = session.store.path
    raw = path.read_text(encoding="utf-8")
    last = raw.rindex('\n    "2500": {')
    broken = raw[:last] + '\n    "3": {' + raw[last + len('\n    "2500": {'):]
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(StoreError) as info:
        AnnotationStore(path).load(session.text, session.document.sha256)
    assert str(info.value) == f'{path}: record 3 appears twice in table "annotations"; left untouched'
    assert path.read_text(encoding="utf-8") == broken
