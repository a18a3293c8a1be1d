"""What the commands share: document options, opening a session, printing errors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from tui.core.session import Session, SessionOptions

stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> int:
    stderr.print(f"hedgerow: {message}", markup=False)
    return code


def document_options(parser: argparse.ArgumentParser) -> None:
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


def stdout_console() -> Console:
    return Console(file=sys.stdout, highlight=False, soft_wrap=True)
