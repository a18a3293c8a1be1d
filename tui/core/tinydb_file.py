"""The annotation file as a TinyDB database: queries through TinyDB, writes still atomic.

Imported only when a TinyDB view of the file is asked for, so opening a document does not
pay for it.
"""

from __future__ import annotations

from pathlib import Path

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from tui.core.atomic import atomic_write_chunks
from tui.core.errors import StoreError
from tui.core.store import encoded_pieces, read_json


class AtomicJSONStorage(Storage):
    """TinyDB storage that never writes in place and never mistakes damage for emptiness."""

    def __init__(self, path: str | Path, **_: object) -> None:
        self.path = Path(path)

    def read(self) -> dict | None:
        return read_json(self.path)

    def write(self, data: dict) -> None:
        atomic_write_chunks(self.path, encoded_pieces(data))

    def close(self) -> None:
        pass


class KeyedTable(Table):
    """A TinyDB table whose documents are keyed by strings (annotation uuids)."""

    document_id_class = str

    def _get_next_id(self):  # inserts must name their id
        raise StoreError("records are keyed by uuid; insert them with an explicit id")


class AnnotationDB(TinyDB):
    table_class = KeyedTable
