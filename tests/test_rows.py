"""Annotations kept as columns: every field comes back exactly, however unusual."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tui.core.annotation import Annotation
from tui.core.layer import Layer
from tui.core.rows import NO_TIME, Rows, encode_row, pack_time, unpack_time
from tui.core.store import _dump_record

TEXT = "Café 👍🏽 said: Kazakhstan appeared to support the plan.\nNext line, 北京 and more words here."


def made(start: int, end: int, tag: str = "hedge", **changes) -> Annotation:
    return replace(Annotation.create(TEXT, start, end, tag, document="sha", annotator="alice"), **changes)


UNUSUAL = [
    made(0, 4),  # plain: nothing but the columns
    made(5, 9, note="a note\nover two lines"),  # the note alone
    made(16, 26, id="anno-1"),  # not a uuid
    made(16, 26, id="6BC22674-B0E5-470C-A000-000000000001"),  # a uuid, but upper case
    made(27, 46, created="2026-11-27T18:50:23Z", modified="yesterday"),  # other timestamp forms
    made(27, 46, tag="actor", created="2016-12-31T23:59:60.000Z"),  # a leap second: not a datetime
    made(47, 51, quote="PLAN", prefix="other context", suffix=""),  # the text changed under it
    made(52, 60, document="other-sha", annotator="bob"),
    made(len(TEXT) - 5, len(TEXT)),  # the suffix is cut short by the end of the text
]


@pytest.mark.parametrize("text", [TEXT, None])
def test_every_field_comes_back_exactly(text: str | None) -> None:
    rows = Rows(text)
    for annotation in UNUSUAL:
        row = rows.append_annotation(annotation)
        assert rows.annotation(row) == annotation
        assert rows.id_of(row) == annotation.id
        assert encode_row(rows, row) == _dump_record(annotation.to_record())
        # The guard: byte for byte what json.dumps writes for the record, at the table's indent.
        expected = json.dumps(annotation.to_record(), indent=2, sort_keys=True, ensure_ascii=False)
        assert encode_row(rows, row) == expected.replace("\n", "\n    ")


def test_what_the_text_says_is_not_stored_twice() -> None:
    rows = Rows(TEXT)
    plain, noted, changed = (rows.append_annotation(UNUSUAL[i]) for i in (0, 1, 6))
    assert rows.extras[plain] is None
    assert rows.extras[noted] == "a note\nover two lines"
    assert rows.extras[changed] == {"quote": "PLAN", "prefix": "other context", "suffix": ""}


def test_times_pack_only_in_the_canonical_form() -> None:
    for text in ("2026-11-27T18:50:23.641Z", "1970-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z"):
        assert unpack_time(pack_time(text)) == text
    for odd in ("2026-11-27T18:50:23Z", "2026-11-27 18:50:23.641Z", "2026-02-30T00:00:00.000Z",
                "2026-11-27T18:50:23.64aZ", "2026-11-27T18:50:23.641+", "２026-11-27T18:50:23.641Z"):
        assert pack_time(odd) == NO_TIME


def test_a_snapshot_keeps_its_state_while_the_layer_changes() -> None:
    layer = Layer(UNUSUAL[:3], text=TEXT)
    snapshot = layer.snapshot()
    layer.remove(UNUSUAL[0].id)
    layer.replace(UNUSUAL[1].changed(note="edited"))
    layer.add(UNUSUAL[7])
    assert snapshot.items() == sorted(UNUSUAL[:3], key=Annotation.sort_key)
    assert snapshot[UNUSUAL[1].id].note == "a note\nover two lines" and layer[UNUSUAL[1].id].note == "edited"
    assert UNUSUAL[0].id in snapshot and UNUSUAL[0].id not in layer
    with pytest.raises(RuntimeError):
        snapshot.remove(UNUSUAL[1].id)


def test_ordered_views_follow_document_order_and_the_filter() -> None:
    layer = Layer(UNUSUAL, text=TEXT)
    everything = layer.in_order()
    assert list(everything) == sorted(UNUSUAL, key=Annotation.sort_key) == layer.items()
    assert everything[-1] == layer.items()[-1] and everything[1:3] == layer.items()[1:3]
    actors = layer.in_order("actor")
    assert [a.id for a in actors] == [UNUSUAL[5].id]
    assert actors.index_of(UNUSUAL[5].id) == 0 and actors.index_of(UNUSUAL[0].id) is None
    assert everything.index_of(UNUSUAL[5].id) == layer.index_of(UNUSUAL[5].id)
    assert len(layer.in_order("no such tag")) == 0
    with pytest.raises(IndexError):
        everything[len(UNUSUAL)]


def test_file_order_is_by_id_and_duplicates_are_refused() -> None:
    layer = Layer(reversed(UNUSUAL), text=TEXT)
    assert [a.id for a in layer.in_id_order()] == sorted(a.id for a in UNUSUAL)
    with pytest.raises(ValueError, match="duplicate annotation id anno-1"):
        Layer([UNUSUAL[2], replace(UNUSUAL[0], id="anno-1")], text=TEXT)


def test_sorting_in_pieces_gives_what_one_sort_gives() -> None:
    """Large orders are sorted a piece at a time (so a worker never holds the GIL for one long sort): the
    pieces follow a leading part of the key, so the order is sorted()'s, ties kept in their order."""
    import random

    from tui.core.layer import PIECES, sorted_in_pieces

    rng = random.Random(10)
    for top in (1, 7, PIECES, 10**6, 2**70):
        keys = [rng.randrange(top) for _ in range(3000)]
        shift = max(0, max(keys).bit_length() - PIECES.bit_length() + 1)
        pieces = [key >> shift for key in keys]
        assert sorted_in_pieces(range(len(keys)), keys.__getitem__, pieces.__getitem__) == sorted(
            range(len(keys)), key=keys.__getitem__)


@pytest.mark.parametrize("uuids", [True, False])
def test_a_large_layer_is_in_id_document_and_key_order(uuids: bool) -> None:
    """Thousands of annotations (the orders are sorted in pieces), some ids not uuids: each order is
    the one sorting the annotations whole gives."""
    import random
    import uuid

    rng = random.Random(3)
    text = " ".join(f"w{n}" for n in range(4000))
    annotations = []
    for key in range(1, 3001):
        start = rng.randrange(len(text) - 20)
        made_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if not uuids and key % 50 == 0:
            made_id = rng.choice(["anno-", "Z", "", "é"]) + str(key)
        annotations.append(replace(Annotation.create(text, start, start + rng.randrange(1, 20),
                                                     rng.choice(["actor", "hedge", "commitment"]),
                                                     document="sha", annotator="alice"), id=made_id, key=key))
    rng.shuffle(annotations)
    layer = Layer(annotations, text=text)
    assert [a.id for a in layer.in_id_order()] == sorted(a.id for a in annotations)
    assert layer.items() == sorted(annotations, key=Annotation.sort_key)
    rows, order = layer.rows_in_key_order()
    assert [rows.keys[row] for row in order] == list(range(1, 3001))
