"""Re-anchoring: finding each annotation again after its document's text changed.

An annotation is tried, in order, as
  holds  - its offsets still give its quote;
  moved  - its exact quote elsewhere: best prefix/suffix agreement first, then nearest;
  fuzzy  - an approximate match of its quote, scored with its context as Hypothesis does;
  orphan - none of these.
This module only computes: nothing is written, dropped or moved here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from itertools import accumulate, compress
from operator import sub
from typing import Any, NamedTuple

from tui.core.annotation import CONTEXT, Annotation, span_fields

WINDOW = 4096  # characters either side of the expected position searched before the whole text
ERROR_RATE = 4  # a fuzzy quote may differ by at most len(quote) // 4 edits (so none below 4 characters)
QUOTE_WEIGHT, PREFIX_WEIGHT, SUFFIX_WEIGHT, POSITION_WEIGHT = 50, 20, 20, 2  # Hypothesis's weights
# Least fuzzy score (0..1). Contexts compare by edit-distance similarity, and unrelated English
# contexts still score ~0.3, so a near quote in rewritten surroundings tops out near 0.65 even with
# one edit: a fuzzy match needs at least one side of its context to agree. With both sides intact a
# quote at the full 25% of edits scores ~0.86.
THRESHOLD = 0.7
EDGE_EVIDENCE = 5  # context characters that must agree before a fuzzy match's edge is moved
MAX_CANDIDATES = 100  # fuzzy candidates scored, fewest edits first: bounds the cost of short quotes


class AnchorStatus(StrEnum):
    HOLDS = "holds"
    MOVED = "moved"
    FUZZY = "fuzzy"
    ORPHAN = "orphan"


HOLDS, MOVED, FUZZY, ORPHAN = AnchorStatus.HOLDS, AnchorStatus.MOVED, AnchorStatus.FUZZY, AnchorStatus.ORPHAN


@dataclass(frozen=True)
class Anchor:
    """Where `annotation` is in the new text; start/end are None for an orphan."""

    annotation: Annotation
    status: AnchorStatus
    start: int | None
    end: int | None
    score: float

    def relocated(self, text: str, sha256: str) -> Annotation:
        """The annotation moved here, with quote and context read from `text` (so quote == text[start:end])."""
        if self.start is None or self.end is None:
            raise ValueError(f"annotation {self.annotation.id} is an orphan; it has nowhere to move")
        fields = {**span_fields(text, self.start, self.end), "document": sha256}
        old = self.annotation
        if all(getattr(old, name) == value for name, value in fields.items()):
            return old  # nothing changed: keep `modified` as it was
        return old.changed(**fields)


class Placement(NamedTuple):
    """Where an anchor put its annotation, without the annotation: kept for every flagged one,
    so 100,000 flagged annotations cost a tuple each, not an object with its quote and context."""

    status: AnchorStatus
    start: int | None
    end: int | None

    @classmethod
    def of(cls, anchor: Anchor) -> Placement:
        return cls(anchor.status, anchor.start, anchor.end)

    def anchor(self, annotation: Annotation) -> Anchor:
        score = 0.0 if self.status is AnchorStatus.ORPHAN else 1.0
        return Anchor(annotation, self.status, self.start, self.end, score)


def quote_holds(text: str, annotation: Annotation) -> bool:
    """Whether the annotation's offsets still give its quote."""
    start, end = annotation.start, annotation.end
    return 0 <= start < end <= len(text) and text[start:end] == annotation.quote


def anchor(text: str, annotation: Annotation) -> Anchor:
    return _Finder(text).anchor(annotation, annotation.start)


def anchor_all(text: str, annotations: Iterable[Annotation]) -> list[Anchor]:
    """Anchors in the order given. Walking in document order, each search is centred on the old
    position plus the shift of the previous annotation found, so a large insertion early in the
    text keeps every later search inside its window."""
    annotations = list(annotations)
    finder = _Finder(text)  # shares the whole-text character masks between annotations
    found: dict[int, Anchor] = {}
    shift = 0
    for index in sorted(range(len(annotations)), key=lambda i: annotations[i].sort_key()):
        ann = annotations[index]
        result = found[index] = finder.anchor(ann, ann.start + shift)
        if result.start is not None:
            shift = result.start - ann.start
    return [found[i] for i in range(len(annotations))]


