"""Relations in the codebook, links between annotations: validation, undo, deletion, the file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.annotation import Annotation
from tui.core.errors import InputError, StoreError
from tui.core.links import LINKS, Link, LinkIndex, dangling, link_key
from tui.core.session import Session, SessionOptions
from tui.core.tags import DEFAULT_RELATIONS, Relation, load_config, parse_config

ALICE = SessionOptions(annotator="alice")
SENTENCE = "Simmons also suggested that NATO’s Partnership for Peace"


@pytest.fixture
def session(project_doc: Path) -> Session:
    return Session.open(project_doc, ALICE)


def tag(session: Session, quote: str, name: str, after: int = 0):
    start = session.text.index(quote, after)
    return session.add(start, start + len(quote), name)


def simmons(session: Session):
    """The Simmons sentence tagged: actor, commitment and two hedges."""
    at = session.text.index(SENTENCE)
    return (tag(session, "Simmons", "actor", at), tag(session, "setting up a team by 2007", "commitment", at),
            tag(session, "suggested", "hedge", at), tag(session, "could", "hedge", at))


# -- the codebook ------------------------------------------------------------------------------


def test_default_relations() -> None:
    relations = load_config(None).relations
    assert relations.names == ["by", "hedges"]
    assert relations.get("by") == Relation("by", "commitment", "actor", DEFAULT_RELATIONS[0].description)
    assert [r.name for r in relations.fitting("hedge", "commitment")] == ["hedges"]
    assert relations.fitting("actor", "commitment") == []
    assert relations.between("actor", "commitment") == (relations.get("by"), True)


def test_custom_relations_and_defaults_that_fit_the_tags() -> None:
    config = parse_config({"tags": [{"name": "claim", "colour": "red"}, {"name": "source", "colour": "blue"}],
                           "relations": [{"name": "cites", "from": "claim", "to": "source",
                                          "description": "The claim's source."}]})
    assert config.relations.names == ["cites"]
    assert config.relations.get("cites").description == "The claim's source."
    # Without [[relations]], only the default relations whose tags the codebook has.
    only_actors = parse_config({"tags": [{"name": "actor", "colour": "red"}, {"name": "commitment", "colour": "blue"}]})
    assert only_actors.relations.names == ["by"]


@pytest.mark.parametrize(("relations", "message"), [
    ([{"name": "by", "from": "commitment", "to": "person"}], "unknown tag 'person' in 'to'"),
    ([{"name": "by", "from": "nothing", "to": "actor"}], "unknown tag 'nothing' in 'from'"),
    ([{"name": "by", "from": "commitment"}], "needs 'to'"),
    ([{"name": "made by", "from": "commitment", "to": "actor"}], "of one word"),
    ([{"name": "by", "from": "commitment", "to": "actor", "colour": "red"}], "unknown field(s) colour"),
    ([{"name": "by", "from": "commitment", "to": "actor"}] * 2, "duplicate relation name 'by'"),
    ({"name": "by"}, "array of tables"),
    ([{"name": "softens", "from": "hedge", "to": "commitment", "role": "hedge"}], "unknown role 'hedge'"),
    ([{"name": "a", "from": "hedge", "to": "commitment", "role": "hedges"},
      {"name": "b", "from": "hedge", "to": "commitment", "role": "hedges"}], "two relations have the role 'hedges'"),
    ([{"name": "by", "from": "commitment", "to": "actor"}, {"name": "hedges", "from": "hedge", "to": "actor"}],
     "relation 'hedges' (hedge → actor) must point to the tag relation 'by' starts from (commitment)"),
    ([{"name": "by", "from": "actor", "to": "actor"}], None),
    ([{"name": "says", "from": "actor", "to": "actor", "role": "by"}], "has the role 'by' but links a tag to itself"),
])
def test_bad_relations_are_refused_on_load(tmp_path: Path, relations, message: str | None) -> None:
    if message is None:  # a relation named by, from a tag to itself, is a relation as any other
        parse_config({"relations": relations}, "x.toml")
        return
    with pytest.raises(InputError, match="^x.toml: .*" + message.replace("(", r"\(").replace(")", r"\)")):
        parse_config({"relations": relations}, "x.toml")


def test_the_brief_reads_the_relations_given_its_roles() -> None:
    from tui.core.brief import DEFAULT_ROLES, BriefRoles

    assert BriefRoles.of(load_config(None).relations) == DEFAULT_ROLES
    tags = [{"name": n, "colour": "red"} for n in ("actor", "claim", "hedge")]
    config = parse_config({"tags": tags, "relations": [
        {"name": "states", "from": "claim", "to": "actor", "role": "by"},
        {"name": "softens", "from": "hedge", "to": "claim", "role": "hedges"},
        {"name": "by", "from": "claim", "to": "claim"},  # named "by", but "states" has the role
    ]})
    assert BriefRoles.of(config.relations) == BriefRoles("actor", "claim", "hedge", "states", "softens")
    # A relation named for a role plays it unless given another; a role nobody plays is None.
    config = parse_config({"tags": tags, "relations": [{"name": "hedges", "from": "hedge", "to": "claim"}]})
    assert BriefRoles.of(config.relations) == BriefRoles(None, "claim", "hedge", None, "hedges")
    from tui.core.brief import Brief, summary_line

    assert summary_line(Brief({}, [], [], [], BriefRoles.of(config.relations))) == (
        "0 claims: 0 hedged, 0 bare · 0 hedges linked to no claim")  # no actor to count without `by`
    no_hedges = BriefRoles("actor", "claim", None, "states", None)
    assert summary_line(Brief({}, [], [], [], no_hedges)) == "0 claims: 0 hedged, 0 bare · 0 actors"
    config = parse_config({"tags": tags, "relations": [{"name": "cites", "from": "claim", "to": "actor"}]})
    roles = BriefRoles.of(config.relations)
    assert not roles.sums_up and "nothing to sum up" in roles.why_empty()


def test_a_bad_relation_in_a_project_codebook_stops_the_session(project_doc: Path) -> None:
    (project_doc.parent / "hedgerow.toml").write_text(
        '[[relations]]\nname = "by"\nfrom = "commitment"\nto = "speaker"\n', encoding="utf-8")
    with pytest.raises(InputError, match="unknown tag 'speaker'"):
        Session.open(project_doc, ALICE)


# -- linking -------------------------------------------------------------------------------------


def test_link_validation(session: Session) -> None:
    actor, commitment, suggested, could = simmons(session)
    link = session.link(commitment.id, actor.id, "by")
    assert link == Link(commitment.id, "by", actor.id, link.created)
    assert link.id == link_key(commitment.id, "by", actor.id)
    with pytest.raises(InputError, match="already linked"):
        session.link(commitment.id, actor.id, "by")
    with pytest.raises(InputError, match="cannot be linked to itself"):
        session.link(suggested.id, suggested.id, "hedges")
    with pytest.raises(InputError, match="relation 'by' links a commitment to an actor, not an actor to a commitment"):
        session.link(actor.id, commitment.id, "by")
    with pytest.raises(InputError, match="relation 'hedges' links a hedge to a commitment, not a hedge to an actor"):
        session.link(could.id, actor.id, "hedges")
    with pytest.raises(InputError, match=r"unknown relation 'of' \(the relations are by, hedges\)"):
        session.link(could.id, commitment.id, "of")
    with pytest.raises(InputError, match="no annotation with id 'nope' \\(the link's target\\)"):
        session.link(could.id, "nope", "hedges")
    assert len(session.links) == 1


def test_links_both_ways_undo_redo(session: Session) -> None:
    actor, commitment, suggested, could = simmons(session)
    by = session.link(commitment.id, actor.id, "by")
    session.link(suggested.id, commitment.id, "hedges")
    session.link(could.id, commitment.id, "hedges")
    assert [link.target for link in session.links.outgoing(commitment.id)] == [actor.id]
    assert sorted(link.source for link in session.links.incoming(commitment.id)) == sorted([suggested.id, could.id])
    assert len(session.links.of(commitment.id)) == 3
    session.undo()
    assert len(session.links) == 2 and not session.links.is_linked(could.id)
    session.redo()
    assert session.links.is_linked(could.id)
    assert session.unlink(commitment.id, actor.id) == [by]
    assert not session.links.holds(by) and by.id not in {r["id"] for r in session.tables[LINKS].values()}
    with pytest.raises(InputError, match="no link from"):
        session.unlink(commitment.id, actor.id)
    session.undo()
    assert session.links.holds(by)


def test_deleting_an_annotation_removes_its_links_in_the_same_step(session: Session) -> None:
    actor, commitment, suggested, could = simmons(session)
    session.link(commitment.id, actor.id, "by")
    session.link(suggested.id, commitment.id, "hedges")
    session.link(could.id, commitment.id, "hedges")
    session.delete(commitment.id)
    assert len(session.links) == 0 and session.tables[LINKS] == {}
    assert session.history.can_undo
    session.undo()  # one step brings back the annotation and its three links
    assert commitment.id in session.layer and len(session.links) == 3
    session.redo()
    assert len(session.links) == 0


def test_links_are_saved_in_their_own_table_and_loaded(session: Session, project_doc: Path) -> None:
    session.save()
    assert LINKS not in json.loads(session.store.path.read_text(encoding="utf-8"))  # no links: no table
    actor, commitment, *_ = simmons(session)
    link = session.link(commitment.id, actor.id, "by")
    session.save()
    data = json.loads(session.store.path.read_text(encoding="utf-8"))
    # Keyed by TinyDB's document ids, as the annotations are; the link's id as a field.
    assert data[LINKS] == {"1": {"from": commitment.id, "relation": "by", "to": actor.id,
                                 "created": link.created, "id": link.id}}
    again = Session.open(project_doc, ALICE)
    assert list(again.links) == [link]
    again.delete(actor.id)
    again.save()
    assert json.loads(again.store.path.read_text(encoding="utf-8")).get(LINKS, {}) == {}


def test_reanchoring_keeps_links(session: Session) -> None:
    actor, commitment, *_ = simmons(session)
    link = session.link(commitment.id, actor.id, "by")
    session.replace_many([actor.changed(start=actor.start, end=actor.end)], "re-anchor")
    assert list(session.links) == [link]


def test_index_reports_damaged_records_and_dangling_links() -> None:
    index = LinkIndex({"k1": {"from": "a", "relation": "by", "to": "b"}, "k2": {"from": "a"}, "k3": "x"})
    assert [link.target for link in index] == ["b"]
    assert set(index.damaged) == {"k2", "k3"}
    assert dangling(index, {"a"}) == list(index)
    assert dangling(index, {"a", "b"}) == []


_FIRST_USES = {  # a first use of a LinkIndex, and what it must see (or do)
    "put": lambda index: (index.put("9", Link("c9", "hedges", "c1").to_record()),
                          index.get("9") == Link("c9", "hedges", "c1") and len(index) == 6
                          and [link.source for link in index.incoming("c1")] == ["c9"])[1],
    "drop": lambda index: (index.drop("2"), "2" not in index and not index.is_linked("c2") and len(index) == 4)[1],
    "is_linked": lambda index: index.is_linked("c3") and index.is_linked("actor") and not index.is_linked("nobody"),
    "outgoing": lambda index: index.outgoing("c4") == [Link("c4", "by", "actor", "t")],
    "incoming": lambda index: [link.source for link in index.incoming("actor")] == ["c1", "c2", "c3", "c4", "c5"],
    "keyed": lambda index: index.keyed("c5") == [("5", Link("c5", "by", "actor", "t"))],
    "get": lambda index: index.get("1") == Link("c1", "by", "actor", "t") and index.get("7") is None,
    "items": lambda index: [key for key, _ in index.items()] == ["1", "2", "3", "4", "5"],
    "len": lambda index: len(index) == 5,
    "iter": lambda index: list(index) == [Link(f"c{n}", "by", "actor", "t") for n in range(1, 6)],
    "contains": lambda index: "3" in index and "6" not in index,
    "next_key": lambda index: index.next_key() == "6" and index.next_key(2) == "8",
    "holds": lambda index: index.holds(Link("c2", "by", "actor")) and not index.holds(Link("c2", "hedges", "actor")),
    "damaged": lambda index: index.damaged == {},
    "linked_ids": lambda index: index.linked_ids() == {"actor", "c1", "c2", "c3", "c4", "c5"},
}


@pytest.mark.parametrize("first_use", list(_FIRST_USES))
def test_index_answers_before_it_is_built_and_after_changes_made_before(first_use: str) -> None:
    """The index is built when first asked: a change passed to it before then (a link made or removed
    while the records are still unread) is not lost, and every question builds it first."""
    index = LinkIndex({str(n): Link(f"c{n}", "by", "actor", "t").to_record() for n in range(1, 6)})
    assert _FIRST_USES[first_use](index)
    assert len(index.of("actor")) == len(index) - (first_use == "put")  # built, and in step with the change


def test_index_of_a_damaged_table_reads_each_record_alone_as_a_clean_one_is_read() -> None:
    """A table with one record that is not a link is read record by record (the other path): every
    other link is indexed just as in a clean table, the damaged one reported."""
    clean = {str(n): Link(f"c{n % 7}", "by", f"a{n % 3}", "t").to_record() for n in range(1, 40)}
    clean["40"] = {"from": "c1", "relation": "hedges", "to": "a1"}  # no `created`: ""
    damaged = {**clean, "41": {"from": "c1", "relation": "by", "to": ""}, "42": ["not", "a", "link"],
               "43": {"from": "c2", "relation": "by", "to": "a2", "created": None}}
    fast, slow = LinkIndex(clean), LinkIndex(damaged)
    assert set(slow.damaged) == {"41", "42", "43"} and fast.damaged == {}
    assert list(slow) == list(fast) and slow.items() == fast.items()
    assert fast.get("40") == Link("c1", "hedges", "a1", "")
    for end in [f"c{n}" for n in range(7)] + [f"a{n}" for n in range(3)]:
        assert slow.keyed(end) == fast.keyed(end) and slow.is_linked(end) == fast.is_linked(end)
    assert slow.next_key() == "44" and fast.next_key() == "41"


_ENDS = st.sampled_from(["a", "b", "c", "d", "e"])
_CHANGES = st.lists(st.tuples(st.integers(1, 12), st.one_of(st.none(), st.tuples(_ENDS, _ENDS))), max_size=40)


@settings(max_examples=200, deadline=None)
@given(table=st.dictionaries(st.integers(1, 12), st.tuples(_ENDS, _ENDS), max_size=12), changes=_CHANGES)
def test_index_chains_stay_right_through_any_changes(table: dict[int, tuple[str, str]],
                                                      changes: list[tuple[int, tuple[str, str] | None]]) -> None:
    """The index's chains of rows (built in C from a table, then changed link by link) give what a
    plain dict of the records gives: each annotation's links both ways, in the order they came."""
    def record(ends: tuple[str, str]) -> dict[str, str]:
        return Link(ends[0], "by", ends[1], "t").to_record()

    model = {str(key): record(ends) for key, ends in table.items()}
    index = LinkIndex(model)
    for key, ends in changes:
        model.pop(str(key), None)
        if ends is not None:
            model[str(key)] = record(ends)
        index.put(str(key), None if ends is None else record(ends))
        for end in "abcdef":
            assert [k for k, _ in index.keyed(end)] == list(dict.fromkeys(
                [k for k, r in model.items() if r["from"] == end] + [k for k, r in model.items() if r["to"] == end]))
            records = list(model.values())
            assert [link.target for link in index.outgoing(end)] == [r["to"] for r in records if r["from"] == end]
            assert [link.source for link in index.incoming(end)] == [r["from"] for r in records if r["to"] == end]
            assert index.is_linked(end) == any(end in (r["from"], r["to"]) for r in model.values())
    assert index.items() == [(k, Link.from_record(r)) for k, r in model.items()] and len(index) == len(model)


