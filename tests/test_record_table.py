"""The record's one field table: adding a field there is all it takes (checks, rows, encoder)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tui.core.annotation import COLUMNS, FIELDS, POSITION, Annotation, Column, checked_fields, record_values

REPO = Path(__file__).resolve().parents[1]
NEW_FIELD = '    topic: str = field(default="", metadata=kept(Column.EXTRA))\n'
NEW_FLAG = '    done: bool = field(default=False, metadata=kept(Column.EXTRA))\n'

# Run against a copy of tui/ whose Annotation has two more fields, one line each, and nothing else changed.
SCRIPT = r'''
import json, sys
from tui.core.annotation import Annotation, FIELDS
from tui.core.errors import StoreError
from tui.core.layer import Layer
from tui.core.rows import Rows, encode_row
from tui.core.store import AnnotationStore, read_json
text = "Kazakhstan appeared to support the plan, said the minister."
plain = Annotation.create(text, 0, 10, "actor", document="d", annotator="alice")
linked = Annotation.create(text, 11, 30, "hedge", document="d", annotator="alice", note="n")
linked = linked.changed(topic="e-1", done=True)
path = sys.argv[1]
AnnotationStore(path).save(Layer([plain, linked], text=text), {"annotator": "alice"})
raw = open(path, encoding="utf-8").read()
assert raw == json.dumps(json.loads(raw), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
for made in (plain, linked):
    record = {r["id"]: r for r in read_json(__import__("pathlib").Path(path))["annotations"].values()}[made.id]
    assert record["topic"] == made.topic and record["done"] is made.done, record
for rows in (Rows(text), Rows(None)):
    for made in (plain, linked):
        row = rows.append_annotation(made)
        assert rows.annotation(row) == made
loaded = AnnotationStore(path).load(text).layer
assert loaded[linked.id].topic == "e-1" and loaded[linked.id].done is True
assert loaded[plain.id].topic == "" and loaded[plain.id].done is False
data = json.loads(raw)
next(r for r in data["annotations"].values() if r["id"] == plain.id)["topic"] = 7
open(path, "w", encoding="utf-8").write(json.dumps(data))
try:
    AnnotationStore(path).load(text)
except StoreError as error:
    print("refused:", error)
print("fields:", ",".join(FIELDS))
'''


def test_a_field_added_to_the_table_is_checked_kept_and_written(tmp_path: Path) -> None:
    copy = tmp_path / "code"
    shutil.copytree(REPO / "tui", copy / "tui", ignore=shutil.ignore_patterns("__pycache__"))
    source = (copy / "tui/core/annotation.py").read_text(encoding="utf-8")
    anchor = ('    entity: str = field(default="", metadata=kept(Column.EXTRA))'
              '  # an actor\'s canonical name; "": its quote\n')
    assert anchor in source
    (copy / "tui/core/annotation.py").write_text(source.replace(anchor, anchor + NEW_FIELD + NEW_FLAG),
                                                 encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "layer.json")], cwd=copy,
                            env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert ("fields: start,end,quote,tag,document,annotator,prefix,suffix,note,id,created,modified,"
            "original_annotator,entity,topic,done") \
        in result.stdout
    assert "refused:" in result.stdout and "field 'topic' must be a string, got 7" in result.stdout


def test_named_positions_follow_the_table() -> None:
    made = Annotation.create("Kazakhstan said", 0, 10, "actor", document="d", annotator="a", note="n")
    values = record_values(made.to_record())
    assert values is not None
    for name, position in POSITION.items():
        assert values[position] == getattr(made, name)
    assert FIELDS.index("id") == POSITION["id"] and COLUMNS[POSITION["id"]] is Column.UUID


@pytest.mark.parametrize(("change", "message"), [
    ({"start": "0"}, "field 'start' must be an integer, got '0'"),
    ({"end": True}, "field 'end' must be an integer, got true"),
    ({"note": ["x"]}, "field 'note' must be a string, got a list"),
    ({"tag": {"a": 1}}, "field 'tag' must be a string, got an object"),
    ({"created": None}, "field 'created' must be a string, got null"),
    ({"start": 5, "end": 2}, "start 5 is after end 2"),
    ({"start": -1}, "negative start -1"),
    ({"start": 10**200, "end": 10**200 + 1}, None),
])
def test_every_field_is_checked_by_its_type(change: dict, message: str | None) -> None:
    record = {**Annotation.create("Kazakhstan said", 0, 10, "actor", document="d", annotator="a").to_record(),
              **change}
    if message is None:  # a huge but valid offset passes the checks (the text-length check is the store's)
        assert checked_fields(record)["start"] == 10**200
        return
    with pytest.raises(ValueError) as info:
        Annotation.from_record(record)
    assert str(info.value) == message


def test_a_value_is_described_briefly_however_it_is_nested() -> None:
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    record = {**Annotation.create("Kazakhstan said", 0, 10, "actor", document="d", annotator="a").to_record(),
              "note": deep}
    with pytest.raises(ValueError, match="field 'note' must be a string, got a list"):
        Annotation.from_record(record)
    assert json.dumps(FIELDS)  # the table itself stays plain data
