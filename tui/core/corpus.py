"""A corpus: every .txt and .md document under a folder, and what each one's layers say.

`discover` lists the documents (sorted, subfolders included, symlink loops not followed) from
file names and stat alone. `Summariser` reads each document's title, length and hash and its
layers' counts, done marks and hashes, caching them by each file's size and mtime in
`.hedgerow-cache/` at the project root (git-ignored), so a second look costs only the stats.
Everything is yielded one document at a time: memory stays flat in the number of documents.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core.errors import HedgerowError
from tui.core.paths import ANNOTATIONS_DIR, EXPORTS_DIR, GOLD, project_root

if TYPE_CHECKING:
    from tui.core.layer_summary import LayerSummary

SUFFIXES = (".txt", ".md")
CACHE_DIR = ".hedgerow-cache"
CACHE_VERSION = 3
CACHE_FILE = f"corpus-v{CACHE_VERSION}.json"  # another annotations folder gets its own: cache_name
DOCUMENTS, FOLDERS = "documents", "folders"  # the cache's sections
SKIPPED_FOLDERS = {ANNOTATIONS_DIR, EXPORTS_DIR, "node_modules", "__pycache__"}  # and any .hidden one

NOT_STARTED, IN_PROGRESS, DONE = "not started", "in progress", "done"
STATUS_ORDER = {NOT_STARTED: 0, IN_PROGRESS: 1, DONE: 2}
READ_AHEAD = 64  # documents whose files are asked of the disk together, a batch before they are read


class Entry:
    """A document file found under the corpus root, from its name and stat only.

    A plain class holding strings: `discover` makes one per document before the first frame, and a
    Path or a frozen dataclass each cost more than the rest of the scan (the Path is made on demand).
    """

    __slots__ = ("_path", "file", "mtime_ns", "relative", "size")

    def __init__(self, file: str, relative: str, size: int, mtime_ns: int) -> None:
        self.file = file  # absolute
        self.relative = relative  # from the corpus root, forward slashes
        self.size = size  # -1 when not stat'ed (discover(stat=False)) or it could not be
        self.mtime_ns = mtime_ns
        self._path: Path | None = None

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = Path(self.file)
        return self._path

    @property
    def folder(self) -> str:
        head, _, _ = self.relative.rpartition("/")
        return head

    @property
    def name(self) -> str:
        return self.relative.rpartition("/")[2]

    def _fields(self) -> tuple[str, str, int, int]:
        return self.file, self.relative, self.size, self.mtime_ns

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entry) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"Entry({self.file!r}, {self.relative!r}, {self.size}, {self.mtime_ns})"


# The readers are imported when first used, by the worker that reads: the documents screen's first
# frame needs only the file names (json, hashlib and the layer summary's regexes cost ~10 ms).
def read_text(data: bytes, path: Path) -> tuple[str, str]:
    from tui.core.document import read_text as read

    return read(data, path)


def make_title(text: str) -> str:
    from tui.core.document import make_title as title

    return title(text)


def read_summary(path: Path | str) -> LayerSummary:
    from tui.core.layer_summary import read_summary as read

    return read(path)


def read_summary_and_stat(path: str) -> tuple[LayerSummary, os.stat_result | None]:
    from tui.core.layer_summary import read_summary_and_stat as read

    return read(path)


def summary_from_row(row: list[Any]) -> LayerSummary | None:
    from tui.core.layer_summary import LayerSummary

    return LayerSummary.from_row(row)


_ADVISE = getattr(os, "posix_fadvise", None)  # not on Windows or macOS: there the files are read as they come


def _will_need(path: str) -> None:
    """Start reading the file into the OS's cache, without waiting for it."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO named .txt does not block the open
    except OSError:
        return
    try:
        _ADVISE(descriptor, 0, 0, os.POSIX_FADV_WILLNEED)  # type: ignore[misc]
    except OSError:
        pass
    finally:
        os.close(descriptor)


_NAME, _RELATIVE = attrgetter("name"), attrgetter("relative")  # sort keys in C: 2,000 lambda calls otherwise


