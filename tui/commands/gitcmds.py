"""`hedgerow merge-driver`, `hedgerow show` and `hedgerow git-setup`: annotation files in git."""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from pathlib import Path

from tui.commands.common import stderr
from tui.core.annotation import Annotation
from tui.core.atomic import atomic_write_text
from tui.core.errors import HedgerowError, InputError, StoreError
from tui.core.safe_text import shown, shown_line
from tui.core.store import ANNOTATIONS, AnnotationStore, StoredLayer, conflict_error

ATTRIBUTES = "annotations/**/*.json merge=hedgerow diff=hedgerow"
TAG_WIDTH = 11
QUOTE_WIDTH = 80


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("merge-driver", help="git's merge driver for annotation files (see git-setup)",
                            description="Merge two versions of an annotation file by annotation id, for git "
                                        "(called as %O %A %B). The result replaces OURS. Conflicting records "
                                        "are kept between <<<<<<< and >>>>>>> markers and the exit code is 1; "
                                        "unreadable input leaves OURS untouched and exits 2.")
    parser.add_argument("base", type=Path, help="the common ancestor's version")
    parser.add_argument("ours", type=Path, help="our version; overwritten with the result")
    parser.add_argument("theirs", type=Path, help="their version")
    parser.set_defaults(run=run_merge_driver)

    parser = sub.add_parser("show", help="print an annotation file as one line per annotation",
                            description="Print an annotation file readably, one line per annotation in "
                                        "document order, for reading and for git diff (textconv).")
    parser.add_argument("file", type=Path, help="an annotation file, e.g. annotations/DOC/NAME.json")
    parser.set_defaults(run=run_show)

    parser = sub.add_parser("git-setup", help="make git merge and diff annotation files with hedgerow",
                            description="Add the hedgerow merge driver and diff textconv to .gitattributes "
                                        "and to the repository's local git config. Safe to run again.")
    parser.add_argument("--repo", metavar="DIR", type=Path, default=Path("."),
                        help="a folder in the repository (default: the current one)")
    parser.set_defaults(run=run_git_setup)


# -- merge-driver ----------------------------------------------------------------


def run_merge_driver(args: argparse.Namespace) -> int:
    from tui.core.merge import REVIEW, merge_files

    result = merge_files(args.base, args.ours, args.theirs)
    for conflict in result.conflicts:
        keys = conflict.keys
        what = "annotation" + "s" * (len(keys) > 1) if conflict.table == ANNOTATIONS else conflict.table
        stderr.print(shown_line(f"hedgerow: conflict in {what} {' '.join(keys)}: {conflict.reason}"))
    if result.conflicts:
        stderr.print("hedgerow: both versions are kept between <<<<<<< and >>>>>>> markers; "
                     "keep one of each, then git add the file", markup=False)
        if any(c.table == REVIEW for c in result.conflicts):
            stderr.print("hedgerow: parallel reviews of one document: settle each decision between the reviewers, "
                         "keeping the same side in its review block and in the block of its gold annotations",
                         markup=False)
        return 1
    return 0


# -- show ------------------------------------------------------------------------


