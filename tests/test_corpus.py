"""A corpus: discovery, layers keyed by path (same names, the old layout), cheap layer summaries and
their cache, and the corpus commands (status, mv, export/agree/check --corpus), checked on disk."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from corpus_fixture import write_corpus
from shared_tools import run_tool

from tui.cli import main
from tui.core import corpus as corpus_module
from tui.core.corpus import CACHE_VERSION, Summariser, discover
from tui.core.errors import StoreError
from tui.core.layer_summary import read_summary
from tui.core.paths import layer_path
from tui.core.session import Session, SessionOptions
from tui.core.store import AnnotationStore

VALIDATOR = Path(__file__).resolve().parents[2] / "shared" / "tools" / "w3c_validate.py"

TEXTS = {
    "seeds/2005/report.txt": "Report 2005\n\nThe minister may commit to a plan. Officials say it could change.\n",
    "seeds/2006/report.txt": "Report 2006\n\nThe state commits to nothing. Observers doubt it will last.\n",
    "seeds/notes.md": "# Notes\n\nNATO perhaps wants a base. Kazakhstan denies it.\n",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A project (it has .git) with three documents under seeds/, two named report.txt."""
    return write_corpus(tmp_path, TEXTS)


def annotate(doc: Path, spans: list[tuple[str, str]], annotator: str = "alice", done: bool = False) -> Session:
    session = Session.open(doc, SessionOptions(annotator=annotator))
    for quote, tag in spans:
        start = session.text.index(quote)
        session.add(start, start + len(quote), tag)
    if done:
        session.set_done(True)
    session.save()
    return session


