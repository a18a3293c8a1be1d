"""The annotation file as a TinyDB database: queries through TinyDB, writes still atomic.

The file is a plain TinyDB file (integer document ids, see tui.core.store), so stock
`TinyDB(path)` opens it too; this adds only a storage that writes atomically, in hedgerow's
git-friendly layout, and never mistakes a damaged file for an empty one. Imported only when
a TinyDB view of the file is asked for, so opening a document does not pay for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage

from tui.core.atomic import atomic_write_chunks
from tui.core.store import encoded_pieces, read_json


class AtomicJSONStorage(Storage):
    """TinyDB storage that never writes in place and never mistakes damage for emptiness."""

    def __init__(self, path: str | Path, **_: object) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, Any] | None:
        return read_json(self.path)

    def write(self, data: dict[str, Any]) -> None:
        atomic_write_chunks(self.path, encoded_pieces(data))

    def close(self) -> None:
        pass


def open_db(path: str | Path) -> TinyDB:
    """The file as a TinyDB database with the atomic storage."""
    return TinyDB(path, storage=AtomicJSONStorage)