def discover(root: Path, stat: bool = True) -> list[Entry]:
    """Every .txt/.md file under `root`, sorted by path. Hidden folders, annotations/ and exports/
    are skipped; a symlinked folder is followed once, never into a loop. Without `stat`, the
    entries have no size and mtime yet (-1 and 0: `Summariser.fill` stats them): a stat per
    file was half the scan's time, before the documents screen's first frame."""
    found: list[Entry] = []
    add = found.append
    seen: set[tuple[int, int]] = set()

    def walk(folder: str, prefix: str) -> None:
        try:
            info = os.stat(folder)
        except OSError:
            return
        if (info.st_dev, info.st_ino) in seen:  # a loop, or the same folder twice
            return
        seen.add((info.st_dev, info.st_ino))
        try:
            with os.scandir(folder) as scan:
                items = sorted(scan, key=_NAME)
        except OSError:
            return
        for item in items:
            name = item.name
            if name.startswith("."):
                continue
            try:
                if item.is_dir():
                    if name not in SKIPPED_FOLDERS:
                        walk(item.path, f"{prefix}{name}/")
                elif name.lower().endswith(SUFFIXES):
                    if stat:
                        info = item.stat()
                        add(Entry(item.path, prefix + name, info.st_size, info.st_mtime_ns))
                    else:
                        add(Entry(item.path, prefix + name, -1, 0))
            except OSError:  # a dangling link or a file gone since the scan: listed, with its problem
                add(Entry(item.path, prefix + name, -1, 0))

    walk(str(Path(root).resolve()), "")
    found.sort(key=_RELATIVE)
    return found


@dataclass(eq=False)  # rows are told apart by identity: the list finds its cursor's row again
class Summary:
    """One document as the documents screen and `hedgerow status` show it."""

    entry: Entry
    key: str  # the layer folder under annotations/ (tui.core.paths.layer_key)
    title: str = ""
    length: int = 0
    sha256: str = ""
    problem: str = ""  # binary, not UTF-8, unreadable: the document cannot be opened
    layers: dict[str, LayerSummary] = field(default_factory=dict)  # annotator (gold too) -> summary
    read: bool = False  # False until the worker has read it
    revision: int = 0  # how many times it was filled in: the list redraws a row whose revision changed

    def layer(self, annotator: str) -> LayerSummary | None:
        return self.layers.get(annotator)

    def status(self, annotator: str) -> str:
        layer = self.layers.get(annotator)
        if layer is None:
            return NOT_STARTED
        if layer.done:
            return DONE
        return IN_PROGRESS if layer.total else NOT_STARTED

    def others(self, annotator: str) -> list[str]:
        return [name for name in self.layers if name not in (annotator, GOLD)]

    @property
    def has_gold(self) -> bool:
        return GOLD in self.layers

    def stale(self) -> list[str]:
        """The layers made on another version of the text (their sha256 differs)."""
        if not self.sha256:
            return []
        return [name for name, layer in self.layers.items() if layer.sha256 and layer.sha256 != self.sha256]

    def to_json(self, annotator: str | None = None) -> dict[str, Any]:
        data = {"path": self.entry.relative, "title": self.title, "folder": self.entry.folder,
                "length": self.length, "sha256": self.sha256, "problem": self.problem,
                "layers": {name: {"counts": layer.counts, "total": layer.total, "done": layer.done,
                                  "changed": bool(self.sha256 and layer.sha256 and layer.sha256 != self.sha256),
                                  "problem": layer.problem}
                           for name, layer in self.layers.items()}}
        if annotator is not None:
            data["status"] = self.status(annotator)
        return data


