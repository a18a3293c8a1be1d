"""Git integration: the merge driver (unit and through real git), `show` as textconv, git-setup."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from team_fixture import find, gold_file, make_project

from tui.cli import main
from tui.commands.gitcmds import show_lines
from tui.core.annotation import Annotation
from tui.core.errors import StoreError
from tui.core.layer import Layer
from tui.core.merge import REVIEW, merge, render
from tui.core.review import REVIEW_TABLE, Review
from tui.core.session import Session, SessionOptions
from tui.core.store import AnnotationStore, StoredLayer, dumps_stable

SEED = Path(__file__).resolve().parents[1] / "seeds" / "kazakhstan-nato-partnership-edm-2005.txt"
TEXT = SEED.read_text(encoding="utf-8")
ATTRIBUTES = "annotations/**/*.json merge=hedgerow diff=hedgerow"


# -- helpers ---------------------------------------------------------------------


def resolve(text: str, keep) -> str:
    """Keep "ours" or "theirs" of each marker block in turn, as a user would by hand."""
    choices = iter(keep)
    return resolve_by(text, lambda _opening: next(choices))


def resolve_by(text: str, choose) -> str:
    """Keep the side `choose(opening marker line)` names in each block."""
    out, state, side = [], None, None
    for line in text.splitlines(keepends=True):
        if line.startswith("<<<<<<< "):
            state, side = "ours", choose(line)
        elif line == "=======\n" and state:
            state = "theirs"
        elif line.startswith(">>>>>>> "):
            state = None
        elif state is None or state == side:
            out.append(line)
    return "".join(out)


def load_text(tmp_path: Path, text: str):
    path = tmp_path / "merged.json"
    path.write_text(text, encoding="utf-8")
    return AnnotationStore(path).load()


def record(phrase: str, tag: str = "actor", note: str = "", minute: int = 0) -> dict:
    start = TEXT.index(phrase)
    made = Annotation.create(TEXT, start, start + len(phrase), tag, document="sha-1", annotator="alice", note=note)
    return replace(made, created="2026-01-01T10:00:00.000Z", modified=f"2026-01-01T10:{minute:02d}:00.000Z").to_record()


def edited(rec: dict, minute: int, **changes) -> dict:
    return {**rec, **changes, "modified": f"2026-01-01T10:{minute:02d}:00.000Z"}


def layer(*records: dict, sha: str = "sha-1", title: str = "Kazakhstan") -> dict:
    """A schema-2 file's data: records numbered 1, 2, ... in the order given, as TinyDB would."""
    return {"annotations": {str(n): r for n, r in enumerate(records, 1)},
            "meta": {"1": {"schema": 2, "annotator": "alice",
                           "document": {"sha256": sha, "path": "seeds/k.txt", "title": title}}}}


def schema1_layer(*records: dict, sha: str = "sha-1") -> dict:
    """The same in schema 1: keyed by id, meta under "hedgerow"."""
    return {"annotations": {r["id"]: r for r in records},
            "meta": {"hedgerow": {"schema": 1, "annotator": "alice",
                                  "document": {"sha256": sha, "path": "seeds/k.txt", "title": "Kazakhstan"}}}}


def by_id(text: str) -> dict[str, tuple[str, dict]]:
    """A rendered file's annotations: id -> (its key, the record)."""
    return {r["id"]: (key, r) for key, r in json.loads(text)["annotations"].items()}


SIMMONS = record("Robert Simmons")
ALTYNBAYEV = record("Army General Mukhtar Altynbayev")
HEDGE = record("appeared to support such plans", "hedge", note="soft verb")


# -- three-way logic ---------------------------------------------------------------


def test_additions_on_both_sides_are_all_kept() -> None:
    base = layer(SIMMONS)
    ours, theirs = layer(SIMMONS, ALTYNBAYEV), layer(SIMMONS, HEDGE)
    result = merge(base, ours, theirs)
    assert not result.conflicts
    assert result.data["annotations"] == {r["id"]: r for r in (SIMMONS, ALTYNBAYEV, HEDGE)}
    # The same record added identically on both sides is kept once, not a conflict.
    assert render(merge(base, ours, ours)) == dumps_stable(ours)
    # Both sides gave key 2 to a different annotation: ours keeps it, theirs' is renumbered.
    assert {i: key for i, (key, _) in by_id(render(result)).items()} == {
        SIMMONS["id"]: "1", ALTYNBAYEV["id"]: "2", HEDGE["id"]: "3"}
    assert {i: r for i, (_, r) in by_id(render(result)).items()} == result.data["annotations"]


