"""What the commands share: document options, opening a session, printing errors.

Everything the commands print goes through `inert_console`: untrusted text (quotes, notes, tags,
annotator and file names, file content in errors) is never parsed as markup or emoji codes, and
its control characters reach the terminal as stand-ins. Tables and messages pass such text
through `shown_line` themselves (so column widths count the stand-ins); the console's render
hook is the backstop that catches any piece that was missed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, TextIO

from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderableType, RenderHook, RenderResult
from rich.segment import Segment

from tui.core.errors import InputError
from tui.core.options import SessionOptions
from tui.core.safe_text import is_safe, json_escaped, shown

if TYPE_CHECKING:
    from tui.core.session import Session  # imported where a session is opened: not before the TUI's first frame


class _Shown:
    """A renderable as rendered, with any control character in its text as a stand-in."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        segments = list(console.render(self.renderable, options))
        if is_safe("".join([segment.text for segment in segments if not segment.control])):
            return segments  # the usual case: one check for the whole renderable
        # control: rich's own codes (never text from a file), passed on as they are
        return [segment if segment.control else Segment(shown(segment.text), segment.style)
                for segment in segments]


class _Inert(RenderHook):
    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_Shown(renderable) for renderable in renderables]


def inert_console(file: IO[str] | None = None, *, stderr: bool = False) -> Console:
    """A console for untrusted text: no markup, no emoji codes, no highlighting, controls shown."""
    console = Console(file=file, stderr=stderr, markup=False, emoji=False, highlight=False, soft_wrap=True)
    console.push_render_hook(_Inert())
    return console


stderr = inert_console(stderr=True)


def is_terminal(stream: object) -> bool:
    """Whether `stream` is a terminal, which would obey escape sequences written to it."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


class InertJson:
    """JSON written to `stream`: on a terminal with every control character \\u-escaped (the same JSON,
    inert there), to a file or a pipe exactly."""

    def __init__(self, stream: TextIO) -> None:
        self.stream, self.terminal = stream, is_terminal(stream)

    def write(self, text: str) -> int:
        return self.stream.write(json_escaped(text) if self.terminal else text)


def fail(message: str, code: int = 1) -> int:
    stderr.print(f"hedgerow: {shown(message)}")
    return code


def directory_means_corpus(args: argparse.Namespace) -> None:
    """`hedgerow export seeds`, `hedgerow report seeds -o r.html`: a folder where a document goes
    means its corpus, as `hedgerow seeds` does, for every command that has a --corpus form."""
    document = getattr(args, "document", None)
    if not hasattr(args, "corpus") or document is None or not Path(document).is_dir():
        return
    if isinstance(args.corpus, bool):  # --corpus is a flag and the folder the argument
        args.corpus = True
    elif args.corpus is None:  # --corpus DIR
        args.corpus, args.document = Path(document), None


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
                        help="whose annotations (default: $HEDGEROW_ANNOTATOR, else `annotator` in "
                             "~/.config/hedgerow/config.toml, else git config user.name, else the login name)")
    parser.add_argument("--annotations", metavar="DIR", type=Path,
                        help="the annotations folder (default: annotations/ at the project root)")
    parser.add_argument("--tags", metavar="FILE", type=Path, help="a codebook TOML file (default: hedgerow.toml)")


def session_options(args: argparse.Namespace, *, gold: bool = False) -> SessionOptions:
    """`gold`: the command may open the review's gold layer (it reads, or re-anchors, not annotates)."""
    return SessionOptions(annotator=args.annotator, annotations=args.annotations, tags=args.tags, gold=gold)


def open_session(args: argparse.Namespace, *, gold: bool = False) -> Session:
    from tui.core.session import Session

    return Session.open(args.document, session_options(args, gold=gold))


def stdout_console() -> Console:
    return inert_console(sys.stdout)


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
