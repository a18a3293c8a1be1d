"""What a report shows: a document with the layer chosen, the other layers' agreement, and, for a
corpus, the documents found under a folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from tui.core.agreement import agreement_report
from tui.core.annotation import Annotation
from tui.core.brief import DEFAULT_ROLES, Brief, BriefRoles
from tui.core.document import Document
from tui.core.errors import HedgerowError, InputError
from tui.core.layer import Layer
from tui.core.paths import GOLD, layer_dir, layer_path, resolve_annotator, safe_name
from tui.core.report_brief import brief_for
from tui.core.store import AnnotationStore
from tui.core.tags import TagSet

if TYPE_CHECKING:
    from tui.core.links import Link

DOCUMENT_SUFFIXES = (".txt", ".md")
SKIPPED_FOLDERS = {"annotations", "exports", "node_modules", "__pycache__"}  # and every hidden folder


def find_documents(root: Path) -> Iterator[Path]:
    """Every .txt and .md file under `root`, subfolders included, in sorted order, one folder at a time.

    Hidden folders and hedgerow's own (annotations/, exports/) are skipped. Symlinked folders are
    followed, but a folder already walked (by its device and inode) is not walked again, so a
    symlink loop ends. The corpus module (issue 12) can take this function's place.
    """
    seen: set[tuple[int, int]] = set()

    def walk(folder: Path) -> Iterator[Path]:
        try:
            info = folder.stat()
        except OSError:
            return
        if (info.st_dev, info.st_ino) in seen:
            return
        seen.add((info.st_dev, info.st_ino))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if is_dir:
                if not entry.name.startswith(".") and entry.name not in SKIPPED_FOLDERS:
                    yield from walk(path)
            elif entry.name.lower().endswith(DOCUMENT_SUFFIXES) and not entry.name.startswith("."):
                yield path

    if not Path(root).is_dir():
        raise InputError(f"{root}: not a folder")
    yield from walk(Path(root))


@dataclass(frozen=True)
class LayerChoice:
    """Which layer a report shows: `layer` by name, else the annotator's; with `every`, all of them
    with their agreement (the shown one `layer`, else gold, else the first by name)."""

    annotator: str | None = None
    layer: str | None = None
    every: bool = False
    annotations: Path | None = None


@dataclass
class ReportedDocument:
    """One document as a report shows it."""

    document: Document
    layer: Layer
    layer_name: str
    missing: str = ""  # why no layer is shown (a corpus document without the chosen layer)
    other_layers: list[str] = field(default_factory=list)
    agreement: dict[str, Any] | None = None
    agreement_note: str = ""  # why there is no agreement table, with several layers asked for
    stale: bool = False  # the layer was made on another version of the text
    brief: Brief | None = None
    stale_layers: list[str] = field(default_factory=list)  # compared layers made on another version


def _load_layer(path: Path, document: Document) -> tuple[Layer, bool, list[Link]]:
    from tui.core.links import LINKS, LinkIndex

    stored = AnnotationStore(path).load(document.text)
    stale = bool(stored.document_sha256) and stored.document_sha256 != document.sha256
    return stored.layer, stale, list(LinkIndex(stored.tables.get(LINKS)))


def layer_names(document: Path, annotations: Path | None) -> list[str]:
    """Every layer file's name for the document, gold included."""
    folder = layer_dir(document, annotations)
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def reported_document(path: Path, choice: LayerChoice, tags: TagSet, *, strict: bool = True,
                      roles: BriefRoles = DEFAULT_ROLES) -> ReportedDocument:
    """Load the document and the chosen layer(s). With `strict`, a missing layer is an InputError;
    without (a corpus), the document is shown with an empty layer and says why."""
    document = Document.load(path)
    names = layer_names(document.path, choice.annotations)
    if choice.every:
        if not names:
            if strict:
                raise InputError(f"no annotation files for {document.path.name} in "
                                 f"{layer_dir(document.path, choice.annotations)}")
            return ReportedDocument(document, Layer(text=document.text), "", missing="no annotations yet")
        shown = safe_name(choice.layer) if choice.layer else (GOLD if GOLD in names else names[0])
    else:
        shown = safe_name(choice.layer) if choice.layer else resolve_annotator(choice.annotator)
    file = layer_path(document.path, shown, choice.annotations)
    if not file.exists():
        if strict:
            found = f"layers found: {', '.join(names)}" if names else "no layers yet"
            raise InputError(f"no layer {shown!r} for {document.path.name}: {file} does not exist ({found}; "
                             f"--layer NAME, or --all)")
        return ReportedDocument(document, Layer(text=document.text), shown, missing=f"no layer “{shown}”")
    layer, stale, links = _load_layer(file, document)
    reported = ReportedDocument(document, layer, shown, stale=stale, brief=brief_for(document, layer, links, roles))
    if choice.every:
        _add_agreement(reported, names, choice, tags)
    return reported


def _add_agreement(reported: ReportedDocument, names: list[str], choice: LayerChoice, tags: TagSet) -> None:
    """Agreement between the annotators' layers (gold is the adjudication, not an annotator)."""
    document = reported.document
    annotators = [name for name in names if name != GOLD]
    reported.other_layers = [name for name in names if name != reported.layer_name]
    if len(annotators) < 2:
        reported.agreement_note = (f"Agreement needs two annotators' layers; this document has "
                                   f"{len(annotators)}{': ' + annotators[0] if annotators else ''}.")
        return
    layers: dict[str, Layer] = {}
    for name in annotators:
        if name == reported.layer_name:
            layers[name], stale = reported.layer, reported.stale
        else:
            layers[name], stale, _ = _load_layer(layer_path(document.path, name, choice.annotations), document)
        if stale:
            reported.stale_layers.append(name)
    try:
        # agreement_report reads each layer once, in order: a Layer serves as well as a list, without
        # making every annotation at once.
        reported.agreement = agreement_report(document.text, cast(dict[str, list[Annotation]], layers), tags.names)
    except HedgerowError as error:
        reported.agreement_note = str(error)
