"""Grapheme, word, sentence and paragraph boundaries, as code-point offsets.

The cursor moves by grapheme so that an emoji, a flag or a letter with combining
marks moves as one. Sentences are found paragraph by paragraph, so asking for the
sentence under the cursor costs the paragraph, not the document.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

ZWJ = "\u200d"

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_NOT_SPACE = re.compile(r"\S")
# A sentence's end: its marks (group 1), closing quotes or brackets, then the white space after
# it (group 2) or the range's end. "[.!?…][.!?…]*" rather than "[.!?…]+": the same matches, but
# the engine then scans for the first mark in C, about three times as fast on a long text.
_SENTENCE_END = re.compile(r"""([.!?…][.!?…]*)['"’”)\]»]*(?=(\s+)|$)""")
_WORD_BEFORE = re.compile(r"""[^\s"'“‘(\[«]*\Z""")  # the word that ends where a search's range ends
_OPENERS = "\"'“‘([«"
_MARKS = ".!?…"  # what ends a sentence (_SENTENCE_END's first group)
_ABBREVIATIONS = frozenset(
    ["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
     "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "adm", "gov", "sen", "rep", "pres",
     "amb", "st", "jr", "sr", "rev", "hon", "vs", "etc", "e.g", "i.e", "cf", "al", "approx", "vol", "vols", "pp",
     "fig", "figs", "ed", "eds", "inc", "ltd", "co", "corp", "dept", "est"]
)
_NUMBER_ABBREVIATIONS = frozenset({"no", "nos"})  # "No. 5", but "He said no. Then ..." ends a sentence
_INITIALS = re.compile(r"(?:\b[A-Za-z]\.)+$")
_LONGEST_ABBREVIATION = max(map(len, _ABBREVIATIONS | _NUMBER_ABBREVIATIONS))
_LONG_WORD_SIZE = _LONGEST_ABBREVIATION + 1
_LONG_WORD = re.compile(rf"""[^\s"'“‘(\[«.]{{{_LONG_WORD_SIZE}}}""")  # a word no abbreviation or initials end
_LONGEST_WORD = 16  # how far back the word before a period is looked for at once


def _is_extender(ch: str) -> bool:
    """Characters that join the grapheme before them."""
    code = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or ch == ZWJ
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences
        or 0xE0100 <= code <= 0xE01EF
    )


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def next_grapheme(text: str, offset: int) -> int:
    """The end of the grapheme cluster that starts at `offset`."""
    size = len(text)
    if offset >= size:
        return size
    position = offset + 1
    if _is_regional(text[offset]) and position < size and _is_regional(text[position]):
        position += 1
    while position < size:
        if _is_extender(text[position]):
            position += 1
        elif text[position - 1] == ZWJ:
            position += 1  # emoji ZWJ sequence: the joiner glues the next character on
        else:
            break
    return position


def previous_grapheme(text: str, offset: int) -> int:
    """The start of the grapheme cluster that ends at `offset`."""
    if offset <= 0:
        return 0
    # Walk back to a safe start (a non-extender not after a ZWJ), then forward by clusters.
    start = offset - 1
    while start > 0 and (_is_extender(text[start]) or text[start - 1] == ZWJ):
        start -= 1
    while start > 0 and _is_regional(text[start - 1]) and _is_regional(text[start]):
        start -= 1
    position = start
    while True:
        following = next_grapheme(text, position)
        if following >= offset:
            return position
        position = following


def clamp_to_grapheme(text: str, offset: int) -> int:
    """Move `offset` back to the start of the cluster it falls inside."""
    offset = max(0, min(offset, len(text)))
    if offset == len(text):
        return offset
    return previous_grapheme(text, next_grapheme(text, offset)) if offset else 0


