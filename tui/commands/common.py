"""What the commands share: document options, opening a session, printing errors."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from rich.console import Console

from tui.core.session import Session, SessionOptions

stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> int:
    stderr.print(f"hedgerow: {message}", markup=False)
    return code


def document_options(parser: argparse.ArgumentParser, corpus: str = "") -> None:
    """The document argument and the layer options; with `corpus` (its help), a --corpus flag
    that makes the argument an optional folder (default: seeds/)."""
    if corpus:
        parser.add_argument("document", type=Path, nargs="?", metavar="DOCUMENT|DIR",
                            help="the plain-text document; with --corpus, the corpus folder (default: seeds/)")
        parser.add_argument("--corpus", action="store_true", help=corpus)
    else:
        parser.add_argument("document", type=Path, help="the plain-text document")
    parser.add_argument("--annotator", metavar="NAME",
                        help="whose annotations (default: git config user.name, else the login name)")
    parser.add_argument("--annotations", metavar="DIR", type=Path,
                        help="the annotations folder (default: annotations/ at the project root)")
    parser.add_argument("--tags", metavar="FILE", type=Path, help="a codebook TOML file (default: hedgerow.toml)")


def session_options(args: argparse.Namespace) -> SessionOptions:
    return SessionOptions(annotator=args.annotator, annotations=args.annotations, tags=args.tags)


def open_session(args: argparse.Namespace) -> Session:
    return Session.open(args.document, session_options(args))


# Objects made before a full collection runs in the TUI: Python's default (700) ran one about
# every 14 key presses while moving through a 5 MB document, each pausing the UI 12-50 ms.
TUI_COLLECTION_THRESHOLD = 10_000


def tune_collector_for_the_tui() -> None:
    """Fewer collections, so full ones (walking every tracked object) do not land in key presses."""
    gc.set_threshold(TUI_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])


def stdout_console() -> Console:
    return Console(file=sys.stdout, highlight=False, soft_wrap=True)
