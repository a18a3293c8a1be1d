"""`hedgerow status` (a corpus's documents by annotators) and `hedgerow mv` (a document and its layers)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypedDict

from tui.commands.common import InertJson, stderr
from tui.core.errors import InputError
from tui.core.safe_text import shown_line
from tui.core.wording import count_of

if TYPE_CHECKING:
    from tui.core.annotation import Annotation
    from tui.core.corpus import Entry
    from tui.core.document import Document
    from tui.core.links import Link

DEFAULT_CORPUS = Path("seeds")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "status", help="a corpus's documents by annotators: counts, done marks, changed texts",
        description="Every .txt/.md document under DIR (default: seeds/) with each annotator's count of "
                    "annotations, ✓ when they marked it done and ⚠ when the text changed since their layer "
                    "was saved; then the layers whose document is missing. Always exits 0 (1 on bad input).")
    parser.add_argument("folder", nargs="?", type=Path, metavar="DIR", help="the corpus folder (default: seeds/)")
    parser.add_argument("--annotations", metavar="DIR", type=Path,
                        help="the annotations folder (default: annotations/ at the project root)")
    parser.add_argument("--json", action="store_true", help="print it as JSON, for scripts")
    parser.set_defaults(run=run_status)

    parser = sub.add_parser(
        "mv", help="move or rename a document together with its annotations",
        description="Move OLD to NEW (a file or a folder to move it into) and its annotation folder with it, "
                    "so no layer is orphaned. Uses git mv for files git tracks.")
    parser.add_argument("old", type=Path, metavar="OLD", help="the document")
    parser.add_argument("new", type=Path, metavar="NEW", help="its new path, or a folder to move it into")
    parser.add_argument("--annotations", metavar="DIR", type=Path,
                        help="the annotations folder (default: annotations/ at the project root)")
    parser.set_defaults(run=run_mv)


def corpus_folder(folder: Path | None) -> Path:
    root = folder if folder is not None else DEFAULT_CORPUS
    if not root.exists():
        raise InputError(f"{root}: no such folder" + (" (give the corpus folder: hedgerow status DIR)"
                                                       if folder is None else ""))
    if not root.is_dir():
        raise InputError(f"{root}: not a folder")
    return root


def layer_annotators(annotations: Path) -> list[str]:
    """Every annotator with a layer anywhere under annotations/ (names only: cheap)."""
    from tui.core.paths import GOLD

    names: set[str] = set()
    if annotations.is_dir():
        for _folder, _dirs, files in os.walk(annotations):
            names.update(name[: -len(".json")] for name in files if name.endswith(".json"))
    return sorted(names - {GOLD}) + ([GOLD] if GOLD in names else [])


def run_status(args: argparse.Namespace) -> int:
    from tui.core.corpus import Summariser, discover
    from tui.core.paths import GOLD

    root = corpus_folder(args.folder)
    summariser = Summariser(root, args.annotations)
    annotators = layer_annotators(summariser.annotations)
    entries = discover(root)
    out: InertJson | TextIO = InertJson(sys.stdout) if args.json else sys.stdout
    if args.json:
        out.write(json.dumps({"root": str(summariser.root), "annotators": annotators})[:-1] + ', "documents": [')
        for n, summary in enumerate(summariser.summaries(entries)):
            out.write(("," if n else "") + "\n  " + json.dumps(summary.to_json(), ensure_ascii=False))
        out.write('\n], "missing": [')
        for n, (key, names) in enumerate(summariser.orphan_layers()):
            out.write(("," if n else "") + "\n  " + json.dumps({"layer": key, "annotators": names},
                                                               ensure_ascii=False))
        out.write("\n]}\n")
        summariser.save_cache()
        return 0
    if not entries:
        out.write(f"No documents (.txt, .md) under {shown_line(str(summariser.root))}.\n")
    else:
        widths = [max(6, min(40, max(len(e.relative) for e in entries)))] + [max(5, len(a) + 1) for a in annotators]
        out.write(_line(["document", *annotators], widths) + "\n")
        done = {name: 0 for name in annotators if name != GOLD}  # the review writes gold: no one marks it done
        problems = changed = 0
        damaged: list[str] = []
        for summary in summariser.summaries(entries):
            cells = []
            stale = set(summary.stale())
            for name in annotators:
                layer = summary.layers.get(name)
                if layer is None:
                    cells.append("·")
                    continue
                cell = "!" if layer.problem else str(layer.total)
                if layer.problem:
                    damaged.append(f"! {summary.entry.relative}, {name}: {layer.problem}")
                if layer.done:
                    cell += "✓"
                    done[name] = done.get(name, 0) + 1
                if name in stale:
                    cell += "⚠"
                    changed += 1
                cells.append(cell)
            out.write(_line([summary.entry.relative, *cells], widths))
            if summary.problem:
                problems += 1
                out.write(f"  ({shown_line(summary.problem)})")
            out.write("\n")
        damaged_count = f"; {count_of(len(damaged), 'layer file')} damaged (!)" if damaged else ""
        totals = ", ".join(f"{shown_line(name)} done {count}" for name, count in done.items()) or "no layers yet"
        out.write(f"\n{count_of(len(entries), 'document')} under {shown_line(str(summariser.root))}: {totals}; "
                  f"{count_of(changed, 'layer')} ⚠ made on another version of the text; {problems} unreadable"
                  f"{damaged_count}.\n"
                  "Cells: annotations, ✓ marked done, ⚠ text changed since the layer was saved, "
                  "! damaged layer file, · no layer.\n")
        for line in damaged:  # what `list` would say of each, so it can be mended without opening it
            out.write(shown_line(line) + "\n")
    missing = list(summariser.orphan_layers())
    for key, names in missing:
        out.write(f"missing document: {shown_line(key)} has layers by {shown_line(', '.join(names))} "
                  f"(move it back, or `hedgerow mv` it next time)\n")
    summariser.save_cache()
    return 0


def _line(cells: list[str], widths: list[int]) -> str:
    first = shown_line(cells[0])
    if len(first) > widths[0]:
        first = "…" + first[-(widths[0] - 1):]
    others = (shown_line(cell).rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
    return "  ".join([first.ljust(widths[0]), *others])


def run_mv(args: argparse.Namespace) -> int:
    from tui.core.paths import all_layer_files, layer_dir

    old: Path = args.old
    if not old.is_file():
        raise InputError(f"{old}: no such document")
    new: Path = args.new / old.name if args.new.is_dir() else args.new
    if new.exists():
        raise InputError(f"{new}: already exists; not overwritten")
    if not new.parent.is_dir():
        raise InputError(f"{new.parent}: no such folder")
    layers = all_layer_files(old.resolve(), args.annotations)
    source = old.resolve()
    # Where the layers go is worked out as if the document were already there.
    target_folder = layer_dir(new.parent.resolve() / new.name, args.annotations)
    clashes = [name for name in layers if (target_folder / f"{name}.json").exists()]
    if clashes:
        raise InputError(f"{target_folder} already holds layers by {', '.join(clashes)}; not overwritten")
    _move(source, new.parent.resolve() / new.name)
    for name, path in layers.items():
        target_folder.mkdir(parents=True, exist_ok=True)
        _move(path, target_folder / f"{name}.json")
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # the old folder, once empty
    _record_new_path(new.parent.resolve() / new.name, layers, args.annotations)
    stderr.print(f"moved {shown_line(str(old))} -> {shown_line(str(new))} and {count_of(len(layers), 'layer')} to "
                 f"{shown_line(str(target_folder))}", markup=False)
    return 0


def _record_new_path(document: Path, layers: dict[str, Path], annotations: Path | None) -> None:
    """Each moved layer's meta says where its document is now (it kept the old path, which exports
    and `status` read). Only the path: the sha256 of the text the layer was made on stays as it was
    (a layer made on another version of the text must still say so)."""
    from tui.core.paths import layer_dir, relative_path
    from tui.core.store import AnnotationStore

    folder = layer_dir(document, annotations)
    for name in layers:
        store = AnnotationStore(folder / f"{name}.json")
        stored = store.load()
        meta = {key: value for key, value in stored.meta.items() if key != "schema"}
        meta["document"] = {**meta.get("document", {}), "path": relative_path(document)}
        store.save(stored.layer, meta, stored.tables)
        if _tracked(store.path):  # moved with git mv: the rename and its new path staged together
            subprocess.run(["git", "add", store.path.name], cwd=store.path.parent, capture_output=True, timeout=10)


def _move(source: Path, target: Path) -> None:
    """git mv when git tracks `source`, else a rename (a copy and delete across file systems)."""
    if _tracked(source):
        result = subprocess.run(["git", "mv", str(source), str(target)], cwd=source.parent,
                                capture_output=True, text=True)
        if result.returncode == 0:
            return
        raise InputError(f"git mv {source} failed: {result.stderr.strip()}")
    shutil.move(str(source), str(target))


def _tracked(path: Path) -> bool:
    try:
        result = subprocess.run(["git", "ls-files", "--error-unmatch", path.name], cwd=path.parent,
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0


# -- the --corpus forms of export, agree and check: a document at a time ------------------------

def _layers_of(path: Path, annotations: Path | None) -> dict[str, Path]:
    from tui.core.paths import all_layer_files

    return all_layer_files(path.resolve(), annotations)


def _warn(message: str) -> None:
    stderr.print(f"hedgerow: {shown_line(message)}", markup=False)


def _link_count(path: Path) -> int:
    """How many links a layer file holds (0 when it cannot be read: the export reports that file)."""
    try:
        links = json.loads(path.read_bytes()).get("links")
    except (OSError, ValueError, AttributeError, RecursionError):
        return 0
    return len(links) if isinstance(links, dict) else 0


def export_corpus(args: argparse.Namespace) -> int:
    """`hedgerow export --corpus [DIR]`: every document's annotations in one file."""
    from tui.core.atomic import atomic_write_chunks
    from tui.core.corpus import discover
    from tui.core.corpus_export import WRITERS
    from tui.core.document import Document
    from tui.core.errors import HedgerowError
    from tui.core.layer_summary import read_summary
    from tui.core.links import LINKS, LinkIndex
    from tui.core.paths import GOLD, resolve_annotator
    from tui.core.store import AnnotationStore

    if args.format not in WRITERS:
        raise InputError(f"--corpus exports {', '.join(WRITERS)}; {args.format} is one document at a time")
    root = corpus_folder(args.document)
    wanted = None if args.all else (args.layer or resolve_annotator(args.annotator))
    entries = discover(root)
    problems = 0

    def chosen(entry: Entry) -> dict[str, Path]:
        files = _layers_of(entry.path, args.annotations)
        return {n: p for n, p in files.items() if (n != GOLD if wanted is None else n == wanted)}

    total = sum(read_summary(p).total for entry in entries for p in chosen(entry).values())  # no record parsed
    if args.format == "w3c":  # the collection's total counts its linking annotations too
        total += sum(_link_count(p) for entry in entries for p in chosen(entry).values())

    exported = 0  # the documents with a layer exported, not every document looked at

    def documents() -> Iterator[tuple[Document, Iterable[Annotation], Iterable[Link]]]:
        nonlocal problems, exported
        for entry in entries:
            files = chosen(entry)
            if not files:
                continue
            try:
                document = Document.load(entry.path)
                stored = [AnnotationStore(p).load(document.text) for p in files.values()]
            except HedgerowError as error:
                problems += 1
                _warn(f"skipped {entry.relative}: {error}")
                continue
            links = [link for one in stored for link in LinkIndex(one.tables.get(LINKS))]
            exported += 1
            yield (document, stored[0].layer if len(stored) == 1 else [a for one in stored for a in one.layer],
                   links)

    label = f"{root.resolve().name} ({'every annotator' if wanted is None else wanted})"
    written = WRITERS[args.format](documents(), label, total)
    if args.output:
        atomic_write_chunks(args.output, (piece.encode("utf-8") for piece in written))
        stderr.print(f"wrote {count_of(total, 'annotation')} from {count_of(exported, 'document')} of "
                     f"{len(entries):,} under {shown_line(str(root))} as {args.format} to "
                     f"{shown_line(str(args.output))}", markup=False)
    else:
        from tui.commands.exchange import write_to_stdout

        write_to_stdout(args.format, written)  # to a terminal: inert, as a one-document export
    return 1 if problems else 0


