"""`hedgerow export` and `hedgerow import`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui.commands.common import document_options, open_session, stderr
from tui.core.annotation import Annotation
from tui.core.atomic import atomic_write_chunks
from tui.core.errors import InputError
from tui.core.layer import Layer
from tui.core.paths import layer_files
from tui.core.refi_qda import FORMATS as REFI_FORMATS
from tui.core.store import load_layers


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("export", help="export annotations as json, w3c, jsonl, csv, qdpx or qdc",
                            description="Export annotations to stdout, or atomically to --output FILE.")
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

    parser = sub.add_parser("import", help="import a hedgerow json, W3C or REFI-QDA (.qdpx) export",
                            description="Import a json, W3C or REFI-QDA .qdpx export into an annotator's file. "
                                        "Ids are kept, existing ids are skipped, and quotes that do not match "
                                        "the document, or codes not in the codebook, are reported, not stored.")
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
    session = open_session(args)
    # Written as it is read: 100,000 annotations are never all objects at once.
    annotations: Layer | list[Annotation] = session.layer
    layers: list[tuple[str, Layer | list[Annotation]]] = [(session.annotator, session.layer)]
    if args.layer and not session.layer_exists:
        raise InputError(f"no layer {args.layer!r}: {session.store.path} does not exist")
    if args.all:
        files = layer_files(session.document.path, args.annotations)
        if not files:
            raise InputError(f"no annotation files for {session.document.path.name} in {session.store.path.parent}")
        layers = list(load_layers(files, session.document.text, session.document.sha256).items())
        annotations = [a for _, layer in layers for a in layer]
    if args.excel and args.format not in (None, "csv"):
        raise InputError(f"--excel writes csv, not {args.format}")
    args.format = args.format or ("csv" if args.excel else "json")
    if args.format in REFI_FORMATS:  # REFI-QDA: each layer's selections under its own user
        from tui.commands import refi

        return refi.export(args, session, layers)
    written = pieces(args.format, session.document, annotations, excel=args.excel)
    if args.output:
        atomic_write_chunks(args.output, (piece.encode("utf-8") for piece in written))
        stderr.print(f"wrote {len(annotations)} annotations as {args.format} to {args.output}")
    else:
        sys.stdout.writelines(written)
    return 0


def run_import(args: argparse.Namespace) -> int:
    from tui.commands import refi
    from tui.core.importer import parse_export, plan_import

    if refi.is_project_file(args.file):  # REFI-QDA .qdpx
        return refi.import_project(args)
    session = open_session(args)
    try:
        text = args.file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{args.file}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{args.file}: cannot read it ({error})") from None
    plan = plan_import(session.document, session.layer.ids(), parse_export(text, str(args.file)))
    for item in plan.mismatched:
        stderr.print(f"not imported: {item}", markup=False)
    if plan.new:
        session.add_many(plan.new, "import")
        session.save()
    stderr.print(f"imported {len(plan.new)}, skipped {len(plan.skipped)} already present, "
                 f"{len(plan.mismatched)} not matching the document -> {session.store.path}")
    return 1 if plan.mismatched else 0
