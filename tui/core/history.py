"""Undo and redo. Every change is a set of (before, after) pairs of annotations.

`before` None means an addition, `after` None a deletion, both set a modification, so
one mechanism undoes adds, deletes, retags, note edits and imports alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui.core.annotation import Annotation
from tui.core.layer import Layer, Version


@dataclass(frozen=True)
class Change:
    """Annotation pairs, plus (table, key, before, after) for records of other tables (review decisions)."""

    label: str
    pairs: tuple[tuple[Version | None, Version | None], ...]  # Annotations, or Stored rows: see Session.replace_many
    records: tuple[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None], ...] = ()

    def inverse(self) -> Change:
        return Change(self.label, tuple((after, before) for before, after in reversed(self.pairs)),
                      tuple((table, key, after, before) for table, key, before, after in reversed(self.records)))

    @property
    def touched(self) -> list[Version]:
        """The annotations as they are after the change (deleted ones as they were)."""
        return [version for before, after in self.pairs if (version := after or before) is not None]


def apply_change(layer: Layer, change: Change, tables: dict[str, dict[str, Any]] | None = None) -> None:
    for table, key, _, record in change.records:
        records = tables.setdefault(table, {}) if tables is not None else {}
        if record is None:
            records.pop(key, None)
        else:
            records[key] = record
    for old, new in change.pairs:
        before, after = _made(old), _made(new)
        if before is None and after is not None:
            layer.add(after)
        elif after is None and before is not None:
            layer.remove(before.id)
        elif after is not None:
            layer.replace(after)


def _made(version: Version | None) -> Annotation | None:
    return None if version is None else version.annotation()


class History:
    """A linear undo stack; a new change after an undo drops the redo branch."""

    def __init__(self, limit: int = 1000) -> None:
        self.limit = limit
        self._done: list[Change] = []
        self._undone: list[Change] = []

    def record(self, change: Change) -> None:
        self._done.append(change)
        del self._done[: -self.limit]
        self._undone.clear()

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    def undo(self, layer: Layer, tables: dict[str, dict[str, Any]] | None = None) -> Change | None:
        if not self._done:
            return None
        change = self._done.pop()
        apply_change(layer, change.inverse(), tables)
        self._undone.append(change)
        return change

    def redo(self, layer: Layer, tables: dict[str, dict[str, Any]] | None = None) -> Change | None:
        if not self._undone:
            return None
        change = self._undone.pop()
        apply_change(layer, change, tables)
        self._done.append(change)
        return change