POOLED = ("spans_a", "spans_b", "exact_matches", "overlap_matches")


class PooledPair(TypedDict):
    """Two annotators' figures summed over the documents both annotated."""

    a: str
    b: str
    spans_a: int
    spans_b: int
    exact_matches: int
    overlap_matches: int
    exact_f1: float | None
    overlap_f1: float | None


def agree_corpus(args: argparse.Namespace) -> int:
    """`hedgerow agree --corpus [DIR]`: agreement per document, then pooled over the corpus."""
    from tui.core.agreement import agreement_report
    from tui.core.corpus import discover
    from tui.core.document import Document
    from tui.core.errors import HedgerowError
    from tui.core.paths import GOLD, config_path
    from tui.core.store import load_layers
    from tui.core.tags import load_config

    root = corpus_folder(args.document)
    tags = load_config(config_path(root.resolve() / "_")).tags.names
    wanted = [n.strip() for n in args.annotators.split(",") if n.strip()] if args.annotators else None
    pooled: dict[tuple[str, str], dict[str, int]] = {}
    out: InertJson | TextIO = InertJson(sys.stdout) if args.json else sys.stdout
    if args.json:
        out.write('{"documents": [')
    count = 0
    for entry in discover(root):
        files = {n: p for n, p in _layers_of(entry.path, args.annotations).items()
                 if n != GOLD and (wanted is None or n in wanted)}
        if len(files) < 2:
            continue
        try:
            document = Document.load(entry.path)
            report = agreement_report(document.text, load_layers(files), tags)
        except HedgerowError as error:
            _warn(f"skipped {entry.relative}: {error}")
            continue
        for pair in report["pairs"]:
            sums = pooled.setdefault((pair["a"], pair["b"]), dict.fromkeys(POOLED, 0))
            for key in POOLED:
                sums[key] += pair["overall"][key]
        if args.json:
            out.write(("," if count else "") + "\n  " + json.dumps({"path": entry.relative, "report": report},
                                                                   ensure_ascii=False))
        else:
            figures = "  ".join(f"{shown_line(p['a'])}/{shown_line(p['b'])} exact {_f(p['overall']['exact_f1'])} "
                                f"overlap {_f(p['overall']['overlap_f1'])} κ {_f(p['overall']['kappa'])}"
                                for p in report["pairs"])
            out.write(f"{shown_line(entry.relative)}: {figures}\n")
        count += 1
    pairs = [PooledPair(a=a, b=b, spans_a=sums["spans_a"], spans_b=sums["spans_b"],
                        exact_matches=sums["exact_matches"], overlap_matches=sums["overlap_matches"],
                        exact_f1=_ratio(sums["exact_matches"], sums), overlap_f1=_ratio(sums["overlap_matches"], sums))
             for (a, b), sums in sorted(pooled.items())]
    if args.json:
        out.write("\n], " + json.dumps({"documents_compared": count, "pooled": pairs}, ensure_ascii=False)[1:] + "\n")
    else:
        out.write(f"\npooled over {count_of(count, 'document')} with two or more annotators under "
                  f"{shown_line(str(root))}:\n")
        for p in pairs:
            out.write(f"  {shown_line(p['a'])}/{shown_line(p['b'])}: exact-span F1 {_f(p['exact_f1'])}, "
                      f"overlap F1 {_f(p['overlap_f1'])} ({p['spans_a']:,} and {p['spans_b']:,} spans)\n")
        if not pairs:
            out.write("  no document has two annotators' layers\n")
    if args.min_f1 is not None:
        failing = [p for p in pairs if p["exact_f1"] is None or p["exact_f1"] < args.min_f1]
        for p in failing:
            _warn(f"{p['a']}/{p['b']}: pooled exact-span F1 {_f(p['exact_f1'])} is below --min-f1 {args.min_f1}")
        return 1 if failing or not pairs else 0
    return 0


