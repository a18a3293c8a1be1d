"""One annotator's annotations on one document, in memory, indexed by start offset."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
import gc
from collections import Counter
from collections.abc import Iterable, Iterator

from tui.core.annotation import Annotation, sort_key_of


class Layer:
    """Annotations kept sorted by (start, end, tag, id) so the UI can find those in view with bisect.

    `longest` bounds how far before a range an overlapping annotation can start, so range
    queries look at a slice rather than scanning everything.
    """

    def __init__(self, annotations: Iterable[Annotation] = ()) -> None:
        collecting = gc.isenabled()
        gc.disable()  # as in AnnotationStore.load: many new acyclic objects, nothing to collect
        try:
            self._index(list(annotations))
        finally:
            if collecting:
                gc.enable()

    def _index(self, given: list[Annotation]) -> None:
        keys = list(map(sort_key_of, given))  # each key worked out once
        order = sorted(range(len(given)), key=keys.__getitem__)
        self._keys = [keys[i] for i in order]
        self._items = items = [given[i] for i in order]
        self._by_id: dict[str, Annotation] = {a.id: a for a in items}
        if len(self._by_id) != len(items):
            raise ValueError(f"duplicate annotation id {_first_duplicate(items)}")
        self.longest = max((a.end - a.start for a in items), default=0)
        self._counts: dict[str, int] = dict(Counter(a.tag for a in items))

    def _count(self, tag: str, delta: int) -> None:
        self._counts[tag] = self._counts.get(tag, 0) + delta
        if not self._counts[tag]:
            del self._counts[tag]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Annotation]:
        return iter(self._items)

    def __contains__(self, annotation_id: object) -> bool:
        return annotation_id in self._by_id

    def __getitem__(self, annotation_id: str) -> Annotation:
        return self._by_id[annotation_id]

    def get(self, annotation_id: str) -> Annotation | None:
        return self._by_id.get(annotation_id)

    def add(self, annotation: Annotation) -> None:
        if annotation.id in self._by_id:
            raise ValueError(f"duplicate annotation id {annotation.id}")
        key = annotation.sort_key()
        index = bisect_left(self._keys, key)
        self._keys.insert(index, key)
        self._items.insert(index, annotation)
        self._by_id[annotation.id] = annotation
        self.longest = max(self.longest, annotation.end - annotation.start)
        self._count(annotation.tag, 1)

    def remove(self, annotation_id: str) -> Annotation:
        annotation = self._by_id.pop(annotation_id)
        index = bisect_left(self._keys, annotation.sort_key())
        del self._keys[index]
        del self._items[index]
        self._count(annotation.tag, -1)
        return annotation

    def replace(self, annotation: Annotation) -> Annotation:
        """Swap in a changed annotation with the same id; returns the old one."""
        old = self.remove(annotation.id)
        self.add(annotation)
        return old

    def overlapping(self, start: int, end: int) -> list[Annotation]:
        """Annotations that share at least one character with [start, end), in order."""
        low = bisect_left(self._keys, (start - self.longest,))
        high = bisect_left(self._keys, (end,))
        return [a for a in self._items[low:high] if a.end > start]

    def at(self, offset: int) -> list[Annotation]:
        """Annotations covering `offset`, innermost (shortest) first."""
        found = self.overlapping(offset, offset + 1)
        return sorted(found, key=lambda a: (a.end - a.start, a.start))

    def next_after(self, offset: int) -> Annotation | None:
        index = bisect_right(self._keys, (offset, float("inf")))
        return self._items[index] if index < len(self._items) else None

    def previous_before(self, offset: int) -> Annotation | None:
        index = bisect_left(self._keys, (offset,))
        return self._items[index - 1] if index > 0 else None

    def ids(self) -> set[str]:
        return set(self._by_id)

    def index_of(self, annotation_id: str) -> int:
        return bisect_left(self._keys, self._by_id[annotation_id].sort_key())

    def counts(self) -> dict[str, int]:
        """Annotations per tag, kept up to date on every change."""
        return dict(self._counts)

    def items(self) -> list[Annotation]:
        return list(self._items)


__all__ = ["Layer"]


def _first_duplicate(items: list[Annotation]) -> str:
    seen: set[str] = set()
    for annotation in items:
        if annotation.id in seen:
            return annotation.id
        seen.add(annotation.id)
    return ""