def moved_anchors(text: str, annotations_in_order: Iterable[Annotation]) -> Iterator[Anchor]:
    """anchor_all for annotations already in document order (a Layer), yielding only those whose
    quote is no longer at their offsets, one at a time: a layer of 100,000 is never a list."""
    finder = _Finder(text)
    shift = 0
    for ann in annotations_in_order:
        result = finder.anchor(ann, ann.start + shift)
        if result.start is not None:
            shift = result.start - ann.start
        if result.status is not AnchorStatus.HOLDS:
            yield result


def _shared_start(a: str, b: str) -> int:
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return size


def _fit_to_context(text: str, ann: Annotation, start: int, end: int) -> tuple[int, int]:
    """Move a fuzzy match's edges to where the old prefix and suffix still meet the text.

    An edit near a quote's edge makes the edit-distance match stop short ("denied any re" for
    "denied any need" -> "denied any real need"); the untouched context shows where it ends.
    """
    reach = max(8, len(ann.quote) // 2)

    def after(position: int) -> int:  # how much of the old suffix follows `position`
        return _shared_start(ann.suffix, text[position:position + CONTEXT])

    def before(position: int) -> int:  # how much of the old prefix precedes `position`
        return _shared_start(ann.prefix[::-1], text[max(0, position - CONTEXT):position][::-1])

    end = _best_edge(end, range(max(start + 1, end - reach), min(len(text), end + reach) + 1), after)
    start = _best_edge(start, range(max(0, start - reach), min(end - 1, start + reach) + 1), before)
    return start, end


def _best_edge(current: int, candidates: range, agreement: Callable[[int], int]) -> int:
    """The candidate with the most context agreement, nearest `current`; `current` unless clearly beaten.

    A few shared characters (a space, a comma) happen by chance, so an edge moves only for more.
    """
    best, best_agreement = current, max(agreement(current), EDGE_EVIDENCE - 1)
    for position in sorted(candidates, key=lambda p: abs(p - current)):
        shared = agreement(position)
        if shared > best_agreement:
            best, best_agreement = position, shared
    return best


def _score(text: str, annotation: Annotation, start: int, end: int, edits: int, hint: int) -> float:
    """Hypothesis's weighted score in 0..1 for text[start:end], `edits` edits from the quote."""
    quote = 1 - edits / len(annotation.quote)
    prefix = _similarity(annotation.prefix, text[max(0, start - CONTEXT) : start])
    suffix = _similarity(annotation.suffix, text[end : end + CONTEXT])
    position = 1 - abs(start - hint) / max(1, len(text))
    total = QUOTE_WEIGHT * quote + PREFIX_WEIGHT * prefix + SUFFIX_WEIGHT * suffix + POSITION_WEIGHT * position
    return total / (QUOTE_WEIGHT + PREFIX_WEIGHT + SUFFIX_WEIGHT + POSITION_WEIGHT)


class _Finder:
    def __init__(self, text: str) -> None:
        self.text = text
        self._masks: _Masks | None = None  # built on the first whole-text fuzzy search

    def anchor(self, ann: Annotation, hint: int) -> Anchor:
        text = self.text
        if quote_holds(text, ann):
            return Anchor(ann, AnchorStatus.HOLDS, ann.start, ann.end, 1.0)
        hint = min(max(hint, 0), len(text))
        start = self._exact(ann, hint)
        if start is not None:
            return Anchor(ann, AnchorStatus.MOVED, start, start + len(ann.quote), 1.0)
        match = self._fuzzy(ann, hint)
        if match is not None:
            start, end = _fit_to_context(text, ann, match[0], match[1])
            return Anchor(ann, AnchorStatus.FUZZY, start, end, match[2])
        return Anchor(ann, AnchorStatus.ORPHAN, None, None, 0.0)

    def _exact(self, ann: Annotation, hint: int) -> int | None:
        """The occurrence of the quote with most context agreement, then nearest the hint."""
        text, quote = self.text, ann.quote
        lo, hi = max(0, hint - WINDOW), hint + len(quote) + WINDOW

        def best(lo: int, hi: int | None) -> tuple[Any, ...] | None:
            # Most agreement, then nearest, then first.
            found = _occurrences(text, quote, lo, hi)
            return max(((_agreement(text, i, i + len(quote), ann), -abs(i - hint), -i) for i in found), default=None)

        # Full agreement inside the window cannot be beaten by a farther occurrence outside it.
        found = best(lo, hi)
        if found is None or found[0] < len(ann.prefix) + len(ann.suffix):
            found = best(0, None)
        return None if found is None else -found[2]

    def _fuzzy(self, ann: Annotation, hint: int) -> tuple[int, int, float] | None:
        text, quote = self.text, ann.quote
        max_edits = len(quote) // ERROR_RATE
        if max_edits == 0:
            return None  # too short to tell a near miss from chance
        lo, hi = max(0, hint - WINDOW), min(len(text), hint + len(quote) + WINDOW)
        match = self._fuzzy_in(ann, hint, max_edits, lo, _Masks(text[lo:hi]), hi - lo)
        if match is None and (lo > 0 or hi < len(text)):
            if self._masks is None:
                self._masks = _Masks(text)
            match = self._fuzzy_in(ann, hint, max_edits, 0, self._masks, len(text))
        return match

    def _fuzzy_in(
        self, ann: Annotation, hint: int, max_edits: int, lo: int, masks: _Masks, n: int
    ) -> tuple[int, int, float] | None:
        """The best-scoring approximate match ending in text[lo:lo+n], if it clears THRESHOLD."""
        text, quote = self.text, ann.quote
        ends = _match_ends(quote, masks, n, max_edits)
        ends.sort(key=lambda pair: (pair[1], abs(lo + pair[0] - hint)))
        best = None
        for end, edits in ends[:MAX_CANDIDATES]:
            end += lo
            start = _match_start(text, quote, end, edits)
            score = _score(text, ann, start, end, edits, hint)
            if score >= THRESHOLD and (best is None or score > best[2]):
                best = (start, end, score)
        return best


def _occurrences(text: str, quote: str, lo: int, hi: int | None) -> Iterable[int]:
    i = text.find(quote, lo, hi)
    while i != -1:
        yield i
        i = text.find(quote, i + 1, hi)


def _agreement(text: str, start: int, end: int, ann: Annotation) -> int:
    """How many characters of the old prefix and suffix still flank text[start:end]."""
    count = 0
    for old, new in zip(reversed(ann.prefix), reversed(text[max(0, start - len(ann.prefix)) : start]), strict=False):
        if old != new:
            break
        count += 1
    for old, new in zip(ann.suffix, text[end : end + len(ann.suffix)], strict=False):
        if old != new:
            break
        count += 1
    return count


def _similarity(old: str, new: str) -> float:
    longest = max(len(old), len(new))
    return 1.0 if longest == 0 else 1 - _edit_distance(old, new) / longest


def _edit_distance(a: str, b: str) -> int:
    plus, minus = _last_row(a, _Masks(b), len(b), anchored=True)
    return len(a) + plus.bit_count() - minus.bit_count()


# Approximate matching: Myers' bit-parallel edit distance (Hyyrö's formulation), turned on its side.
# The textbook search loops over the text in Python with bit vectors as long as the pattern: ~7 s per
# quote on 5 MB. Here the bit vectors run along the text and the loop runs over the pattern, so each
# step is a dozen big-int operations done in C: ~0.1 s per quote on 5 MB once its characters' masks
# exist (~0.4 s with building them).
# D[i][j] is the edit distance between pattern[:i] and the best text substring ending at j (search)
# or text[:j] (anchored). Bit j-1 of the vectors holds D[i][j] - D[i][j-1] (+1 in `plus`, -1 in `minus`).


class _Masks:
    """Bit i set where text[i] == ch, built lazily per character. Code points are split into their
    UTF-32 bytes; one bytes.translate and one int(..., 2) per byte value, both C loops, give a byte's
    positions (~15 ms per character on 5 MB)."""

    def __init__(self, text: str) -> None:
        raw = text.encode("utf-32-le")
        self._lanes = [raw[i::4] for i in range(3)]  # the fourth byte of a code point is always 0
        self._cache: dict[tuple[int, int], int] = {}

    def _lane(self, lane: int, byte: int) -> int:
        key = (lane, byte)
        if key not in self._cache:
            table = bytearray(b"0" * 256)
            table[byte] = ord("1")
            # int() wants the highest bit first, so reverse; base 2 parses in linear time.
            self._cache[key] = int(self._lanes[lane].translate(table)[::-1] or b"0", 2)
        return self._cache[key]

    def __call__(self, ch: str) -> int:
        b = ch.encode("utf-32-le")
        return self._lane(0, b[0]) & self._lane(1, b[1]) & self._lane(2, b[2])


def _last_row(pattern: str, masks: Callable[[str], int], n: int, anchored: bool) -> tuple[int, int]:
    """The +1 and -1 steps along the text of D[len(pattern)][0..n]; D[len(pattern)][0] = len(pattern)."""
    full = (1 << n) - 1
    plus, minus = (full if anchored else 0), 0  # row 0: D[0][j] = j when anchored, else 0
    for ch in pattern:
        eq = masks(ch)
        xv = eq | minus
        xh = (((eq & plus) + plus) ^ plus) | eq
        hplus = minus | (full ^ (xh | plus))
        hminus = plus & xh
        hplus = ((hplus << 1) | 1) & full  # shift in column 0, where D[i][0] - D[i-1][0] = +1
        hminus = (hminus << 1) & full
        plus = hminus | (full ^ (xv | hplus))
        minus = hplus & xv
    return plus, minus


_POPCOUNT = bytes(bin(byte).count("1") for byte in range(256))


def _match_ends(quote: str, masks: _Masks, n: int, max_edits: int) -> list[tuple[int, int]]:
    """(end, edits) for each run of ends where the quote matches with at most max_edits edits,
    keeping the fewest-edit end of each run."""
    plus, minus = _last_row(quote, masks, n, anchored=False)
    size = (n + 7) // 8
    pbytes, mbytes = plus.to_bytes(size, "little"), minus.to_bytes(size, "little")
    # D at each byte's first position, in C-level passes; only a byte whose -1 steps could bring D
    # down to max_edits is walked bit by bit (usually a few dozen bytes on 5 MB, not 625,000).
    mcount = mbytes.translate(_POPCOUNT)
    at_byte = list(accumulate(map(sub, pbytes.translate(_POPCOUNT), mcount), initial=len(quote)))
    near = compress(range(size), map(max_edits.__ge__, map(sub, at_byte, mcount)))
    ends: list[tuple[int, int]] = []
    last = -1  # the previous end within max_edits: ends next to each other are one match
    for i in near:
        d, p, m = at_byte[i], pbytes[i], mbytes[i]
        for bit in range(8):
            d += ((p >> bit) & 1) - ((m >> bit) & 1)
            end = 8 * i + bit + 1
            if d > max_edits or end > n:
                continue
            if last != end - 1:
                ends.append((end, d))
            elif d < ends[-1][1]:
                ends[-1] = (end, d)
            last = end
    return ends


def _match_start(text: str, quote: str, end: int, edits: int) -> int:
    """Where the match ending at `end` starts: search backwards with the reversed quote, anchored at
    `end`, for the length giving the fewest edits (ties: the length nearest the quote's)."""
    behind = text[max(0, end - len(quote) - edits) : end][::-1]
    plus, minus = _last_row(quote[::-1], _Masks(behind), len(behind), anchored=True)
    d = len(quote)
    best = (d, len(quote), 0)
    for length in range(1, len(behind) + 1):
        d += ((plus >> (length - 1)) & 1) - ((minus >> (length - 1)) & 1)
        best = min(best, (d, abs(length - len(quote)), length))
    return end - best[2]
