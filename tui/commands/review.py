"""`hedgerow check` (re-anchoring), `hedgerow agree` (inter-annotator agreement) and `hedgerow review`
(adjudication into the gold layer)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tui.app.cells import snippet
from tui.commands.common import (
    document_options,
    missing_layer,
    need_terminal,
    open_session,
    stderr,
    stdout_console,
)
from tui.core.document import Document
from tui.core.errors import InputError
from tui.core.history import Change
from tui.core.paths import layer_files
from tui.core.safe_text import json_escaped, shown_line
from tui.core.session import Session
from tui.core.store import AnnotationStore
from tui.core.wording import count_of

STATUS_STYLE = {"holds": "green", "moved": "cyan", "fuzzy": "yellow", "orphan": "bold red"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "check", help="re-anchor annotations after the document's text changed",
        description="Show each annotation's anchor status: holds, moved (exact quote found elsewhere), fuzzy "
                    "(approximate match with context) or orphan. Nothing is written unless --apply is given, "
                    "and orphans are never dropped. Exit 1 when orphans exist.")
    document_options(parser, corpus="every layer of every document under DIR (default: seeds/)")
    parser.add_argument("--apply", action="store_true", help="write the new offsets of moved and fuzzy annotations")
    parser.add_argument("--all", action="store_true", help="every layer of the document, gold included")
    parser.set_defaults(run=run_check)

    parser = sub.add_parser(
        "agree", help="inter-annotator agreement per tag and overall",
        description="Exact-span F1, overlap F1, token-level Cohen's kappa and Krippendorff's alpha for each pair "
                    "of annotators. With --min-f1, exit 1 when any pair's overall exact-span F1 is below it.")
    parser.add_argument("document", type=Path, nargs="?", metavar="DOCUMENT|DIR",
                        help="the plain-text document; with --corpus, the corpus folder (default: seeds/)")
    parser.add_argument("--corpus", action="store_true",
                        help="every document under DIR with two or more layers, then pooled over them "
                             "(--min-f1 gates the pooled figure)")
    parser.add_argument("--annotations", metavar="DIR", type=Path,
                        help="the annotations folder (default: annotations/ at the project root)")
    parser.add_argument("--annotators", metavar="A,B", help="only these annotators (comma-separated)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON, for scripts")
    parser.add_argument("--min-f1", type=_fraction, metavar="X",
                        help="fail (exit 1) when a pair's overall exact-span F1 is below X (0 to 1)")
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
    parser.set_defaults(run=run_review, tui=True)


def _fraction(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 1")
    return number


def run_check(args: argparse.Namespace) -> int:
    from tui.core.paths import GOLD, all_layer_files, layer_dir

    if args.corpus:
        from tui.commands.corpus import check_corpus

        return check_corpus(args)
    if args.document is None:
        raise InputError("give a document (or --corpus [DIR])")
    if args.all:
        document = Document.load(args.document)
        folder = layer_dir(document.path, args.annotations)
        names = list(all_layer_files(document.path, args.annotations))
        if not names:
            raise InputError(f"no annotation files for {document.path.name} in {folder}")
    else:
        names = [args.annotator]
    orphans = dangling = 0
    for name in names:
        args.annotator = name
        session = open_session(args, gold=True)
        if not session.layer_exists:
            raise missing_layer(session, "; --annotator NAME picks one, --all checks every layer")
        orphans += _check_layer(session, args.apply, gold=session.annotator == GOLD)
        dangling += _check_links(session, args.apply)
    if orphans:
        stderr.print(f"hedgerow: {count_of(orphans, 'orphan')}: their quotes were not found; "
                     "they stay in the file for review")
    if dangling:
        stderr.print(f"hedgerow: {count_of(dangling, 'broken link')} kept; --apply removes them")
    return 1 if orphans or dangling else 0


def _check_links(session: Session, apply: bool) -> int:
    """Report links with an end that no longer exists, or records that are no links; with `apply`,
    remove them (one undoable step, saved). Returns how many are left in the file."""
    from tui.core.links import LINKS
    from tui.core.safe_text import shown_line

    layer = session.layer
    broken = {key: f"{link.relation} link {link.source} -> {link.target}: "
                   f"{'its source' if link.source not in layer else 'its target'} no longer exists"
              for key, link in session.links.items() if link.source not in layer or link.target not in layer}
    broken.update({key: f"record {key} is not a link ({why})" for key, why in session.links.damaged.items()})
    relations = session.config.relations
    for key, link in session.links.items():  # ends whose tags the relation does not fit (a hand edit, a merge)
        relation = relations.get(link.relation)
        if key in broken or relation is None or link.source not in layer or link.target not in layer:
            continue
        source, target = layer[link.source].tag, layer[link.target].tag
        if not relation.fits(source, target):
            broken[key] = (f"{link.relation} link {link.source} -> {link.target}: links {source} to {target}, "
                           f"which {link.relation} does not ({relation.source} to {relation.target})")
    if not broken:
        return 0
    console = stdout_console()
    for key, why in sorted(broken.items()):
        console.print(f"broken link {shown_line(key)}: {shown_line(why)}", markup=False, highlight=False)
    if not apply:
        return len(broken)
    records = session.tables.get(LINKS, {})
    session.commit(Change("remove broken links", (), tuple((LINKS, key, records[key], None) for key in broken)))
    session.save()
    console.print(f"removed {count_of(len(broken), 'broken link')} from {session.store.path}", markup=False,
                  highlight=False)
    return 0


def _check_layer(session: Session, apply: bool, gold: bool) -> int:
    """Print one layer's anchor statuses; with `apply`, write the new offsets. Returns the orphans."""
    from rich.table import Table
    from rich.text import Text

    from tui.core.anchoring import AnchorStatus, anchor_all

    anchors = anchor_all(session.text, session.layer.items())
    table = Table(title=shown_line(f"{session.document.title} — {session.annotator}"), title_justify="left")
    for column in ("status", "tag", "was", "now", "quote"):
        table.add_column(column, overflow="fold")
    counts: dict[str, int] = {}
    for item in anchors:
        status = item.status.value
        counts[status] = counts.get(status, 0) + 1
        if item.status is AnchorStatus.HOLDS and not session.document_changed:
            continue  # nothing to say about an annotation that is where it was, on the same text
        was = f"{item.annotation.start}–{item.annotation.end}"
        now = "—" if item.start is None else f"{item.start}–{item.end}"
        table.add_row(Text(status, style=STATUS_STYLE[status]), shown_line(item.annotation.tag), was, now,
                      snippet(item.annotation.quote, 50))
    console = stdout_console()
    if table.row_count:
        console.print(table)
    summary = ", ".join(f"{counts.get(s.value, 0)} {s.value}" for s in AnchorStatus)
    console.print(shown_line(f"{session.annotator}: {count_of(len(anchors), 'annotation')}: {summary}"))
    if apply:
        relocated = [item.relocated(session.text, session.document.sha256)
                     for item in anchors if item.status is not AnchorStatus.ORPHAN]
        changed = [a for a in relocated if a != session.layer[a.id]]
        moved = sum(1 for a in changed if session.layer[a.id].span != a.span)
        if changed or session.document_changed:
            if changed:
                session.replace_many(changed, "re-anchor")
            session.save()  # also records the new text's hash in the file
        console.print(shown_line(f"applied to {session.store.path}: {moved} moved to new offsets, "
                                 f"{len(changed) - moved} updated to the new text's hash and context; "
                                 f"orphans are kept as they were"))
    return counts.get("orphan", 0)