def test_a_deletion_against_an_unchanged_record_wins() -> None:
    base = layer(SIMMONS, HEDGE)
    for ours, theirs in ((layer(HEDGE), base), (base, layer(HEDGE)), (layer(HEDGE), layer(HEDGE))):
        result = merge(base, ours, theirs)
        assert not result.conflicts
        assert set(result.data["annotations"]) == {HEDGE["id"]}


def test_changes_to_different_fields_of_one_record_are_both_kept() -> None:
    base = layer(SIMMONS, HEDGE)
    ours = layer(SIMMONS, edited(HEDGE, 5, note="a soft verb: appeared"))
    theirs = layer(SIMMONS, edited(HEDGE, 9, tag="commitment"))
    result = merge(base, ours, theirs)
    assert not result.conflicts
    merged = result.data["annotations"][HEDGE["id"]]
    assert (merged["note"], merged["tag"]) == ("a soft verb: appeared", "commitment")
    assert merged["modified"] == "2026-01-01T10:09:00.000Z"  # the later of the two
    assert merge(base, theirs, ours).data["annotations"][HEDGE["id"]] == merged  # symmetric


def test_the_same_field_changed_differently_is_marked_with_both_versions(tmp_path: Path) -> None:
    base = layer(SIMMONS, HEDGE, ALTYNBAYEV)
    ours = layer(SIMMONS, edited(HEDGE, 5, note="ours", tag="commitment"), ALTYNBAYEV)
    theirs = layer(edited(SIMMONS, 7, note="the envoy"), edited(HEDGE, 6, note="theirs"), ALTYNBAYEV)
    result = merge(base, ours, theirs)
    assert [(c.key, c.reason) for c in result.conflicts] == [(HEDGE["id"], "note differs")]
    text = render(result)
    assert f"<<<<<<< ours: annotation {HEDGE['id']}; note differs\n" in text
    assert f">>>>>>> theirs: annotation {HEDGE['id']}\n" in text
    with pytest.raises(StoreError, match=rf"unresolved merge conflict in 1 annotation \({HEDGE['id']}\); "
                                         r"edit the file to keep one version, then git add it"):
        load_text(tmp_path, text)
    for side, note in (("ours", "ours"), ("theirs", "theirs")):
        loaded = {a.id: a for a in load_text(tmp_path, resolve(text, [side])).annotations}
        assert set(loaded) == {SIMMONS["id"], HEDGE["id"], ALTYNBAYEV["id"]}
        assert (loaded[HEDGE["id"]].note, loaded[HEDGE["id"]].tag) == (note, "commitment")  # ours' retag either way
        assert loaded[SIMMONS["id"]].note == "the envoy"


@pytest.mark.parametrize("clashing, others", [(False, ()), (True, ()), (True, (ALTYNBAYEV,))],
                         ids=["only-deletions", "with-a-field-conflict", "with-an-untouched-record"])
def test_delete_against_modify_is_a_conflict_and_any_resolution_is_valid_json(tmp_path: Path, clashing, others) -> None:
    gone_ours, gone_theirs = record("Robert Simmons"), record("appeared to support such plans", "hedge")
    clash = record("Kazakhstan has made significant progress", "commitment")
    clashes = (clash,) if clashing else ()
    base = layer(gone_ours, gone_theirs, *clashes, *others)
    ours = layer(edited(gone_theirs, 3, tag="actor"), *(edited(c, 3, note="ours") for c in clashes), *others)
    theirs = layer(edited(gone_ours, 4, note="kept?"), *(edited(c, 4, note="theirs") for c in clashes), *others)
    result = merge(base, ours, theirs)
    assert {c.key: c.reason for c in result.conflicts} == {
        gone_ours["id"]: "deleted in ours, changed in theirs",
        gone_theirs["id"]: "deleted in theirs, changed in ours",
        **{c["id"]: "note differs" for c in clashes},
    }
    text = render(result)
    with pytest.raises(StoreError, match=rf"unresolved merge conflict in {2 + clashing} annotations"):
        load_text(tmp_path, text)
    blocks = text.count("<<<<<<< ")
    outcomes = set()
    for keep in itertools.product(("ours", "theirs"), repeat=blocks):
        loaded = {a.id for a in load_text(tmp_path, resolve(text, keep)).annotations}
        assert {r["id"] for r in (*clashes, *others)} <= loaded
        outcomes.add(frozenset(loaded & {gone_ours["id"], gone_theirs["id"]}))
    assert len(outcomes) == (2 if blocks == 1 else 4)  # each deleted record can be kept or dropped