def run(capsys: pytest.CaptureFixture, *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


# -- discovery ---------------------------------------------------------------------------

def test_discover_lists_txt_and_md_in_subfolders_sorted_skipping_hidden_and_annotations(corpus: Path) -> None:
    (corpus / "seeds" / ".hidden").mkdir()
    (corpus / "seeds" / ".hidden" / "x.txt").write_text("hidden", encoding="utf-8")
    (corpus / "seeds" / "data.json").write_text("{}", encoding="utf-8")
    annotate(corpus / "seeds/2005/report.txt", [("minister", "actor")])
    found = [entry.relative for entry in discover(corpus)]
    assert found == ["seeds/2005/report.txt", "seeds/2006/report.txt", "seeds/notes.md"]
    assert [e.folder for e in discover(corpus / "seeds")] == ["2005", "2006", ""]


def test_a_symlink_loop_is_not_followed_and_a_linked_folder_is_listed_once(corpus: Path) -> None:
    seeds = corpus / "seeds"
    (seeds / "2005" / "loop").symlink_to(seeds, target_is_directory=True)
    (seeds / "again").symlink_to(seeds / "2006", target_is_directory=True)
    found = [entry.relative for entry in discover(seeds)]
    assert found == ["2005/report.txt", "2006/report.txt", "notes.md"]


def test_bad_files_are_listed_with_their_problem(corpus: Path) -> None:
    seeds = corpus / "seeds"
    (seeds / "binary.txt").write_bytes(b"\x00\x01\x02PNG")
    (seeds / "latin.txt").write_bytes("café".encode("latin-1"))
    (seeds / "gone.txt").symlink_to(seeds / "nowhere.txt")  # unreadable: a dangling link
    summaries = {s.entry.relative: s for s in Summariser(seeds, cache=False).summaries(discover(seeds))}
    assert "binary" in summaries["binary.txt"].problem
    assert "not valid UTF-8" in summaries["latin.txt"].problem
    assert "cannot read it" in summaries["gone.txt"].problem
    assert summaries["2005/report.txt"].problem == "" and summaries["2005/report.txt"].title == "Report 2005"


# -- layers keyed by the document's path -------------------------------------------------------

def test_two_documents_with_the_same_name_never_share_a_layer(corpus: Path) -> None:
    first, second = corpus / "seeds/2005/report.txt", corpus / "seeds/2006/report.txt"
    annotate(first, [("minister", "actor")])
    annotate(second, [("state", "actor"), ("commits", "commitment")])
    assert layer_path(first, "alice") == corpus / "annotations/seeds/2005/report/alice.json"
    assert layer_path(second, "alice") == corpus / "annotations/seeds/2006/report/alice.json"
    assert [a.quote for a in AnnotationStore(layer_path(first, "alice")).load().annotations] == ["minister"]
    assert sorted(a.quote for a in AnnotationStore(layer_path(second, "alice")).load().annotations) == \
        ["commits", "state"]
    assert len(Session.open(first, SessionOptions(annotator="alice")).layer) == 1


def test_a_document_at_the_project_root_keeps_its_folder(project_doc: Path) -> None:
    assert layer_path(project_doc, "alice") == project_doc.parent / "annotations" / "seed" / "alice.json"


def _old_layout(corpus: Path, doc: Path, quote: str, annotator: str = "alice") -> Path:
    """A layer written where hedgerow kept it before: annotations/<stem>/<annotator>.json."""
    session = annotate(doc, [(quote, "actor")], annotator)
    old = corpus / "annotations" / doc.stem / f"{annotator}.json"
    old.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(session.store.path, old)
    return old


def test_the_old_layout_is_read_and_moved_on_the_next_save(corpus: Path) -> None:
    doc = corpus / "seeds/2005/report.txt"
    old = _old_layout(corpus, doc, "minister")
    new = layer_path(doc, "alice")
    assert not new.exists()
    session = Session.open(doc, SessionOptions(annotator="alice"))
    assert [a.quote for a in session.layer] == ["minister"]  # read from the old place
    start = session.text.index("plan")
    session.add(start, start + 4, "commitment")
    session.save()
    assert not old.exists() and not old.parent.exists()
    assert sorted(a.quote for a in AnnotationStore(new).load().annotations) == ["minister", "plan"]


def test_an_old_layout_file_of_the_other_same_name_document_is_not_taken(corpus: Path) -> None:
    old = _old_layout(corpus, corpus / "seeds/2005/report.txt", "minister")
    other = Session.open(corpus / "seeds/2006/report.txt", SessionOptions(annotator="alice"))
    assert len(other.layer) == 0 and other.legacy is None
    assert old.exists()


def test_an_old_layout_file_is_taken_only_by_its_own_name(corpus: Path) -> None:
    """Names map one-to-one to files: `bob.` is not `bob` (whose old file this is)."""
    doc = corpus / "seeds/2005/report.txt"
    old = _old_layout(corpus, doc, "minister", annotator="bob")
    other = Session.open(doc, SessionOptions(annotator="bob."))
    assert len(other.layer) == 0 and other.legacy is None
    assert [a.quote for a in Session.open(doc, SessionOptions(annotator="bob")).layer] == ["minister"]
    assert old.exists()


# -- layer summaries: counted without parsing records ---------------------------------------------

def test_a_layer_summary_counts_tags_and_reads_the_done_mark_and_hash(corpus: Path) -> None:
    doc = corpus / "seeds/2005/report.txt"
    session = annotate(doc, [("minister", "actor"), ("may", "hedge"), ("could", "hedge")], done=True)
    summary = read_summary(session.store.path)
    assert summary.counts == {"actor": 1, "hedge": 2} and summary.total == 3
    assert summary.done and summary.sha256 == session.document.sha256
    assert summary.path == "seeds/2005/report.txt" and summary.problem == ""
    # The same file in another layout (compact JSON) is read the slow way, with the same answer.
    data = json.loads(session.store.path.read_text(encoding="utf-8"))
    session.store.path.write_text(json.dumps(data), encoding="utf-8")
    assert read_summary(session.store.path) == summary


@pytest.mark.parametrize("odd", ['say "so"', "back\\slash", "ünïcode", "tab\tand\u2028line", "ends with \\"])
def test_a_tag_with_escapes_is_counted_as_json_reads_it(corpus: Path, odd: str) -> None:
    """The quick count matches tags without escapes; a layer holding one is counted the careful way."""
    doc = corpus / "seeds/2005/report.txt"
    session = annotate(doc, [("minister", "actor"), ("may", "commitment"), ("could", "commitment"), ("plan", "hedge")])
    written = session.store.path.read_text(encoding="utf-8")
    for ascii_only in (True, False):  # a tag another tool wrote, escaped as JSON allows
        raw = written.replace('"tag": "commitment"', '"tag": ' + json.dumps(odd, ensure_ascii=ascii_only))
        session.store.path.write_text(raw, encoding="utf-8")
        assert read_summary(session.store.path).counts == {"actor": 1, odd: 2, "hedge": 1}
    records = json.loads(raw)["annotations"].values()
    assert sorted(read_summary(session.store.path).counts.items()) == \
        sorted({tag: [r["tag"] for r in records].count(tag) for tag in {r["tag"] for r in records}}.items())


def test_a_damaged_layer_summary_says_so(tmp_path: Path) -> None:
    path = tmp_path / "alice.json"
    path.write_text('{\n  "annotations": {\n    "x": {', encoding="utf-8")
    assert read_summary(path).problem.startswith("damaged")
    assert read_summary(tmp_path / "missing.json").problem.startswith("cannot read it")


@pytest.mark.parametrize(("old", "new"), [('"start": ', '"start": "x", "was": '), ('"end": ', '"end": -'),
                                          ('"start": ', '"start": 1e9, "was": ')])
def test_a_layer_whose_offsets_are_not_numbers_is_damaged_not_counted(corpus: Path, old: str, new: str) -> None:
    """`list` and `check` refuse such a file; `status` and the documents screen counted it as good."""
    doc = corpus / "seeds/2005/report.txt"
    session = annotate(doc, [("minister", "actor"), ("may", "hedge")])
    path = session.store.path
    written = path.read_text(encoding="utf-8")
    path.write_text(written.replace(old, new, 1), encoding="utf-8")
    problem = read_summary(path).problem
    assert problem == "damaged: a record's offsets are not two whole numbers, start before end", problem
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(data), encoding="utf-8")  # another layout: read the slow way, the same answer
    assert read_summary(path).problem == problem