def cache_name(project: Path, annotations: Path) -> str:
    """The cache file's name: the default one for the project's annotations/, another per folder given."""
    if annotations == project / ANNOTATIONS_DIR:
        return CACHE_FILE
    from hashlib import sha256

    digest = sha256(str(annotations).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return f"corpus-v{CACHE_VERSION}-{digest}.json"


def _document_row(row: list[Any]) -> bool:
    """Whether a cached document row has the types it was written with (the cache may be damaged)."""
    return type(row[2]) is str and type(row[3]) is int and type(row[4]) is str and type(row[5]) is str


def layer_key_of(relative_to_project: str) -> str:
    """tui.core.paths.layer_key, from a path already relative to the project root."""
    return relative_to_project[: -len(".txt")] if relative_to_project.endswith(".txt") else relative_to_project


class Summariser:
    """Reads documents' summaries for one corpus, through a cache of what did not change.

    The cache holds one entry per document, keyed by its layer folder: the document's size, mtime
    and what was read from it, and for each of its layer files the size, mtime and summary. A warm
    start checks them against the stats (the document's from the scan, one scandir and a stat per
    layer) and parses no layer file; a file whose size or mtime differs is read again.
    """

    def __init__(self, root: Path, annotations: Path | None = None, cache: bool = True) -> None:
        self.root = Path(root).resolve()
        self.project = project_root(self.root / "_")
        self.annotations = Path(annotations).resolve() if annotations else self.project / ANNOTATIONS_DIR
        self._annotations = str(self.annotations)
        self._project = str(self.project) + os.sep
        self._old_stems: set[str] | None = None  # annotations/'s top folders: where an old layout can be
        self.cache_path = self.project / CACHE_DIR / cache_name(self.project, self.annotations) if cache else None
        self._cache: dict[str, Any] | None = None  # read at the first look-up: not before the list shows
        # What this run found, written back by save_cache: documents by key, old-layout folders by name.
        self._fresh: dict[str, dict[str, Any]] = {DOCUMENTS: {}, FOLDERS: {}}
        self.changed = False

    # -- the cache ------------------------------------------------------------------

    def _read_cache(self) -> dict[str, Any]:
        empty: dict[str, Any] = {DOCUMENTS: {}, FOLDERS: {}}
        if self.cache_path is None:
            return empty
        import json

        try:
            data = json.loads(self.cache_path.read_bytes())
        except (OSError, ValueError):
            return empty  # no cache, or a damaged one: it is only a cache
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            return empty
        documents, folders = data.get(DOCUMENTS), data.get(FOLDERS)
        return {DOCUMENTS: documents if isinstance(documents, dict) else {},
                FOLDERS: folders if isinstance(folders, dict) else {}}

    def _cached(self, section: str, key: str) -> Any:
        if self._cache is None:
            self._cache = self._read_cache()
        return self._cache[section].get(key)

    def save_cache(self) -> None:
        """Write what was read (with what the cache held of files not seen this run), if anything changed."""
        if self.cache_path is None or not self.changed:
            return
        import json

        from tui.core.atomic import atomic_write_bytes

        old = self._cache or {DOCUMENTS: {}, FOLDERS: {}}
        data = {"version": CACHE_VERSION, **{section: {**old[section], **self._fresh[section]}
                                             for section in (DOCUMENTS, FOLDERS)}}
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.cache_path.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n", encoding="utf-8")  # the cache never enters git, wherever it is
            atomic_write_bytes(self.cache_path, json.dumps(data, separators=(",", ":")).encode("utf-8"))
            self.changed = False
        except (OSError, HedgerowError):
            pass  # a read-only project: the next run reads the files again

    # -- summaries -------------------------------------------------------------------

    def key_of(self, entry: Entry) -> str:
        path = entry.file  # strings, not PurePath.relative_to: this runs for every document
        if path.startswith(self._project):
            relative = path[len(self._project):]
            if os.sep != "/":
                relative = relative.replace(os.sep, "/")
        else:
            try:
                relative = entry.path.relative_to(self.project).as_posix()
            except ValueError:
                relative = entry.relative
        return layer_key_of(relative)

    def blanks(self, entries: Iterable[Entry]) -> list[Summary]:
        """Every entry's row before its files are read, as `blank` makes one; made before the
        documents screen's first frame, so key_of's common case (a document under the project's
        root, on POSIX) is done here inline: 2,000 rows took 10 ms through `blank`."""
        project, cut, posix = self._project, len(self._project), os.sep == "/"
        made: list[Summary] = []
        add = made.append
        for entry in entries:
            file = entry.file
            if posix and file.startswith(project):
                key = file[cut:-4] if file.endswith(".txt") else file[cut:]
            else:
                key = self.key_of(entry)
            add(Summary(entry, key, entry.relative.rpartition("/")[2]))
        return made

    def blank(self, entry: Entry) -> Summary:
        """The row before its files are read: the name alone."""
        return Summary(entry, self.key_of(entry), title=entry.name)

    def summaries(self, entries: Iterable[Entry]) -> Iterator[Summary]:
        """Each entry's summary; the entries' stats are taken as current (they were just scanned)."""
        batch: list[Summary] = []
        for entry in entries:  # a batch at a time, so that its files are asked of the disk together
            batch.append(self.blank(entry))
            if len(batch) == READ_AHEAD:
                yield from self.fill_each(batch)
                batch = []
        yield from self.fill_each(batch)

    def fill_each(self, summaries: Sequence[Summary]) -> Generator[Summary, None, None]:
        """Fill in each summary in turn (as `fill(scanned=True)`), yielding it; the files of the next
        READ_AHEAD documents are asked of the disk while these are read (`read_ahead`)."""
        count = len(summaries)
        self.read_ahead(summaries[:READ_AHEAD])
        for position in range(0, count, READ_AHEAD):
            end = min(position + READ_AHEAD, count)
            self.read_ahead(summaries[end:end + READ_AHEAD])
            for summary in summaries[position:end]:
                self.fill(summary, scanned=True)
                yield summary

    def read_ahead(self, summaries: Sequence[Summary]) -> None:
        """Ask the OS to start reading the files of these documents, those the cache has no row for
        (posix_fadvise WILLNEED): it queues their reads together and the disk serves them while the
        documents before are read. From a cold disk, the 8,000 files of the corpus bench took 2.2 s
        read one after the other, and 0.7 s asked for first. Where the files are in memory already,
        it costs about 10 us a file."""
        if _ADVISE is None:
            return
        for summary in summaries:
            if self._cached(DOCUMENTS, summary.key) is not None:
                continue  # a warm start: its files are stat'ed, and read only if they changed
            _will_need(summary.entry.file)
            try:
                with os.scandir(os.path.join(self._annotations, summary.key)) as scan:
                    for item in scan:
                        if item.name.endswith(".json"):
                            _will_need(item.path)
            except OSError:
                pass  # no layer yet

    def summary(self, entry: Entry) -> Summary:
        summary = self.blank(entry)
        self.fill(summary)
        return summary

    def fill(self, summary: Summary, scanned: bool = False) -> None:
        """Read (or take from the cache) the document's title, length and hash and its layers.

        `scanned`: the entry's size and mtime are fresh (a scan just made it), so the document is
        not stat'ed again; otherwise (a document re-read after it was opened or marked) it is."""
        entry, key = summary.entry, summary.key
        cached = self._cached(DOCUMENTS, key)
        if not (type(cached) is list and len(cached) == 8):  # exact types: it may be damaged
            cached = None
        size, mtime, problem = entry.size, entry.mtime_ns, ""
        if not scanned or size < 0:
            try:
                stat = os.stat(entry.file)
                size, mtime = stat.st_size, stat.st_mtime_ns
            except OSError as error:
                problem = f"cannot read it ({error.strerror or error})"
        if problem:
            found: list[Any] = ["", 0, "", problem]
        elif cached is not None and cached[0] == size and cached[1] == mtime and _document_row(cached):
            found = cached[2:6]
        else:
            found = self._read_document(entry.path)
            self.changed = True
        summary.title = found[0] or entry.name
        summary.length, summary.sha256, summary.problem = found[1], found[2], found[3]
        summary.layers, folder = self._layers(key, cached[6:] if cached is not None else None)
        if not problem:
            self._fresh[DOCUMENTS][key] = [size, mtime, *found, *folder]
        self._add_old_layout(summary)
        summary.read = True
        summary.revision += 1

    def _read_document(self, path: Path) -> list[Any]:
        """[title, length, sha256, problem] from the file itself."""
        try:
            data = path.read_bytes()
            text, sha256 = read_text(data, path)
        except OSError as error:
            return ["", 0, "", f"cannot read it ({error.strerror or error})"]
        except HedgerowError as error:
            problem = str(error).removeprefix(f"{path}: ")
            return ["", 0, "", problem.split(";")[0]]
        return [make_title(text), len(text), sha256, ""]

    def _add_old_layout(self, summary: Summary) -> None:
        """Layers still in the old layout (annotations/<stem>/) that were made on this document."""
        name = summary.entry.name
        stem = name[: name.rfind(".")] if "." in name[1:] else name
        if stem == summary.key or stem not in self._top_folders():
            return  # one listing of annotations/ instead of a failed scandir per document
        try:
            recorded = summary.entry.path.relative_to(self.project).as_posix()
        except ValueError:
            return
        cached = self._cached(FOLDERS, stem)
        layers, folder = self._layers(stem, cached if type(cached) is list and len(cached) == 2 else None)
        self._fresh[FOLDERS][stem] = folder
        for annotator, layer in layers.items():
            if annotator not in summary.layers and layer.path in ("", recorded):
                summary.layers[annotator] = layer

    def _top_folders(self) -> set[str]:
        if self._old_stems is None:
            try:
                with os.scandir(self._annotations) as scan:
                    self._old_stems = {item.name for item in scan if item.is_dir()}
            except OSError:
                self._old_stems = set()
        return self._old_stems

    def forget_folders(self) -> None:
        """annotations/ may have changed (a document re-read after a save): list it again when asked."""
        self._old_stems = None

    def _layers(self, key: str, cached: list[Any] | None) -> tuple[dict[str, LayerSummary], list[Any]]:
        """The layers in annotations/<key>/, and what the cache keeps of them: [the folder's mtime,
        {annotator: [size, mtime, *summary]}]. A file's cached summary is used while its size and
        mtime are the ones it was made from; while the folder's mtime is unchanged, no file was
        added, removed or replaced there, so the files are stat'ed without listing the folder."""
        # Strings, not Paths: this runs for every document, and pathlib's parsing showed in profiles.
        folder = os.path.join(self._annotations, key)
        try:
            folder_mtime = os.stat(folder).st_mtime_ns
        except OSError:
            return {}, [-1, {}]
        rows: dict[str, Any] = cached[1] if cached is not None and type(cached[1]) is dict else {}
        if cached is not None and cached[0] == folder_mtime:
            found = self._same_files(folder, rows)
            if found is not None:
                return found, [folder_mtime, rows]
        layers: dict[str, LayerSummary] = {}
        fresh: dict[str, Any] = {}
        try:
            with os.scandir(folder) as scan:
                files = sorted((item.name[:-5], item.path) for item in scan if item.name.endswith(".json"))
        except OSError:
            return layers, [-1, fresh]
        for annotator, path in files:
            found_layer = self._layer(path, rows.get(annotator))
            if found_layer is not None:
                layers[annotator], fresh[annotator] = found_layer
        return layers, [folder_mtime, fresh]

    def _same_files(self, folder: str, rows: dict[str, Any]) -> dict[str, LayerSummary] | None:
        """The layers of a folder whose listing did not change (rows: the cached one's); None when
        a file is gone after all or a name is not a plain file name (a damaged cache)."""
        layers: dict[str, LayerSummary] = {}
        for annotator, row in rows.items():
            if "/" in annotator or os.sep in annotator:
                return None
            found = self._layer(f"{folder}{os.sep}{annotator}.json", row)
            if found is None:
                return None
            layers[annotator], rows[annotator] = found
        return layers

    def _layer(self, path: str, row: Any) -> tuple[LayerSummary, list[Any]] | None:
        """A layer file's summary and cache row: the cached row's while the file's size and mtime
        match it, else read from the file. None when the file is not there."""
        if type(row) is list and len(row) == 8:
            try:
                stat = os.stat(path)
            except OSError:
                return None
            if row[0] == stat.st_size and row[1] == stat.st_mtime_ns:
                layer = summary_from_row(row[2:])
                if layer is not None:
                    return layer, row
        layer, read = read_summary_and_stat(path)  # the stat of the file read: no second look-up
        if read is None:  # it could not be read: gone, or unreadable (listed with its problem)
            try:
                read = os.stat(path)
            except OSError:
                return None
        self.changed = True
        return layer, [read.st_size, read.st_mtime_ns, *layer.to_row()]

    # -- layers without a document -------------------------------------------------------

    def orphan_layers(self) -> Iterator[tuple[str, list[str]]]:
        """(layer folder, annotators) for every layer folder whose document is not there, neither
        at the key's path nor (for the old layout) at the path the files recorded."""
        if not self.annotations.is_dir():
            return
        for folder, _dirs, files in os.walk(self.annotations):
            names = sorted(name[: -len(".json")] for name in files if name.endswith(".json"))
            if not names:
                continue
            key = Path(os.path.relpath(folder, self.annotations)).as_posix()
            if (self.project / f"{key}.txt").is_file() or (self.project / key).is_file():
                continue
            recorded = {read_summary(Path(folder, f"{name}.json")).path for name in names}
            if any(path and (self.project / path).is_file() for path in recorded):
                continue  # the old layout (annotations/<stem>/): moved on the next save
            yield key, names


def sort_key(by: str, annotator: str) -> Callable[[Summary], tuple[object, ...]]:
    """A key function for Summary rows: by title, folder, status or count (most first)."""
    if by == "folder":
        return lambda s: (s.entry.folder.lower(), s.title.lower(), s.entry.relative)
    if by == "status":
        return lambda s: (STATUS_ORDER[s.status(annotator)], s.title.lower(), s.entry.relative)
    if by == "count":
        return lambda s: (-(s.layers[annotator].total if annotator in s.layers else 0), s.title.lower())
    return lambda s: (s.title.lower(), s.entry.relative)



class Prefetch:
    """The folder scan and the cache's reading, started in a thread before the UI loads, so they
    overlap Textual's start-up (mostly system calls: they let the GIL go)."""

    def __init__(self, root: Path, annotations: Path | None = None) -> None:
        import threading

        self.root, self.annotations = Path(root), annotations
        self._result: tuple[Summariser, list[Entry]] | None = None
        self._thread = threading.Thread(target=self._run, name="corpus-prefetch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        self._result = (Summariser(self.root, self.annotations), discover(self.root, stat=False))

    @property
    def ready(self) -> bool:
        return not self._thread.is_alive()

    def result(self) -> tuple[Summariser, list[Entry]]:
        """The summariser and the entries (waits for the thread; scans here if it failed)."""
        self._thread.join()
        return self._result or (Summariser(self.root, self.annotations), discover(self.root, stat=False))
