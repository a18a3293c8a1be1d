"""The annotation store: uuid-keyed TinyDB files, stable JSON, atomic writes, damage refused."""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import subprocess
import types
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from tinydb import Query

from tui.core import atomic
from tui.core.annotation import Annotation
from tui.core.errors import StoreError
from tui.core.layer import Layer
from tui.core.paths import layer_files
from tui.core.session import Session, SessionOptions
from tui.core.store import (
    ANNOTATIONS,
    META,
    META_KEY,
    SCHEMA_VERSION,
    AnnotationStore,
    dumps_stable,
    dumps_stable_bytes,
    read_json,
)

ALICE = SessionOptions(annotator="alice")


def tagged_session(doc: Path, spans: list[tuple[str, str]]) -> Session:
    """A session on `doc` with each (quote, tag) tagged at the quote's first occurrence."""
    session = Session.open(doc, ALICE)
    for quote, tag in spans:
        start = session.text.index(quote)
        session.add(start, start + len(quote), tag)
    return session


def find(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


SPANS = [("Kazakhstan", "actor"), ("appeared to support", "hedge"), ("could include", "hedge"),
         ("Ambassador Robert Simmons", "actor"), ("would participate", "commitment")]


# -- the file format ----------------------------------------------------------------------------


def test_records_are_keyed_by_tinydb_ids_and_keep_their_uuid(project_doc: Path) -> None:
    session = tagged_session(project_doc, SPANS)
    session.save()
    data = json.loads(session.store.path.read_text(encoding="utf-8"))
    assert set(data) == {ANNOTATIONS, META}
    records = data[ANNOTATIONS]
    assert list(records) == ["1", "2", "3", "4", "5"]  # TinyDB's document ids, in the order they were made
    assert [r["quote"] for r in records.values()] == [quote for quote, _ in SPANS]
    for record in records.values():
        assert len(record["id"]) == 36 and record["id"].count("-") == 4  # a uuid
    assert {r["id"] for r in records.values()} == session.layer.ids()
    assert list(data[META]) == ["1"]
    meta = data[META][META_KEY]
    assert meta["schema"] == SCHEMA_VERSION
    assert meta["annotator"] == "alice"
    assert meta["document"]["sha256"] == session.document.sha256
    assert meta["document"]["path"] == "seed.txt"
    assert meta["document"]["length"] == len(session.text)
    assert session.store.path == project_doc.parent / "annotations" / "seed" / "alice.json"


def test_file_is_stable_json(project_doc: Path) -> None:
    session = tagged_session(project_doc, [*SPANS, ("NATO’s Partners", "actor")])
    session.save()
    raw = session.store.path.read_text(encoding="utf-8")
    data = json.loads(raw)
    assert raw == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert '"quote": "NATO’s Partners"' in raw and "\\u2019" not in raw  # real characters, not \u escapes
    first = raw
    session.save()  # saving the same annotations writes the same bytes
    assert session.store.path.read_text(encoding="utf-8") == first


def test_tinydb_reads_and_queries_the_file(project_doc: Path) -> None:
    session = tagged_session(project_doc, SPANS)
    session.save()
    db = session.store.open_db()
    try:
        table = db.table("annotations")
        hedges = table.search(Query().tag == "hedge")
        assert sorted(h["quote"] for h in hedges) == ["appeared to support", "could include"]
        assert {h.doc_id for h in hedges} == {2, 3}  # TinyDB's Document ids are ints
        assert {h["id"] for h in hedges} == {a.id for a in session.layer if a.tag == "hedge"}
        assert len(table) == len(SPANS)
        assert table.get(doc_id=4)["quote"] == "Ambassador Robert Simmons"
        assert db.table("meta").get(doc_id=1)["annotator"] == "alice"
    finally:
        db.close()


def test_tinydb_writes_through_open_db_keep_the_stable_format(project_doc: Path) -> None:
    session = tagged_session(project_doc, SPANS[:2])
    session.save()
    extra = Annotation.create(session.text, 0, 11, "actor", document=session.document.sha256, annotator="alice")
    db = session.store.open_db()
    try:
        assert db.table("annotations").insert(extra.to_record()) == 3  # the next id, as TinyDB gives it
    finally:
        db.close()
    raw = session.store.path.read_text(encoding="utf-8")
    assert raw == json.dumps(json.loads(raw), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert list(json.loads(raw)[ANNOTATIONS]) == ["1", "2", "3"]
    loaded = AnnotationStore(session.store.path).load()
    assert extra.id in {a.id for a in loaded.annotations}
    assert len(loaded.annotations) == 3


def test_load_missing_file_is_empty(tmp_path: Path) -> None:
    stored = AnnotationStore(tmp_path / "none" / "alice.json").load()
    assert stored.annotations == [] and stored.meta == {} and stored.document_sha256 == ""


def test_load_round_trips_and_the_layer_sorts(project_doc: Path) -> None:
    session = tagged_session(project_doc, SPANS)
    session.save()
    stored = AnnotationStore(session.store.path).load()
    assert [a.id for a in stored.annotations] == sorted(a.id for a in session.layer)  # id order
    assert Layer(stored.annotations).items() == sorted(session.layer, key=Annotation.sort_key)
    by_id = lambda records: sorted(records, key=lambda r: r["id"])  # noqa: E731
    assert by_id(a.to_record() for a in stored.annotations) == by_id(a.to_record() for a in session.layer)
    assert stored.document_sha256 == session.document.sha256


# -- damaged files are refused and left alone ---------------------------------------------------

GOOD_RECORD = {"start": 0, "end": 10, "quote": "Kazakhstan", "tag": "actor", "id": "k1",
               "document": "", "annotator": "alice"}
DAMAGED = [
    ("invalid-json", b'{"annotations": {', "corrupt JSON at line 1"),
    ("not-an-object", b"[1, 2, 3]\n", "not a hedgerow annotation file"),
    ("table-not-object", b'{"annotations": []}\n', "not a hedgerow annotation file"),
    ("empty", b"", "the file is empty"),
    ("whitespace", b"  \n\n", "the file is empty"),
    ("not-utf8", b'{"annotations": {"\xff": {}}}', "not UTF-8 at byte"),
    ("record-not-object", b'{"annotations": {"k1": 5}}', "record k1 is not an object"),
    ("missing-field", json.dumps({"annotations": {"k1": {"start": 0, "end": 1}}}).encode(), "missing field(s)"),
    ("string-offset", json.dumps({"annotations": {"k1": {**GOOD_RECORD, "start": "0"}}}).encode(),
     "'start' must be an integer"),
    ("bool-offset", json.dumps({"annotations": {"k1": {**GOOD_RECORD, "end": True}}}).encode(),
     "'end' must be an integer"),
    ("empty-span", json.dumps({"annotations": {"k1": {**GOOD_RECORD, "end": 0}}}).encode(), "empty span 0-0"),
    ("id-mismatch", json.dumps({"annotations": {"k2": GOOD_RECORD}}).encode(),
     "record k2: its key is neither a TinyDB document id (1, 2, ...) nor its id k1"),
    ("key-zero", json.dumps({"annotations": {"0": GOOD_RECORD}}).encode(), "record 0: its key is neither"),
    ("newer-schema", json.dumps({"annotations": {}, "meta": {"hedgerow": {"schema": 99}}}).encode(), "newer hedgerow"),
    ("meta-not-object", json.dumps({"annotations": {}, "meta": {"hedgerow": "x"}}).encode(), "damaged meta"),
    ("meta-document-not-object", json.dumps({"annotations": {}, "meta": {"hedgerow": {"document": "x"}}}).encode(),
     "damaged meta"),
]


@pytest.mark.parametrize(("raw", "message"), [d[1:] for d in DAMAGED], ids=[d[0] for d in DAMAGED])
def test_damaged_file_is_refused_and_untouched(project_doc: Path, raw: bytes, message: str) -> None:
    path = project_doc.parent / "annotations" / "seed" / "alice.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(raw)
    with pytest.raises(StoreError) as info:
        Session.open(project_doc, ALICE)
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert path.read_bytes() == raw
    assert sorted(p.name for p in path.parent.iterdir()) == ["alice.json"]


def test_read_json_unreadable_path_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="cannot read it"):
        read_json(tmp_path / "file" / "alice.json")  # a path through a regular file


# -- crash safety -----------------------------------------------------------------------------


def patched_os(monkeypatch: pytest.MonkeyPatch, **overrides) -> None:
    """Replace functions of `os` as tui.core.atomic sees them, and nowhere else."""
    fake = types.SimpleNamespace(**{name: getattr(os, name) for name in dir(os) if not name.startswith("__")})
    for name, value in overrides.items():
        setattr(fake, name, value)
    monkeypatch.setattr(atomic, "os", fake)


@pytest.fixture
def saved(project_doc: Path) -> Session:
    """A session whose file holds three annotations; one more is added but not yet saved."""
    session = tagged_session(project_doc, SPANS[:3])
    session.save()
    start = session.text.index("NATO")
    session.add(start, start + 4, "actor")
    return session


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "alice.json")