def test_meta_conflicts_only_when_both_sides_changed_the_document(tmp_path: Path) -> None:
    base = layer(SIMMONS)
    result = merge(base, layer(SIMMONS, sha="sha-2"), layer(SIMMONS, sha="sha-3"))
    assert [(c.table, c.key) for c in result.conflicts] == [("meta", "1")]
    text = render(result)
    with pytest.raises(StoreError, match=r"unresolved merge conflict in 1 place\b"):
        load_text(tmp_path, text)
    assert load_text(tmp_path, resolve(text, ["theirs"])).document_sha256 == "sha-3"
    # Both changed, same text: ours wins; one side changed: that side wins.
    same = merge(base, layer(SIMMONS, sha="sha-2", title="Ours"), layer(SIMMONS, sha="sha-2", title="Theirs"))
    assert not same.conflicts and same.data["meta"]["1"]["document"]["title"] == "Ours"
    one = merge(base, base, layer(SIMMONS, sha="sha-2"))
    assert one.data["meta"]["1"]["document"]["sha256"] == "sha-2"


def test_merge_driver_refuses_damaged_input_and_leaves_ours_alone(tmp_path: Path, capsys) -> None:
    base, ours, theirs = (tmp_path / name for name in ("base.json", "ours.json", "theirs.json"))
    base.write_text("", encoding="utf-8")  # git's base when both sides added the file
    ours.write_text(dumps_stable(layer(SIMMONS)), encoding="utf-8")
    theirs.write_text(dumps_stable(layer(HEDGE)), encoding="utf-8")
    assert main(["merge-driver", str(base), str(ours), str(theirs)]) == 0
    assert set(by_id(ours.read_text())) == {SIMMONS["id"], HEDGE["id"]}
    before = ours.read_bytes()
    theirs.write_text('{"annotations": {', encoding="utf-8")
    assert main(["merge-driver", str(base), str(ours), str(theirs)]) == 2
    assert "cannot merge, theirs is unusable" in capsys.readouterr().err
    assert ours.read_bytes() == before


def test_every_table_but_meta_merges_by_key_like_the_annotations(tmp_path: Path) -> None:
    """A table hedgerow does not know (here "remarks"): by key, then field by field."""
    def with_links(links: dict) -> dict:
        return {**layer(SIMMONS), "remarks": links}

    one, two = {"to": "a", "kind": "x"}, {"to": "b", "kind": "y"}
    base = with_links({"k1": one, "k2": two, "k3": {"to": "c"}})
    ours = with_links({"k1": {**one, "kind": "ours"}, "k2": two, "k3": {"to": "c"}, "k4": {"to": "d"}})
    theirs = with_links({"k1": {**one, "to": "theirs"}, "k2": {**two, "kind": "z"}, "k5": {"to": "e"}})
    result = merge(base, ours, theirs)
    assert not result.conflicts
    assert result.data["remarks"] == {"k1": {"to": "theirs", "kind": "ours"}, "k2": {"to": "b", "kind": "z"},
                                    "k4": {"to": "d"}, "k5": {"to": "e"}}  # k3 deleted in theirs only
    # The same field changed differently, and deleted against changed: conflicts, marked in the table.
    ours = with_links({"k1": {**one, "kind": "ours"}, "k2": {**two, "kind": "ours"}})
    theirs = with_links({"k2": {**two, "to": "moved"}, "k3": {"to": "c"}})
    result = merge(base, ours, theirs)
    assert {(c.table, c.key): c.reason for c in result.conflicts} == {
        ("remarks", "k1"): "deleted in theirs, changed in ours"}
    assert result.data["remarks"] == {"k2": {"to": "moved", "kind": "ours"}}  # k3: ours deleted it, theirs kept
    theirs["remarks"]["k1"] = {**one, "kind": "theirs"}
    result = merge(base, ours, theirs)
    assert [(c.table, c.key, c.reason) for c in result.conflicts] == [("remarks", "k1", "kind differs")]
    text = render(result)
    assert "<<<<<<< ours: remarks k1; kind differs\n" in text
    with pytest.raises(StoreError, match=r"unresolved merge conflict in 1 place\b"):
        load_text(tmp_path, text)
    for side in ("ours", "theirs"):
        assert load_text(tmp_path, resolve(text, [side])).tables["remarks"]["k1"]["kind"] == side


def gold_record(phrase: str, tag: str, reviewer: str) -> dict:
    start = TEXT.index(phrase)
    made = Annotation.create(TEXT, start, start + len(phrase), tag, document="sha-1", annotator=reviewer)
    return made.to_record()