@pytest.mark.parametrize(("old", "new"), [
    ('"tag": "hedge"', '"tag": "hedge",'),  # a comma after a record's last field
    ('"tag": "actor"\n    }', '"tag": "actor"\n    },'),  # after a table's last record
    ('"quote": "may",', '"quote": "may"'),  # a comma left out between two fields
    ('"note": ', '"extra": true,\n      "note": '),  # well formed, a record unlike the first: read the slow way
])
def test_a_comma_too_many_or_too_few_makes_the_layer_damaged(corpus: Path, old: str, new: str) -> None:
    """A hand edit's trailing comma: `list` and `agree` refused the file ("corrupt JSON at line 50
    column 5"), while `status` and the documents screen counted it as good."""
    doc = corpus / "seeds/2005/report.txt"
    session = annotate(doc, [("minister", "actor"), ("may", "hedge")])
    path = session.store.path
    written = path.read_text(encoding="utf-8")
    assert old in written
    path.write_text(written.replace(old, new, 1), encoding="utf-8")
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        assert read_summary(path).problem == f"damaged: corrupt JSON at line {error.lineno} column {error.colno}"
        with pytest.raises(StoreError, match=f"line {error.lineno} column {error.colno}"):
            Session.open(doc, SessionOptions(annotator="alice"))
    else:
        assert read_summary(path).counts == {"actor": 1, "hedge": 1} and not read_summary(path).problem


def test_the_done_mark_is_kept_in_the_layer_and_cleared(corpus: Path) -> None:
    doc = corpus / "seeds/notes.md"
    annotate(doc, [("NATO", "actor")], done=True)
    session = Session.open(doc, SessionOptions(annotator="alice"))
    assert session.done
    session.set_done(False)
    session.save()
    assert not Session.open(doc, SessionOptions(annotator="alice")).done
    assert "done" not in json.loads(session.store.path.read_text(encoding="utf-8"))["meta"]["1"]


def test_summaries_come_from_the_cache_until_a_file_changes(corpus: Path, monkeypatch) -> None:
    doc = corpus / "seeds/2005/report.txt"
    annotate(doc, [("minister", "actor")])
    first = {s.entry.relative: s for s in _summarise(corpus)}
    assert (corpus / ".hedgerow-cache" / "corpus-v3.json").is_file()
    assert (corpus / ".hedgerow-cache" / ".gitignore").read_text() == "*\n"
    reads: list[Path] = []
    real = corpus_module.read_summary
    monkeypatch.setattr(corpus_module, "read_summary", lambda p: reads.append(p) or real(p))
    monkeypatch.setattr(corpus_module, "read_text", lambda *a: pytest.fail("a cached document was read"))
    second = {s.entry.relative: s for s in _summarise(corpus)}
    assert not reads
    assert [(s.title, s.length, s.layers) for s in first.values()] == \
        [(s.title, s.length, s.layers) for s in second.values()]
    monkeypatch.undo()
    annotate(doc, [("plan", "commitment")])  # the layer changed: read again
    third = {s.entry.relative: s for s in _summarise(corpus)}
    assert third["2005/report.txt"].layers["alice"].counts == {"actor": 1, "commitment": 1}


def _summarise(root: Path) -> list:
    summariser = Summariser(root / "seeds")
    summaries = list(summariser.summaries(discover(root / "seeds")))
    summariser.save_cache()
    return summaries


def _cached_counts(root: Path) -> dict[str, dict[str, dict[str, int]]]:
    """Every document's layers' counts as a fresh summariser (with the cache) sees them; the cache saved."""
    return {s.entry.relative: {name: layer.counts for name, layer in s.layers.items()} for s in _summarise(root)}


def test_the_cache_sees_a_layer_added_removed_or_rewritten_in_place(corpus: Path) -> None:
    """One entry per document: the layer folder's mtime says whether files came or went, each
    file's size and mtime whether it changed, even when written in place (the folder's mtime kept)."""
    doc = corpus / "seeds/2005/report.txt"
    alice = annotate(doc, [("minister", "actor")]).store.path
    assert _cached_counts(corpus)["2005/report.txt"] == {"alice": {"actor": 1}}
    bob = annotate(doc, [("plan", "commitment")], annotator="bob").store.path  # a file added
    assert _cached_counts(corpus)["2005/report.txt"] == {"alice": {"actor": 1}, "bob": {"commitment": 1}}
    bob.unlink()  # a file removed
    assert _cached_counts(corpus)["2005/report.txt"] == {"alice": {"actor": 1}}
    folder_mtime = alice.parent.stat().st_mtime_ns
    other = annotate(corpus / "seeds/2006/report.txt", [("state", "actor"), ("nothing", "hedge")])
    alice.write_bytes(other.store.path.read_bytes())  # rewritten in place: the folder's mtime stays
    assert alice.parent.stat().st_mtime_ns == folder_mtime
    assert _cached_counts(corpus)["2005/report.txt"] == {"alice": {"actor": 1, "hedge": 1}}
    cached = json.loads((corpus / ".hedgerow-cache" / "corpus-v3.json").read_text(encoding="utf-8"))
    assert sorted(cached["documents"]) == ["seeds/2005/report", "seeds/2006/report", "seeds/notes.md"]