def _ratio(matches: int, sums: dict[str, int]) -> float | None:
    total = sums["spans_a"] + sums["spans_b"]
    return 2 * matches / total if total else None


def _f(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def check_corpus(args: argparse.Namespace) -> int:
    """`hedgerow check --corpus [DIR]`: every layer of every document; exit 1 when orphans exist."""
    from tui.commands.common import open_session
    from tui.commands.review import _check_layer
    from tui.core.corpus import discover
    from tui.core.errors import HedgerowError
    from tui.core.paths import GOLD

    root = corpus_folder(args.document)
    orphans = layers = problems = 0
    for entry in discover(root):
        for name in _layers_of(entry.path, args.annotations):
            args.annotator, args.document = name, entry.path
            try:
                session = open_session(args, gold=True)  # gold is read and re-anchored like any layer
            except HedgerowError as error:
                problems += 1
                _warn(f"{entry.relative} ({name}): {error}")
                continue
            orphans += _check_layer(session, args.apply, gold=name == GOLD)
            layers += 1
    sys.stdout.write(f"\nchecked {count_of(layers, 'layer')} under {shown_line(str(root))}: "
                     f"{count_of(orphans, 'orphan')}, {problems:,} unreadable\n")
    if orphans:
        _warn(f"{count_of(orphans, 'orphan')}: their quotes were not found; they stay in the files for review")
    return 1 if orphans or problems else 0
