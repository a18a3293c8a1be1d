"""`hedgerow check` (re-anchoring), `hedgerow agree` (inter-annotator agreement) and `hedgerow review`
(adjudication into the gold layer)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.table import Table
from rich.text import Text

from tui.commands.common import document_options, open_session, stderr, stdout_console
from tui.commands.documents import snippet
from tui.core.document import Document
from tui.core.errors import InputError
from tui.core.paths import layer_files
from tui.core.store import load_layers

STATUS_STYLE = {"holds": "green", "moved": "cyan", "fuzzy": "yellow", "orphan": "bold red"}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "check", help="re-anchor annotations after the document's text changed",
        description="Show each annotation's anchor status: holds, moved (exact quote found elsewhere), fuzzy "
                    "(approximate match with context) or orphan. Nothing is written unless --apply is given, "
                    "and orphans are never dropped. Exit 1 when orphans exist.")
    document_options(parser)
    parser.add_argument("--apply", action="store_true", help="write the new offsets of moved and fuzzy annotations")
    parser.set_defaults(run=run_check)

    parser = sub.add_parser(
        "agree", help="inter-annotator agreement per tag and overall",
        description="Exact-span F1, overlap F1, token-level Cohen's kappa and Krippendorff's alpha for each pair "
                    "of annotators. With --min-f1, exit 1 when any pair's overall exact-span F1 is below it.")
    parser.add_argument("document", type=Path, help="the plain-text document")
    parser.add_argument("--annotations", metavar="DIR", type=Path,
                        help="the annotations folder (default: annotations/ at the project root)")
    parser.add_argument("--annotators", metavar="A,B", help="only these annotators (comma-separated)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON, for scripts")
    parser.add_argument("--min-f1", type=float, metavar="X", help="fail (exit 1) below this exact-span F1")
    parser.set_defaults(run=run_agree)

    parser = sub.add_parser(
        "review", help="adjudicate every annotator's spans into the gold layer (TUI)",
        description="Go through every annotator's spans -- agreed by all, partial (overlapping or tagged "
                    "differently) or single -- and accept, reject or retag each into "
                    "annotations/<document>/gold.json, which also records who decided what from whom.")
    parser.add_argument("document", type=Path, help="the plain-text document")
    parser.add_argument("--annotations", metavar="DIR", type=Path,
                        help="the annotations folder (default: annotations/ at the project root)")
    parser.add_argument("--tags", metavar="FILE", type=Path, help="a codebook TOML file (default: hedgerow.toml)")
    parser.add_argument("--reviewer", metavar="NAME",
                        help="who decides (default: git config user.name, else the login name)")
    parser.set_defaults(run=run_review)


def run_check(args: argparse.Namespace) -> int:
    from tui.core.anchoring import AnchorStatus, anchor_all

    session = open_session(args)
    anchors = anchor_all(session.text, session.layer.items())
    table = Table(title=f"{session.document.title} — {session.annotator}", title_justify="left")
    for column in ("status", "tag", "was", "now", "quote"):
        table.add_column(column, overflow="fold")
    counts: dict[str, int] = {}
    for item in anchors:
        status = item.status.value
        counts[status] = counts.get(status, 0) + 1
        was = f"{item.annotation.start}–{item.annotation.end}"
        now = "—" if item.start is None else f"{item.start}–{item.end}"
        table.add_row(Text(status, style=STATUS_STYLE[status]), item.annotation.tag, was, now,
                      snippet(item.annotation.quote, 50))
    console = stdout_console()
    if anchors:
        console.print(table)
    summary = ", ".join(f"{counts.get(s.value, 0)} {s.value}" for s in AnchorStatus)
    console.print(f"{len(anchors)} annotations: {summary}")
    if args.apply:
        moved = [item.relocated(session.text, session.document.sha256)
                 for item in anchors if item.status is not AnchorStatus.ORPHAN]
        moved = [a for a in moved if a != session.layer[a.id]]
        if moved:
            session.replace_many(moved, "re-anchor")
            session.save()
        console.print(f"applied: {len(moved)} annotation(s) updated in {session.store.path}; "
                      f"orphans are kept as they were")
    orphans = counts.get("orphan", 0)
    if orphans:
        stderr.print(f"{orphans} orphan(s): their quotes were not found; they stay in the file for review")
    return 1 if orphans else 0


def run_agree(args: argparse.Namespace) -> int:
    from tui.core.agreement import agreement_report, agreement_table
    from tui.core.paths import config_path
    from tui.core.tags import load_config

    document = Document.load(args.document)
    files = layer_files(document.path, args.annotations)
    if args.annotators:
        wanted = [name.strip() for name in args.annotators.split(",") if name.strip()]
        missing = [name for name in wanted if name not in files]
        if missing:
            raise InputError(f"no annotation file for {', '.join(missing)} "
                             f"(found: {', '.join(files) or 'none'})")
        files = {name: files[name] for name in wanted}
    tags = load_config(config_path(document.path)).tags.names
    report = agreement_report(document.text, load_layers(files), tags)
    if args.json:
        sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    else:
        stdout_console().print(agreement_table(report))
    if args.min_f1 is not None:
        lowest = report["min_exact_f1"]
        if lowest is None or lowest < args.min_f1:
            shown = "n/a" if lowest is None else f"{lowest:.3f}"
            stderr.print(f"agreement below --min-f1 {args.min_f1}: lowest exact-span F1 is {shown}")
            return 1
    return 0


def run_review(args: argparse.Namespace) -> int:
    from tui.core.review import Review

    review = Review.open(args.document, args.reviewer, args.annotations, args.tags)  # fails before the screen
    from tui.app.review_app import ReviewApp  # Textual loads only when the TUI is wanted

    app = ReviewApp(review)
    app.run()
    return app.return_code or 0