def decision(gold: dict | None, reviewer: str, decided: str = "accepted", at: str = "2026-01-01T10:00:00.000Z",
             key: str = "") -> tuple[str, dict]:
    """A review record for a gold record (or a rejection of `key`)."""
    key = key or f"{gold['start']}-{gold['end']}-{gold['tag']}"
    return key, {"decision": decided, "reviewer": reviewer, "from": ["alice"], "sources": ["alice:x"],
                 "gold": gold["id"] if gold else "", "tag": key.rsplit("-", 1)[1], "status": "single", "at": at}


def gold_layer(golds: list[dict], decisions: list[tuple[str, dict]]) -> dict:
    data = layer(*golds)
    data["meta"]["1"]["annotator"] = "gold"
    return {**data, REVIEW: dict(decisions)}


def consistent(stored: StoredLayer) -> dict[str, dict]:
    """Assert gold and its decisions agree: every gold id referenced, every reference there, no duplicate span."""
    gold = {a.id: a for a in stored.annotations}
    review = stored.tables.get(REVIEW, {})
    assert {r["gold"] for r in review.values() if r["gold"]} == set(gold)
    assert max(Counter((a.start, a.end, a.tag) for a in gold.values()).values(), default=1) == 1
    for key, r in review.items():
        if r["gold"]:
            a = gold[r["gold"]]
            assert (f"{a.start}-{a.end}", a.tag) == (key.rsplit("-", 1)[0], r["tag"])
    return review


def test_review_records_are_units_never_merged_field_by_field() -> None:
    assert REVIEW == REVIEW_TABLE
    g = gold_record("Robert Simmons", "actor", "rita")
    key, rita = decision(g, "rita")
    base = gold_layer([g], [(key, rita)])
    # One side changed it, the other did not: that side wins, whole.
    sam = {**rita, "reviewer": "sam", "at": "2026-01-02T10:00:00.000Z"}
    assert merge(base, base, gold_layer([g], [(key, sam)])).data[REVIEW] == {key: sam}
    assert merge(base, gold_layer([g], [(key, sam)]), base).data[REVIEW] == {key: sam}
    assert not merge(base, gold_layer([g], [(key, sam)]), gold_layer([g], [(key, sam)])).conflicts
    # Both changed different fields: a conflict, not a record mixing rita's decision and sam's name.
    ours = gold_layer([g], [(key, {**rita, "status": "partial"})])
    theirs = gold_layer([g], [(key, {**rita, "reviewer": "sam"})])
    result = merge(base, ours, theirs)
    assert [(c.table, c.key, c.reason) for c in result.conflicts] == [
        (REVIEW, key, "changed differently on both sides: reviewer, status differ")]
    assert key not in result.data[REVIEW]
    # Deleted (reopened) on one side, changed on the other.
    result = merge(base, gold_layer([g], []), theirs)
    assert [(c.key, c.reason) for c in result.conflicts] == [(key, "deleted in ours, changed in theirs")]


def test_parallel_reviews_conflict_with_their_gold_and_resolve_consistently(tmp_path: Path) -> None:
    """rita accepts both spans, sam accepts one and rejects the other: the unit version of the git scenario."""
    kaz = gold_record("Kazakhstan", "actor", "rita")
    base = gold_layer([kaz], [decision(kaz, "rita")])
    r_actor = gold_record("Robert Simmons", "actor", "rita")
    r_hedge = gold_record("appeared to support", "hedge", "rita")
    s_actor = gold_record("Robert Simmons", "actor", "sam")
    hedge_key = decision(r_hedge, "rita")[0]
    ours = gold_layer([kaz, r_actor, r_hedge],
                      [decision(kaz, "rita"), decision(r_actor, "rita"), decision(r_hedge, "rita")])
    theirs = gold_layer([kaz, s_actor], [decision(kaz, "rita"), decision(s_actor, "sam", at="2026-01-02T10:00:00.000Z"),
                                         decision(None, "sam", "rejected", key=hedge_key)])
    actor_key = decision(r_actor, "rita")[0]
    result = merge(base, ours, theirs)
    same_side = "keep the same side as in that review block"
    got = {(c.table, tuple(c.keys)): c.reason for c in result.conflicts}
    assert got == {
        (REVIEW, (actor_key,)): "added differently on both sides: at, gold, reviewer differ",
        (REVIEW, (hedge_key,)): "added differently on both sides: decision, gold, reviewer differ",
        ("annotations", (r_actor["id"], s_actor["id"])): f"the gold of review {actor_key}: {same_side}",
        ("annotations", (r_hedge["id"],)): f"the gold of review {hedge_key}: {same_side}",
    }
    assert set(result.data["annotations"]) == {kaz["id"]} and set(result.data[REVIEW]) == {decision(kaz, "")[0]}
    text = render(result)
    with pytest.raises(StoreError, match=r"unresolved merge conflict in 3 annotations .* and 2 other places"):
        load_text(tmp_path, text)
    blocks = text.count("<<<<<<< ")
    for keep in itertools.product(("ours", "theirs"), repeat=blocks):
        load_text(tmp_path, resolve(text, keep))  # any combination is valid JSON
    # Settling each decision on one side, in its review block and its gold block, leaves a consistent file.
    for actor_side, hedge_side in itertools.product(("ours", "theirs"), repeat=2):
        def choose(line: str, actor_side: str = actor_side, hedge_side: str = hedge_side) -> str:
            return actor_side if actor_key in line else hedge_side
        review = consistent(load_text(tmp_path, resolve_by(text, choose)))
        assert review[actor_key]["reviewer"] == ("rita" if actor_side == "ours" else "sam")
        assert review[hedge_key]["decision"] == ("accepted" if hedge_side == "ours" else "rejected")


