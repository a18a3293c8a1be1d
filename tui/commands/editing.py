"""`hedgerow add`, `link`, `unlink`, `delete` and `brief`: the TUI's actions for scripts and pipelines.

Every change goes through the same Session as the TUI's (validation, history, atomic save).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.commands.common import document_options, is_terminal, open_session, stderr, stdout_console
from tui.core.errors import InputError
from tui.core.safe_text import json_escaped, shown, shown_line
from tui.core.session import Session
from tui.core.spans import trimmed_span
from tui.core.wording import count_of

if TYPE_CHECKING:
    from tui.core.brief import Brief


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("add", help="tag a span and print the new annotation's id",
                            description="Tag text[START:END] (code points into the NFC text) and save. White "
                                        "space at either end is left out, as the TUI's tag keys leave it (stderr "
                                        "then says the offsets stored); white space alone is refused.")
    document_options(parser)
    parser.add_argument("--start", type=int, required=True, metavar="S", help="first code point of the span")
    parser.add_argument("--end", type=int, required=True, metavar="E", help="code point after the span")
    parser.add_argument("--tag", required=True, metavar="T", help="a tag of the codebook")
    parser.add_argument("--note", default="", metavar="N", help="a note on the annotation")
    parser.add_argument("--entity", default="", metavar="E",
                        help="an actor's canonical name, so that mentions count as one (default: the quote)")
    parser.add_argument("--json", action="store_true", help="print the whole new record as JSON, not just the id")
    parser.set_defaults(run=run_add)

    parser = sub.add_parser("link", help="link two annotations by a relation of the codebook",
                            description="Link FROM_ID to TO_ID, e.g. a commitment `by` an actor, a hedge that "
                                        "`hedges` a commitment. Ids may be shortened to a unique prefix.")
    document_options(parser)
    parser.add_argument("source", metavar="FROM_ID")
    parser.add_argument("target", metavar="TO_ID")
    parser.add_argument("--relation", "-r", required=True, metavar="R", help="the relation's name, e.g. by")
    parser.set_defaults(run=run_link)

    parser = sub.add_parser("unlink", help="remove the link(s) from one annotation to another",
                            description="Remove the links from FROM_ID to TO_ID (only those of --relation, if given).")
    document_options(parser)
    parser.add_argument("source", metavar="FROM_ID")
    parser.add_argument("target", metavar="TO_ID")
    parser.add_argument("--relation", "-r", metavar="R", help="only links of this relation")
    parser.set_defaults(run=run_unlink)

    parser = sub.add_parser("delete", help="delete an annotation and its links",
                            description="Delete the annotation ID and every link to or from it.")
    document_options(parser)
    parser.add_argument("id", metavar="ID")
    parser.set_defaults(run=run_delete)

    parser = sub.add_parser("brief", help="who commits to what, and how it is hedged",
                            description="Per actor entity, the commitments linked to it (`by`), each with its "
                                        "sentence and the hedges linked to it (`hedges`); hedged and bare counts; "
                                        "hedges linked to nothing. The JSON is described in the README.")
    parser.add_argument("document", type=Path, nargs="?", help="the plain-text document (or --corpus DIR)")
    parser.add_argument("--annotator", metavar="NAME",
                        help="whose annotations (default: git config user.name, else the login name)")
    parser.add_argument("--annotations", metavar="DIR", type=Path,
                        help="the annotations folder (default: annotations/ at the project root)")
    parser.add_argument("--tags", metavar="FILE", type=Path, help="a codebook TOML file (default: hedgerow.toml)")
    parser.add_argument("--format", "-f", choices=("text", "md", "json"), default="text",
                        help="text: for the terminal, with a bar per actor; md: Markdown; json (default: text)")
    parser.add_argument("--layer", metavar="NAME", help="another layer's file, e.g. --layer gold")
    parser.add_argument("--corpus", metavar="DIR", type=Path,
                        help="sum the briefs of every .txt and .md document under DIR, per entity")
    parser.set_defaults(run=run_brief)


def resolve_id(session: Session, given: str) -> str:
    """The annotation id `given` names: the whole id, or a unique prefix of at least 4 characters."""
    if given in session.layer:
        return given
    matches = [i for i in session.layer.ids() if i.startswith(given)] if len(given) >= 4 else []
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise InputError(f"id {shown_line(given)!r} is ambiguous ({len(matches)} annotations start with it)")
    raise InputError(f"no annotation with id {shown_line(given)!r} in {session.store.path}")


def _save(session: Session) -> None:
    session.save()


def run_add(args: argparse.Namespace) -> int:
    session = open_session(args)
    length = len(session.text)
    if not 0 <= args.start < args.end <= length:
        raise InputError(f"bad offsets --start {args.start} --end {args.end}: need 0 <= start < end <= {length} "
                         f"(code points into the document)")
    span = trimmed_span(session.text, args.start, args.end)
    if span is None:  # as the TUI's tag keys: nothing to tag, and a blank quote would count as a mention
        raise InputError(f"--start {args.start} --end {args.end} is only white space; nothing tagged")
    start, end = span
    annotation = session.add(start, end, args.tag, args.note, args.entity)
    _save(session)
    if span != (args.start, args.end):  # stored elsewhere than asked: a script needs the offsets
        stderr.print(f"trimmed white space: stored {start}-{end}", markup=False)
    if args.json:
        record = json.dumps(annotation.to_record(), ensure_ascii=False, sort_keys=True)
        sys.stdout.write((json_escaped(record) if is_terminal(sys.stdout) else record) + "\n")  # a tty: inert
    else:
        sys.stdout.write(annotation.id + "\n")
    return 0


def run_link(args: argparse.Namespace) -> int:
    session = open_session(args)
    link = session.link(resolve_id(session, args.source), resolve_id(session, args.target), args.relation)
    _save(session)
    sys.stdout.write(link.id + "\n")
    return 0


def run_unlink(args: argparse.Namespace) -> int:
    session = open_session(args)
    gone = session.unlink(resolve_id(session, args.source), resolve_id(session, args.target), args.relation)
    _save(session)
    stderr.print(f"removed {count_of(len(gone), 'link')}", markup=False)
    return 0


def run_delete(args: argparse.Namespace) -> int:
    session = open_session(args)
    annotation_id = resolve_id(session, args.id)
    links = len(session.links.of(annotation_id))
    annotation = session.delete(annotation_id)
    _save(session)
    stderr.print(f"deleted {shown_line(annotation.tag)} {annotation.id}"
                 + (f" and its {count_of(links, 'link')}" if links else ""), markup=False)
    return 0


def run_brief(args: argparse.Namespace) -> int:
    from tui.core.brief import to_markdown, to_text
    from tui.core.export import document_meta

    if args.layer:
        args.annotator = args.layer
    if (args.corpus is None) == (args.document is None):
        raise InputError("give a document, or --corpus DIR (not both)")
    if args.corpus is not None:
        brief = corpus(args)
    else:
        session = open_session(args, gold=True)  # read only: the gold brief is the finding
        if args.layer and not session.store.exists():
            raise InputError(f"no layer {args.layer!r}: {session.store.path} does not exist")
        brief = session_brief(session, document_meta(session.document))
    if not brief.roles.sums_up:
        raise InputError(brief.roles.why_empty())
    if args.format == "json":
        sys.stdout.write(inert_json(brief.to_json()) + "\n")
    elif args.format == "md":
        markdown = to_markdown(brief)
        sys.stdout.write(shown(markdown) if is_terminal(sys.stdout) else markdown)  # a tty: controls as stand-ins
    else:
        console = stdout_console()
        console.print(to_text(brief, console.width))
    return 0


def corpus(args: argparse.Namespace) -> Brief:
    """The corpus brief: every document under --corpus that has the layer, summed per entity."""
    from tui.core.brief import corpus_brief
    from tui.core.paths import relative_path
    from tui.core.report_sources import find_documents

    root = args.corpus
    if not root.is_dir():
        raise InputError(f"{shown_line(str(root))}: not a folder (--corpus DIR)")
    briefs, documents = [], []
    roles = None
    for path in find_documents(root):
        args.document = path
        session = open_session(args, gold=True)
        if not session.store.exists():
            continue  # no annotations by this annotator on it
        path_name = relative_path(session.document.path)
        documents.append(path_name)
        brief = session_brief(session, {})
        roles = brief.roles
        briefs.append((path_name, brief))
    if not documents:
        raise InputError(f"no document under {shown_line(str(root))} has annotations by "
                         f"{shown_line(args.annotator or 'you')} (--annotator NAME, --layer NAME)")
    return corpus_brief(briefs, {"title": f"corpus {root}", "corpus": str(root), "documents": documents},
                        *([roles] if roles else []))


def inert_json(data: object) -> str:
    """JSON as json.dumps writes it, but every character `shown` would replace (C1 controls such as
    a one-byte CSI, bidi overrides) written as a \\u escape: the same JSON, inert on a terminal.
    Keys keep their order (the README's: "hedgerow" first), not sorted."""
    from tui.core.safe_text import UNSAFE

    text = json.dumps(data, ensure_ascii=False, indent=2)
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def session_brief(session: Session, document: dict[str, Any]) -> Brief:
    from tui.core.brief import BriefRoles, build_brief

    return build_brief(session.text, session.layer, session.links, document, BriefRoles.of(session.config.relations))
