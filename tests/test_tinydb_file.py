"""Issue 11 item 1: stock TinyDB reads and writes the annotation file, and hedgerow reads what
TinyDB wrote (its compact layout, records a script inserted), and schema-1 files."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tui.cli import main
from tui.core.session import Session, SessionOptions
from tui.core.store import ANNOTATIONS, META, META_KEY, SCHEMA_VERSION, AnnotationStore, dumps_stable

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "kazakhstan-nato-partnership-edm-2005.txt"
SCHEMA_1 = REPO / "tests" / "data" / "schema1-seed-alice.json"  # written by hedgerow before schema 2
ALICE = SessionOptions(annotator="alice")
SPANS = [("Kazakhstan", "actor"), ("appeared to support", "hedge"), ("could include", "hedge"),
         ("Ambassador Robert Simmons", "actor")]


def annotated(doc: Path, spans=SPANS) -> Session:
    session = Session.open(doc, ALICE)
    for quote, tag in spans:
        start = session.text.index(quote)
        session.add(start, start + len(quote), tag)
    session.save()
    return session


def stock(script: str, cwd: Path) -> str:
    """Run `script` in a fresh interpreter that imports TinyDB only; it fails if hedgerow got imported."""
    check = ('\nimport sys\n'
             'assert not [m for m in sys.modules if m == "tui" or m.startswith("tui.")], "hedgerow imported"\n')
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(script) + check], cwd=cwd,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_stock_tinydb_searches_gets_inserts_updates_and_removes(project_doc: Path) -> None:
    session = annotated(project_doc)
    path = session.store.path
    out = stock(f"""
        import json
        from tinydb import TinyDB, Query
        db = TinyDB({str(path)!r})
        table = db.table("annotations")
        print(json.dumps({{
            "hedges": sorted(d["quote"] for d in table.search(Query().tag == "hedge")),
            "all": [d.doc_id for d in table.all()],
            "get": table.get(doc_id=4)["quote"],
            "meta": db.table("meta").get(doc_id=1)["annotator"],
        }}))
        new = table.insert({{"start": 0, "end": 12, "tag": "actor", "note": "from a script"}})
        table.update({{"tag": "commitment"}}, Query().quote == "could include")
        table.remove(doc_ids=[1])
        db.table("meta").update({{"done": True}}, doc_ids=[1])
        print(new)
        db.close()
    """, project_doc.parent)
    first, new = out.splitlines()
    assert json.loads(first) == {"hedges": ["appeared to support", "could include"], "all": [1, 2, 3, 4],
                                 "get": "Ambassador Robert Simmons", "meta": "alice"}
    assert new == "5"
    raw = path.read_text(encoding="utf-8")
    assert "\n" not in raw.strip()  # TinyDB's own compact layout
    # hedgerow reads what TinyDB wrote, and completes the script's record.
    reopened = Session.open(project_doc, ALICE)
    by_quote = {a.quote: a for a in reopened.layer}
    assert "Kazakhstan" not in by_quote  # removed
    assert by_quote["could include"].tag == "commitment"  # updated
    added = by_quote[reopened.text[0:12]]
    assert (added.tag, added.note, added.annotator, added.document) == (
        "actor", "from a script", "alice", reopened.document.sha256)
    assert added.prefix == "" and added.suffix == reopened.text[12:44] and len(added.id) == 36
    reopened.save()  # the next save writes it out in hedgerow's layout, keys kept
    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(data[ANNOTATIONS]) == ["2", "3", "4", "5"]
    assert data[ANNOTATIONS]["5"]["id"] == added.id and data[ANNOTATIONS]["5"]["annotator"] == "alice"
    assert data[META][META_KEY]["done"] is True  # a key hedgerow does not know is kept
    assert path.read_text(encoding="utf-8") == dumps_stable(data)


@pytest.mark.parametrize(("record", "message"), [
    ({"start": 5000, "end": 6000, "tag": "hedge"}, "offsets 5000-6000 are outside the text, which has 5,863"),
    ({"start": 12, "end": 3, "tag": "hedge"}, "start 12 is after end 3"),
    ({"start": "0", "end": 3, "tag": "hedge"}, "field 'start' must be an integer, got '0'"),
    ({"start": 0, "end": 3, "tag": ["hedge"]}, "field 'tag' must be a string, got a list"),
    ({"start": 0, "end": 3}, "missing field(s): tag"),
])
def test_a_bad_record_a_script_inserted_gets_one_line(project_doc: Path, capsys: pytest.CaptureFixture,
                                                      record: dict, message: str) -> None:
    path = annotated(project_doc).store.path
    stock(f"""
        from tinydb import TinyDB
        db = TinyDB({str(path)!r})
        db.table("annotations").insert({record!r})
        db.close()
    """, project_doc.parent)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert main(["list", str(project_doc), "--annotator", "alice"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"hedgerow: {path}: record 5 is invalid (")
    assert message in err
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_a_schema_1_file_is_read_and_rewritten_in_schema_2_on_the_next_save(project_doc: Path) -> None:
    path = project_doc.parent / "annotations" / "seed" / "alice.json"
    path.parent.mkdir(parents=True)
    shutil.copyfile(SCHEMA_1, path)
    old = json.loads(SCHEMA_1.read_text(encoding="utf-8"))
    assert old[META]["hedgerow"]["schema"] == 1 and all(k == r["id"] for k, r in old[ANNOTATIONS].items())
    session = Session.open(project_doc, ALICE)
    # every field as it was, and fields added to the record since (issue 8's original_annotator) at their default
    upgraded = {key: {**record, "original_annotator": "", "entity": ""} for key, record in old[ANNOTATIONS].items()}
    assert {a.id: a.to_record() for a in session.layer} == upgraded
    assert path.read_bytes() == SCHEMA_1.read_bytes()  # reading changes nothing
    session.save()
    new = json.loads(path.read_text(encoding="utf-8"))
    assert list(new[ANNOTATIONS]) == ["1", "2", "3", "4", "5"]
    assert [r["id"] for r in new[ANNOTATIONS].values()] == sorted(old[ANNOTATIONS])  # numbered in the old order
    assert {r["id"]: r for r in new[ANNOTATIONS].values()} == upgraded
    assert list(new[META]) == [META_KEY] and new[META][META_KEY]["schema"] == SCHEMA_VERSION == 2
    assert new[META][META_KEY]["document"] == old[META]["hedgerow"]["document"]
    out = stock(f"""
        from tinydb import TinyDB, Query
        db = TinyDB({str(path)!r})
        print(len(db.table("annotations").search(Query().tag == "hedge")))
    """, project_doc.parent)
    assert out.strip() == "2"


def test_records_are_written_in_numeric_id_order_and_new_ones_last(project_doc: Path) -> None:
    session = Session.open(project_doc, ALICE)
    for start in range(0, 120, 10):
        session.add(start, start + 5, "hedge")
    session.save()
    raw = session.store.path.read_text(encoding="utf-8")
    keys = re.findall(r'^    "(\d+)": \{$', raw[:raw.index('\n  "meta"')], flags=re.M)
    assert keys == [str(n) for n in range(1, 13)]  # 10 after 9, not after 1
    session.add(200, 205, "actor")
    session.save()
    grown = session.store.path.read_text(encoding="utf-8")
    table_end = raw.index("\n  },\n  \"meta\"")
    assert grown.startswith(raw[:table_end]) and grown[table_end:].startswith(',\n    "13": {')


def test_other_tables_are_kept_as_they_were(project_doc: Path) -> None:
    session = annotated(project_doc)
    path = session.store.path
    data = json.loads(path.read_text(encoding="utf-8"))
    data["links"] = {"1": {"from": "a", "to": "b", "type": "by"}}
    data["zz-later"] = {"x": {"nested": [1, {"a": None}]}}
    data[META]["2"] = {"kind": "a script's own metadata"}
    path.write_text(dumps_stable(data), encoding="utf-8")
    reopened = Session.open(project_doc, ALICE)
    reopened.add(300, 310, "actor")
    reopened.save()
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["links"] == data["links"] and saved["zz-later"] == data["zz-later"]
    assert saved[META]["2"] == data[META]["2"] and saved[META]["1"]["annotator"] == "alice"
    assert len(AnnotationStore(path).load().annotations) == len(SPANS) + 1


def test_the_readme_tinydb_example_runs_verbatim(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = re.search(r"Stock TinyDB opens it[^\n]*\n\n```python\n(.*?)```", readme, flags=re.S)
    assert example, "the README's TinyDB example"
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()
    doc = project / SEED.name
    shutil.copyfile(SEED, doc)
    annotated(doc)
    out = stock(example.group(1), project)
    assert out == "2 hedges, e.g. appeared to support\n"
    layer = Session.open(doc, ALICE).layer
    script = [a for a in layer if a.note == "added by a script"]
    assert len(script) == 1 and script[0].quote == "Publication:" and script[0].annotator == "alice"


def test_an_annotation_keeps_its_id_through_edits_undo_and_reload(project_doc: Path) -> None:
    session = annotated(project_doc)
    hedge = next(a for a in session.layer if a.quote == "could include")
    keys = {a.id: a.key for a in session.layer}
    assert sorted(keys.values()) == [1, 2, 3, 4] and hedge.key == 3
    session.retag(hedge.id, "commitment")
    session.set_note(hedge.id, "a note")
    assert session.layer[hedge.id].key == 3  # edits keep its place in the file
    session.delete(hedge.id)
    session.undo()
    assert session.layer[hedge.id].key == 3  # undoing a delete puts it back where it was
    new = session.add(100, 110, "actor")
    assert session.layer[new.id].key == 5
    session.undo()
    session.redo()
    assert session.layer[new.id].key >= 5 and len({a.key for a in session.layer}) == len(session.layer)
    session.save()
    reloaded = Session.open(project_doc, ALICE)
    assert {a.id: a.key for a in reloaded.layer} == {a.id: a.key for a in session.layer}


def test_a_layer_made_of_several_files_annotations_renumbers_clashing_ids(project_doc: Path) -> None:
    from tui.core.layer import Layer

    alice = annotated(project_doc).layer.items()
    session = Session.open(project_doc, SessionOptions(annotator="bob"))
    session.add(0, 5, "actor")
    session.add(10, 15, "hedge")
    session.save()
    bob = Session.open(project_doc, SessionOptions(annotator="bob")).layer.items()
    assert sorted(a.key for a in bob) == [1, 2]  # alice's file has 1 and 2 too
    combined = Layer([*alice, *bob])
    assert len({a.key for a in combined}) == len(combined) == len(alice) + len(bob)


def test_stock_tinydb_reads_and_writes_the_links_table(project_doc: Path) -> None:
    """Links are keyed by TinyDB ids too: `.table("links").all()` works with no hedgerow import,
    and a link a script inserts (ends and relation only) is read back as a link."""
    session = annotated(project_doc, [*SPANS, ("setting up a team by 2007", "commitment")])
    by_quote = {a.quote: a for a in session.layer}
    commitment, actor = by_quote["setting up a team by 2007"], by_quote["Ambassador Robert Simmons"]
    by = session.link(commitment.id, actor.id, "by")
    hedges = session.link(by_quote["could include"].id, commitment.id, "hedges")
    session.save()
    out = stock(f"""
        import json
        from tinydb import TinyDB, Query
        db = TinyDB({str(session.store.path)!r})
        links = db.table("links")
        print(json.dumps([[d.doc_id, d["id"], d["from"], d["relation"], d["to"]] for d in links.all()]))
        print(json.dumps([d["to"] for d in links.search(Query().relation == "hedges")]))
        print(links.insert({{"from": {by_quote["appeared to support"].id!r}, "relation": "hedges",
                             "to": {commitment.id!r}}}))
        db.close()
    """, project_doc.parent)
    listed, hedged, new = out.splitlines()
    assert json.loads(listed) == [[1, by.id, commitment.id, "by", actor.id],
                                  [2, hedges.id, by_quote["could include"].id, "hedges", commitment.id]]
    assert json.loads(hedged) == [commitment.id] and new == "3"
    reopened = Session.open(project_doc, ALICE)
    assert {link.source for link in reopened.links.incoming(commitment.id)} == {
        by_quote["could include"].id, by_quote["appeared to support"].id}


def test_links_keyed_by_link_id_are_renumbered_and_stock_tinydb_reads_them_after_a_save(project_doc: Path) -> None:
    """A file written before links were numbered (keyed by the link's id) is read, and the next save
    writes the links under TinyDB ids, each with its id as a field."""
    from tui.core.links import LINKS, Link

    session = annotated(project_doc, [*SPANS, ("setting up a team by 2007", "commitment")])
    by_quote = {a.quote: a for a in session.layer}
    commitment, actor = by_quote["setting up a team by 2007"], by_quote["Ambassador Robert Simmons"]
    old = Link(commitment.id, "by", actor.id, "2026-01-01T00:00:00.000Z")
    data = json.loads(session.store.path.read_text(encoding="utf-8"))
    data[LINKS] = {old.id: {k: v for k, v in old.to_record().items() if k != "id"}}  # the older layout
    session.store.path.write_text(dumps_stable(data), encoding="utf-8")
    reopened = Session.open(project_doc, ALICE)
    assert list(reopened.links) == [old]
    reopened.set_note(commitment.id, "a change, so it saves")
    reopened.save()
    assert json.loads(reopened.store.path.read_text(encoding="utf-8"))[LINKS] == {"1": old.to_record()}
    out = stock(f"""
        from tinydb import TinyDB
        print([d["id"] for d in TinyDB({str(reopened.store.path)!r}).table("links").all()])
    """, project_doc.parent)
    assert out.strip() == repr([old.id])