def test_one_gold_span_made_on_both_sides_under_different_decisions_is_a_conflict(tmp_path: Path) -> None:
    """rita accepts "X actor"; sam accepts "X hedge" as actor: two keys, one gold span."""
    base = gold_layer([], [])
    r_gold, s_gold = gold_record("Robert Simmons", "actor", "rita"), gold_record("Robert Simmons", "actor", "sam")
    actor_key, rita = decision(r_gold, "rita")
    hedge_key = actor_key.replace("-actor", "-hedge")
    sam = {**decision(s_gold, "sam")[1], "decision": "edited"}
    result = merge(base, gold_layer([r_gold], [(actor_key, rita)]), gold_layer([s_gold], [(hedge_key, sam)]))
    start, end, _ = actor_key.split("-")
    same_side = "keep the same side as for that gold span"
    assert {(c.table, tuple(c.keys)): c.reason for c in result.conflicts} == {
        ("annotations", (r_gold["id"], s_gold["id"])): f"duplicate gold span {start}-{end} actor, made on both sides",
        (REVIEW, (actor_key,)): f"its gold span {start}-{end} actor was made on both sides: {same_side}",
        (REVIEW, (hedge_key,)): f"its gold span {start}-{end} actor was made on both sides: {same_side}",
    }
    text = render(result)
    for side, reviewer in (("ours", "rita"), ("theirs", "sam")):
        review = consistent(load_text(tmp_path, resolve(text, [side] * text.count("<<<<<<< "))))
        assert [r["reviewer"] for r in review.values()] == [reviewer]


def test_duplicate_spans_in_an_annotators_layer_are_not_gold_conflicts() -> None:
    """An annotator may tag one span twice; only gold files hold one annotation per span and tag."""
    twin = record("Robert Simmons", note="twin")
    assert (twin["start"], twin["end"], twin["tag"]) == (SIMMONS["start"], SIMMONS["end"], SIMMONS["tag"])
    result = merge(layer(), layer(SIMMONS), layer(twin))
    assert not result.conflicts and set(result.data["annotations"]) == {SIMMONS["id"], twin["id"]}


