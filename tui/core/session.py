"""An annotator's working session on one document: the one place state changes go through.

The TUI, the CLI and the tests all change annotations through a Session, so undo, redo,
saving and change notification work the same everywhere.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from tui.core.annotation import Annotation
from tui.core.document import Document
from tui.core.errors import ChangedOnDisk, InputError, SavedAside
from tui.core.history import Change, History, apply_change
from tui.core.layer import Layer
from tui.core.layer_summary import DONE
from tui.core.links import LINKS, Link, LinkIndex, check_link, numbered_links
from tui.core.options import SessionOptions as SessionOptions  # its home before tui.core.options
from tui.core.paths import (
    check_layer_name_free,
    config_path,
    layer_path,
    legacy_layer_path,
    relative_path,
    resolve_annotator,
)
from tui.core.store import AnnotationStore, StoredLayer
from tui.core.tags import Config, load_config

Snapshot = tuple[int, Layer, dict[str, dict[str, Any]]]  # (version, annotations, other tables): what a save writes


class Session:
    def __init__(self, document: Document, config: Config, annotator: str, store: AnnotationStore,
                 stored: StoredLayer | None = None, legacy: Path | None = None) -> None:
        self.document = document
        self.legacy = legacy  # the file in the old layout (annotations/<stem>/): read, moved on the next save
        self.config = config
        self.tags = config.tags
        self.annotator = annotator
        self.store = store
        self.aside: Path | None = None  # where saves go once the file changed on disk (save_snapshot)
        self.loaded = stored is not None  # False until `install`: no change may be made before
        self._read_links: tuple[StoredLayer, LinkIndex] | None = None  # what read_annotations indexed
        self._install(stored or StoredLayer())
        self.history = History()
        self.version = 0  # bumped by every change; the saver compares it with saved_version
        self.saved_version = 0
        self._listeners: list[Callable[[Change], None]] = []

    @classmethod
    def open(cls, path: str | Path, options: SessionOptions = SessionOptions(), *, defer: bool = False) -> Session:
        """Load the document, the config and this annotator's file. Raises HedgerowError.

        With `defer`, the annotation file is left for `read_annotations` (in a worker) and
        `install`, so a large file does not hold up the first screen.
        """
        document = Document.load(path)
        config = load_config(config_path(document.path, options.tags))
        annotator = resolve_annotator(options.annotator, gold=options.gold)
        path = layer_path(document.path, annotator, options.annotations)
        check_layer_name_free(path.parent, annotator)
        store = AnnotationStore(path)
        legacy = legacy_layer_path(document.path, annotator, options.annotations)
        source = AnnotationStore(legacy) if legacy else store
        stored = None if defer else source.load(document.text, document.sha256, annotator)
        return cls(document, config, annotator, store, stored, legacy)

    def read_annotations(self) -> tuple[StoredLayer, Layer]:
        """Read and index the annotation file; safe in a worker thread. Raises StoreError."""
        source = AnnotationStore(self.legacy) if self.legacy else self.store
        stored = source.load(self.document.text, self.document.sha256, self.annotator)
        _number_links(stored)
        self._read_links = (stored, LinkIndex(stored.tables.get(LINKS)).ready())  # indexed here, not on the UI thread
        return stored, stored.layer

    @property
    def layer_exists(self) -> bool:
        """Whether this annotator has a file for the document (in either layout)."""
        return self.legacy is not None or self.store.exists()

    def install(self, stored: StoredLayer, layer: Layer) -> None:
        """Take what `read_annotations` read; changes are allowed from now on."""
        self._install(stored, layer)
        self.loaded = True

    def _install(self, stored: StoredLayer, layer: Layer | None = None) -> None:
        self.stored_sha256 = stored.document_sha256
        self.stored_meta = dict(stored.meta)  # keys hedgerow does not set are kept
        self.done = stored.meta.get(DONE) is True
        read = self._read_links
        if read is None or read[0] is not stored:  # (read_annotations numbered them in its worker)
            _number_links(stored)
        if layer is None:
            layer = stored.layer if len(stored.layer) else Layer(text=self.document.text)
        self.layer = layer
        self.tables: dict[str, dict[str, Any]] = {name: dict(t) for name, t in stored.tables.items()}
        self.links = read[1] if read is not None and read[0] is stored else LinkIndex(self.tables.get(LINKS))
        self._read_links = None

    # -- reading -------------------------------------------------------------

    @property
    def text(self) -> str:
        return self.document.text

    @property
    def dirty(self) -> bool:
        return self.version != self.saved_version

    @property
    def document_changed(self) -> bool:
        """Whether the text differs from the one the file was annotated on."""
        return bool(self.stored_sha256) and self.stored_sha256 != self.document.sha256

    def at(self, offset: int) -> Annotation | None:
        """The innermost annotation under `offset`."""
        found = self.layer.at(offset)
        return found[0] if found else None

    def get(self, annotation_id: str) -> Annotation:
        return self.layer[annotation_id]

    # -- changing --------------------------------------------------------------

    def subscribe(self, listener: Callable[[Change], None]) -> None:
        self._listeners.append(listener)

    def commit(self, change: Change) -> Change:
        """Apply a change built elsewhere (the review's decisions) as one undoable step."""
        return self._commit(change)

    def _commit(self, change: Change, *, record: bool = True) -> Change:
        if not self.loaded:  # saving now would write an empty file over the unread one
            raise InputError("the annotations are still loading; try again in a moment")
        apply_change(self.layer, change, self.tables)
        if record:
            self.history.record(change)
        self._changed(change)
        return change

    def _changed(self, change: Change) -> None:
        for table, key, _, after in change.records:
            if table == LINKS:
                self.links.put(key, after)
        self.version += 1
        for listener in self._listeners:
            listener(change)

    def add(self, start: int, end: int, tag: str, note: str = "", entity: str = "") -> Annotation:
        if tag not in self.tags:
            raise InputError(f"unknown tag {tag!r} (the tags are {', '.join(self.tags.names)})")
        if not 0 <= start < end <= len(self.text):
            raise InputError("select some text first: an empty span cannot be tagged")
        self._refuse_twice(start, end, tag)
        annotation = Annotation.create(self.text, start, end, tag, document=self.document.sha256,
                                       annotator=self.annotator, note=note)
        if entity.strip():
            annotation = replace(annotation, entity=_entity(entity))
        self._commit(Change(f"tag {tag}", ((None, annotation),)))
        return annotation

    def _refuse_twice(self, start: int, end: int, tag: str) -> None:
        if any(a.start == start and a.end == end and a.tag == tag for a in self.layer.overlapping(start, end)):
            raise InputError(f"already tagged {tag} there: the same span twice would be counted twice")

    def delete(self, annotation_id: str) -> Annotation:
        """Delete the annotation and its links, as one undoable step."""
        annotation = self.layer[annotation_id]
        unlinked = tuple((LINKS, key, self.tables[LINKS][key], None) for key, _ in self.links.keyed(annotation_id))
        self._commit(Change(f"delete {annotation.tag}", ((annotation, None),), unlinked))
        return annotation

    # -- links -----------------------------------------------------------------

    def link(self, source_id: str, target_id: str, relation: str) -> Link:
        """Link two annotations; InputError if the relation does not fit their tags, or the link exists."""
        link = check_link(self.layer, self.config.relations, self.links, source_id, target_id, relation)
        self._commit(Change(f"link {relation}", (), ((LINKS, self.links.next_key(), None, link.to_record()),)))
        return link

    def unlink(self, source_id: str, target_id: str, relation: str | None = None) -> list[Link]:
        """Remove the links from `source_id` to `target_id` (of `relation` only, if given), as one step."""
        gone = [(key, link) for key, link in self.links.keyed(source_id)
                if link.source == source_id and link.target == target_id and relation in (None, link.relation)]
        if not gone:
            what = f"{relation} link" if relation else "link"
            raise InputError(f"no {what} from {source_id} to {target_id}")
        self._commit(Change("unlink", (), tuple((LINKS, key, self.tables[LINKS][key], None) for key, _ in gone)))
        return [link for _, link in gone]

    def remove_links(self, keys: Iterable[str], label: str = "unlink") -> Change | None:
        """Remove links by key as one step (`check --apply`, the details panel)."""
        table = self.tables.get(LINKS, {})
        records = tuple((LINKS, key, table[key], None) for key in dict.fromkeys(keys) if key in table)
        return self._commit(Change(label, (), records)) if records else None

    def retag(self, annotation_id: str, tag: str) -> Annotation:
        """Retag; the links the new tag no longer fits (a `by` link of what is no longer a commitment)
        go in the same undoable step (`unfit_links` tells a caller which, before)."""
        if tag not in self.tags:
            raise InputError(f"unknown tag {tag!r}")
        before = self.layer[annotation_id]
        if before.tag == tag:
            return before
        self._refuse_twice(before.start, before.end, tag)
        after = before.changed(tag=tag)
        table = self.tables.get(LINKS, {})
        unlinked = tuple((LINKS, key, table[key], None) for key in self.unfit_links(annotation_id, tag))
        self._commit(Change(f"retag as {tag}", ((before, after),), unlinked))
        return after

    def unfit_links(self, annotation_id: str, tag: str) -> list[str]:
        """The keys of the annotation's links whose relation would not fit it tagged `tag`. A link to
        a missing annotation, or of a relation the codebook does not define, is left to `check`."""
        relations, keys = self.config.relations, []
        for key, link in self.links.keyed(annotation_id):
            relation = relations.get(link.relation)
            other = self.layer.get(link.target if link.source == annotation_id else link.source)
            if relation is None or other is None:
                continue
            source_tag, target_tag = (tag, other.tag) if link.source == annotation_id else (other.tag, tag)
            if not relation.fits(source_tag, target_tag):
                keys.append(key)
        return keys

    def set_note(self, annotation_id: str, note: str) -> Annotation:
        return self._modify(annotation_id, "edit note", note=note)

    def set_entity(self, annotation_id: str, entity: str) -> Annotation:
        """Name the actor's entity (white space made single spaces; "" or the quote itself: the quote)."""
        name = _entity(entity)
        if name == _entity(self.layer[annotation_id].quote):
            name = ""
        return self._modify(annotation_id, "set entity", entity=name)

    def _modify(self, annotation_id: str, label: str, **changes: Any) -> Annotation:
        before = self.layer[annotation_id]
        if all(getattr(before, k) == v for k, v in changes.items()):
            return before
        after = before.changed(**changes)
        self._commit(Change(label, ((before, after),)))
        return after

    def add_many(self, annotations: Iterable[Annotation], label: str = "import",
                 links: Iterable[Link] = ()) -> Change | None:
        """Add annotations, and links already checked (`links.plan_links`), as one undoable change (import)."""
        pairs = tuple((None, a) for a in annotations)
        records = tuple((LINKS, self.links.next_key(n), None, link.to_record()) for n, link in enumerate(links))
        return self._commit(Change(label, pairs, records)) if pairs or records else None

    def replace_many(self, annotations: Iterable[Annotation], label: str) -> Change | None:
        """Swap in changed copies of existing annotations as one change (re-anchoring).

        Each is applied as it comes and the undo step keeps both versions as rows (Stored), not
        objects: re-anchoring 100,000 annotations would otherwise hold 200,000 objects.
        """
        if not self.loaded:
            raise InputError("the annotations are still loading; try again in a moment")
        layer, pairs = self.layer, []
        try:
            for annotation in annotations:
                before = layer.stored(annotation.id)
                layer.replace(annotation)
                pairs.append((before, layer.stored(annotation.id)))
        except Exception:  # all or nothing, as a change through _commit is
            for before, _ in reversed(pairs):
                layer.replace(before.annotation())
            raise
        if not pairs:
            return None
        change = Change(label, tuple(pairs))
        self.history.record(change)
        self._changed(change)
        return change

    def set_done(self, done: bool) -> None:
        """Mark the document finished (or not) for this annotator; kept in the layer's meta, saved
        like any change but not undone with the annotations (it is a statement, not an edit)."""
        if not self.loaded:
            raise InputError("the annotations are still loading; try again in a moment")
        if done != self.done:
            self.done = done
            self._changed(Change("mark done" if done else "mark not done", ()))

    def undo(self) -> Change | None:
        if not self.loaded:
            return None
        change = self.history.undo(self.layer, self.tables)
        if change:
            self._changed(change.inverse())
        return change

    def redo(self) -> Change | None:
        change = self.history.redo(self.layer, self.tables)
        if change:
            self._changed(change)
        return change

    # -- saving ----------------------------------------------------------------

    def meta(self) -> dict[str, Any]:
        """The layer's metadata (the meta table's document 1): what the file had, brought up to date."""
        meta = {
            **{key: value for key, value in self.stored_meta.items() if key not in ("schema", DONE)},
            "annotator": self.annotator,
            "document": {"sha256": self.document.sha256, "path": relative_path(self.document.path),
                         "title": self.document.title, "length": len(self.document.text)},
        }
        if self.done:
            meta[DONE] = True
        return meta

    def snapshot(self) -> Snapshot:
        """The current version, annotations and other tables, copied so a worker may save them."""
        # An empty links table is not written: files without links stay as they were.
        return self.version, self.layer.snapshot(), {name: dict(t) for name, t in self.tables.items()
                                                     if t or name != LINKS}

    def save_snapshot(self, version: int, annotations: Layer, tables: dict[str, dict[str, Any]] | None = None) -> None:
        """Write a snapshot (possibly from a worker thread). Raises StoreError.

        If the file changed on disk since it was read (a `hedgerow add`, a git merge, another
        session), it is not written over: the snapshot goes to a file beside it (`<name>.json.unsaved-
        <time>`, the same one for the rest of the session) and SavedAside says where."""
        meta = self.meta()
        try:
            self.store.save(annotations, meta, tables)
        except ChangedOnDisk as changed:
            if self.aside is None:
                stamp = time.strftime("%Y%m%d-%H%M%S")
                self.aside = self.store.path.with_name(f"{self.store.path.name}.unsaved-{stamp}")
            AnnotationStore(self.aside).save(annotations, meta, tables)
            self.saved_version = max(self.saved_version, version)  # kept, in the file beside it
            raise SavedAside(f"{changed}; this session's annotations are in {self.aside.name} beside it "
                             f"(to join the two, in that folder: hedgerow merge-driver /dev/null "
                             f"{self.store.path.name} {self.aside.name})") from None
        self.saved_version = max(self.saved_version, version)
        if self.legacy is not None:  # now written in the new layout: the old file goes
            legacy, self.legacy = self.legacy, None
            legacy.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                legacy.parent.rmdir()  # only when empty

    def save(self) -> None:
        self.save_snapshot(*self.snapshot())


def _entity(name: str) -> str:
    return " ".join(name.split())


def _number_links(stored: StoredLayer) -> None:
    """A links table of the older layout (keyed by link id) keyed by TinyDB ids, as it will be saved."""
    table = stored.tables.get(LINKS)
    numbered = numbered_links(table) if table else None
    if numbered is not None:
        stored.tables[LINKS] = numbered