def run_agree(args: argparse.Namespace) -> int:
    from tui.core.agreement import agreement_report, agreement_table
    from tui.core.paths import config_path
    from tui.core.tags import load_config

    if args.corpus:
        from tui.commands.corpus import agree_corpus

        return agree_corpus(args)
    if args.document is None:
        raise InputError("give a document (or --corpus [DIR])")
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
    for name, path in files.items():
        stored = AnnotationStore(path).load(document.text, document.sha256)
        if stored.document_sha256 and stored.document_sha256 != document.sha256:
            stderr.print(shown_line(f"hedgerow: warning: {name}'s annotations were made on another version of "
                                    f"the text; run `hedgerow check {args.document} --all --apply` first"))
    from tui.core.link_agreement import link_agreement, link_agreement_table
    from tui.core.links import load_with_links

    layers, links = load_with_links(files, document.text, document.sha256)
    report = agreement_report(document.text, layers, tags)
    report["links"] = link_agreement(layers, links)
    if args.json:
        # Names and tags come from files: unsafe characters as \u escapes, the same JSON.
        sys.stdout.write(json_escaped(json.dumps(report, indent=2, ensure_ascii=False)) + "\n")
    else:
        stdout_console().print(agreement_table(report))
        if any(report["links"]["links"].values()):
            stdout_console().print(link_agreement_table(report["links"]))
    if args.min_f1 is not None:
        failing = [p for p in report["pairs"]
                   if p["overall"]["exact_f1"] is None or p["overall"]["exact_f1"] < args.min_f1]
        for pair in failing:
            f1 = pair["overall"]["exact_f1"]
            stderr.print(shown_line(f"hedgerow: {pair['a']}/{pair['b']}: exact-span F1 "
                                    f"{'n/a (no spans)' if f1 is None else f'{f1:.3f}'} is below --min-f1 "
                                    f"{args.min_f1}"))
        return 1 if failing else 0
    return 0


def run_review(args: argparse.Namespace) -> int:
    from tui.core import gc_policy
    from tui.core.review import Review

    with gc_policy.starting_a_tui():
        review = Review.open(args.document, args.reviewer, args.annotations, args.tags)  # fails before the screen
        need_terminal("hedgerow review")
        from tui.app.app import check_keys
        from tui.app.review_app import ReviewApp  # Textual loads only when the TUI is wanted

        check_keys(review.session)  # a [keys] entry naming no binding, or taking a tag key
    app = ReviewApp(review)
    app.run()
    return app.return_code or 0
