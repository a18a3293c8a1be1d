"""One annotator's annotations on one document, in memory, indexed by position and by id.

The annotations are rows of columns (tui.core.rows); two arrays of row numbers order them:
by (start, end, tag, id), so the UI finds those in view with bisect, and by id, the order
the file is written in. Rows are never changed, only added, so `snapshot` copies just the
two arrays and a worker can save it while the layer goes on changing.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace as replace_fields
from itertools import pairwise
from typing import Any, Protocol, overload

from tui.core.annotation import KEY, Annotation, _field_values
from tui.core.pacing import paced, pause
from tui.core.rows import ID_WIDTH, NO_ID, Rows, rows_on

INDEX = "i"  # row numbers: 4 bytes each
PIECES = 256  # a large sort is made in this many pieces (sorted_in_pieces)


class Layer:
    """Annotations in (start, end, tag, id) order.

    `longest` bounds how far before a range an overlapping annotation can start, so range
    queries look at a slice rather than scanning everything.
    """

    def __init__(self, annotations: Iterable[Annotation] = (), text: str | None = None) -> None:
        rows, seen = rows_on(text), set()
        for annotation in annotations:
            values = _field_values(annotation)
            if values[KEY] in seen:  # annotations from several files: a clash is renumbered, not damage
                values = (*values[:KEY], 0, *values[KEY + 1:])
            seen.add(values[KEY])
            rows.append(values)
        self._build(rows)  # numbers those without a key

    @classmethod
    def from_rows(cls, rows: Rows) -> Layer:
        """Index rows filled elsewhere (the store's reader), every one of them an annotation."""
        layer = cls.__new__(cls)
        layer._build(rows)
        return layer

    def _build(self, rows: Rows) -> None:
        self._rows = rows
        self.frozen = False
        if rows.ids_ascending:  # as a schema-1 file's records are: no sort, and no duplicates
            self._by_id = array(INDEX, range(len(rows)))
        else:
            # Canonical uuids sort as their 16 bytes do, which costs a slice, not a string, per
            # row (a schema-2 file is in key order, so its ids need sorting on every load).
            ids = rows.ids
            if NO_ID in ids:
                id_key: Callable[[int], object] = rows.id_of
                first: Callable[[int], int] = lambda r: min(ord(rows.id_of(r)[:1] or "\0"), PIECES - 1)  # noqa: E731
            else:
                id_key = lambda r: ids[r * ID_WIDTH:(r + 1) * ID_WIDTH]  # noqa: E731
                first = lambda r: ids[r * ID_WIDTH]  # noqa: E731  (a byte: PIECES is 256)
            self._by_id = array(INDEX, sorted_in_pieces(range(len(rows)), id_key, first))
            pause()
            for previous, row in paced(zip(self._by_id, self._by_id[1:], strict=False)):
                if id_key(previous) == id_key(row):
                    raise ValueError(f"duplicate annotation id {rows.id_of(row)}")
        pause()
        self._number(rows)
        self._by_position = array(INDEX, _in_position_order(rows, self._by_id))
        pause()
        self.longest = max((e - s for s, e in paced(zip(rows.starts, rows.ends, strict=True))), default=0)
        pause()
        self._counts: dict[str, int] = dict(Counter(rows.tags))

    def _number(self, rows: Rows) -> None:
        """Give each row without a key (0: not numbered yet, e.g. a schema-1 file's) the next
        free one, in id order; refuse a key held twice. Only while building: rows do not change after."""
        keys = rows.keys
        self._next_key = max(keys, default=0) + 1
        if 0 in keys:
            for row in paced(self._by_id):
                if keys[row] == 0:
                    keys[row] = self._next_key
                    self._next_key += 1
        if any(a >= b for a, b in paced(pairwise(keys))):  # not in file order: look closer
            ordered = sorted(keys)
            for previous, key in paced(pairwise(ordered)):
                if previous == key:
                    raise ValueError(f"record {key} appears twice in table \"annotations\"")

    @property
    def text(self) -> str | None:
        return self._rows.text

    # -- finding rows --------------------------------------------------------------

    def _row_of(self, annotation_id: str) -> int | None:
        index = bisect_left(self._by_id, annotation_id, key=self._rows.id_of)
        if index < len(self._by_id) and self._rows.id_of(self._by_id[index]) == annotation_id:
            return self._by_id[index]
        return None

    def _position_of_row(self, row: int) -> int:
        return bisect_left(self._by_position, self._rows.sort_key(row), key=self._rows.sort_key)

    def _first_starting_at(self, offset: int) -> int:
        """The position of the first annotation starting at or after `offset`."""
        return bisect_left(self._by_position, offset, key=self._rows.starts.__getitem__)

    # -- reading ---------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._by_position)

    def __iter__(self) -> Iterator[Annotation]:
        make = self._rows.annotation
        return (make(row) for row in self._by_position)

    def __contains__(self, annotation_id: object) -> bool:
        return isinstance(annotation_id, str) and self._row_of(annotation_id) is not None

    def __getitem__(self, annotation_id: str) -> Annotation:
        row = self._row_of(annotation_id)
        if row is None:
            raise KeyError(annotation_id)
        return self._rows.annotation(row)

    def having(self, name: str) -> Iterator[Annotation]:
        """In document order, the annotations whose field `name`, one kept in the extras (e.g.
        entity), is set; the others are never made. A row keeps such a field, when set, in a dict."""
        extras, make = self._rows.extras, self._rows.annotation
        return (make(row) for row in self._by_position if type(extra := extras[row]) is dict and extra.get(name))

    def get(self, annotation_id: str) -> Annotation | None:
        row = self._row_of(annotation_id)
        return None if row is None else self._rows.annotation(row)

    def stored(self, annotation_id: str) -> Stored:
        """The annotation as its row holds it now (see Stored)."""
        row = self._row_of(annotation_id)
        if row is None:
            raise KeyError(annotation_id)
        return Stored(self._rows, row)

    def at_position(self, index: int) -> Annotation:
        """The index-th annotation in document order."""
        return self._rows.annotation(self._by_position[index])

    def overlapping(self, start: int, end: int) -> list[Annotation]:
        """Annotations that share at least one character with [start, end), in order."""
        low = self._first_starting_at(start - self.longest)
        high = self._first_starting_at(end)
        ends, make = self._rows.ends, self._rows.annotation
        return [make(row) for row in self._by_position[low:high] if ends[row] > start]

    def at(self, offset: int) -> list[Annotation]:
        """Annotations covering `offset`, innermost (shortest) first."""
        found = self.overlapping(offset, offset + 1)
        return sorted(found, key=lambda a: (a.end - a.start, a.start))

    def position_of(self, annotation_id: str) -> int | None:
        """Where the annotation is in position order (start, end, tag, id): `at_position`'s index."""
        row = self._row_of(annotation_id)
        return None if row is None else self._position_of_row(row)

    def next_after(self, offset: int) -> Annotation | None:
        index = bisect_right(self._by_position, offset, key=self._rows.starts.__getitem__)
        return self.at_position(index) if index < len(self._by_position) else None

    def previous_before(self, offset: int) -> Annotation | None:
        index = self._first_starting_at(offset)
        return self.at_position(index - 1) if index > 0 else None

    def ids(self) -> set[str]:
        return set(map(self._rows.id_of, self._by_id))

    def index_of(self, annotation_id: str) -> int:
        row = self._row_of(annotation_id)
        if row is None:
            raise KeyError(annotation_id)
        return self._position_of_row(row)

    def annotators(self) -> set[str]:
        """Who made the annotations (a file can hold others' imported ones)."""
        values = self._rows.annotators
        return {values.distinct[code] for code in {values.codes[row] for row in self._by_position}}

    def counts(self) -> dict[str, int]:
        """Annotations per tag, kept up to date on every change."""
        return dict(self._counts)

    def items(self) -> list[Annotation]:
        return list(self)

    def in_id_order(self) -> list[Annotation]:
        """Every annotation in the order of the file: by id."""
        return list(map(self._rows.annotation, self._by_id))

    def in_order(self, tag: str | None = None) -> Ordered:
        """A live sequence of the annotations in document order, optionally of one tag only."""
        if tag is None:
            return Ordered(self, None)
        codes, code = self._rows.tags.codes, self._rows.tags.code_of(tag)
        return Ordered(self, array(INDEX, (i for i, row in enumerate(self._by_position) if codes[row] == code)))

    def rows_in_key_order(self) -> tuple[Rows, Sequence[int]]:
        """The columns and the row numbers to write, for the store: by key, as TinyDB numbers them,
        so a new annotation is written last (timsort: the usual nearly sorted order costs one pass)."""
        keys = self._rows.keys
        shift = max(0, self._next_key.bit_length() - PIECES.bit_length() + 1)
        return self._rows, sorted_in_pieces(self._by_id, keys.__getitem__, lambda r: max(0, keys[r]) >> shift)

    def rows_in_position_order(self) -> tuple[Rows, Sequence[int]]:
        """The columns and the row numbers in document order, to read many without making objects."""
        return self._rows, self._by_position

    # -- changing --------------------------------------------------------------------

    def _check_unfrozen(self) -> None:
        if self.frozen:
            raise RuntimeError("a layer snapshot cannot change")

    def add(self, annotation: Annotation) -> None:
        self._check_unfrozen()
        if self._row_of(annotation.id) is not None:
            raise ValueError(f"duplicate annotation id {annotation.id}")
        rows = self._rows
        values = _field_values(annotation)
        if values[KEY] == 0:  # a new annotation: the next key, as TinyDB's insert would give it
            values = (*values[:KEY], self._next_key, *values[KEY + 1:])
        self._next_key = max(self._next_key, values[KEY] + 1)
        row = rows.append(values)
        self._by_id.insert(bisect_left(self._by_id, annotation.id, key=rows.id_of), row)
        self._by_position.insert(self._position_of_row(row), row)
        self.longest = max(self.longest, annotation.end - annotation.start)
        self._count(annotation.tag, 1)

    def remove(self, annotation_id: str) -> Annotation:
        self._check_unfrozen()
        row = self._row_of(annotation_id)
        if row is None:
            raise KeyError(annotation_id)
        del self._by_id[bisect_left(self._by_id, annotation_id, key=self._rows.id_of)]
        del self._by_position[self._position_of_row(row)]
        self._count(self._rows.tags[row], -1)
        return self._rows.annotation(row)

    def replace(self, annotation: Annotation) -> Annotation:
        """Swap in a changed annotation with the same id (and key: it keeps its place in the file)."""
        old = self.remove(annotation.id)
        self.add(annotation if annotation.key else replace_fields(annotation, key=old.key))
        return old

    def _count(self, tag: str, delta: int) -> None:
        self._counts[tag] = self._counts.get(tag, 0) + delta
        if not self._counts[tag]:
            del self._counts[tag]

    def snapshot(self) -> Layer:
        """A read-only copy as it is now, sharing the rows: costs two array copies."""
        copy = Layer.__new__(Layer)
        copy._rows, copy.frozen, copy.longest, copy._next_key = self._rows, True, self.longest, self._next_key
        copy._by_id, copy._by_position = array(INDEX, self._by_id), array(INDEX, self._by_position)
        copy._counts = dict(self._counts)
        return copy


class Version(Protocol):
    """One version of an annotation, as a change keeps it: an Annotation, or a Stored row.

    Its `id` is read at once; the Annotation is made only when `annotation()` is called."""

    @property
    def id(self) -> str: ...

    def annotation(self) -> Annotation: ...


class Stored:
    """An annotation as one row holds it: what the undo history keeps of a large change, since
    rows never change (a dozen bytes each, where 100,000 Annotation objects would take 80 MB)."""

    __slots__ = ("_row", "_rows")

    def __init__(self, rows: Rows, row: int) -> None:
        self._rows, self._row = rows, row

    @property
    def id(self) -> str:  # read from the row when asked: a string each would double the cost
        return self._rows.id_of(self._row)

    def annotation(self) -> Annotation:
        return self._rows.annotation(self._row)


class Ordered(Sequence[Annotation]):
    """Annotations in document order, made as they are read (a list of 100,000 would not be)."""

    def __init__(self, layer: Layer, positions: array[int] | None) -> None:
        self._layer = layer
        self._positions = positions

    def __len__(self) -> int:
        return len(self._layer) if self._positions is None else len(self._positions)

    @overload
    def __getitem__(self, index: int) -> Annotation: ...
    @overload
    def __getitem__(self, index: slice) -> list[Annotation]: ...
    def __getitem__(self, index: int | slice) -> Annotation | list[Annotation]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._layer.at_position(index if self._positions is None else self._positions[index])

    def index_of(self, annotation_id: str) -> int | None:
        """Where the annotation is in this sequence, if it is in it."""
        try:
            position = self._layer.index_of(annotation_id)
        except KeyError:
            return None
        if self._positions is None:
            return position
        index = bisect_left(self._positions, position)
        return index if index < len(self._positions) and self._positions[index] == position else None


def _in_position_order(rows: Rows, by_id: Sequence[int]) -> list[int]:
    """Rows in (start, end, tag, id) order: a stable sort of the id order by one int per row,
    since 100,000 tuples as sort keys would cost more memory than every row together."""
    starts, ends, tags = rows.starts, rows.ends, rows.tags
    ranks = {code: rank for rank, code in enumerate(sorted(range(len(tags.distinct)), key=tags.distinct.__getitem__))}
    tag_bits = max(1, len(ranks).bit_length())
    end_bits = max(ends, default=0).bit_length()
    codes = tags.codes
    shift = max(0, max(starts, default=0).bit_length() - PIECES.bit_length() + 1)
    return sorted_in_pieces(by_id, lambda r: (((starts[r] << end_bits) | ends[r]) << tag_bits) | ranks[codes[r]],
                            lambda r: max(0, starts[r]) >> shift)


def sorted_in_pieces(rows: Iterable[int], key: Callable[[int], Any], piece: Callable[[int], int]) -> list[int]:
    """sorted(rows, key=key), made a piece at a time: `piece(row)` (0 <= piece < PIECES) must never
    decrease as the key grows (a leading part of the key). Each piece is sorted on its own.

    The same result, but no one call in C holds the GIL for long: a worker sorting 100,000 rows
    in one `sorted` (50 ms on a busy machine) stalled the UI thread's keys for as long. A loop in
    Python lets the GIL go every switch interval; each piece's sort is short (one of PIECES)."""
    pieces: list[list[int]] = [[] for _ in range(PIECES)]
    for row in paced(rows):  # a worker stands back while the user acts (tui.core.pacing); on the UI thread, nothing
        pieces[piece(row)].append(row)
    ordered: list[int] = []
    for part in pieces:
        if part:
            pause()  # each piece's sort is one of PIECES: ~400 of 100,000 rows
            part.sort(key=key)
            ordered += part
    return ordered


__all__ = ["Layer", "Ordered", "Stored", "Version"]
