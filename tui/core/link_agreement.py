"""Agreement on links: F1 on (source span, relation, target span) for each pair of annotators.

Two links match when they have the same relation and each end of one overlaps the same end
of the other with the same tag (ends matched by overlap and tag, as overlap F1 matches spans).
Links are matched one-to-one, greedily in document order of their source, so a link is never
counted twice. F1 is None when neither annotator made a link, 0.0 when only one did.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from itertools import combinations
from typing import TYPE_CHECKING, Any

from tui.core.annotation import Annotation
from tui.core.links import Link

if TYPE_CHECKING:
    from rich.table import Table

End = tuple[int, int, str]  # start, end, tag
Ends = tuple[End, str, End]  # source, relation, target


def resolved(annotations: list[Annotation], links: list[Link]) -> list[Ends]:
    """The links whose two ends exist, as spans; dangling ones are left out."""
    by_id = {a.id: (a.start, a.end, a.tag) for a in annotations}
    return [(by_id[link.source], link.relation, by_id[link.target]) for link in links
            if link.source in by_id and link.target in by_id]


def _overlaps(a: End, b: End) -> bool:
    return a[2] == b[2] and a[0] < b[1] and b[0] < a[1]


def link_matches(a: list[Ends], b: list[Ends]) -> int:
    """How many links of `a` pair one-to-one with a matching link of `b`."""
    groups: dict[tuple[str, str, str], list[tuple[int, int]]] = {}  # (relation, tags) -> (source start, index)
    for index, (source, relation, target) in enumerate(b):
        groups.setdefault((relation, source[2], target[2]), []).append((source[0], index))
    longest: dict[tuple[str, str, str], int] = {}
    for key, items in groups.items():
        items.sort()
        longest[key] = max(b[i][0][1] - b[i][0][0] for _, i in items)
    taken = bytearray(len(b))
    matches = 0
    for source, relation, target in sorted(a):
        key = (relation, source[2], target[2])
        found = groups.get(key)
        if not found:
            continue
        low = bisect_left(found, (source[0] - longest[key],))
        for start, index in found[low:]:
            if start >= source[1]:
                break
            if not taken[index] and _overlaps(source, b[index][0]) and _overlaps(target, b[index][2]):
                taken[index] = 1
                matches += 1
                break
    return matches


def _f1(matches: int, a: int, b: int) -> dict[str, Any]:
    precision = matches / a if a else None
    recall = matches / b if b else None
    f1 = None if not (a or b) else (2 * matches / (a + b))
    return {"links_a": a, "links_b": b, "matches": matches, "precision": precision, "recall": recall, "f1": f1}


def link_agreement(layers: Mapping[str, list[Annotation]], links: Mapping[str, list[Link]]) -> dict[str, Any]:
    """Per pair of annotators, overall and per relation: links on each side, matches, P, R, F1."""
    names = sorted(layers)
    ends = {name: resolved(layers[name], links.get(name, [])) for name in names}
    relations = sorted({relation for items in ends.values() for _, relation, _ in items})
    pairs = []
    for x, y in combinations(names, 2):
        per_relation = {}
        for relation in relations:
            a = [e for e in ends[x] if e[1] == relation]
            b = [e for e in ends[y] if e[1] == relation]
            per_relation[relation] = _f1(link_matches(a, b), len(a), len(b))
        overall = _f1(sum(r["matches"] for r in per_relation.values()), len(ends[x]), len(ends[y]))
        pairs.append({"a": x, "b": y, "overall": overall, "per_relation": per_relation})
    return {"relations": relations, "links": {name: len(ends[name]) for name in names}, "pairs": pairs}


def link_agreement_table(report: dict[str, Any]) -> Table:
    from rich.table import Table

    table = Table(title="Link agreement (ends matched by overlap and tag)", title_justify="left")
    for column in ("pair", "relation", "links", "matches", "F1"):
        table.add_column(column, justify="left" if column in ("pair", "relation") else "right")
    for pair in report["pairs"]:
        rows = [("all", pair["overall"]), *pair["per_relation"].items()]
        for relation, figures in rows:
            f1 = figures["f1"]
            table.add_row(f"{pair['a']} / {pair['b']}", relation, f"{figures['links_a']} / {figures['links_b']}",
                          str(figures["matches"]), "n/a" if f1 is None else f"{f1:.3f}")
    return table