def test_the_cache_sees_a_document_changed_on_disk(corpus: Path) -> None:
    doc = corpus / "seeds/2005/report.txt"
    annotate(doc, [("minister", "actor")])
    first = {s.entry.relative: s for s in _summarise(corpus)}["2005/report.txt"]
    assert first.title == "Report 2005" and not first.stale()
    doc.write_text("Another title\n\n" + TEXTS["seeds/2005/report.txt"], encoding="utf-8")
    second = {s.entry.relative: s for s in _summarise(corpus)}["2005/report.txt"]
    assert second.title == "Another title" and second.stale() == ["alice"]  # ⚠: the text changed
    doc.write_bytes(b"\x00\x01binary now")
    third = {s.entry.relative: s for s in _summarise(corpus)}["2005/report.txt"]
    assert "binary" in third.problem


@pytest.mark.parametrize("damage", [
    b"\x00\xff not json at all",
    b'{"version": 3, "documents": {"seeds/2005/report": [1, 2, 3]',  # cut short
    b"[]",
    b'{"version": 3, "documents": [], "folders": 7}',
    b'{"version": 1, "documents": {}}',
    "every row",  # valid JSON, the right version, every value of the wrong type
])
def test_a_damaged_cache_file_is_ignored_and_written_again(corpus: Path, damage: bytes | str) -> None:
    doc = corpus / "seeds/2005/report.txt"
    annotate(doc, [("minister", "actor")], done=True)
    annotate(doc, [("plan", "commitment")], annotator="bob")
    right = {s.entry.relative: (s.title, s.length, s.sha256, s.problem, s.layers) for s in _summarise(corpus)}
    cache = corpus / ".hedgerow-cache" / "corpus-v3.json"
    if damage == "every row":
        data = json.loads(cache.read_text(encoding="utf-8"))
        for row in data["documents"].values():
            row[2:6] = [7, "x", None, []]
            for layer in row[7].values():
                layer[2:] = [{"actor": "many"}, "yes", 1, 2, 3, 4]
        data["documents"]["seeds/2005/report"][7]["../../x"] = [0, 0]  # not a file name: the folder is listed
        damage = json.dumps(data).encode("utf-8")
    assert isinstance(damage, bytes)
    cache.write_bytes(damage)
    again = {s.entry.relative: (s.title, s.length, s.sha256, s.problem, s.layers) for s in _summarise(corpus)}
    assert again == right
    assert json.loads(cache.read_text(encoding="utf-8"))["version"] == CACHE_VERSION  # written again, whole
    assert {s.entry.relative: (s.title, s.length, s.sha256, s.problem, s.layers) for s in _summarise(corpus)} == right


# -- hedgerow status -------------------------------------------------------------------------------

def test_status_shows_counts_done_marks_changed_texts_and_missing_documents(corpus: Path, capsys) -> None:
    report = corpus / "seeds/2005/report.txt"
    annotate(report, [("minister", "actor"), ("may", "hedge")], done=True)
    annotate(report, [("plan", "commitment")], annotator="bob")
    annotate(corpus / "seeds/notes.md", [("NATO", "actor")], annotator="bob")
    report.write_text(TEXTS["seeds/2005/report.txt"] + "Later edit.\n", encoding="utf-8")  # bob's layer: ⚠
    gone = corpus / "seeds/2006/report.txt"
    annotate(gone, [("state", "actor")])
    gone.unlink()
    code, out, _ = run(capsys, "status", corpus / "seeds")
    assert code == 0
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.startswith(("2005", "notes"))}
    assert lines["2005/report.txt"] == ["2✓⚠", "1⚠"]
    assert lines["notes.md"] == ["·", "1"]
    assert "missing document: seeds/2006/report has layers by alice" in out
    code, out, _ = run(capsys, "status", corpus / "seeds", "--json")
    data = json.loads(out)
    assert code == 0 and data["annotators"] == ["alice", "bob"]
    first = data["documents"][0]
    assert first["path"] == "2005/report.txt" and first["layers"]["alice"]["done"] is True
    assert first["layers"]["alice"]["counts"] == {"actor": 1, "hedge": 1} and first["layers"]["bob"]["changed"]
    assert data["missing"] == [{"layer": "seeds/2006/report", "annotators": ["alice"]}]


def test_status_names_each_damaged_layer_and_what_is_wrong(corpus: Path, capsys) -> None:
    report = corpus / "seeds/2005/report.txt"
    session = annotate(report, [("minister", "actor"), ("may", "hedge")], annotator="bob")
    path = session.store.path
    path.write_text(path.read_text(encoding="utf-8").replace('"tag": "actor"', '"tag": "actor",'), encoding="utf-8")
    code, out, _ = run(capsys, "status", corpus / "seeds")
    assert code == 0
    assert out.split("2005/report.txt")[1].split()[0] == "!"
    assert "0 unreadable; 1 layer file damaged (!)." in out
    assert "! 2005/report.txt, bob: damaged: corrupt JSON at line " in out