def _words(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Word spans in text[start:end]. `\\w` does not match combining marks (Devanagari vowel
    signs, "x" + U+0301), so a word runs on over marks and any word characters after them."""
    span = None
    for match in _WORD.finditer(text, start, end):
        if span is not None and match.start() == span[1]:
            span = (span[0], match.end())
        else:
            if span is not None:
                yield span
            span = match.span()
        stop = span[1]
        while stop < end and _is_extender(text[stop]):
            stop += 1
        span = (span[0], stop)
    if span is not None:
        yield span


def word_at(text: str, offset: int) -> tuple[int, int]:
    """The word under `offset` (or just before it); a lone grapheme when there is none."""
    if not text:
        return (0, 0)
    offset = max(0, min(offset, len(text) - 1))
    low = max(0, offset - 200)
    for span in _words(text, low, min(len(text), offset + 200)):
        if span[0] <= offset < span[1]:
            return span
        if span[0] > offset:
            break
    return (offset, next_grapheme(text, offset))


def next_word_end(text: str, offset: int) -> int:
    """Where ctrl+right goes: the end of the next word."""
    span = next(_words(text, offset, len(text)), None)
    return len(text) if span is None else span[1]


def previous_word_start(text: str, offset: int) -> int:
    """Where ctrl+left goes: the start of the word before `offset`."""
    low = max(0, offset - 400)
    starts = [span[0] for span in _words(text, low, offset)]
    if starts:
        return starts[-1]
    return 0 if low == 0 else previous_word_start(text, low)


def paragraph_at(text: str, offset: int) -> tuple[int, int]:
    """The block of non-blank lines around `offset`, without surrounding white space. On a blank
    line between two, the one after it (the one before at the end of the text): the walk back and
    the search forward took both, so `p` selected two paragraphs and `s` a sentence across them."""
    offset = max(0, min(offset, len(text)))
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    if not text[line_start:len(text) if line_end < 0 else line_end].strip(" \t"):
        following = _NOT_SPACE.search(text, offset)
        if following is not None:
            offset = following.start()
        else:
            offset = len(text.rstrip())
    # Blank lines may hold spaces or tabs, as in `sentences`: walk back line by line to one.
    start = text.rfind("\n", 0, offset) + 1
    while start > 0:
        previous = text.rfind("\n", 0, start - 1) + 1
        if not text[previous : start - 1].strip(" \t"):
            break
        start = previous
    following = _BLANK_LINES.search(text, offset)
    end = len(text) if following is None else following.start()
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end)


def _is_abbreviation(text: str, start: int, dot: int) -> bool:
    """Whether the period at `dot` ends an abbreviation or initials rather than a sentence."""
    low = max(start, dot - _LONGEST_WORD)
    found = _WORD_BEFORE.search(text, low, dot)
    word = found.group() if found is not None else ""
    if len(word) == dot - low and low > start:  # the word may run on before the window: walk back to its start
        word_start = low
        while word_start > start and not text[word_start - 1].isspace() and text[word_start - 1] not in _OPENERS:
            word_start -= 1
        word = text[word_start:dot]
    elif "." not in word and len(word) > _LONGEST_ABBREVIATION:
        return False  # longer than any abbreviation, and no initials: the usual sentence end, decided at once
    lower = word.lower()
    if lower.rstrip(".") in _ABBREVIATIONS:
        return True
    if lower in _NUMBER_ABBREVIATIONS:
        return text[dot + 1 : dot + 3].strip()[:1].isdigit()
    return bool(word) and _INITIALS.search(word + ".") is not None and len(word.replace(".", "")) <= 3


def _starts_sentence(text: str, offset: int) -> bool:
    """Whether the text at `offset` (past white space) looks like a new sentence's start."""
    while offset < len(text) and text[offset] in _OPENERS:
        offset += 1
    return offset < len(text) and (text[offset].isupper() or text[offset].isdigit() or not text[offset].isalpha())


def sentences_in(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans within [start, end), trimmed of white space."""
    spans: list[tuple[int, int]] = []
    begin = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if match.start() == start and start and text[start - 1] in _MARKS:
            continue  # the tail of marks that began before the range ("a.|. B"): not a sentence's end here
        marks, space = match.group(1, 2)
        if space is None:
            break  # the range ends with these marks
        stop = match.end()
        following = stop + len(space)
        if following >= end:
            break
        if "\n\n" in space:
            pass  # a blank line always ends a sentence
        else:
            # The usual cases first, each decided by one call in C: a period after a long word
            # (no abbreviation or initials) and a capital after the space.
            if marks == ".":
                dot = match.start()
                if (dot - _LONG_WORD_SIZE < begin or _LONG_WORD.fullmatch(text, dot - _LONG_WORD_SIZE, dot) is None) \
                        and _is_abbreviation(text, begin, dot):
                    continue
            if not text[following].isupper() and not _starts_sentence(text, following):
                continue
        spans.append((begin, stop))
        begin = following
    if begin < end:
        spans.append((begin, end))
    # Each span but the first starts after white space and each but the last ends on a mark: only
    # the range's own edges can need trimming.
    if spans:
        spans[0] = _trim(text, *spans[0])
        spans[-1] = _trim(text, *spans[-1])
        if spans[0][0] >= spans[0][1] or spans[-1][0] >= spans[-1][1]:
            spans = [(s, e) for s, e in spans if s < e]
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end)


def sentence_at(text: str, offset: int) -> tuple[int, int]:
    """The sentence under `offset`, found within its paragraph only."""
    para_start, para_end = paragraph_at(text, offset)
    spans = sentences_in(text, para_start, para_end)
    for span in spans:
        if offset < span[1]:
            return span
    return spans[-1] if spans else (para_start, para_end)


def sentences(text: str) -> list[tuple[int, int]]:
    """Every sentence in the text, paragraph by paragraph."""
    result: list[tuple[int, int]] = []
    begin = 0
    for match in _BLANK_LINES.finditer(text):
        result.extend(sentences_in(text, begin, match.start()))
        begin = match.end()
    result.extend(sentences_in(text, begin, len(text)))
    return result
