"""The `hedgerow` command line. Exit codes: 0 success, 1 failure, 2 usage error or bad input."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tui import __version__
from tui.commands import MODULES
from tui.commands.common import fail
from tui.core.errors import HedgerowError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hedgerow",
        description="Read and annotate plain-text documents in the terminal; review them as a team through git.",
        epilog="`hedgerow DOC` is short for `hedgerow open DOC`. Exit codes: 0 success, 1 failure, 2 bad input.",
    )
    parser.add_argument("--version", action="version", version=f"hedgerow {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # the registered command names
    if argv and not argv[0].startswith("-") and argv[0] not in commands:
        argv.insert(0, "open")
    if not argv:
        parser.print_help(sys.stderr)
        return 2
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except HedgerowError as error:
        return fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
