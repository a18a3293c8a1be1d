"""`hedgerow report`: one self-contained HTML page of a document's annotations, or of a corpus."""

from __future__ import annotations

import argparse
from pathlib import Path

from tui.commands.common import stderr
from tui.core.errors import InputError
from tui.core.safe_text import shown_line
from tui.core.wording import count_of


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "report", help="write an HTML report: the annotated text, notes, legend, agreement",
        description="Write one self-contained HTML page (no scripts, no requests; prints to PDF) showing the "
                    "document with its tagged spans, a legend with counts, numbered notes and the annotations "
                    "grouped by tag. With --all, every layer's agreement too. With --corpus DIR, every .txt and "
                    ".md document under DIR in one page.")
    parser.add_argument("document", type=Path, nargs="?", help="the plain-text document (or use --corpus DIR)")
    parser.add_argument("--output", "-o", metavar="FILE", type=Path, required=True, help="the HTML file to write")
    parser.add_argument("--layer", metavar="NAME",
                        help="the layer to show, e.g. gold (default: the annotator's; with --all: gold, "
                             "else the first by name)")
    parser.add_argument("--all", action="store_true",
                        help="read every layer: add a table of their agreement; --layer picks the one shown")
    parser.add_argument("--corpus", metavar="DIR", type=Path,
                        help="report on every .txt and .md document under DIR, subfolders included")
    parser.add_argument("--annotator", metavar="NAME",
                        help="whose layer, without --layer (default: git config user.name, else the login name)")
    parser.add_argument("--annotations", metavar="DIR", type=Path,
                        help="the annotations folder (default: annotations/ at the project root)")
    parser.add_argument("--tags", metavar="FILE", type=Path, help="a codebook TOML file (default: hedgerow.toml)")
    parser.set_defaults(run=run_report)


def run_report(args: argparse.Namespace) -> int:
    from tui.core.brief import BriefRoles
    from tui.core.paths import config_path
    from tui.core.report import CorpusEntry, corpus_page, document_page, write_report
    from tui.core.report_sources import LayerChoice, find_documents, reported_document
    from tui.core.report_style import tag_looks
    from tui.core.tags import load_config

    if (args.document is None) == (args.corpus is None):
        raise InputError("report needs a document or --corpus DIR (not both)")
    choice = LayerChoice(args.annotator, args.layer, args.all, args.annotations)
    if args.corpus is not None:
        root = args.corpus
        if not root.is_dir():
            raise InputError(f"{root}: no such folder")
        config = load_config(config_path(root.resolve() / "corpus", args.tags))
        tags, roles = config.tags, BriefRoles.of(config.relations)
        entries: list[CorpusEntry] = []
        output = args.output.resolve()
        write_report(args.output, corpus_page(root, find_documents(root), tag_looks(tags),
                                              lambda path: reported_document(path, choice, tags, strict=False,
                                                                             roles=roles),
                                              entries, spool_dir=output.parent))
        problems = [entry.problem for entry in entries if entry.problem]
        left_out = f" ({count_of(len(problems), 'document')} left out)" if problems else ""
        stderr.print(f"wrote a report of {count_of(len(entries) - len(problems), 'document')}{left_out} under "
                     f"{shown_line(str(root))} to {shown_line(str(args.output))}", markup=False)
        for problem in problems:
            stderr.print(f"hedgerow: not in the report: {problem}", markup=False)
        return 1 if problems else 0  # as export --corpus: the page is written, but it is not the whole corpus
    document = args.document
    config = load_config(config_path(document, args.tags))
    tags = config.tags
    reported = reported_document(document, choice, tags, roles=BriefRoles.of(config.relations))
    write_report(args.output, document_page(reported, tag_looks(tags, reported.layer.counts())))
    stderr.print(f"wrote a report of {count_of(len(reported.layer), 'annotation')}, layer {reported.layer_name}, "
                 f"to {args.output}", markup=False)
    return 0

