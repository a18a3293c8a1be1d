"""What the commands share: document options, opening a session, printing errors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from tui.core.errors import InputError
from tui.core.session import Session, SessionOptions

stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> int:
    stderr.print(f"hedgerow: {message}", markup=False)
    return code


def document_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("document", type=Path, help="the plain-text document")
    parser.add_argument("--annotator", metavar="NAME",
                        help="whose annotations (default: $HEDGEROW_ANNOTATOR, else `annotator` in "
                             "~/.config/hedgerow/config.toml, else git config user.name, else the login name)")
    parser.add_argument("--annotations", metavar="DIR", type=Path,
                        help="the annotations folder (default: annotations/ at the project root)")
    parser.add_argument("--tags", metavar="FILE", type=Path, help="a codebook TOML file (default: hedgerow.toml)")


def session_options(args: argparse.Namespace) -> SessionOptions:
    return SessionOptions(annotator=args.annotator, annotations=args.annotations, tags=args.tags)


def open_session(args: argparse.Namespace) -> Session:
    return Session.open(args.document, session_options(args))


def stdout_console() -> Console:
    return Console(file=sys.stdout, highlight=False, soft_wrap=True)


def need_terminal(command: str) -> None:
    """The TUI commands need a terminal on both ends; without one Textual spins and writes escapes."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        which = "stdin" if not sys.stdin.isatty() else "stdout"
        raise InputError(f"{command} needs a terminal, but {which} is not one "
                         f"(for scripts: hedgerow list, export, agree or check)")


def missing_layer(session: Session, hint: str = "") -> InputError:
    """The error for an annotator with no file for this document, naming the layers there are."""
    from tui.core.paths import layer_files
    from tui.core.safe_text import shown_line

    folder = session.store.path.parent
    names = [shown_line(name) for name in layer_files(session.document.path, folder.parent)]
    if (folder / "gold.json").is_file():
        names.append("gold")
    there = f"layers here: {', '.join(names)}" if names else "no layers yet"
    return InputError(f"no annotations by {shown_line(session.annotator)} on {shown_line(session.document.path.name)}: "
                      f"{shown_line(str(session.store.path))} does not exist ({there}){hint}")