def run_show(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise InputError(f"{args.file}: no such file")
    try:
        text = "".join(line + "\n" for line in show_lines(AnnotationStore(args.file).load()))
    except StoreError as error:
        raw = args.file.read_bytes().decode("utf-8", "replace")
        if not conflict_error(args.file, raw):
            raise
        # Mid-merge, git diff runs this on the marked file: show it as it is rather than fail the diff.
        stderr.print(shown_line(f"hedgerow: {error}"))
        text = shown(raw)
    out = getattr(sys.stdout, "buffer", None)
    if out is None:
        sys.stdout.write(text)
    else:  # UTF-8 whatever the locale: git reads textconv output as bytes
        sys.stdout.flush()
        out.write(text.encode("utf-8"))
        out.flush()
    return 0


def show_lines(stored: StoredLayer) -> list[str]:
    """A header naming the document, then one line per annotation (already in document order)."""
    document = stored.meta.get("document", {})
    header = (f"# hedgerow annotations by {stored.meta.get('annotator', '?')} "
              f"on {document.get('path', '?')} (sha256 {document.get('sha256', '?')})")
    width = offset_width(stored)
    ordered = sorted(stored.annotations, key=Annotation.sort_key)
    return [shown_line(header), *(show_line(a, width) for a in ordered)]


def offset_width(stored: StoredLayer) -> int:
    """Digits of the largest offset: the document's length (from meta), or the furthest end.

    Padding to this rather than to the widest span in the file keeps a diff of one changed
    annotation to that line: the width only moves when the document's length crosses a power of ten.
    """
    length = stored.meta.get("document", {}).get("length")
    largest = max((a.end for a in stored.annotations), default=0)
    if isinstance(length, int) and not isinstance(length, bool):
        largest = max(largest, length)
    return len(str(largest))


def show_line(a: Annotation, width: int = 1) -> str:
    """One annotation: `start-end` padded to `width` digits each side of the dash, so columns line up.

    Quote and note are JSON strings (C0 controls as \\u escapes); anything else a terminal would
    act on (DEL, C1, bidi controls, in the tag or the annotator too) shows as a stand-in.
    """
    line = f"{a.start:>{width}}-{a.end:<{width}}  {a.tag:<{TAG_WIDTH}} {_quoted(a.quote, QUOTE_WIDTH)}"
    if a.note:
        line += f"  note: {_quoted(a.note)}"
    if a.entity:
        line += f"  entity: {_quoted(a.entity)}"
    maker = f"{a.annotator or '?'}" + (f" from {a.original_annotator}" if a.original_annotator else "")
    return shown_line(f"{line}  ({maker}, {a.created[:10]}, id {a.id[:8]})")


def _quoted(text: str, width: int | None = None) -> str:
    text = " ".join(text.split())  # one line, whatever the text's own line breaks
    if width and len(text) > width:
        text = text[: width - 1] + "…"
    return json.dumps(text, ensure_ascii=False)


# -- git-setup -------------------------------------------------------------------


def run_git_setup(args: argparse.Namespace) -> int:
    root = _toplevel(args.repo)
    python = shlex.quote(sys.executable)  # git runs drivers through the shell, from the repository root
    settings = {
        "merge.hedgerow.name": "hedgerow: merge annotation files by annotation id",
        "merge.hedgerow.driver": f"{python} -m tui merge-driver %O %A %B",
        "diff.hedgerow.textconv": f"{python} -m tui show",
    }
    print(shown_line(_ensure_attributes(root / ".gitattributes")))
    for key, value in settings.items():
        if _git(root, "config", "--local", "--get", key).stdout.rstrip("\n") == value:
            print(f"unchanged: git config {key} {shlex.quote(value)}")
            continue
        result = _git(root, "config", "--local", key, value)
        if result.returncode:
            raise HedgerowError(f"git config {key} failed: {result.stderr.strip()}")
        print(f"set: git config --local {key} {shlex.quote(value)}")
    return 0


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    except OSError as error:
        raise HedgerowError(f"cannot run git ({error.strerror or error}); is it installed?") from None


def _toplevel(repo: Path) -> Path:
    if not repo.is_dir():
        raise InputError(f"{repo}: no such folder")
    result = _git(repo, "rev-parse", "--show-toplevel")
    if result.returncode or not result.stdout.strip():
        raise InputError(f"{repo.resolve()}: not inside a git working tree (run git init, or pass --repo DIR)")
    return Path(result.stdout.strip())


def _ensure_attributes(path: Path) -> str:
    """Append the hedgerow line unless it is there, keeping every other line byte for byte."""
    try:
        text = path.read_bytes().decode("utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read it ({error})") from None
    if ATTRIBUTES in (line.strip() for line in text.splitlines()):
        return f"unchanged: {path} has {ATTRIBUTES}"
    separator = "\n" if text and not text.endswith("\n") else ""
    atomic_write_text(path, f"{text}{separator}{ATTRIBUTES}\n")
    return f"added to {path}: {ATTRIBUTES}"
