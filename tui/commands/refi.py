"""REFI-QDA for `hedgerow export --format qdpx|qdc` and `hedgerow import DOC FILE.qdpx`.

Not a command module of its own: exchange.py hands these formats over to it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tui.commands.common import session_options, stderr
from tui.core.annotation import Annotation
from tui.core.atomic import atomic_write_chunks
from tui.core.errors import HedgerowError, InputError
from tui.core.safe_text import shown_line
from tui.core.session import Session

if TYPE_CHECKING:
    from tui.core.links import Link


def export(args: argparse.Namespace, session: Session, layers: Sequence[tuple[str, Iterable[Annotation]]],
           links: Sequence[Link] = ()) -> int:
    """Write the project (qdpx) or the codebook (qdc) to --output, or to stdout when it is not a terminal."""
    from tui.core.refi_qda_write import Summary, qdc_chunks, qdpx_chunks, refi_links

    summary = Summary()
    if args.format == "qdc":
        chunks: Iterator[bytes] = qdc_chunks(session.tags)
    else:
        chunks = qdpx_chunks(session.document, layers, session.tags, summary,
                             refi_links(session.document, layers, links))
    if args.output:
        atomic_write_chunks(args.output, chunks)
    elif sys.stdout.isatty():
        raise InputError(f"{args.format} is a {'zip' if args.format == 'qdpx' else 'XML'} file: "
                         f"give --output FILE.{args.format}, or redirect stdout")
    else:
        sys.stdout.flush()
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
    for annotation, reason in summary.left_out:
        stderr.print(shown_line(f"not exported: {annotation.id} ({annotation.tag}, "
                                f"{annotation.start}-{annotation.end}): {reason}"), markup=False)
    where = shown_line(str(args.output)) if args.output else "stdout"
    if args.format == "qdc":
        stderr.print(f"wrote the codebook ({len(session.tags)} codes) as qdc to {where}", markup=False)
    else:
        users = ", ".join(shown_line(user) for user, _ in layers)
        entities = f", {summary.entities} with an entity" if summary.entities else ""
        stderr.print(f"wrote {summary.selections} selections ({summary.notes} with notes{entities}) by {users} "
                     f"as qdpx to {where}", markup=False)
    return 1 if summary.left_out else 0


def is_project_file(path: Path) -> bool:
    """Whether an import should be read as REFI-QDA: named .qdpx/.qdc, or a zip whatever its name."""
    import zipfile

    if path.suffix.lower() in (".qdpx", ".qdc", ".qde"):
        return True
    try:
        return zipfile.is_zipfile(path)
    except OSError:
        return False


def import_project(args: argparse.Namespace) -> int:
    """`hedgerow import DOC FILE.qdpx`: the selections on DOC's text become annotations."""
    from tui.commands.exchange import import_links, reattributed_note
    from tui.core.importer import plan_import
    from tui.core.links import links_summary
    from tui.core.refi_qda_import import annotations_from_project
    from tui.core.refi_qda_read import read_qdpx

    session = Session.open(args.document, session_options(args))
    if args.file.suffix.lower() == ".qdc":
        raise InputError(f"{shown_line(str(args.file))}: a .qdc is a codebook alone, with no selections to "
                         "import; import a .qdpx project, and put the codes in hedgerow.toml as [[tags]]")
    try:
        project = read_qdpx(args.file)
        try:
            found = annotations_from_project(project, session.document, session.tags, session.annotator,
                                             str(args.file))
        finally:
            project.close()
    except HedgerowError as error:  # its message quotes the file's names and guids: show them inert
        raise type(error)(shown_line(str(error))) from None
    plan = plan_import(session.document, session.layer.ids(), found.annotations, session.annotator, session.layer)
    for line in found.remarks:
        stderr.print(shown_line(f"left alone: {line}"), markup=False)
    for line in found.problems:
        stderr.print(shown_line(f"not imported: {line}"), markup=False)
    for item in plan.mismatched:
        stderr.print(shown_line(f"not imported: {item}"), markup=False)
    links = import_links(session, plan.new, map(plan.same_as, found.links))
    if plan.new or links.accepted:
        session.add_many(plan.new, "import", links.accepted)
        session.save()
    refused = found.refused + len(plan.mismatched)
    stderr.print(f"imported {len(plan.new)}{plan.duplicates_note()}, skipped {len(plan.skipped)} already present, "
                 f"{refused} not imported{shown_line(links_summary(links))} -> {shown_line(str(session.store.path))}"
                 f"{shown_line(reattributed_note(plan.reattributed, session.annotator))}", markup=False)
    return 1 if refused or links.problems else 0