def test_status_counts_done_marks_of_annotators_not_of_gold(corpus: Path, capsys) -> None:
    report = corpus / "seeds/2005/report.txt"
    annotate(report, [("minister", "actor")], done=True)
    gold = Session.open(report, SessionOptions(annotator="gold", gold=True))
    start = gold.text.index("minister")
    gold.add(start, start + len("minister"), "actor")
    gold.save()
    code, out, _ = run(capsys, "status", corpus / "seeds")
    assert code == 0 and ": alice done 1; " in out and "gold done" not in out
    assert out.split("2005/report.txt")[1].split()[:2] == ["1✓", "1"]  # gold's column is still there


def test_status_of_an_empty_folder_says_where_it_looked(tmp_path: Path, capsys) -> None:
    (tmp_path / "empty").mkdir()
    code, out, _ = run(capsys, "status", tmp_path / "empty")
    assert code == 0 and f"No documents (.txt, .md) under {(tmp_path / 'empty').resolve()}" in out


# -- hedgerow mv -------------------------------------------------------------------------------------

def test_mv_moves_a_document_and_its_layers(corpus: Path, capsys) -> None:
    doc = corpus / "seeds/2005/report.txt"
    annotate(doc, [("minister", "actor")])
    annotate(doc, [("plan", "commitment")], annotator="bob")
    (corpus / "seeds/2007").mkdir()
    code, _, err = run(capsys, "mv", doc, corpus / "seeds/2007/renamed.txt")
    assert code == 0, err
    moved = corpus / "seeds/2007/renamed.txt"
    assert moved.is_file() and not doc.exists()
    assert not (corpus / "annotations/seeds/2005/report").exists()
    assert [a.quote for a in Session.open(moved, SessionOptions(annotator="bob")).layer] == ["plan"]
    code, out, _ = run(capsys, "status", corpus / "seeds")
    assert "missing document" not in out
    for name in ("alice", "bob"):  # each layer says where its document is now (it kept the old path)
        layer = corpus / "annotations/seeds/2007/renamed" / f"{name}.json"
        assert json.loads(layer.read_text(encoding="utf-8"))["meta"]["1"]["document"]["path"] == \
            "seeds/2007/renamed.txt"


def test_mv_keeps_a_layer_made_on_another_version_of_the_text_saying_so(corpus: Path, capsys) -> None:
    """The path is rewritten, nothing else: a layer made on an older text keeps that text's sha256
    (rewriting it through a session stamped the current text's, and `check` saw nothing to move)."""
    doc = corpus / "seeds/2005/report.txt"
    session = annotate(doc, [("minister", "actor")])
    made_on = session.document.sha256
    doc.write_text("A new first line.\n" + doc.read_text(encoding="utf-8"), encoding="utf-8")
    before = json.loads(session.store.path.read_text(encoding="utf-8"))
    (corpus / "seeds/2007").mkdir()
    assert run(capsys, "mv", doc, corpus / "seeds/2007/renamed.txt")[0] == 0
    after = json.loads((corpus / "annotations/seeds/2007/renamed/alice.json").read_text(encoding="utf-8"))
    assert after["meta"]["1"]["document"]["sha256"] == made_on
    assert after["meta"]["1"]["document"]["path"] == "seeds/2007/renamed.txt"
    assert after["annotations"] == before["annotations"]
    code, out, _ = run(capsys, "check", corpus / "seeds/2007/renamed.txt", "--annotator", "alice")
    assert code == 0 and "1 moved" in out  # check still finds the span to move


def test_mv_refuses_to_overwrite(corpus: Path, capsys) -> None:
    code, _, err = run(capsys, "mv", corpus / "seeds/2005/report.txt", corpus / "seeds/2006/report.txt")
    assert code == 2 and "already exists" in err


@pytest.mark.skipif(shutil.which("git") is None, reason="git is absent")
def test_mv_uses_git_mv_for_tracked_files(tmp_path: Path, capsys) -> None:
    repo = tmp_path / "repo"
    (repo / "seeds").mkdir(parents=True)
    doc = repo / "seeds" / "a.txt"
    doc.write_text(TEXTS["seeds/notes.md"], encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    annotate(doc, [("NATO", "actor")])
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=repo, check=True)
    code, _, err = run(capsys, "mv", doc, repo / "seeds" / "b.txt")
    assert code == 0, err
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout
    assert "R  seeds/a.txt -> seeds/b.txt" in status
    assert "R  annotations/seeds/a/alice.json -> annotations/seeds/b/alice.json" in status


# -- export / agree / check --corpus -------------------------------------------------------------------

def _two_annotators(corpus: Path) -> None:
    first, second = corpus / "seeds/2005/report.txt", corpus / "seeds/2006/report.txt"
    annotate(first, [("minister", "actor"), ("may", "hedge")])
    annotate(first, [("minister", "actor"), ("plan", "commitment")], annotator="bob")
    annotate(second, [("state", "actor")])
    annotate(second, [("state", "actor")], annotator="bob")
    annotate(corpus / "seeds/notes.md", [("NATO", "actor")])  # one annotator: not compared


