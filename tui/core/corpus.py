"""A corpus: every .txt and .md document under a folder, and what each one's layers say.

`discover` lists the documents (sorted, subfolders included, symlink loops not followed) from
file names and stat alone. `Summariser` reads each document's title, length and hash and its
layers' counts, done marks and hashes, caching them by each file's size and mtime in
`.hedgerow-cache/` at the project root (git-ignored), so a second look costs only the stats.
Everything is yielded one document at a time: memory stays flat in the number of documents.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.core.document import make_title, read_text
from tui.core.errors import HedgerowError
from tui.core.layer_summary import LayerSummary, read_summary
from tui.core.paths import ANNOTATIONS_DIR, EXPORTS_DIR, GOLD, project_root

SUFFIXES = (".txt", ".md")
CACHE_DIR = ".hedgerow-cache"
CACHE_FILE = "corpus-v1.json"
SKIPPED_FOLDERS = {ANNOTATIONS_DIR, EXPORTS_DIR, "node_modules", "__pycache__"}  # and any .hidden one

NOT_STARTED, IN_PROGRESS, DONE = "not started", "in progress", "done"
STATUS_ORDER = {NOT_STARTED: 0, IN_PROGRESS: 1, DONE: 2}


@dataclass(frozen=True)
class Entry:
    """A document file found under the corpus root, from its name and stat only."""

    path: Path  # absolute
    relative: str  # from the corpus root, forward slashes
    size: int
    mtime_ns: int

    @property
    def folder(self) -> str:
        head, _, _ = self.relative.rpartition("/")
        return head

    @property
    def name(self) -> str:
        return self.relative.rpartition("/")[2]


def discover(root: Path) -> list[Entry]:
    """Every .txt/.md file under `root`, sorted by path. Hidden folders, annotations/ and exports/
    are skipped; a symlinked folder is followed once, never into a loop."""
    root = Path(root).resolve()
    found: list[Entry] = []
    seen: set[tuple[int, int]] = set()

    def walk(folder: Path, prefix: str) -> None:
        try:
            info = folder.stat()
        except OSError:
            return
        if (info.st_dev, info.st_ino) in seen:  # a loop, or the same folder twice
            return
        seen.add((info.st_dev, info.st_ino))
        try:
            with os.scandir(folder) as scan:
                items = sorted(scan, key=lambda item: item.name)
        except OSError:
            return
        for item in items:
            if item.name.startswith("."):
                continue
            relative = f"{prefix}{item.name}"
            try:
                if item.is_dir():
                    if item.name not in SKIPPED_FOLDERS:
                        walk(Path(item.path), relative + "/")
                elif item.name.lower().endswith(SUFFIXES):
                    stat = item.stat()
                    found.append(Entry(Path(item.path), relative, stat.st_size, stat.st_mtime_ns))
            except OSError:  # a dangling link or a file gone since the scan: listed, with its problem
                found.append(Entry(Path(item.path), relative, -1, 0))

    walk(root, "")
    found.sort(key=lambda entry: entry.relative)
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


def layer_key_of(relative_to_project: str) -> str:
    """tui.core.paths.layer_key, from a path already relative to the project root."""
    return relative_to_project[: -len(".txt")] if relative_to_project.endswith(".txt") else relative_to_project


class Summariser:
    """Reads documents' summaries for one corpus, through a cache of what did not change."""

    def __init__(self, root: Path, annotations: Path | None = None, cache: bool = True) -> None:
        self.root = Path(root).resolve()
        self.project = project_root(self.root / "_")
        self.annotations = Path(annotations).resolve() if annotations else self.project / ANNOTATIONS_DIR
        self._annotations = str(self.annotations)
        self.cache_path = self.project / CACHE_DIR / CACHE_FILE if cache else None
        self._cache: dict[str, dict[str, Any]] | None = None  # read at the first look-up: not before the list shows
        self._fresh: dict[str, dict[str, Any]] = {}  # what this run found: written back by save_cache
        self.changed = False

    # -- the cache ------------------------------------------------------------------

    def _read_cache(self) -> dict[str, dict[str, Any]]:
        if self.cache_path is None:
            return {}
        try:
            data = json.loads(self.cache_path.read_bytes())
        except (OSError, ValueError):
            return {}  # no cache, or a damaged one: it is only a cache
        return data if isinstance(data, dict) else {}

    def save_cache(self) -> None:
        """Write what was read (only the files seen this run), if anything changed."""
        if self.cache_path is None or not self.changed:
            return
        from tui.core.atomic import atomic_write_bytes

        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.cache_path.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n", encoding="utf-8")  # the cache never enters git, wherever it is
            atomic_write_bytes(self.cache_path, json.dumps({**(self._cache or {}), **self._fresh}).encode("utf-8"))
            self.changed = False
        except (OSError, HedgerowError):
            pass  # a read-only project: the next run reads the files again

    def _cached(self, path: Path | str, stat: os.stat_result | None) -> dict[str, Any] | None:
        if self._cache is None:
            self._cache = self._read_cache()
        key = str(path)
        found = self._cache.get(key)
        if stat is not None and found and found.get("size") == stat.st_size and found.get("mtime") == stat.st_mtime_ns:
            self._fresh[key] = found
            return found
        return None

    def _remember(self, path: Path | str, stat: os.stat_result | None, data: dict[str, Any]) -> dict[str, Any]:
        if stat is not None:
            self._fresh[str(path)] = {"size": stat.st_size, "mtime": stat.st_mtime_ns, **data}
            self.changed = True
        return data

    # -- summaries -------------------------------------------------------------------

    def key_of(self, entry: Entry) -> str:
        try:
            relative = entry.path.relative_to(self.project).as_posix()
        except ValueError:
            relative = entry.relative
        return layer_key_of(relative)

    def blank(self, entry: Entry) -> Summary:
        """The row before its files are read: the name alone."""
        return Summary(entry, self.key_of(entry), title=entry.name)

    def summaries(self, entries: Iterable[Entry]) -> Iterator[Summary]:
        for entry in entries:
            yield self.summary(entry)

    def summary(self, entry: Entry) -> Summary:
        summary = self.blank(entry)
        self.fill(summary)
        return summary

    def fill(self, summary: Summary) -> None:
        """Read (or take from the cache) the document's title, length and hash and its layers."""
        document = self._document(summary.entry.path)
        summary.title = document.get("title") or summary.entry.name
        summary.length = int(document.get("length", 0))
        summary.sha256 = str(document.get("sha256", ""))
        summary.problem = str(document.get("problem", ""))
        summary.layers = self._layers(summary.key)
        self._add_old_layout(summary)
        summary.read = True

    def _document(self, path: Path) -> dict[str, Any]:
        try:
            stat = path.stat()
        except OSError as error:
            return {"problem": f"cannot read it ({error.strerror or error})"}
        if (found := self._cached(path, stat)) is not None:
            return found
        try:
            data = path.read_bytes()
            text, sha256 = read_text(data, path)
        except OSError as error:
            return self._remember(path, stat, {"problem": f"cannot read it ({error.strerror or error})"})
        except HedgerowError as error:
            problem = str(error).removeprefix(f"{path}: ")
            return self._remember(path, stat, {"problem": problem.split(";")[0]})
        return self._remember(path, stat, {"title": make_title(text), "length": len(text), "sha256": sha256})

    def _add_old_layout(self, summary: Summary) -> None:
        """Layers still in the old layout (annotations/<stem>/) that were made on this document."""
        stem = summary.entry.path.stem
        if stem == summary.key:
            return
        try:
            recorded = summary.entry.path.relative_to(self.project).as_posix()
        except ValueError:
            return
        for name, layer in self._layers(stem).items():
            if name not in summary.layers and layer.path in ("", recorded):
                summary.layers[name] = layer

    def _layers(self, key: str) -> dict[str, LayerSummary]:
        # Strings, not Paths: this runs for every document, and pathlib's parsing showed in profiles.
        layers: dict[str, LayerSummary] = {}
        try:
            with os.scandir(os.path.join(self._annotations, key)) as scan:
                files = sorted((item.name, item.path) for item in scan if item.name.endswith(".json"))
        except OSError:
            return layers
        for name, file in files:
            try:
                stat = os.stat(file)
            except OSError:
                continue
            found = self._cached(file, stat)
            if found is None:
                found = self._remember(file, stat, {"layer": read_summary(file).to_json()})
            layers[name[: -len(".json")]] = LayerSummary.from_json(found["layer"])
        return layers

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
        self._result = (Summariser(self.root, self.annotations), discover(self.root))

    @property
    def ready(self) -> bool:
        return not self._thread.is_alive()

    def result(self) -> tuple[Summariser, list[Entry]]:
        """The summariser and the entries (waits for the thread; scans here if it failed)."""
        self._thread.join()
        return self._result or (Summariser(self.root, self.annotations), discover(self.root))
