"""`hedgerow export` and `hedgerow import`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from tui.commands.common import document_options, is_terminal, missing_layer, open_session, stderr
from tui.core.annotation import Annotation
from tui.core.atomic import atomic_write_chunks
from tui.core.errors import InputError
from tui.core.layer import Layer
from tui.core.paths import layer_files
from tui.core.refi_qda import FORMATS as REFI_FORMATS
from tui.core.safe_text import json_escaped, shown_line
from tui.core.store import load_layers
from tui.core.wording import count_of

JSON_FORMATS = ("json", "w3c", "jsonl")

if TYPE_CHECKING:
    from tui.core.links import Link, LinkPlan
    from tui.core.session import Session


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("export", help="export annotations as json, w3c, jsonl, csv, qdpx or qdc",
                            description="Export annotations to stdout, or atomically to --output FILE. "
                                        "To a file or a pipe the export is byte for byte; to a terminal, "
                                        "JSON formats write control characters as \\u escapes (the same "
                                        "JSON) and csv is refused: it could carry escape sequences.")
    document_options(parser, corpus="every document under DIR (default: seeds/) in one file, each annotation "
                                    "naming its document (json: documents; jsonl: path; csv: path column; "
                                    "w3c: one collection)")
    parser.add_argument("--format", "-f", choices=("json", "w3c", "jsonl", "csv", *REFI_FORMATS),
                        help="json: hedgerow's records; w3c: W3C Web Annotation JSON-LD; jsonl; csv; "
                             "qdpx: a REFI-QDA project for QDA tools; qdc: the codebook alone "
                             "(default: json, or csv with --excel)")
    parser.add_argument("--excel", action="store_true",
                        help="csv that Excel opens as UTF-8 (curly quotes intact): with a byte-order mark")
    parser.add_argument("--output", "-o", metavar="FILE", type=Path, help="write here instead of stdout")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--layer", metavar="NAME", help="export this layer's file instead, e.g. --layer gold")
    which.add_argument("--all", action="store_true", help="every annotator's layer together (gold excluded)")
    parser.set_defaults(run=run_export)

    parser = sub.add_parser("import", help="import a hedgerow json, W3C, JSON Lines, csv or REFI-QDA (.qdpx) export",
                            description="Import a json, W3C, JSON Lines, csv or REFI-QDA .qdpx export into an "
                                        "annotator's file; every record becomes that annotator's (its maker kept "
                                        "as original_annotator). Ids are kept, existing ids are skipped, and "
                                        "quotes that do not match the document, or codes not in the codebook, "
                                        "are reported, not stored.")
    document_options(parser)
    parser.add_argument("file", type=Path, help="the export to read")
    parser.set_defaults(run=run_import)


def run_export(args: argparse.Namespace) -> int:
    from tui.core.export import pieces

    if args.corpus:
        from tui.commands.corpus import export_corpus

        return export_corpus(args)
    if args.document is None:
        raise InputError("give a document (or --corpus [DIR])")
    if args.layer:
        args.annotator = args.layer
    session = open_session(args, gold=True)
    # Written as it is read: 100,000 annotations are never all objects at once.
    annotations: Layer | list[Annotation] = session.layer
    layers: list[tuple[str, Layer | list[Annotation]]] = [(session.annotator, session.layer)]
    links = list(session.links)
    # As list and check say it: exit 2, naming the layers there are (qdc is the codebook alone).
    if not args.all and args.format != "qdc" and not session.layer_exists:
        raise missing_layer(session, "; --layer NAME picks one, --all exports every layer")
    if args.all:
        files = layer_files(session.document.path, args.annotations)
        if not files:
            raise InputError(f"no annotation files for {session.document.path.name} in {session.store.path.parent}")
        layers = list(load_layers(files, session.document.text, session.document.sha256).items())
        annotations = [a for _, layer in layers for a in layer]
        links = _links_of(files.values())
    if args.excel and args.format not in (None, "csv"):
        raise InputError(f"--excel writes csv, not {args.format}")
    args.format = args.format or ("csv" if args.excel else "json")
    if args.format in REFI_FORMATS:  # REFI-QDA: each layer's selections under its own user
        from tui.commands import refi

        return refi.export(args, session, layers, links)
    written = pieces(args.format, session.document, annotations, links, excel=args.excel)
    if args.output:
        atomic_write_chunks(args.output, (piece.encode("utf-8") for piece in written))
        stderr.print(shown_line(f"wrote {count_of(len(annotations), 'annotation')} as {args.format} to {args.output}"))
    else:
        write_to_stdout(args.format, written)
    return 0


def write_to_stdout(fmt: str, written: Iterable[str]) -> None:
    """An export to stdout: to a file or a pipe exactly; to a terminal, only what stays inert there."""
    if not is_terminal(sys.stdout):
        sys.stdout.writelines(written)  # a file or a pipe: exactly the export
    elif fmt in JSON_FORMATS:
        # A terminal would obey escape sequences in the text: \u escapes are the same JSON, inert.
        sys.stdout.writelines(json_escaped(piece) for piece in written)
    else:
        raise InputError(f"not writing {fmt} to the terminal: the text could hold escape sequences "
                         f"that the terminal would run; use --output FILE or a pipe (| less)")


def _links_of(paths: Iterable[Path]) -> list[Link]:
    from tui.core.links import LINKS, LinkIndex
    from tui.core.store import AnnotationStore

    return [link for path in paths for link in LinkIndex(AnnotationStore(path).load().tables.get(LINKS))]


def reattributed_note(count: int, annotator: str) -> str:
    """The import summary's last words: how many records became `annotator`'s."""
    return f"; {count} re-attributed to {annotator} (their maker kept as original_annotator)" if count else ""


def run_import(args: argparse.Namespace) -> int:
    from tui.commands import refi
    from tui.core.importer import parse_export, parse_links, plan_import
    from tui.core.links import links_summary

    if refi.is_project_file(args.file):  # REFI-QDA .qdpx
        return refi.import_project(args)
    session = open_session(args)
    try:
        text = args.file.read_bytes().decode("utf-8")  # no newline translation: a CSV value may hold a CR
    except FileNotFoundError:
        raise InputError(f"{args.file}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{args.file}: cannot read it ({error})") from None
    plan = plan_import(session.document, session.layer.ids(), parse_export(text, str(args.file)),
                       session.annotator, session.layer)
    made_on = {item.annotation.document for item in plan.mismatched}
    if plan.mismatched and not plan.new and not plan.skipped and len(made_on) == 1 and \
            "" not in made_on and made_on != {session.document.sha256}:
        # All of it made on another text: one line, not one per annotation.
        stderr.print(shown_line(f"not imported: {args.file} was exported from another document (sha256 "
                                f"{next(iter(made_on))[:12]}…), not {session.document.path.name}: none of its "
                                f"{count_of(len(plan.mismatched), 'annotation')} matches this text"))
    else:
        for item in plan.mismatched:
            stderr.print(shown_line(f"not imported: {item}"))
    links = import_links(session, plan.new, map(plan.same_as, parse_links(text, str(args.file))))
    if plan.new or links.accepted:
        session.add_many(plan.new, "import", links.accepted)
        session.save()
    stderr.print(shown_line(f"imported {len(plan.new)}{plan.duplicates_note()}, "
                            f"skipped {len(plan.skipped)} already present, "
                            f"{len(plan.mismatched)} not matching the document{links_summary(links)} -> "
                            f"{session.store.path}{reattributed_note(plan.reattributed, session.annotator)}"))
    return 1 if plan.mismatched or links.problems else 0


def import_links(session: Session, new: Iterable[Annotation], links: Iterable[Link]) -> LinkPlan:
    """The links an import can add to the layer as it will be with `new`; each one refused is reported."""
    from tui.core.links import plan_links

    plan = plan_links(_Either({a.id: a for a in new}, session.layer), session.config.relations, session.links,
                      links)
    for problem in plan.problems:
        stderr.print(shown_line(f"not imported: {problem}"))
    return plan


class _Either:
    """Look an id up in the imported annotations, then in the layer."""

    def __init__(self, first: dict[str, Annotation], second: Layer) -> None:
        self.first, self.second = first, second

    def get(self, key: str) -> Annotation | None:
        found = self.first.get(key)
        return found if found is not None else self.second.get(key)