def test_links_of_a_large_file_are_read_in_batches_and_a_key_twice_is_found(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The links table is streamed like the annotations (CHUNK bytes at a time, each batch parsed in
    C): the same table as a whole read gives, and a key twice, in one batch or two, is reported."""
    from tui.core import store as store_module
    from tui.core.store import AnnotationStore, read_json

    text = "word " * 300
    made = [Annotation.create(text, i, i + 4, "hedge", document="d", annotator="a") for i in range(0, 1500, 5)]
    links = {str(n): Link(made[n].id, "hedges", made[n - 1].id, "2026").to_record() for n in range(1, 300)}
    path = tmp_path / "big.json"
    AnnotationStore(path).save(made, {"document": {"sha256": "d"}}, {LINKS: links, "review": {"1": {"a": {"b": 1}}}})
    monkeypatch.setattr(store_module, "CHUNK", 2048)
    batches: list[str] = []
    batch = store_module._batch
    monkeypatch.setattr(store_module, "_batch", lambda raw, table="annotations": (batches.append(table),
                                                                                 batch(raw, table))[1])
    loaded = AnnotationStore(path).load(text)
    assert batches.count(LINKS) > 10  # a chunk at a time
    assert loaded.tables[LINKS] == links == read_json(path)[LINKS]
    assert loaded.tables["review"] == {"1": {"a": {"b": 1}}} and loaded.meta["document"]["sha256"] == "d"
    raw = path.read_text(encoding="utf-8")
    first = raw.index('\n    "1": {', raw.index(f'"{LINKS}"'))
    record_end = raw.index("\n    }", first) + len("\n    }")
    table_end = raw.index('\n  },\n  "meta"')
    twice_far = raw[:table_end] + "," + raw[first:record_end] + raw[table_end:]  # link 1 again, later
    twice_near = raw[:record_end] + "," + raw[first:record_end] + raw[record_end:]  # in the same batch
    nested_twice = raw.replace('"review": {\n    "1": {\n      "a": {\n        "b": 1\n      }',
                               '"review": {\n    "1": {\n      "a": {\n        "b": 1,\n        "b": 2\n      }')
    assert nested_twice != raw
    for broken, message in ((twice_far, f'record "1" appears twice in table "{LINKS}"'),
                            (twice_near, f'record "1" appears twice in table "{LINKS}"'),
                            (nested_twice, 'record "1" of table "review" has the key "b" twice')):
        path.write_text(broken, encoding="utf-8")
        with pytest.raises(StoreError) as info:
            AnnotationStore(path).load(text)
        assert message in str(info.value), str(info.value)
        assert path.read_text(encoding="utf-8") == broken


# -- merging and checking ---------------------------------------------------------------------------


def test_merge_driver_merges_links_by_key(session: Session, tmp_path: Path) -> None:
    from tui.core.merge import merge, render

    actor, commitment, suggested, could = simmons(session)
    session.save()
    base = json.loads(session.store.path.read_text(encoding="utf-8"))
    ours_session = Session.open(session.document.path, ALICE)
    by = ours_session.link(commitment.id, actor.id, "by")
    hedges = ours_session.link(suggested.id, commitment.id, "hedges")
    ours_session.save()
    ours = json.loads(ours_session.store.path.read_text(encoding="utf-8"))
    # Theirs made the same `by` link (later) and another hedge link, on the base.
    theirs_by = Link(commitment.id, "by", actor.id, "2099-01-01T00:00:00.000Z")
    theirs_could = Link(could.id, "hedges", commitment.id)
    theirs = {**base, LINKS: {theirs_by.id: theirs_by.to_record(), theirs_could.id: theirs_could.to_record()}}
    result = merge(base, ours, theirs)
    assert result.conflicts == []
    assert result.data[LINKS] == {by.id: by.to_record(), hedges.id: hedges.to_record(),
                                  theirs_could.id: theirs_could.to_record()}
    # One side unlinks, the other leaves the link alone: the unlink wins, cleanly.
    unlinked = {**ours, LINKS: {hedges.id: hedges.to_record()}}
    assert merge(ours, unlinked, ours).data[LINKS] == {hedges.id: hedges.to_record()}
    # One side deletes the actor, the other links it: both merge; the link dangles (check reports it).
    deleted = {**base, "annotations": {k: v for k, v in base["annotations"].items() if v["id"] != actor.id}}
    merged = merge(base, deleted, {**base, LINKS: {by.id: by.to_record()}})
    assert merged.conflicts == [] and by.id in merged.data[LINKS]
    path = tmp_path / "merged.json"
    path.write_text(render(merged), encoding="utf-8")
    from tui.core.store import AnnotationStore

    stored = AnnotationStore(path).load()
    assert dangling(LinkIndex(stored.tables[LINKS]), stored.layer.ids()) == [by]


def test_merge_renumbers_a_link_both_branches_keyed_alike_and_loses_nothing(tmp_path: Path) -> None:
    from tui.core.merge import merge, render
    from tui.core.store import AnnotationStore

    kept = Link("a", "by", "b", "2020-01-01T00:00:00.000Z")
    ours_link, theirs_link = Link("c", "hedges", "a", "2020-01-02T00:00:00.000Z"), Link("d", "hedges", "a")
    base = {LINKS: {"1": kept.to_record()}}
    ours = {LINKS: {"1": kept.to_record(), "2": ours_link.to_record()}}
    theirs = {LINKS: {"1": kept.to_record(), "2": theirs_link.to_record()}}  # the same key, another link
    result = merge(base, ours, theirs)
    assert result.conflicts == []
    path = tmp_path / "merged.json"
    path.write_text(render(result), encoding="utf-8")
    written = json.loads(path.read_text(encoding="utf-8"))[LINKS]
    assert written == {"1": kept.to_record(), "2": ours_link.to_record(), "3": theirs_link.to_record()}
    assert sorted(LinkIndex(AnnotationStore(path).load().tables[LINKS])) == sorted([kept, ours_link, theirs_link])
    # The same link made on both sides under different keys is one link, under ours' key, the earlier created.
    early = Link("c", "hedges", "a", "2019-01-01T00:00:00.000Z")
    result = merge(base, ours, {LINKS: {"1": kept.to_record(), "3": early.to_record()}})
    assert result.conflicts == [] and result.link_numbers[early.id] == 2
    assert json.loads(render(result))[LINKS] == {"1": kept.to_record(), "2": early.to_record()}


def test_merge_conflict_on_a_link_deleted_on_one_side_and_changed_on_the_other(tmp_path: Path) -> None:
    from tui.core.merge import merge, render

    link = Link("a", "by", "b", "2020-01-01T00:00:00.000Z")
    other = Link("x", "by", "y", "2020-01-01T00:00:00.000Z")
    base = {LINKS: {"1": link.to_record(), "2": other.to_record()}}
    ours = {LINKS: {"2": other.to_record()}}  # unlinked
    theirs = {LINKS: {"4": {**link.to_record(), "note": "why"}, "2": other.to_record()}}  # a field added, renumbered
    [conflict] = merge(base, ours, theirs).conflicts
    assert (conflict.table, conflict.key, conflict.reason) == (LINKS, link.id, "deleted in ours, changed in theirs")
    text = render(merge(base, ours, theirs))
    assert f"<<<<<<< ours: links {link.id}; deleted in ours, changed in theirs" in text
    assert '"4": {' in text.split("=======")[1]  # theirs' version, under theirs' key


def linked_then_edited(session: Session, edit: Callable[[dict, str, str], None]) -> tuple[Annotation, Annotation, Path]:
    """Simmons (actor) and the commitment he makes, linked `by` and saved; then the file edited by hand:
    `edit(data, key of the actor's record, key of the commitment's)`."""
    actor, commitment, *_ = simmons(session)
    session.link(commitment.id, actor.id, "by")
    session.save()
    path = session.store.path
    data = json.loads(path.read_text(encoding="utf-8"))
    keys = {v["id"]: k for k, v in data["annotations"].items()}
    edit(data, keys[actor.id], keys[commitment.id])
    path.write_text(json.dumps(data), encoding="utf-8")
    return actor, commitment, path


def test_check_reports_broken_links_and_removes_them_only_with_apply(session: Session, capsys) -> None:
    from tui.cli import main

    def edit(data: dict, actor_key: str, commitment_key: str) -> None:
        commitment_id = data["annotations"][commitment_key]["id"]
        del data["annotations"][actor_key]  # a hand edit: the link's target is gone
        data[LINKS]["junk"] = {"from": commitment_id}

    actor, commitment, path = linked_then_edited(session, edit)
    args = ["check", str(session.document.path), "--annotator", "alice"]
    assert main(args) == 1
    out, err = capsys.readouterr()
    # (the hand-made key "junk" is numbered after the others, as it will be saved)
    assert f"broken link 1: by link {commitment.id} -> {actor.id}: its target no longer exists" in out
    assert "broken link 2: record 2 is not a link" in out and "2 broken links kept" in err
    assert set(json.loads(path.read_text(encoding="utf-8"))[LINKS]) == {"1", "junk"}  # untouched
    assert main([*args, "--apply"]) == 0
    assert "removed 2 broken links" in capsys.readouterr()[0]
    assert LINKS not in json.loads(path.read_text(encoding="utf-8"))
    assert main(args) == 0


def test_a_hand_edited_key_still_deletes_and_unlinks(session: Session) -> None:
    actor, commitment, suggested, _ = simmons(session)
    session.link(commitment.id, actor.id, "by")
    session.link(suggested.id, commitment.id, "hedges")
    session.save()
    data = json.loads(session.store.path.read_text(encoding="utf-8"))
    data[LINKS] = {f"hand-{i}": record for i, record in enumerate(data[LINKS].values())}
    session.store.path.write_text(json.dumps(data), encoding="utf-8")
    again = Session.open(session.document.path, ALICE)
    again.unlink(suggested.id, commitment.id)
    again.delete(actor.id)
    assert again.tables[LINKS] == {} and len(again.links) == 0


def test_a_record_written_before_entity_existed_takes_the_fast_path() -> None:
    from tui.core.annotation import Annotation, record_values

    made = Annotation.create("Simmons said", 0, 7, "actor", document="d", annotator="a")
    old = {k: v for k, v in made.to_record().items() if k != "entity"}  # as files were written before
    assert record_values(old) == record_values(made.to_record()) != None  # noqa: E711
    assert record_values({**old, "surprise": 1}) is None  # anything else still looks closer


@pytest.mark.parametrize("record", [
    {"created": "2026-01-01T00:00:00.000Z", "from": "a", "relation": "by", "to": "b"},
    {"z": "é\n\"\u2028\x00", "a": "", "m": "👍🏽"},
])
def test_flat_string_records_are_written_as_json_dumps_would(record: dict) -> None:
    from tui.core.store import INDENT, _dump_record

    expected = json.dumps(record, ensure_ascii=False, sort_keys=True, indent=2).replace("\n", "\n" + INDENT * 2)
    assert _dump_record(record) == expected


def test_the_import_summary_counts_links_in_words() -> None:
    from tui.core.links import LinkPlan, links_summary

    one = Link("a", "by", "b")
    assert links_summary(LinkPlan([one], [], 0)) == "; 1 link imported, 0 not"
    assert links_summary(LinkPlan([one, one], ["bad"], 2)) == "; 2 links imported, 1 not, 2 already present"
    assert links_summary(LinkPlan([], [], 0)) == ""


def test_retagging_removes_the_links_the_new_tag_no_longer_fits_in_the_same_step(session: Session) -> None:
    """A commitment retagged as a hedge is made by no one and hedged by nothing: its `by` and
    `hedges` links went on (the brief counted an actor with no commitment, `check` said nothing)."""
    actor, commitment, suggested, could = simmons(session)
    session.link(commitment.id, actor.id, "by")
    session.link(suggested.id, commitment.id, "hedges")
    session.link(could.id, commitment.id, "hedges")
    linked = sorted(key for key, _ in session.links.keyed(commitment.id))
    assert sorted(session.unfit_links(commitment.id, "hedge")) == linked
    assert session.unfit_links(commitment.id, "commitment") == []
    session.retag(commitment.id, "hedge")
    assert session.layer[commitment.id].tag == "hedge" and len(session.links) == 0
    session.undo()  # one step: the tag and the three links back
    assert session.layer[commitment.id].tag == "commitment" and len(session.links) == 3
    session.redo()
    assert len(session.links) == 0
    session.undo()
    session.retag(suggested.id, "hedge")  # the same tag: nothing changes
    session.retag(actor.id, "hedge")  # only the `by` link goes; the hedges of the commitment stay
    assert [link.relation for _, link in session.links.items()] == ["hedges", "hedges"]


def test_check_reports_links_whose_tags_the_relation_does_not_fit(session: Session, capsys) -> None:
    from tui.cli import main

    def edit(data: dict, actor_key: str, commitment_key: str) -> None:
        data["annotations"][commitment_key]["tag"] = "hedge"  # a hand edit (or a merge) retagged it

    actor, commitment, path = linked_then_edited(session, edit)
    args = ["check", str(session.document.path), "--annotator", "alice"]
    assert main(args) == 1
    out, _ = capsys.readouterr()
    assert f"broken link 1: by link {commitment.id} -> {actor.id}: links hedge to actor, which by does not" in out
    assert main([*args, "--apply"]) == 0
    assert LINKS not in json.loads(path.read_text(encoding="utf-8"))