def test_export_corpus_in_every_format_names_each_document(corpus: Path, capsys, tmp_path: Path) -> None:
    _two_annotators(corpus)
    seeds = corpus / "seeds"
    code, out, _ = run(capsys, "export", "--corpus", seeds, "--annotator", "alice", "-f", "json")
    data = json.loads(out)
    assert code == 0
    assert [(d["document"]["path"], [a["quote"] for a in d["annotations"]]) for d in data["documents"]] == [
        ("seeds/2005/report.txt", ["minister", "may"]), ("seeds/2006/report.txt", ["state"]),
        ("seeds/notes.md", ["NATO"])]
    code, out, _ = run(capsys, "export", "--corpus", seeds, "--annotator", "alice", "-f", "jsonl")
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["path"], r["quote"]) for r in records] == [
        ("seeds/2005/report.txt", "minister"), ("seeds/2005/report.txt", "may"),
        ("seeds/2006/report.txt", "state"), ("seeds/notes.md", "NATO")]
    code, out, _ = run(capsys, "export", "--corpus", seeds, "--all", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 7 and {r["path"] for r in rows} == {"seeds/2005/report.txt", "seeds/2006/report.txt",
                                                            "seeds/notes.md"}
    target = tmp_path / "corpus.w3c.jsonld"
    code, _, err = run(capsys, "export", "--corpus", seeds, "--annotator", "alice", "-f", "w3c", "-o", target)
    assert "wrote 4 annotations from 3 documents of 3 under" in err
    code, _, err = run(capsys, "export", "--corpus", seeds, "--annotator", "bob", "-f", "w3c", "-o", target)
    assert "wrote 3 annotations from 2 documents of 3 under" in err  # bob has no layer on notes.md
    code, _, _ = run(capsys, "export", "--corpus", seeds, "--annotator", "alice", "-f", "w3c", "-o", target)
    collection = json.loads(target.read_text(encoding="utf-8"))
    assert code == 0 and collection["type"] == "AnnotationCollection" and collection["total"] == 4
    items = collection["first"]["items"]
    assert len(items) == 4 and len({item["target"]["source"] for item in items}) == 3
    assert [item["hedgerow"]["path"] for item in items][-1] == "seeds/notes.md"
    if VALIDATOR.is_file():
        result = run_tool(VALIDATOR, str(target))
        assert result.returncode == 0, result.stdout + result.stderr


def test_agree_corpus_reports_each_document_and_the_pooled_figure(corpus: Path, capsys) -> None:
    _two_annotators(corpus)
    code, out, _ = run(capsys, "agree", "--corpus", corpus / "seeds", "--json")
    data = json.loads(out)
    assert code == 0
    assert [d["path"] for d in data["documents"]] == ["2005/report.txt", "2006/report.txt"]
    assert data["documents"][0]["report"]["pairs"][0]["overall"]["exact_f1"] == pytest.approx(0.5)
    pooled = data["pooled"][0]
    assert (pooled["a"], pooled["b"], pooled["exact_matches"], pooled["spans_a"], pooled["spans_b"]) == \
        ("alice", "bob", 2, 3, 3)
    assert pooled["exact_f1"] == pytest.approx(2 * 2 / 6)
    code, out, err = run(capsys, "agree", "--corpus", corpus / "seeds", "--min-f1", "0.6")
    assert code == 0 and "pooled over 2 documents" in out
    code, out, err = run(capsys, "agree", "--corpus", corpus / "seeds", "--min-f1", "0.7")
    assert code == 1 and "pooled exact-span F1 0.667 is below --min-f1 0.7" in err


def test_check_corpus_goes_through_every_layer_and_fails_on_orphans(corpus: Path, capsys) -> None:
    _two_annotators(corpus)
    Session.open(corpus / "seeds/2006/report.txt", SessionOptions(annotator="gold", gold=True)).save()  # adjudicated
    code, out, err = run(capsys, "check", "--corpus", corpus / "seeds")
    assert code == 0 and "checked 6 layers" in out and "0 unreadable" in out, err  # gold's layer too
    notes = corpus / "seeds/notes.md"
    notes.write_text("# Notes\n\nSomething else entirely.\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", "--corpus", corpus / "seeds")
    assert code == 1 and "1 orphan," in out


def test_corpus_export_streams_one_document_at_a_time(corpus: Path, capsys, monkeypatch) -> None:
    """While the corpus is exported, no earlier document is still alive when the next one is read."""
    import gc
    import weakref

    from tui.core.document import Document

    _two_annotators(corpus)
    refs: list[weakref.ref] = []
    most = 0
    load = Document.load.__func__

    def watched(cls, path):
        nonlocal most
        gc.collect()
        most = max(most, sum(ref() is not None for ref in refs))
        document = load(cls, path)
        refs.append(weakref.ref(document))
        return document

    monkeypatch.setattr(Document, "load", classmethod(watched))
    code, out, _ = run(capsys, "export", "--corpus", corpus / "seeds", "--annotator", "alice", "-f", "jsonl")
    assert code == 0 and len(refs) == 3 and len(out.splitlines()) == 4
    assert most <= 1  # the one being written, never the corpus


def test_old_layout_layers_are_counted_for_their_document_only(corpus: Path) -> None:
    _old_layout(corpus, corpus / "seeds/2005/report.txt", "minister")
    summaries = {s.entry.relative: s for s in Summariser(corpus / "seeds", cache=False).summaries(
        discover(corpus / "seeds"))}
    assert summaries["2005/report.txt"].layers["alice"].counts == {"actor": 1}
    assert "alice" not in summaries["2006/report.txt"].layers
    assert list(Summariser(corpus / "seeds", cache=False).orphan_layers()) == []  # not reported as missing


def test_an_old_layout_folder_made_after_the_listing_is_seen_once_the_folders_are_forgotten(corpus: Path) -> None:
    """annotations/ is listed once per summariser (not a failed scandir per document): a re-read
    after forget_folders() sees a folder that appeared since."""
    summariser = Summariser(corpus / "seeds", cache=False)
    entries = {entry.relative: entry for entry in discover(corpus / "seeds")}
    summary = summariser.summary(entries["2005/report.txt"])
    assert "alice" not in summary.layers
    _old_layout(corpus, corpus / "seeds/2005/report.txt", "minister")
    summariser.forget_folders()
    summariser.fill(summary)
    assert summary.layers["alice"].counts == {"actor": 1}
    assert summary.key == "seeds/2005/report"


def test_export_corpus_carries_each_documents_links_in_every_format(corpus: Path, capsys, tmp_path: Path) -> None:
    doc = corpus / "seeds/2005/report.txt"
    session = annotate(doc, [("minister", "actor"), ("commit to a plan", "commitment"), ("may", "hedge")])
    actor, commitment, hedge = (next(a for a in session.layer if a.tag == tag) for tag in
                                ("actor", "commitment", "hedge"))
    session.link(commitment.id, actor.id, "by")
    session.link(hedge.id, commitment.id, "hedges")
    session.set_entity(actor.id, "The Minister")
    session.save()
    annotate(corpus / "seeds/notes.md", [("NATO", "actor")])  # a document without links
    seeds = corpus / "seeds"
    code, out, _ = run(capsys, "export", "--corpus", seeds, "--annotator", "alice", "-f", "json")
    documents = json.loads(out)["documents"]
    assert code == 0 and [len(d.get("links", [])) for d in documents] == [2, 0]
    assert {(link["from"], link["relation"], link["to"]) for link in documents[0]["links"]} == {
        (commitment.id, "by", actor.id), (hedge.id, "hedges", commitment.id)}
    code, out, _ = run(capsys, "export", "--corpus", seeds, "--annotator", "alice", "-f", "jsonl")
    links = [r for r in map(json.loads, out.splitlines()) if r.get("type") == "link"]
    assert sorted((r["relation"], r["path"]) for r in links) == [("by", "seeds/2005/report.txt"),
                                                                ("hedges", "seeds/2005/report.txt")]
    code, out, _ = run(capsys, "export", "--corpus", seeds, "--annotator", "alice", "-f", "csv")
    rows = {r["quote"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["commit to a plan"]["links"] == f"by:{actor.id}" and rows["may"]["links"] == f"hedges:{commitment.id}"
    assert rows["minister"]["entity"] == "The Minister" and rows["NATO"]["links"] == ""
    target = tmp_path / "linked.w3c.jsonld"
    code, _, _ = run(capsys, "export", "--corpus", seeds, "--annotator", "alice", "-f", "w3c", "-o", target)
    collection = json.loads(target.read_text(encoding="utf-8"))
    items = collection["first"]["items"]
    assert code == 0 and collection["total"] == len(items) == 6
    assert [item["motivation"] for item in items if item["motivation"] == "linking"] == ["linking", "linking"]
    if VALIDATOR.is_file():
        result = run_tool(VALIDATOR, str(target))
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("command", [["export", "-f", "jsonl"], ["agree"], ["check"], ["brief", "--annotator", "alice"],
                                     ["report", "-o", "report.html"], ["status"]])
def test_a_folder_where_a_document_goes_means_its_corpus(corpus: Path, capsys, command: list[str]) -> None:
    _two_annotators(corpus)
    folder = corpus / "seeds"
    options = [str(corpus / part) if part.endswith(".html") else part for part in command[1:]]
    as_folder = run(capsys, command[0], folder, *options)
    flag = ["--corpus"] if command[0] in ("export", "agree", "check") else []
    named = ["--corpus", folder] if command[0] in ("brief", "report") else [folder]
    as_corpus = run(capsys, command[0], *flag, *named, *options)
    assert as_folder[0] == as_corpus[0] == 0, as_folder[2]
    assert as_folder[1] == as_corpus[1] and "is a directory" not in as_folder[2]


def test_a_scan_without_stats_gives_the_same_summaries_and_the_cache_still_holds(corpus: Path, monkeypatch) -> None:
    """The documents screen scans names only (discover(stat=False)) before its first frame; the
    worker's fill stats each document, so the summaries and the cache's hits are the same."""
    annotate(corpus / "seeds/2005/report.txt", [("minister", "actor")])
    entries = discover(corpus / "seeds", stat=False)
    assert [e.relative for e in entries] == [e.relative for e in discover(corpus / "seeds")]
    assert {e.size for e in entries} == {-1}
    right = [(s.title, s.length, s.sha256, s.layers) for s in _summarise(corpus)]
    summariser = Summariser(corpus / "seeds")
    monkeypatch.setattr(corpus_module, "read_text", lambda *a: pytest.fail("a cached document was read"))
    assert [(s.title, s.length, s.sha256, s.layers) for s in summariser.summaries(entries)] == right
    monkeypatch.undo()
    (corpus / "seeds/notes.md").write_text("# Changed\n\nNew text.\n", encoding="utf-8")
    names_only = discover(corpus / "seeds", stat=False)
    again = {s.entry.relative: s for s in Summariser(corpus / "seeds").summaries(names_only)}
    assert again["notes.md"].title == "# Changed"  # its size and mtime changed: read again


def test_a_merge_conflict_inside_the_annotations_table_is_reported_not_counted(corpus: Path) -> None:
    """Both sides of a conflict hold whole records: a quick count of tag lines would add them up."""
    session = annotate(corpus / "seeds/2005/report.txt", [("minister", "actor"), ("may", "hedge")])
    lines = session.store.path.read_text(encoding="utf-8").split("\n")
    first = lines.index('    "1": {')
    record = lines[first:lines.index("    },", first) + 1]
    theirs = [line.replace('"tag": "actor"', '"tag": "hedge"') for line in record]
    lines[first:first + len(record)] = ["<<<<<<< ours: annotation 1", *record, "=======", *theirs, ">>>>>>> theirs"]
    session.store.path.write_text("\n".join(lines), encoding="utf-8")
    summary = read_summary(session.store.path)
    assert summary.problem == "unresolved merge conflict" and summary.counts == {}


@pytest.mark.parametrize("damage", ["no tag", "number tag", "open string", "two tags"])
def test_a_record_the_quick_count_cannot_vouch_for_is_counted_as_json_reads_it_or_reported(
        corpus: Path, damage: str) -> None:
    session = annotate(corpus / "seeds/2005/report.txt", [("minister", "actor"), ("may", "hedge"), ("plan", "hedge")])
    raw = session.store.path.read_text(encoding="utf-8")
    raw = {"no tag": raw.replace(',\n      "tag": "actor"', "", 1),
           "number tag": raw.replace('"tag": "actor"', '"tag": 7', 1),
           "open string": raw.replace('"tag": "actor"', '"tag": "actor', 1),
           "two tags": raw.replace('"tag": "actor"', '"tag": "actor",\n      "tag": "hedge"', 1)}[damage]
    session.store.path.write_text(raw, encoding="utf-8")
    summary = read_summary(session.store.path)
    if damage == "open string":
        assert summary.problem.startswith("damaged") and summary.counts == {}
        return
    records = json.loads(raw)["annotations"].values()  # what stock json makes of it (the last key wins)
    tags = [str(r.get("tag", "")) for r in records]
    assert summary.problem == "" and summary.counts == {tag: tags.count(tag) for tag in set(tags)}


def test_reading_ahead_changes_nothing_it_reads_and_skips_what_the_cache_holds(corpus: Path, monkeypatch) -> None:
    """fill_each asks the OS for the files of documents the cache has no row for, a batch ahead."""
    annotate(corpus / "seeds/2005/report.txt", [("minister", "actor")])
    annotate(corpus / "seeds/2005/report.txt", [("may", "hedge")], annotator="bob")
    right = [(s.entry.relative, s.title, s.layers) for s in _summarise(corpus)]
    shutil.rmtree(corpus / ".hedgerow-cache")
    asked: list[str] = []
    monkeypatch.setattr(corpus_module, "_will_need", asked.append)
    monkeypatch.setattr(corpus_module, "READ_AHEAD", 2)
    summariser = Summariser(corpus / "seeds")
    blanks = [summariser.blank(entry) for entry in discover(corpus / "seeds", stat=False)]
    filled = [(s.entry.relative, s.title, s.layers) for s in summariser.fill_each(blanks)]
    assert filled == right
    layers = layer_path(corpus / "seeds/2005/report.txt", "alice").parent
    assert sorted(asked) == sorted([*(str(s.entry.path) for s in blanks), str(layers / "alice.json"),
                                    str(layers / "bob.json")])
    summariser.save_cache()
    asked.clear()
    warm = Summariser(corpus / "seeds")
    list(warm.fill_each([warm.blank(entry) for entry in discover(corpus / "seeds", stat=False)]))
    assert asked == []  # every document has its cache row: nothing to read ahead


