"""`hedgerow open` and `hedgerow list`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tui.app.cells import snippet  # no Textual: rich's cell widths only
from tui.commands.common import (
    document_options,
    missing_layer,
    need_terminal,
    open_session,
    session_options,
    stderr,
    stdout_console,
)
from tui.core import gc_policy
from tui.core.errors import HedgerowError
from tui.core.safe_text import shown_line
from tui.core.wording import count_of

if TYPE_CHECKING:
    from rich.table import Table

    from tui.core.annotation import Annotation
    from tui.core.tags import TagSet


LARGE_FILE = 1_000_000  # bytes: about 1,700 annotations, which read in under 20 ms


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("open", help="open a document, or a folder's documents, in the TUI (the default command)",
                            description="Open a document in the TUI to read and annotate it; with a folder, or "
                                        "nothing (seeds/), the documents screen listing the corpus.")
    document_options(parser)
    parser.set_defaults(run=run_open, tui=True)
    for action in parser._actions:  # the document is optional here: none, or a folder, opens the corpus
        if action.dest == "document":
            action.nargs, action.metavar = "?", "DOCUMENT|DIR"

    parser = sub.add_parser("list", help="print a document's annotations as a table",
                            description="Print an annotator's annotations: tag, span, quote, note, entity (where an "
                                        "actor has one), annotator.")
    document_options(parser)
    parser.add_argument("--tag", metavar="NAME", action="append",
                        help="only annotations with this tag (repeat for several)")
    parser.add_argument("--grep", metavar="REGEX",
                        help="only annotations whose quote, note or entity matches (case-insensitive)")
    parser.set_defaults(run=run_list)


def run_open(args: argparse.Namespace) -> int:
    if args.document is None or args.document.is_dir():
        return run_corpus(args)
    # Bad input fails here, before the screen is taken over; a large annotation file is read
    # by the app in a worker so the text shows at once.
    from tui.core.session import Session  # not imported by `hedgerow DIR` before its first frame

    with gc_policy.starting_a_tui(until_shown=True):  # the app calls gc_policy.shown() after its first frame
        args.annotator = _annotator(args)  # once: the default asks git, a process each time
        session = Session.open(args.document, session_options(args), defer=_large(args))
        need_terminal("hedgerow open")  # after the document's own errors, which say more
        from tui.app.app import HedgerowApp, check_keys  # Textual loads only when the TUI is wanted

        check_keys(session)
    app = HedgerowApp(session)
    app.run()
    return app.return_code or 0


def run_corpus(args: argparse.Namespace) -> int:
    """The documents screen on a folder (default seeds/); documents open from it without restarting."""
    from pathlib import Path

    from tui.core.corpus import Prefetch
    from tui.core.paths import resolve_annotator

    root = args.document if args.document is not None else Path("seeds")
    annotator = resolve_annotator(args.annotator)
    with gc_policy.starting_a_tui():
        need_terminal("hedgerow")
        prefetch = Prefetch(root, args.annotations)  # scans while Textual loads
        from tui.app.app import HedgerowApp  # Textual loads only when the TUI is wanted

    app = HedgerowApp(None, corpus=root, options=session_options(args), annotator=annotator, prefetch=prefetch)
    app.run()
    return app.return_code or 0


def _annotator(args: argparse.Namespace) -> str | None:
    """--annotator as given, else the default annotator; None if that fails (Session.open says why)."""
    from tui.core.paths import resolve_annotator

    if args.annotator is not None:
        return str(args.annotator)
    try:
        return resolve_annotator(None)
    except HedgerowError:
        return None


def _large(args: argparse.Namespace) -> bool:
    """Whether this annotator's file is big enough to read after the first screen."""
    from tui.core.paths import layer_path, resolve_annotator

    try:
        document = args.document.resolve()
        return layer_path(document, resolve_annotator(args.annotator), args.annotations).stat().st_size > LARGE_FILE
    except (OSError, HedgerowError):
        return False  # Session.open reports the problem


def made_by(a: Annotation) -> str:
    """The annotator, and who made it first when an import re-attributed it."""
    return f"{a.annotator} (from {a.original_annotator})" if a.original_annotator else a.annotator


def annotation_table(annotations: list[Annotation], tags: TagSet, title: str) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=shown_line(title), title_justify="left", expand=False)
    table.add_column("tag")
    table.add_column("span", justify="right", no_wrap=True)
    table.add_column("quote", overflow="fold")
    table.add_column("note", overflow="fold")
    entities = any(a.entity for a in annotations)  # a column only where an actor has a canonical name
    if entities:
        table.add_column("entity", overflow="fold")
    table.add_column("annotator")
    for a in annotations:
        table.add_row(Text(shown_line(a.tag), style=f"bold {tags.colour_of(a.tag)}"), f"{a.start}–{a.end}",
                      snippet(a.quote, 60), snippet(a.note, 40), *([snippet(a.entity, 40)] if entities else []),
                      shown_line(made_by(a)))
    return table


def run_list(args: argparse.Namespace) -> int:
    import re

    from tui.core.errors import InputError

    try:
        pattern = re.compile(args.grep, re.IGNORECASE) if args.grep else None
    except re.error as error:
        raise InputError(f"--grep {args.grep!r} is not a valid regular expression: {error}") from None
    session = open_session(args, gold=True)
    if session.document.is_empty:
        stderr.print(shown_line(f"{session.document.path}: the document is empty"))
    if not session.store.exists():  # as `check` does: a layer that is not there is an error
        raise missing_layer(session, "; --annotator NAME picks one")
    console = stdout_console()
    annotations = session.layer.items()
    if args.tag:
        annotations = [a for a in annotations if a.tag in args.tag]
    if pattern is not None:
        annotations = [a for a in annotations if pattern.search(a.quote) or pattern.search(a.note)
                       or pattern.search(a.entity)]
    which = "".join([f" tagged {' or '.join(args.tag)}" if args.tag else "",
                     f" matching {args.grep!r}" if pattern is not None else ""])
    if not annotations:
        console.print(shown_line(f"No annotations{which} by {session.annotator} on {session.document.path.name}."))
        return 0
    console.print(annotation_table(annotations, session.tags,
                                   f"{session.document.title} — {count_of(len(annotations), 'annotation')}{which} "
                                   f"by {session.annotator}"))
    return 0
