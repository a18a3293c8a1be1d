"""Inter-annotator agreement: span F1, token-level Cohen's kappa and Krippendorff's alpha.

Plain Python (no numpy, no Textual). For every pair of annotators, per tag and overall:

* exact F1 -- a match is the same start, end and tag; spans are a multiset, matched one-to-one.
* overlap F1 -- a match is two spans of the same tag sharing at least one character, matched
  one-to-one (see `overlap_matches`), so duplicates are never counted twice.
* kappa / alpha -- Cohen's kappa and nominal Krippendorff's alpha over word tokens
  (`tokenize`). A token is covered by a span when they share at least one character. Per tag
  the label is binary (covered by that tag or not); overall it is the set of covering tags,
  written "+".join(sorted(tags)), or "O" for none. `overall_alpha` pools all annotators.

Undefined figures are None (shown "n/a"):

* F1 is None when neither layer has a span behind it (0 spans on both sides); if only one
  side has spans it is 0.0.
* kappa and alpha are None when no annotator has a span behind them, or the text has no tokens.
  Otherwise, when every token carries the same label for everyone (chance agreement is 1,
  so observed agreement is 1 too) they are 1.0 rather than 0/0.
* Identical layers give exactly 1.0 for every defined figure.

When `tags` is given, only those tags are analysed ("overall" means over those tags).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from heapq import heappop, heappush
from itertools import combinations
from typing import Any

from rich.table import Table

from tui.core.annotation import Annotation
from tui.core.errors import InputError
from tui.core.safe_text import shown_line

TOKEN = re.compile(r"\w+|[^\w\s]")  # str patterns are Unicode-aware by default

Span = tuple[int, int]
Label = tuple[str, ...]  # sorted covering tags, () for "O"; a tuple so a tag containing "+" cannot collide


class AgreementError(InputError, ValueError):
    """Agreement cannot be computed for these layers (e.g. fewer than two annotators)."""


def tokenize(text: str) -> list[Span]:
    """(start, end) code-point offsets of word tokens: runs of \\w, or single punctuation marks."""
    return [m.span() for m in TOKEN.finditer(text)]


def overlap_matches(a: list[Span], b: list[Span]) -> int:
    """How many spans of `a` pair one-to-one with a span of `b` sharing at least one character.

    Greedy sweep in document order of end offset: the span that ends first takes the
    overlapping, still-free span of the other layer that ends first. This exchange-argument
    greedy yields a maximum matching, so the count is symmetric in `a` and `b` and a span
    (or a duplicate of it) is never matched twice.
    """
    sides = (a, b)
    by_start = [sorted(range(len(s)), key=[start for start, _ in s].__getitem__) for s in sides]
    done = [bytearray(len(a)), bytearray(len(b))]
    free: list[list[tuple[int, int]]] = [[], []]  # per side: heap of (end, index) that started
    seen = [0, 0]
    matches = 0
    for end, side, i in sorted((s[1], side, i) for side, spans in enumerate(sides) for i, s in enumerate(spans)):
        if done[side][i]:
            continue
        done[side][i] = 1
        other, spans, heap = 1 - side, sides[1 - side], free[1 - side]
        # Every unprocessed span ends at or after `end`, so it overlaps iff it starts before it.
        while seen[other] < len(spans) and spans[by_start[other][seen[other]]][0] < end:
            j = by_start[other][seen[other]]
            heappush(heap, (spans[j][1], j))
            seen[other] += 1
        while heap and done[other][heap[0][1]]:
            heappop(heap)
        if heap:
            done[other][heappop(heap)[1]] = 1
            matches += 1
    return matches


def agreement_report(text: str, layers: dict[str, list[Annotation]], tags: list[str] | None = None) -> dict[str, Any]:
    """Pairwise and pooled agreement for `layers` (annotator -> annotations) on `text`.

    Returns a JSON-serialisable dict; see the module docstring for the rules.
    Raises AgreementError when there are fewer than two annotators.
    """
    names = sorted(layers)
    if len(names) < 2:
        raise AgreementError(
            f"agreement needs at least two annotators; found {len(names)}" + (f": {', '.join(names)}" if names else "")
        )
    if tags is None:
        tags = sorted({a.tag for layer in layers.values() for a in layer})
    else:
        tags = list(dict.fromkeys(tags))
    wanted = set(tags)
    spans: dict[str, dict[str, list[Span]]] = {name: {tag: [] for tag in tags} for name in names}
    for name in names:
        for a in layers[name]:
            if a.tag in wanted:
                spans[name][a.tag].append((a.start, a.end))

    tokens = tokenize(text)
    starts, ends = [s for s, _ in tokens], [e for _, e in tokens]
    labels = {name: _token_labels(spans[name], starts, ends) for name in names}

    pairs: list[dict[str, Any]] = []
    for x, y in combinations(names, 2):
        joint = Counter(zip(labels[x], labels[y], strict=True))
        per_tag: dict[str, dict[str, Any]] = {}
        for tag in tags:
            binary: Counter[tuple[bool, bool]] = Counter()
            for (lx, ly), count in joint.items():
                binary[(tag in lx, tag in ly)] += count
            per_tag[tag] = _figures(spans[x][tag], spans[y][tag], binary, len(tokens))
        overall = {
            key: sum(per_tag[tag][key] for tag in tags)
            for key in ("spans_a", "spans_b", "exact_matches", "overlap_matches")
        }
        overall = _with_ratios(overall, joint, len(tokens))
        pairs.append({"a": x, "b": y, "overall": overall, "per_tag": per_tag})

    total_spans = sum(len(s) for name in names for s in spans[name].values())
    pooled = Counter(zip(*(labels[name] for name in names), strict=True))
    exact = [p["overall"]["exact_f1"] for p in pairs if p["overall"]["exact_f1"] is not None]
    return {
        "annotators": names,
        "tags": tags,
        "tokens": len(tokens),
        "spans": {name: sum(len(s) for s in spans[name].values()) for name in names},
        "pairs": pairs,
        "overall_alpha": _alpha(pooled) if total_spans and tokens else None,
        "min_exact_f1": min(exact) if exact else None,
    }


def _token_labels(spans_by_tag: dict[str, list[Span]], starts: list[int], ends: list[int]) -> list[Label]:
    """Per token, the sorted tags of the spans sharing a character with it (sweep over token indices)."""
    events: list[tuple[int, int, str]] = []
    for tag, spans in spans_by_tag.items():
        for s, e in spans:
            # the first token ending after s; the first starting at or after e
            lo, hi = bisect_right(ends, s), bisect_left(starts, e)
            if lo < hi:
                events += ((lo, 1, tag), (hi, -1, tag))
    events.sort()
    labels: list[Label] = [()] * len(starts)
    interned: dict[Label, Label] = {}
    active: Counter[str] = Counter()
    pos = 0
    for at, step, tag in events:
        if at > pos and active:
            label = tuple(sorted(active))
            labels[pos:at] = [interned.setdefault(label, label)] * (at - pos)  # slice fill runs in C
        pos = at
        active[tag] += step
        if not active[tag]:
            del active[tag]
    return labels


def _figures(a: list[Span], b: list[Span], joint: Counter[Any], tokens: int) -> dict[str, Any]:
    counts = {
        "spans_a": len(a),
        "spans_b": len(b),
        "exact_matches": sum((Counter(a) & Counter(b)).values()),
        "overlap_matches": overlap_matches(a, b),
    }
    return _with_ratios(counts, joint, tokens)


def _with_ratios(counts: dict[str, Any], joint: Counter[Any], tokens: int) -> dict[str, Any]:
    total = counts["spans_a"] + counts["spans_b"]
    defined = bool(total and tokens)
    return {
        "exact_f1": 2 * counts["exact_matches"] / total if total else None,
        "overlap_f1": 2 * counts["overlap_matches"] / total if total else None,
        "kappa": _kappa(joint) if defined else None,
        "alpha": _alpha(joint) if defined else None,
        **counts,
    }


def _kappa(joint: Counter[Any]) -> float:
    """Cohen's kappa from counts of (label_a, label_b); integer sums until the final division."""
    n = sum(joint.values())
    agree = sum(c for (x, y), c in joint.items() if x == y)
    rows: Counter[Any] = Counter()
    cols: Counter[Any] = Counter()
    for (x, y), c in joint.items():
        rows[x] += c
        cols[y] += c
    chance = sum(c * cols[k] for k, c in rows.items())  # n^2 * p_e
    if chance == n * n:  # one label throughout: p_o = p_e = 1
        return 1.0
    return (n * agree - chance) / (n * n - chance)