# -- through git -----------------------------------------------------------------


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    assert not check or result.returncode == 0, f"git {' '.join(args)}: {result.stdout}{result.stderr}"
    return result


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    """A git repository holding the seed under seeds/, set up for hedgerow, one commit on main."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.org")
    (root / "seeds").mkdir()
    shutil.copyfile(SEED, root / "seeds" / SEED.name)
    assert main(["git-setup", "--repo", str(root)]) == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "seed")
    return root


def session(repo: Path, annotator: str) -> Session:
    options = SessionOptions(annotator=annotator, annotations=repo / "annotations")
    return Session.open(repo / "seeds" / SEED.name, options)


def add(s: Session, phrase: str, tag: str, note: str = "") -> Annotation:
    start = s.text.index(phrase)
    return s.add(start, start + len(phrase), tag, note)


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def layer_file(repo: Path, annotator: str) -> Path:
    return repo / "annotations" / "seeds" / SEED.stem / f"{annotator}.json"  # keyed by its path in the repo


def records(repo: Path, annotator: str) -> dict[str, Annotation]:
    return {a.id: a for a in AnnotationStore(layer_file(repo, annotator)).load().annotations}


def base_layer(repo: Path, annotator: str) -> tuple[Annotation, Annotation]:
    s = session(repo, annotator)
    pair = add(s, "Robert Simmons", "actor"), add(s, "appeared to support such plans", "hedge", "soft verb")
    s.save()
    return pair


def test_two_annotators_on_two_branches_merge_cleanly(repo: Path) -> None:
    alice_base, bob_base = base_layer(repo, "alice"), base_layer(repo, "bob")
    commit(repo, "both start")
    git(repo, "checkout", "-q", "-b", "alice-work")
    s = session(repo, "alice")
    new_alice = add(s, "Army General Mukhtar Altynbayev", "actor")
    s.set_note(alice_base[0].id, "NATO's envoy")
    s.save()
    commit(repo, "alice")
    git(repo, "checkout", "-q", "-b", "bob-work", "main")
    s = session(repo, "bob")
    new_bob = add(s, "could include", "hedge")
    s.retag(bob_base[1].id, "commitment")
    s.save()
    commit(repo, "bob")
    git(repo, "merge", "--no-edit", "alice-work")
    alice, bob = records(repo, "alice"), records(repo, "bob")
    assert set(alice) == {alice_base[0].id, alice_base[1].id, new_alice.id}
    assert alice[alice_base[0].id].note == "NATO's envoy"
    assert set(bob) == {bob_base[0].id, bob_base[1].id, new_bob.id}
    assert bob[bob_base[1].id].tag == "commitment"


def test_one_file_edited_on_two_branches_merges_by_field(repo: Path) -> None:
    simmons, hedge = base_layer(repo, "alice")
    commit(repo, "base")
    git(repo, "checkout", "-q", "-b", "notes")
    s = session(repo, "alice")
    ours_new = add(s, "Army General Mukhtar Altynbayev", "actor")
    s.set_note(hedge.id, "hedged support, not a pledge")
    s.save()
    commit(repo, "notes")
    git(repo, "checkout", "-q", "-b", "tags", "main")
    s = session(repo, "alice")
    theirs_new = add(s, "could include", "hedge")
    retagged = s.retag(hedge.id, "commitment")
    s.save()
    commit(repo, "tags")
    git(repo, "checkout", "-q", "notes")
    merged = git(repo, "merge", "--no-edit", "tags")  # a textual merge of these files would conflict
    assert "hedgerow" in git(repo, "check-attr", "merge", "--", str(layer_file(repo, "alice"))).stdout
    alice = records(repo, "alice")
    assert set(alice) == {simmons.id, hedge.id, ours_new.id, theirs_new.id}, merged.stdout
    assert (alice[hedge.id].note, alice[hedge.id].tag) == ("hedged support, not a pledge", "commitment")
    assert alice[hedge.id].modified == retagged.modified  # the later edit
    text = layer_file(repo, "alice").read_text(encoding="utf-8")
    assert text == dumps_stable(json.loads(text))
    assert git(repo, "status", "--porcelain").stdout == ""


def test_conflicting_notes_are_marked_and_can_be_resolved_by_hand(repo: Path, capsys) -> None:
    simmons, hedge = base_layer(repo, "alice")
    commit(repo, "base")
    git(repo, "checkout", "-q", "-b", "left")
    s = session(repo, "alice")
    left_new = add(s, "Army General Mukhtar Altynbayev", "actor")
    s.set_note(hedge.id, "left reading")
    s.save()
    commit(repo, "left")
    git(repo, "checkout", "-q", "-b", "right", "main")
    s = session(repo, "alice")
    right_new = add(s, "could include", "hedge")
    s.set_note(hedge.id, "right reading")
    s.retag(simmons.id, "commitment")
    s.save()
    commit(repo, "right")
    git(repo, "checkout", "-q", "left")
    result = git(repo, "merge", "--no-edit", "right", check=False)
    assert result.returncode != 0
    assert "annotations/" in git(repo, "diff", "--name-only", "--diff-filter=U").stdout
    path = layer_file(repo, "alice")
    text = path.read_text(encoding="utf-8")
    assert f"<<<<<<< ours: annotation {hedge.id}; note differs" in text
    assert '"note": "left reading"' in text and '"note": "right reading"' in text
    for kept in (simmons.id, left_new.id, right_new.id):
        assert text.count(f'"id": "{kept}",') == 1
    with pytest.raises(StoreError, match=rf"{path}: unresolved merge conflict in 1 annotation \({hedge.id}\)"):
        AnnotationStore(path).load()
    capsys.readouterr()
    assert main(["show", str(path)]) == 0  # mid-merge, textconv shows the marked file as it is
    out, err = capsys.readouterr()
    assert out == text and "unresolved merge conflict" in err
    assert "<<<<<<< ours: annotation" in git(repo, "diff").stdout
    path.write_text(resolve(text, ["theirs"]), encoding="utf-8")
    alice = records(repo, "alice")
    assert set(alice) == {simmons.id, hedge.id, left_new.id, right_new.id}
    assert alice[hedge.id].note == "right reading" and alice[simmons.id].tag == "commitment"
    commit(repo, "merge right, keeping its reading")
    assert git(repo, "status", "--porcelain").stdout == ""


def test_show_prints_one_line_per_annotation_in_document_order(repo: Path, capsys) -> None:
    s = session(repo, "alice")
    later = add(s, "appeared to support such plans", "hedge", 'a "soft" verb,\nnot a pledge')
    first = add(s, "Robert Simmons", "actor")
    s.save()
    assert main(["show", str(layer_file(repo, "alice"))]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(TEXT) >= 1000 and later.end >= 1000 > first.end  # spans of different widths
    assert lines == [
        f"# hedgerow annotations by alice on seeds/{SEED.name} (sha256 {s.document.sha256})",
        f'{first.start:>4}-{first.end:<4}  actor       "Robert Simmons"  '
        f'(alice, {first.created[:10]}, id {first.id[:8]})',
        f'{later.start:>4}-{later.end:<4}  hedge       "appeared to support such plans"  '
        f'note: "a \\"soft\\" verb, not a pledge"  (alice, {later.created[:10]}, id {later.id[:8]})',
    ]
    assert len({line.index(" actor ") for line in lines[1:2]} | {line.index(" hedge ") for line in lines[2:]}) == 1
    broken = repo / "broken.json"
    broken.write_text('{"annotations": {"x": ', encoding="utf-8")
    assert main(["show", str(broken)]) == 1
    assert "corrupt JSON" in capsys.readouterr().err


def test_git_diff_shows_an_added_annotation_as_a_readable_line(repo: Path) -> None:
    base_layer(repo, "alice")
    commit(repo, "base")
    s = session(repo, "alice")
    new = add(s, "could include", "hedge", "possibility, not a plan")
    s.save()
    diff = git(repo, "diff").stdout
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert added == [f'+{new.start:>4}-{new.end:<4}  hedge       "could include"  note: "possibility, not a plan"  '
                     f'(alice, {new.created[:10]}, id {new.id[:8]})'], diff


def test_show_pads_spans_to_the_documents_length_so_one_change_is_one_line() -> None:
    def stored(*records: dict, length: int | None = None) -> StoredLayer:
        data = layer(*records)
        if length is not None:
            data["meta"]["1"]["document"]["length"] = length
        return StoredLayer(Layer([Annotation.from_record(r) for r in records]), data["meta"]["1"])

    simmons = [line for line in show_lines(stored(SIMMONS, length=12000))[1:]]
    assert simmons[0].startswith(f"{SIMMONS['start']:>5}-{SIMMONS['end']:<5}  actor ")
    # Adding a wider span leaves the other lines as they were: the width comes from the length.
    assert show_lines(stored(SIMMONS, HEDGE, length=12000))[1] == simmons[0]
    # Without a length (an older file): the digits of the furthest end.
    lines = show_lines(stored(SIMMONS, HEDGE))[1:]
    width = len(str(HEDGE["end"]))
    assert lines[0].startswith(f"{SIMMONS['start']:>{width}}-{SIMMONS['end']:<{width}}  actor       ")
    assert lines[0].index('"') == lines[1].index('"')


def test_parallel_reviews_through_git_conflict_until_settled(repo: Path, capsys) -> None:
    """rita accepts 360-385-actor and 921-941-hedge; sam accepts the first and rejects the second."""
    doc = make_project(repo)
    path = gold_file(doc)
    commit(repo, "three annotators")

    def decide(reviewer: str, hedge_decision: str) -> tuple[str, str]:
        review = Review.open(doc, reviewer)
        actor, hedge = find(review, "Ambassador Robert Simmons", "actor"), find(review, "seemingly ruling out", "hedge")
        review.accept(actor)
        review.accept(hedge) if hedge_decision == "accept" else review.reject(hedge)
        review.session.save()
        return actor.key, hedge.key

    git(repo, "checkout", "-q", "-b", "rita")
    actor_key, hedge_key = decide("rita", "accept")
    assert (actor_key, hedge_key) == ("360-385-actor", "921-941-hedge")
    commit(repo, "rita's review")
    git(repo, "checkout", "-q", "-b", "sam", "main")
    decide("sam", "reject")
    commit(repo, "sam's review")
    git(repo, "checkout", "-q", "rita")
    result = git(repo, "merge", "--no-edit", "sam", check=False)
    assert result.returncode != 0, result.stdout
    assert "annotations/seed/gold.json" in git(repo, "diff", "--name-only", "--diff-filter=U").stdout
    assert f"hedgerow: conflict in review {actor_key}: added differently on both sides" in result.stderr
    assert (f"hedgerow: conflict in review {hedge_key}: added differently on both sides: "
            f"at, decision, gold, reviewer differ") in result.stderr
    assert "settle each decision between the reviewers" in result.stderr
    with pytest.raises(StoreError,
                       match=rf"{path}: unresolved merge conflict in \d annotations? .* and 2 other places"):
        AnnotationStore(path).load()
    with pytest.raises(StoreError, match="unresolved merge conflict"):
        Review.open(doc, "rita")
    text = path.read_text(encoding="utf-8")
    for side, reviewer, hedge in (("ours", "rita", "accepted"), ("theirs", "sam", "rejected")):
        path.write_text(resolve(text, [side] * text.count("<<<<<<< ")), encoding="utf-8")
        review = consistent(AnnotationStore(path).load())
        assert set(review) == {actor_key, hedge_key}
        assert {r["reviewer"] for r in review.values()} == {reviewer}
        assert review[hedge_key]["decision"] == hedge
    settled = Review.open(doc, "sam")
    assert [(a.start, a.end, a.tag) for a in settled.gold] == [(360, 385, "actor")]
    commit(repo, "merge sam's review, keeping his")
    assert git(repo, "status", "--porcelain").stdout == ""


def test_git_setup_is_idempotent_and_keeps_other_attributes(repo: Path, capsys) -> None:
    attributes = repo / ".gitattributes"
    attributes.write_text("*.txt text eol=lf", encoding="utf-8")  # no final newline
    capsys.readouterr()
    assert main(["git-setup", "--repo", str(repo)]) == 0
    assert attributes.read_text(encoding="utf-8") == f"*.txt text eol=lf\n{ATTRIBUTES}\n"
    config = git(repo, "config", "--local", "--list").stdout
    state = (attributes.read_bytes(), config)
    capsys.readouterr()
    assert main(["git-setup", "--repo", str(repo)]) == 0
    assert (attributes.read_bytes(), git(repo, "config", "--local", "--list").stdout) == state
    second = capsys.readouterr().out.splitlines()
    assert len(second) == 4 and all(line.startswith("unchanged: ") for line in second), second
    driver = git(repo, "config", "--get", "merge.hedgerow.driver").stdout.strip()
    assert driver.endswith(" -m tui merge-driver %O %A %B") and "merge.hedgerow.name" in config
    assert git(repo, "config", "--get", "diff.hedgerow.textconv").stdout.strip().endswith(" -m tui show")


def test_git_setup_outside_a_repository_fails_clearly(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert main(["git-setup", "--repo", str(tmp_path)]) == 2
    assert "not inside a git working tree" in capsys.readouterr().err
    assert not (tmp_path / ".gitattributes").exists()


def test_the_same_integer_id_given_to_different_annotations_on_two_branches_is_renumbered(tmp_path: Path) -> None:
    """Each branch inserted its new annotation as document 3: both are kept, ours keeps 3."""
    base = layer(SIMMONS, HEDGE)
    ours, theirs = layer(SIMMONS, HEDGE, ALTYNBAYEV), layer(SIMMONS, HEDGE, record("could include", "hedge"))
    paths = [tmp_path / f"{name}.json" for name in ("base", "ours", "theirs")]
    for path, data in zip(paths, (base, ours, theirs), strict=True):
        path.write_text(dumps_stable(data), encoding="utf-8")
    assert main(["merge-driver", *map(str, paths)]) == 0
    merged = json.loads(paths[1].read_text(encoding="utf-8"))["annotations"]
    assert [(key, r["quote"]) for key, r in merged.items()] == [
        ("1", "Robert Simmons"), ("2", "appeared to support such plans"),
        ("3", "Army General Mukhtar Altynbayev"), ("4", "could include")]
    # Stock TinyDB reads the merged file, ids and all.
    from tinydb import TinyDB

    db = TinyDB(paths[1])
    try:
        assert sorted(d.doc_id for d in db.table("annotations").all()) == [1, 2, 3, 4]
    finally:
        db.close()


def test_a_schema_1_base_merges_with_schema_2_sides() -> None:
    """A branch point before the upgrade: the base is keyed by uuid, both sides by number."""
    base = schema1_layer(SIMMONS, HEDGE)
    ours = layer(SIMMONS, edited(HEDGE, 5, note="ours"))
    theirs = schema1_layer(SIMMONS, HEDGE, ALTYNBAYEV)  # not yet upgraded
    result = merge(base, ours, theirs)
    assert not result.conflicts
    merged = by_id(render(result))
    assert merged[HEDGE["id"]][1]["note"] == "ours"
    assert {i: key for i, (key, _) in merged.items()} == {SIMMONS["id"]: "1", HEDGE["id"]: "2", ALTYNBAYEV["id"]: "3"}
    assert json.loads(render(result))["meta"] == {"1": {**ours["meta"]["1"], "schema": 2}}
