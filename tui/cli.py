"""The `hedgerow` command line. Exit codes: 0 success, 1 failure, 2 usage error or bad input."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from contextlib import nullcontext

from tui import __version__
from tui.commands import COMMANDS, MODULES
from tui.commands.common import directory_means_corpus, fail
from tui.core import gc_policy
from tui.core.errors import HedgerowError


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser for every command, or for `command` alone (importing only its module: the TUI
    starts sooner when `hedgerow DOC` does not load the other commands' code)."""
    parser = argparse.ArgumentParser(
        prog="hedgerow",
        description="Read and annotate plain-text documents in the terminal; review them as a team through git.",
        epilog="`hedgerow DOC` is short for `hedgerow open DOC`; `hedgerow` alone (or `hedgerow DIR`) opens "
               "the documents of seeds/ (or DIR). Exit codes: 0 success, 1 failure, 2 bad input.",
    )
    parser.add_argument("--version", action="version", version=f"hedgerow {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in MODULES if command is None else (COMMANDS[command],):
        importlib.import_module(f"tui.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "open")  # `hedgerow DOC`, `hedgerow DIR`, `hedgerow --annotator A`: open
    if not argv:
        argv = ["open"]  # the corpus: seeds/ in the current folder
    # Options before a command (--help, --version, a typo) need every command's parser.
    args = build_parser(argv[0] if argv[0] in COMMANDS else None).parse_args(argv)
    directory_means_corpus(args)
    # The collector's policy (tui.core.gc_policy): a TUI command sets its own; the rest run as a batch.
    try:
        with nullcontext() if getattr(args, "tui", False) else gc_policy.batch():
            return int(args.run(args))
    except HedgerowError as error:
        return fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