def _alpha(units: Counter[Any]) -> float:
    """Nominal Krippendorff's alpha from counts of label tuples (one label per coder, no gaps)."""
    m = len(next(iter(units)))
    n = m * sum(units.values())  # pairable values
    totals: Counter[Any] = Counter()
    disagree = 0  # (m - 1) * sum of off-diagonal coincidences
    for values, count in units.items():
        per_unit = Counter(values)
        for label, k in per_unit.items():
            totals[label] += k * count
        disagree += count * (m * m - sum(k * k for k in per_unit.values()))
    expected = n * n - sum(k * k for k in totals.values())
    if expected == 0:  # one label throughout
        return 1.0
    return 1 - (n - 1) * disagree / ((m - 1) * expected)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def agreement_table(report: dict[str, Any]) -> Table:
    """A rich table of an `agreement_report`: one section per pair, overall row first."""
    table = Table(
        title="Inter-annotator agreement",
        caption=f"{report['tokens']} tokens · pooled α {_fmt(report['overall_alpha'])}"
        f" · lowest exact F1 {_fmt(report['min_exact_f1'])}",
    )
    table.add_column("Pair")
    table.add_column("Tag")
    table.add_column("Spans", justify="right")
    for header in ("Exact F1", "Overlap F1", "κ", "α"):
        table.add_column(header, justify="right")
    for pair in report["pairs"]:
        rows = [("(overall)", pair["overall"], "bold")] + [(t, r, None) for t, r in pair["per_tag"].items()]
        for i, (tag, r, style) in enumerate(rows):
            table.add_row(
                shown_line(f"{pair['a']} / {pair['b']}") if i == 0 else "",
                shown_line(tag),
                f"{r['spans_a']} / {r['spans_b']}",
                *(_fmt(r[k]) for k in ("exact_f1", "overlap_f1", "kappa", "alpha")),
                style=style,
            )
        table.add_section()
    return table
