"""Session changes, undo and redo, notifications; and the Layer index under them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tui.core.annotation import Annotation
from tui.core.errors import InputError
from tui.core.history import Change, History
from tui.core.layer import Layer
from tui.core.session import Session, SessionOptions
from tui.core.store import AnnotationStore

ALICE = SessionOptions(annotator="alice")


@pytest.fixture
def session(project_doc: Path) -> Session:
    return Session.open(project_doc, ALICE)


def span_of(session: Session, quote: str) -> tuple[int, int]:
    start = session.text.index(quote)
    return start, start + len(quote)


def state(session: Session) -> list[tuple]:
    return [(a.id, a.start, a.end, a.tag, a.note) for a in session.layer]


# -- undo and redo ----------------------------------------------------------------------------


def test_undo_each_change_then_redo_them_all(session: Session) -> None:
    states = [state(session)]
    first = session.add(*span_of(session, "Kazakhstan"), "actor")
    states.append(state(session))
    second = session.add(*span_of(session, "appeared to support"), "commitment")
    states.append(state(session))
    session.retag(second.id, "hedge")
    states.append(state(session))
    assert session.get(second.id).tag == "hedge"
    session.set_note(second.id, "weak support")
    states.append(state(session))
    session.delete(first.id)
    states.append(state(session))
    assert state(session) == [(second.id, *span_of(session, "appeared to support"), "hedge", "weak support")]

    labels = []
    for expected in reversed(states[:-1]):
        change = session.undo()
        labels.append(change.label)
        assert state(session) == expected
    assert labels == ["delete actor", "edit note", "retag as hedge", "tag commitment", "tag actor"]
    assert state(session) == [] and not session.history.can_undo
    assert session.undo() is None

    for expected in states[1:]:
        assert session.redo() is not None
        assert state(session) == expected
    assert session.redo() is None and not session.history.can_redo


def test_undo_restores_the_exact_annotation(session: Session) -> None:
    made = session.add(*span_of(session, "Kazakhstan"), "actor", note="first")
    session.retag(made.id, "hedge")
    assert session.get(made.id).modified >= made.modified
    session.undo()
    assert session.get(made.id) == made  # the same record, timestamps included
    session.delete(made.id)
    session.undo()
    assert session.get(made.id) == made


def test_new_change_after_undo_clears_redo(session: Session) -> None:
    session.add(*span_of(session, "Kazakhstan"), "actor")
    session.add(*span_of(session, "NATO"), "actor")
    session.undo()
    assert session.history.can_redo
    session.add(*span_of(session, "Alliance"), "actor")
    assert not session.history.can_redo
    assert session.redo() is None
    assert sorted(a.quote for a in session.layer) == ["Alliance", "Kazakhstan"]


def test_import_is_undone_in_one_step(session: Session) -> None:
    kept = session.add(*span_of(session, "Kazakhstan"), "actor")
    imported = [Annotation.create(session.text, *span_of(session, quote), "hedge",
                                  document=session.document.sha256, annotator="bob")
                for quote in ("appeared to", "could include", "arguably", "may well")]
    change = session.add_many(imported)
    assert change.label == "import" and len(change.pairs) == 4
    assert len(session.layer) == 5
    assert session.undo() is change
    assert state(session) == [(kept.id, kept.start, kept.end, "actor", "")]
    session.redo()
    assert len(session.layer) == 5 and session.layer.counts() == {"actor": 1, "hedge": 4}
    assert session.add_many([]) is None  # nothing to import: no empty undo step
    session.undo()
    assert len(session.layer) == 1


def test_replace_many_is_one_step(session: Session) -> None:
    a = session.add(*span_of(session, "Kazakhstan"), "actor")
    b = session.add(*span_of(session, "NATO"), "actor")
    moved = [replace(a, start=a.start + 1, end=a.end + 1), replace(b, tag="hedge")]
    session.replace_many(moved, "re-anchor")
    assert session.get(a.id).start == a.start + 1 and session.get(b.id).tag == "hedge"
    session.undo()
    assert session.get(a.id) == a and session.get(b.id) == b


def test_replace_many_keeps_rows_not_objects_and_is_all_or_nothing(session: Session) -> None:
    from tui.core.layer import Stored

    made = [session.add(*span_of(session, quote), "actor") for quote in ("Kazakhstan", "NATO", "Simmons")]
    moved = [replace(a, tag="hedge", note=f"moved {i}") for i, a in enumerate(made)]
    change = session.replace_many(iter(moved), "re-anchor")  # any iterable, applied as it comes
    assert all(isinstance(x, Stored) for pair in change.pairs for x in pair)
    assert [session.get(a.id) for a in made] == moved
    session.undo()
    assert [session.get(a.id) for a in made] == made
    session.redo()
    assert [session.get(a.id) for a in made] == moved
    with pytest.raises(KeyError):
        session.replace_many([replace(moved[0], tag="actor"), replace(moved[1], id="no-such-id")], "bad")
    assert [session.get(a.id) for a in made] == moved and session.history._done[-1] is change


def test_subscribers_hear_every_change(session: Session) -> None:
    heard: list[Change] = []
    session.subscribe(heard.append)
    made = session.add(*span_of(session, "Kazakhstan"), "actor")
    session.retag(made.id, "hedge")
    session.retag(made.id, "hedge")  # no change: no notification, no undo step
    session.set_note(made.id, "note")
    session.set_note(made.id, "note")
    session.add_many([Annotation.create(session.text, 0, 11, "actor", document="", annotator="alice")])
    session.delete(made.id)
    session.undo()
    session.redo()
    assert len(heard) == 7
    assert session.version == 7
    assert heard[0].pairs == ((None, made),)
    assert heard[-2].pairs[0][1] is not None  # an undone delete is reported as an addition
    assert heard[-1].pairs[0][1] is None  # its redo as a deletion
    assert [a.id for a in heard[-1].touched] == [made.id]


def test_errors_do_not_change_anything(session: Session) -> None:
    heard = []
    session.subscribe(heard.append)
    with pytest.raises(InputError, match="unknown tag 'claim'"):
        session.add(0, 5, "claim")
    with pytest.raises(InputError, match="empty span"):
        session.add(5, 5, "actor")
    with pytest.raises(InputError, match="empty span"):
        session.add(0, len(session.text) + 1, "actor")
    made = session.add(0, 5, "actor")
    with pytest.raises(InputError, match="unknown tag"):
        session.retag(made.id, "nope")
    with pytest.raises(KeyError):
        session.delete("no-such-id")
    assert len(heard) == 1 and len(session.layer) == 1


def test_dirty_and_save(session: Session) -> None:
    assert not session.dirty
    made = session.add(*span_of(session, "Kazakhstan"), "actor")
    assert session.dirty
    snapshot = session.snapshot()  # (version, annotations, ...): what the saver thread writes
    assert snapshot[0] == session.version and snapshot[1].items() == session.layer.items()
    session.set_note(made.id, "later")  # a change after the snapshot was taken
    assert snapshot[1][made.id].note == "" and session.layer[made.id].note == "later"
    with pytest.raises(RuntimeError):
        snapshot[1].add(made)  # a snapshot is read-only
    session.save_snapshot(*snapshot)
    assert session.dirty  # the later change is still unsaved
    assert AnnotationStore(session.store.path).load().annotations[0].note == ""
    session.save()
    assert not session.dirty
    reopened = Session.open(session.document.path, ALICE)
    assert [a.to_record() for a in reopened.layer] == [a.to_record() for a in session.layer]


def test_history_limit() -> None:
    history = History(limit=3)
    layer = Layer()
    for n in range(5):
        a = Annotation(start=n, end=n + 1, quote="x", tag="t", document="", annotator="")
        layer.add(a)
        history.record(Change("add", ((None, a),)))
    undone = 0
    while history.undo(layer):
        undone += 1
    assert undone == 3 and len(layer) == 2


# -- the Layer --------------------------------------------------------------------------------


def ann(start: int, end: int, tag: str = "actor", id: str | None = None) -> Annotation:
    made = Annotation(start=start, end=end, quote="x" * (end - start), tag=tag, document="", annotator="")
    return replace(made, id=id) if id else made


def brute_overlapping(items: list[Annotation], start: int, end: int) -> list[Annotation]:
    return sorted((a for a in items if a.start < end and a.end > start), key=Annotation.sort_key)


@pytest.fixture
def nested() -> list[Annotation]:
    # 0         1         2         3
    # 0123456789012345678901234567890123
    # [outer..........................)      0-30
    #   [mid........)                        2-14
    #     [in)                               4-8
    #          [cross.......)                9-22
    #                   [b)                  18-20
    #                        [tail....)      25-34
    #     [same-as-in)                       4-8 (another tag)
    return [ann(0, 30, "actor", "outer"), ann(2, 14, "hedge", "mid"), ann(4, 8, "hedge", "in"),
            ann(9, 22, "commitment", "cross"), ann(18, 20, "actor", "b"), ann(25, 34, "hedge", "tail"),
            ann(4, 8, "actor", "twin")]


def test_layer_queries_on_nested_and_overlapping_spans(nested: list[Annotation]) -> None:
    layer = Layer(reversed(nested))
    assert [a.id for a in layer] == ["outer", "mid", "twin", "in", "cross", "b", "tail"]
    for start in range(-2, 36):
        for end in range(start + 1, 37):
            assert layer.overlapping(start, end) == brute_overlapping(nested, start, end), (start, end)
    assert [a.id for a in layer.at(5)] == ["twin", "in", "mid", "outer"]  # innermost first
    assert [a.id for a in layer.at(19)] == ["b", "cross", "outer"]
    assert [a.id for a in layer.at(24)] == ["outer"]
    assert layer.at(34) == [] and layer.at(-1) == []
    assert layer.next_after(0).id == "mid"
    assert layer.next_after(4).id == "cross"
    assert layer.next_after(25) is None
    assert layer.previous_before(4).id == "mid"
    assert layer.previous_before(5).id == "in"
    assert layer.previous_before(0) is None
    assert layer.counts() == {"actor": 3, "hedge": 3, "commitment": 1}


def test_layer_stays_right_through_add_and_remove(nested: list[Annotation]) -> None:
    layer = Layer()
    for a in nested:
        layer.add(a)
    assert layer.counts() == {"actor": 3, "hedge": 3, "commitment": 1}
    assert len(layer) == 7 and "cross" in layer and layer.get("zzz") is None
    with pytest.raises(ValueError, match="duplicate"):
        layer.add(nested[0])
    assert layer.remove("outer").id == "outer"
    assert layer.remove("b").id == "b"
    assert layer.counts() == {"actor": 1, "hedge": 3, "commitment": 1}
    left = [a for a in nested if a.id not in ("outer", "b")]
    for start in range(0, 35):
        assert layer.overlapping(start, start + 3) == brute_overlapping(left, start, start + 3)
    old = layer.replace(replace(layer["in"], tag="actor"))
    assert old.tag == "hedge"
    assert layer.counts() == {"actor": 2, "hedge": 2, "commitment": 1}
    for annotation_id in list(layer.ids()):
        layer.remove(annotation_id)
    assert layer.counts() == {} and len(layer) == 0 and layer.items() == []
    assert layer.overlapping(0, 100) == [] and layer.next_after(0) is None


def test_layer_rejects_duplicate_ids_and_keeps_index_of() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        Layer([ann(0, 1, id="a"), ann(2, 3, id="a")])
    layer = Layer([ann(5, 6, id="c"), ann(0, 1, id="a"), ann(2, 3, id="b")])
    assert [layer.index_of(i) for i in "abc"] == [0, 1, 2]
    assert layer.items() is not layer.items()  # a copy, safe to hand to a saver thread


def test_long_annotation_added_later_is_still_found() -> None:
    layer = Layer([ann(50, 52, id="short")])
    layer.add(ann(0, 100, id="long"))
    assert [a.id for a in layer.overlapping(60, 61)] == ["long"]
    assert [a.id for a in layer.at(51)] == ["short", "long"]


def test_session_layer_counts_follow_undo(session: Session) -> None:
    a = session.add(*span_of(session, "Kazakhstan"), "actor")
    session.add(*span_of(session, "NATO"), "actor")
    session.retag(a.id, "hedge")
    assert session.layer.counts() == {"actor": 1, "hedge": 1}
    session.undo()
    assert session.layer.counts() == {"actor": 2}
    session.delete(a.id)
    assert session.layer.counts() == {"actor": 1}
    session.undo()
    session.undo()
    session.undo()
    assert session.layer.counts() == {}
    assert session.at(span_of(session, "Kazakhstan")[0]) is None