def test_failed_replace_keeps_old_file_and_cleans_up(saved: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    before = saved.store.path.read_bytes()

    def broken_replace(src, dst):
        assert Path(src).read_bytes() != before  # the new contents were fully written first
        raise OSError(errno.EIO, "Input/output error")

    patched_os(monkeypatch, replace=broken_replace)
    with pytest.raises(StoreError, match="the old file is untouched"):
        saved.save()
    assert saved.store.path.read_bytes() == before
    assert leftovers(saved.store.path.parent) == []
    assert saved.dirty  # still unsaved, so the app keeps trying and warns
    assert len(AnnotationStore(saved.store.path).load().annotations) == 3


def test_failed_fsync_keeps_old_file(saved: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    before = saved.store.path.read_bytes()

    def broken_fsync(fd):
        raise OSError(errno.EIO, "Input/output error")

    patched_os(monkeypatch, fsync=broken_fsync)
    with pytest.raises(StoreError):
        saved.save()
    assert saved.store.path.read_bytes() == before
    assert leftovers(saved.store.path.parent) == []


class Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs, no handler sees it."""


def test_kill_after_temp_written_leaves_old_file_readable(saved: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    before = saved.store.path.read_bytes()

    def killed(src, dst):
        raise Killed

    patched_os(monkeypatch, replace=killed)
    with pytest.raises(Killed):
        saved.save()
    monkeypatch.undo()
    folder = saved.store.path.parent
    assert saved.store.path.read_bytes() == before
    stray = leftovers(folder)
    assert len(stray) == 1
    # The temp holds the complete new file, is hidden, and is named so .gitignore covers it.
    assert stray[0].startswith(".hedgerow-alice.json.") and stray[0].endswith(".tmp")
    assert len(json.loads((folder / stray[0]).read_text(encoding="utf-8"))[ANNOTATIONS]) == 4
    # Restarting reads the old file; the stray temp is not mistaken for a layer.
    reopened = Session.open(saved.document.path, ALICE)
    assert len(reopened.layer) == 3
    assert set(layer_files(saved.document.path)) == {"alice"}
    saved.save()
    assert len(AnnotationStore(saved.store.path).load().annotations) == 4


def test_full_disk_is_reported_and_old_file_untouched(saved: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    before = saved.store.path.read_bytes()
    real_fdopen = os.fdopen

    class FullDisk:
        """A file that takes a few bytes, then runs out of space."""

        def __init__(self, fd, mode="r", *args, **kwargs):
            self._file = real_fdopen(fd, mode, *args, **kwargs)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._file.close()

        def write(self, data):
            self._file.write(data[:16])
            self._file.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self._file, name)

    patched_os(monkeypatch, fdopen=FullDisk)
    with pytest.raises(StoreError) as info:
        saved.save()
    assert "the disk is full" in str(info.value)
    assert "the old file is untouched" in str(info.value)
    assert str(saved.store.path) in str(info.value)
    assert saved.store.path.read_bytes() == before
    assert leftovers(saved.store.path.parent) == []
    # A file that did not exist before: there is no old file to speak of, and none is left behind.
    new = saved.store.path.with_name("new-layer.json")
    with pytest.raises(StoreError) as info:
        AnnotationStore(new).save(saved.layer.snapshot(), saved.meta())
    message = str(info.value)
    assert message == f"{new}: cannot write (the disk is full); nothing was written"
    assert "old file" not in message and not new.exists()
    assert leftovers(new.parent) == []


def test_unwritable_folder_is_reported(saved: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    before = saved.store.path.read_bytes()
    real_open = os.open

    def refuse_temp(path, flags, *args):
        if str(path).endswith(".tmp"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args)

    patched_os(monkeypatch, open=refuse_temp)
    with pytest.raises(StoreError, match="read-only or not writable"):
        saved.save()
    assert saved.store.path.read_bytes() == before


# -- git diffs --------------------------------------------------------------------------------

HIGH_IDS = [f"ffffffff-ffff-4fff-bfff-ffffffffff{n:02d}" for n in range(3)]
LOW_IDS = [f"00000000-0000-4000-8000-0000000000{n:02d}" for n in range(3)]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def git_repo(tmp_path: Path, seed_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.name", "Test")
    git(repo, "config", "user.email", "test@example.com")
    git(repo, "config", "commit.gpgsign", "false")
    shutil.copyfile(seed_path, repo / "seed.txt")
    return repo


def diff_of_one_more(repo: Path, ids: list[str]) -> tuple[Annotation, list[str], list[str]]:
    """Save three annotations with `ids`, commit, add one by Session.add, save: (new, added, removed)."""
    session = Session.open(repo / "seed.txt", ALICE)
    first = []
    for (quote, tag), annotation_id in zip(SPANS[:3], ids, strict=True):
        start = session.text.index(quote)
        made = Annotation.create(session.text, start, start + len(quote), tag,
                                 document=session.document.sha256, annotator="alice")
        first.append(replace(made, id=annotation_id))
    session.add_many(first)
    session.save()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "three annotations")
    quote, tag = SPANS[3]
    start = session.text.index(quote)
    new = session.add(start, start + len(quote), tag)
    session.save()
    numstat = git(repo, "diff", "--numstat").split()
    assert numstat[2] == "annotations/seed/alice.json"
    lines = git(repo, "diff", "-U0").splitlines()
    added = [line[1:] for line in lines if line.startswith("+") and not line.startswith("+++")]
    removed = [line[1:] for line in lines if line.startswith("-") and not line.startswith("---")]
    assert (int(numstat[0]), int(numstat[1])) == (len(added), len(removed))
    return new, added, removed


def record_lines(annotation: Annotation, key: str) -> list[str]:
    """The lines one record takes in the file (its block, the comma of the one before it included)."""
    text = dumps_stable({"annotations": {key: annotation.to_record()}})
    return ["    },", *text.splitlines()[2:-3]]


@pytest.mark.parametrize("ids", [HIGH_IDS, LOW_IDS], ids=["new-uuid-sorts-first", "new-uuid-sorts-last"])
def test_git_diff_of_one_added_annotation_is_only_its_lines(git_repo: Path, ids: list[str]) -> None:
    # Whatever its uuid, the new record takes the next id and goes last: the previous record's
    # `}` gains a comma, and git still shows a pure insertion (the old `}` closes the new record).
    new, added, removed = diff_of_one_more(git_repo, ids)
    assert removed == []
    block = record_lines(new, "4")
    assert len(block) == len(new.to_record()) + 2  # key line, one line per field, closing brace
    assert Counter(added) == Counter(block)


# -- dumps_stable -----------------------------------------------------------------------------

ALPHABET = (
    [chr(c) for c in range(0x00, 0x80)]  # ASCII, with control characters, quotes and backslash
    + list("éßøñ€’“”…\u00a0\u2028\u2029\ufeff\u200d")
    + list("哈萨克斯坦北约한국어") + ["\u0301", "\u0323", "👍", "🏽", "🇰", "🇿", "\U0001f600", "\U000e0067"]
)


def random_string(rng: random.Random, longest: int = 12) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, longest)))


def random_value(rng: random.Random, depth: int = 0):
    kind = rng.randrange(9 if depth < 2 else 6)
    if kind == 0:
        return random_string(rng)
    if kind == 1:
        return rng.randint(-(10**12), 10**12)
    if kind == 2:
        return rng.choice([0.0, -0.0, 1.5, 1e-7, 1e300, rng.uniform(-1e6, 1e6), float("inf"), float("nan")])
    if kind == 3:
        return rng.choice([True, False])
    if kind == 4:
        return None
    if kind == 5:
        return random_string(rng, 40)
    if kind == 6:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {random_string(rng): random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def random_record(rng: random.Random) -> dict:
    if rng.random() < 0.7:  # most records are flat, like annotations
        return {random_string(rng): random_value(rng, depth=2) for _ in range(rng.randint(0, 12))}
    return {random_string(rng): random_value(rng) for _ in range(rng.randint(0, 6))}


@pytest.mark.parametrize("seed", range(40))
def test_dumps_stable_equals_json_dumps(seed: int) -> None:
    rng = random.Random(seed)
    data = {
        random_string(rng): {random_string(rng, 36): random_record(rng) for _ in range(rng.randint(0, 8))}
        for _ in range(rng.randint(0, 4))
    }
    expected = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert dumps_stable(data) == expected
    assert dumps_stable_bytes(data) == expected.encode("utf-8")


def test_dumps_stable_on_real_records(project_doc: Path) -> None:
    session = tagged_session(project_doc, SPANS)
    data = {ANNOTATIONS: {a.id: a.to_record() for a in session.layer}, META: {META_KEY: session.meta()}}
    assert dumps_stable(data) == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert dumps_stable({}) == "{}\n"
    assert dumps_stable({"annotations": {}}) == '{\n  "annotations": {}\n}\n'


def test_dumps_stable_renders_tuples_as_json_does() -> None:
    data = {"t": {"k": {"pair": (1, "two"), "n": 3}}}
    assert dumps_stable(data) == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_dumps_stable_writes_non_string_keys_as_json_does() -> None:
    data = {"t": {10: {"a": 1}, 2: {}, 1: {"b": None}}, "u": {None: {"c": True}}}
    assert dumps_stable(data) == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    json.loads(dumps_stable(data))


def test_records_other_than_annotations_are_written_as_json_dumps_writes_them() -> None:
    from tui.core import store

    record = {"b": 1, "a": "x\u0301 “q” \\ \n 👍🏽", "c": 1.5, "d": None, "e": True, "f": float("inf"),
              "g": [1, {"h": 2}]}
    expected = json.dumps(record, ensure_ascii=False, sort_keys=True, indent=2).replace("\n", "\n    ")
    assert store._dump_record(record) == expected
    data = {"review": {"k": record}}
    assert dumps_stable(data) == json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def test_record_round_trip_equals_asdict() -> None:
    from dataclasses import asdict

    made = Annotation.create("Kazakhstan’s 👍🏽 NATO", 13, 15, "hedge", document="abc", annotator="alice", note="n")
    record = made.to_record()
    fields = {name: value for name, value in asdict(made).items() if name != "key"}  # the key is the table's
    assert record == fields and list(record) == list(fields)
    assert Annotation.from_record(record) == made
    assert Annotation.from_record({**record, "unknown": 1}) == made  # unknown fields are ignored


def test_a_large_file_is_read_in_batches_with_the_same_result_and_errors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.core import store as store_module
    from tui.core.store import AnnotationStore, read_json

    text = "word " * 3000
    made = [Annotation.create(text, i, i + 4, "hedge", document="d", annotator="a") for i in range(0, 12500, 5)]
    path = tmp_path / "big.json"
    AnnotationStore(path).save(made, {"document": {"sha256": "d"}})
    monkeypatch.setattr(store_module, "CHUNK", 4096)
    batches = []
    add_records = AnnotationStore._add_records
    monkeypatch.setattr(AnnotationStore, "_add_records",
                        lambda self, rows, records: (batches.append(len(records)), add_records(self, rows, records)))
    for known_text in (None, text):
        batches.clear()
        loaded = AnnotationStore(path).load(known_text)
        assert len(batches) > 100 and sum(batches) == len(made)  # read a chunk at a time
        assert loaded.annotations == sorted(made, key=lambda a: a.id)
        assert loaded.layer.items() == sorted(made, key=Annotation.sort_key)
    assert loaded.meta["document"]["sha256"] == "d"
    assert {r["id"] for r in read_json(path)["annotations"].values()} == {a.id for a in made}
    # A damaged record in a later batch is reported like any other damage, and left alone.
    raw = path.read_bytes()
    victim = sorted(a.id for a in made)[-3].encode()
    broken = raw.replace(b'"id": "' + victim + b'",', b'"id": "' + victim + b'" oops', 1)
    path.write_bytes(broken)
    with pytest.raises(StoreError, match="corrupt JSON at line"):
        AnnotationStore(path).load()
    assert path.read_bytes() == broken


def test_annotations_are_written_exactly_as_their_records() -> None:
    from tui.core.store import _dump_annotation, _dump_record

    text = 'He said "no" — 👍🏽 \\ tab\there\nnext line, 北京'
    for start, end in ((0, 7), (8, 12), (15, len(text))):
        made = Annotation.create(text, start, end, "hedge", document="d", annotator="ä", note='a "note"\n2')
        assert _dump_annotation(made) == _dump_record(made.to_record())
        expected = json.dumps(made.to_record(), indent=2, sort_keys=True, ensure_ascii=False)
        assert _dump_annotation(made) == expected.replace("\n", "\n    ")


def test_a_chunk_that_fails_midway_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    from tui.core.atomic import atomic_write_chunks

    path = tmp_path / "layer.json"
    path.write_bytes(b"old")

    def chunks():
        yield b"new, half"
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        atomic_write_chunks(path, chunks())
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["layer.json"]


def test_a_file_laid_out_by_hand_or_another_tool_loads_the_same(project_doc: Path) -> None:
    session = tagged_session(project_doc, SPANS)
    session.save()
    path = session.store.path
    expected = AnnotationStore(path).load(session.text)
    data = json.loads(path.read_text(encoding="utf-8"))
    for layout in (json.dumps(data), json.dumps(data, indent=4), json.dumps(dict(reversed(data.items())), indent=2)):
        path.write_text(layout, encoding="utf-8")
        loaded = AnnotationStore(path).load(session.text)
        assert loaded.annotations == expected.annotations and loaded.meta == expected.meta
    Session.open(project_doc, ALICE).save()  # read in that layout, written back in the stable one
    assert AnnotationStore(path).load(session.text).annotations == expected.annotations
    assert path.read_text(encoding="utf-8").startswith('{\n  "annotations": {\n    "')


def test_a_file_cut_short_is_refused_not_half_loaded(project_doc: Path) -> None:
    session = tagged_session(project_doc, SPANS)
    session.save()
    raw = session.store.path.read_bytes()
    for cut in (len(raw) // 3, len(raw) - 40, len(raw) - 3):
        session.store.path.write_bytes(raw[:cut])
        with pytest.raises(StoreError, match="corrupt JSON"):
            AnnotationStore(session.store.path).load(session.text)
        assert session.store.path.read_bytes() == raw[:cut]


def test_a_file_changed_on_disk_is_not_written_over_and_the_session_keeps_its_work(project_doc: Path) -> None:
    """Another writer (a `hedgerow add`, a git merge, a second session) changed the file since this
    session read it: the save leaves that file as it is and writes the session's annotations beside
    it, in one file for the rest of the session, and says where. It was written over, silently."""
    from tui.core.errors import SavedAside

    mine, theirs = Session.open(project_doc, ALICE), Session.open(project_doc, ALICE)
    theirs.add(*find(theirs.text, "Kazakhstan"), "actor")
    theirs.save()
    written = theirs.store.path.read_bytes()
    mine.add(*find(mine.text, "NATO"), "hedge")
    with pytest.raises(SavedAside, match="changed on disk since hedgerow read it") as raised:
        mine.save()
    assert theirs.store.path.read_bytes() == written  # theirs, untouched
    assert mine.aside is not None and mine.aside.name in str(raised.value)
    assert mine.aside.parent == mine.store.path.parent and mine.aside.name.startswith("alice.json.unsaved-")
    assert [a.quote for a in AnnotationStore(mine.aside).load(mine.text).annotations] == ["NATO"]
    assert not mine.dirty  # nothing is lost: it is in the file beside it
    mine.add(*find(mine.text, "Simmons"), "actor")
    with pytest.raises(SavedAside):
        mine.save()
    assert sorted(a.quote for a in AnnotationStore(mine.aside).load(mine.text).annotations) == ["NATO", "Simmons"]
    assert len(list(mine.aside.parent.glob("alice.json.unsaved-*"))) == 1
    assert layer_files(project_doc) == {"alice": mine.store.path}  # the file beside it is no layer
    # The command the message gives joins the two (no base: each side's records are kept).
    assert f"hedgerow merge-driver /dev/null alice.json {mine.aside.name}" in str(raised.value)
    from tui.core.merge import merge_files

    assert not merge_files(Path(os.devnull), mine.store.path, mine.aside).conflicts
    assert sorted(a.quote for a in AnnotationStore(mine.store.path).load(mine.text).annotations) == \
        ["Kazakhstan", "NATO", "Simmons"]


def test_a_merge_conflict_left_in_the_file_is_not_written_over(project_doc: Path) -> None:
    session = tagged_session(project_doc, SPANS)
    session.save()
    path = session.store.path
    conflicted = b'<<<<<<< ours\n{"annotations": {}}\n=======\n'
    path.write_bytes(conflicted)
    session.add(*find(session.text, "Simmons"), "actor")
    with pytest.raises(StoreError, match="not written over"):
        session.save()
    assert path.read_bytes() == conflicted


def test_a_session_that_found_no_file_does_not_write_over_one_made_since(project_doc: Path) -> None:
    mine = Session.open(project_doc, ALICE)
    assert not mine.store.path.exists()
    other = Session.open(project_doc, ALICE)
    other.add(*find(other.text, "NATO"), "hedge")
    other.save()
    mine.add(*find(mine.text, "Kazakhstan"), "actor")
    with pytest.raises(StoreError, match="not written over"):
        mine.save()
    assert [a.quote for a in AnnotationStore(other.store.path).load(other.text).annotations] == ["NATO"]


def test_its_own_saves_and_a_touch_free_reload_keep_saving_in_place(project_doc: Path) -> None:
    session = tagged_session(project_doc, SPANS)
    for quote in ("Simmons", "Interfax", "Almaty"):
        session.add(*find(session.text, quote), "actor")
        session.save()
    assert session.aside is None
    assert len(AnnotationStore(session.store.path).load(session.text).annotations) == len(SPANS) + 3
