"""Grapheme, word, sentence and paragraph boundaries (tui/core/segment.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.document import Document
from tui.core.segment import (
    clamp_to_grapheme,
    next_grapheme,
    next_word_end,
    paragraph_at,
    previous_grapheme,
    previous_word_start,
    sentence_at,
    sentences,
    word_at,
)


@pytest.fixture
def seed(seed_path: Path) -> str:
    return Document.load(seed_path).text


def sentence_of(text: str, needle: str, nth: int = 0) -> str:
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    start, end = sentence_at(text, offset)
    return text[start:end]


# -- sentences on the seed -------------------------------------------------------------------


def test_seed_sentence_with_dateline_in_brackets(seed: str) -> None:
    expected = ("“Currently there are no sites or bases of NATO in Kazakhstan, and I do not see any need to "
                "change this situation,” Simmons confirmed in an interview in Almaty on October 4 "
                "(Interfax, October 4).")
    for needle in ("“Currently", "situation,”", "Almaty on October 4", "(Interfax", "October 4)."):
        assert sentence_of(seed, needle) == expected


def test_seed_sentence_ending_in_closing_bracket(seed: str) -> None:
    sentence = sentence_of(seed, "Khabar Television")
    assert sentence.startswith("Minister of Emergency Situations Shalbay Kulmakhanov appeared to support")
    assert sentence.endswith("(Khabar Television, October 5).")


def test_seed_apostrophe_is_not_a_boundary(seed: str) -> None:
    assert sentence_of(seed, "NATO’s Partnership") == (
        "Simmons also suggested that NATO’s Partnership for Peace (PfP) Planning and Review Process (PARP) "
        "project could include setting up a team by 2007 to react to disasters, including those that resulted "
        "from the use of weapons of mass destruction or major terrorist incidents.")


def test_seed_sentences_inside_quotes(seed: str) -> None:
    assert sentence_of(seed, "We have just appointed") == "“We have just appointed him."
    assert sentence_of(seed, "He will be based") == (
        "He will be based in Kazakhstan and will be traveling a lot between Almaty and Astana.")
    closing = sentence_of(seed, "Literally all")
    assert closing.startswith("Simmons explained that the appointment of Tuncer")
    assert closing.endswith("welcomed him in their capitals.”")


def test_seed_first_and_last(seed: str) -> None:
    assert sentence_of(seed, "Publication") == "Publication: Eurasia Daily Monitor Volume: 2 Issue: 188"
    assert sentence_at(seed, len(seed)) == sentence_at(seed, len(seed) - 1)
    assert seed[slice(*sentence_at(seed, len(seed) - 1))] == "The rhetoric remains to be tested."


def test_seed_sentences_are_whole_and_consistent(seed: str) -> None:
    spans = sentences(seed)
    assert len(spans) == 31
    for start, end in spans:
        sentence = seed[start:end]
        assert sentence == sentence.strip() and "\n" not in sentence
        assert sentence[0].isupper() or sentence[0] == "“"
        assert sentence.rstrip("”)").endswith((".", "188"))
        # sentence_at agrees with sentences() at the start, the middle and the last character
        for offset in (start, (start + end) // 2, end - 1):
            assert sentence_at(seed, offset) == (start, end)
    # Within each paragraph, the sentences joined by single spaces are the paragraph.
    for paragraph in seed.split("\n\n"):
        base = seed.index(paragraph)
        inside = [seed[s:e] for s, e in spans if base <= s < base + len(paragraph)]
        assert " ".join(inside) == paragraph


# -- sentences on synthetic cases --------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("It began on Oct. 4 in Almaty. Then it ended.", ["It began on Oct. 4 in Almaty.", "Then it ended."]),
    ("The U.S. Army agreed. Then it left.", ["The U.S. Army agreed.", "Then it left."]),
    ("Gen. J. R. Smith arrived. He left.", ["Gen. J. R. Smith arrived.", "He left."]),
    ('He left." Then', ['He left."', "Then"]),
    ('She said "I left." Then she went.', ['She said "I left."', "Then she went."]),
    ("“Quoted sentence.” Next one.", ["“Quoted sentence.”", "Next one."]),
    ("(See above.) Then we go.", ["(See above.)", "Then we go."]),
    ("He was born in 1950. In 1970 he moved.", ["He was born in 1950.", "In 1970 he moved."]),
    ("Is it? yes it is. Really!", ["Is it? yes it is.", "Really!"]),
    ('"Why?" he asked. Nobody knew.', ['"Why?" he asked.', "Nobody knew."]),
    ("Wait… what happened? Nothing.", ["Wait… what happened?", "Nothing."]),
    ("Mr. Smith met Dr. Jones. They talked.", ["Mr. Smith met Dr. Jones.", "They talked."]),
    ("See No. 5 and no. 7 here. Fine.", ["See No. 5 and no. 7 here.", "Fine."]),
    # "no" is an abbreviation only before a number (this one used to swallow the next sentence)
    ("He said no. Then she left.", ["He said no.", "Then she left."]),
    ("One.\n\nTwo", ["One.", "Two"]),
    ("No full stop at all", ["No full stop at all"]),
])
def test_synthetic_sentences(text: str, expected: list[str]) -> None:
    spans = sentences(text)
    assert [text[s:e] for s, e in spans] == expected
    for start, end in spans:
        assert sentence_at(text, start) == (start, end)
        assert sentence_at(text, end - 1) == (start, end)


def test_sentence_at_on_empty_and_blank_text() -> None:
    assert sentence_at("", 0) == (0, 0)
    start, end = sentence_at("   ", 1)
    assert start == end


def test_whitespace_only_line_separates_paragraphs() -> None:
    """A 'blank' line holding spaces ends a paragraph for sentence_at as it does for sentences()."""
    text = "Heading\n \t\nBody text. More body."
    assert [text[s:e] for s, e in sentences(text)] == ["Heading", "Body text.", "More body."]
    assert text[slice(*sentence_at(text, 2))] == "Heading"
    assert text[slice(*paragraph_at(text, 2))] == "Heading"
    assert text[slice(*paragraph_at(text, len(text)))] == "Body text. More body."


# -- paragraphs -------------------------------------------------------------------------------


def test_paragraph_at_on_seed(seed: str) -> None:
    offset = seed.index("Khabar Television")
    start, end = paragraph_at(seed, offset)
    paragraph = seed[start:end]
    assert paragraph.startswith("Altynbayev, underscoring")
    assert paragraph.endswith("(Khabar Television, October 5).")
    assert "\n" not in paragraph
    assert paragraph_at(seed, 0) == (0, seed.index("\n"))
    last = seed.rindex("\n\n") + 2
    assert paragraph_at(seed, len(seed)) == (last, len(seed))


def test_paragraph_at_multi_line_and_edges() -> None:
    text = "  line one\nline two  \n\n\nthird\n"
    assert text[slice(*paragraph_at(text, 3))] == "line one\nline two"
    assert text[slice(*paragraph_at(text, text.index("two")))] == "line one\nline two"
    assert text[slice(*paragraph_at(text, text.index("third")))] == "third"
    assert paragraph_at(text, -5) == paragraph_at(text, 0)
    assert paragraph_at("", 0) == (0, 0)


# -- words ------------------------------------------------------------------------------------


def test_word_at(seed: str) -> None:
    offset = seed.index("NATO’s") + 2
    assert seed[slice(*word_at(seed, offset))] == "NATO’s"
    offset = seed.index("Secretary-General") + 12
    assert seed[slice(*word_at(seed, offset))] == "General"
    text = "can't stop, won't"
    assert text[slice(*word_at(text, 0))] == "can't"
    assert text[slice(*word_at(text, 4))] == "can't"
    assert word_at(text, 10) == (10, 11)  # the comma: a lone grapheme
    assert text[slice(*word_at(text, 999))] == "won't"  # clamped to the end
    assert word_at("", 0) == (0, 0)


def test_word_at_on_emoji_is_the_whole_grapheme() -> None:
    text = "ok 👍🏽 ok"
    assert word_at(text, 3) == (3, 5)


@pytest.mark.parametrize(("text", "word"), [
    ("x\u0301yz abc", "x\u0301yz"),  # a combining mark inside a word does not split it
    ("हिन्दी भाषा", "हिन्दी"),  # Devanagari vowel signs and virama are marks, not \w
    ("naïve café", "naïve"),
    ("哈萨克斯坦 NATO", "哈萨克斯坦"),
])
def test_words_keep_their_marks(text: str, word: str) -> None:
    for offset in range(len(word)):
        assert text[slice(*word_at(text, offset))] == word
    assert next_word_end(text, 0) == len(word)
    second = text.index(" ") + 1
    assert previous_word_start(text, len(text)) == second
    assert previous_word_start(text, second) == 0


def test_next_word_end_and_previous_word_start(seed: str) -> None:
    text = "Alpha beta, gamma."
    ends = []
    offset = 0
    while offset < len(text):
        offset = next_word_end(text, offset)
        ends.append(offset)
    assert ends == [5, 10, 17, 18]
    starts = []
    offset = len(text)
    while offset > 0:
        offset = previous_word_start(text, offset)
        starts.append(offset)
    assert starts == [12, 6, 0]
    assert next_word_end(text, 2) == 5  # from inside a word: its end
    assert previous_word_start(text, 8) == 6  # from inside a word: its start
    # Long stretches without words still find the previous word.
    spaced = "word" + " " * 1000 + "x"
    assert previous_word_start(spaced, len(spaced) - 1) == 0
    # On the seed, ctrl+right from the start of "NATO’s" lands after the apostrophe-s.
    start = seed.index("NATO’s")
    assert next_word_end(seed, start) == start + len("NATO’s")


# -- graphemes ------------------------------------------------------------------------------

CLUSTERS = [
    "a",
    "👍🏽",  # skin tone
    "🇰🇿",  # flag
    "👨\u200d👩\u200d👧",  # ZWJ family
    "🏳\ufe0f\u200d🌈",  # VS16 + ZWJ
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # tag sequence (Scotland)
    "x\u0301",  # combining acute
    "q\u0323\u0307",  # two combining marks
    "हि",  # consonant + vowel sign
    "é",
    "北",
]


def test_next_and_previous_grapheme_walk_whole_clusters() -> None:
    text = "".join(CLUSTERS) + "🇺🇸🇰🇿"
    bounds = [0]
    for cluster in [*CLUSTERS, "🇺🇸", "🇰🇿"]:
        bounds.append(bounds[-1] + len(cluster))
    forward = [0]
    while forward[-1] < len(text):
        forward.append(next_grapheme(text, forward[-1]))
    assert forward == bounds
    backward = [len(text)]
    while backward[-1] > 0:
        backward.append(previous_grapheme(text, backward[-1]))
    assert backward == bounds[::-1]
    assert next_grapheme(text, len(text)) == len(text)
    assert previous_grapheme(text, 0) == 0


@pytest.mark.parametrize("cluster", CLUSTERS[1:])
def test_clamp_inside_a_cluster(cluster: str) -> None:
    text = "ab" + cluster + "cd"
    for offset in range(3, 2 + len(cluster)):
        assert clamp_to_grapheme(text, offset) == 2
    assert clamp_to_grapheme(text, 2) == 2
    assert clamp_to_grapheme(text, 2 + len(cluster)) == 2 + len(cluster)
    assert clamp_to_grapheme(text, 999) == len(text)
    assert clamp_to_grapheme(text, -3) == 0


# -- the fast splitter against the plain one it replaced ----------------------------------------


def plain_sentences_in(text: str, start: int, end: int) -> list[tuple[int, int]]:  # noqa: C901 (as first written)
    """The splitter as first written (every candidate decided in Python, char by char): the reference
    for tui.core.segment.sentences_in, which decides the usual cases in C and must agree everywhere."""
    import re

    from tui.core.segment import _ABBREVIATIONS, _INITIALS, _NUMBER_ABBREVIATIONS, _OPENERS

    def is_abbreviation(begin: int, dot: int) -> bool:
        word_start = dot
        while word_start > begin and not text[word_start - 1].isspace() and text[word_start - 1] not in _OPENERS:
            word_start -= 1
        word = text[word_start:dot]
        if word.lower().rstrip(".") in _ABBREVIATIONS:
            return True
        if word.lower() in _NUMBER_ABBREVIATIONS:
            return text[dot + 1 : dot + 3].strip()[:1].isdigit()
        return bool(word) and _INITIALS.search(word + ".") is not None and len(word.replace(".", "")) <= 3

    def starts_sentence(offset: int) -> bool:
        while offset < len(text) and text[offset] in _OPENERS:
            offset += 1
        return offset < len(text) and (text[offset].isupper() or text[offset].isdigit() or not text[offset].isalpha())

    spans, begin = [], start
    for match in re.finditer(r"""[.!?…]+['"’”)\]»]*(?=\s|$)""", text[:end]):
        if match.start() < start:
            continue
        stop = following = match.end()
        while following < end and text[following].isspace():
            following += 1
        if following >= end:
            break
        if "\n\n" not in text[stop:following]:
            if text[match.start()] == "." and match.group().rstrip("'\"’”)]»") == ".":
                if is_abbreviation(begin, match.start()) or not starts_sentence(following):
                    continue
            elif not starts_sentence(following):
                continue
        spans.append((begin, stop))
        begin = following
    if begin < end:
        spans.append((begin, end))
    trimmed = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            trimmed.append((s, e))
    return trimmed


_PIECES = ["a", "B", "word", "Longerword", " ", "  ", "\n", "\n\n", "\t", ".", "..", "!", "?", "…", "?!", '"', "'", "“",
           "”", "’", "(", ")", "[", "]", "«", "»", "Mr", "mr", "No", "no", "nos", "etc", "e.g", "U.S", "J", "5", "1950",
           "approx", "Sept", "ü", "Ü", "哈", "é", "x\u0301"]


@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.data())
@settings(max_examples=400, deadline=None)
def test_sentences_in_agrees_with_the_plain_splitter(pieces: list[str], data: st.DataObject) -> None:
    from tui.core.segment import sentences_in

    text = "".join(pieces)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert sentences_in(text, start, end) == plain_sentences_in(text, start, end)


def test_sentences_in_agrees_with_the_plain_splitter_on_the_seed(seed: str) -> None:
    from tui.core.segment import sentences_in

    assert sentences_in(seed, 0, len(seed)) == plain_sentences_in(seed, 0, len(seed))
    for start, end in [paragraph_at(seed, offset) for offset in range(0, len(seed), 97)]:
        assert sentences_in(seed, start, end) == plain_sentences_in(seed, start, end)


def test_a_range_starting_inside_a_run_of_marks_does_not_split_there() -> None:
    from tui.core.segment import sentences_in

    assert sentences_in("a.. B", 2, 5) == plain_sentences_in("a.. B", 2, 5) == [(2, 5)]  # hypothesis found it


def test_on_a_blank_line_between_paragraphs_the_paragraph_is_the_one_after() -> None:
    """The walk back took the paragraph before and the search forward the one after: `p` on a blank
    line selected both, and `s` a sentence running across the gap."""
    text = "First para. Ms. Li said a\n\nSimmons said more. Then.\n\nThird.\n\n"
    gap = text.index("\n\nSimmons") + 1
    assert paragraph_at(text, gap) == (gap + 1, gap + 1 + len("Simmons said more. Then."))
    assert text[slice(*sentence_at(text, gap))] == "Simmons said more."
    assert paragraph_at(text, gap - 1) == (0, gap - 1)  # the end of the line before: its own paragraph
    assert text[slice(*paragraph_at(text, len(text)))] == "Third."  # trailing blank lines: the last one


TEXT_PIECES = st.lists(st.sampled_from(["Ms. Li", "said", "a.", "B", " ", "\n", "\n\n", " \n \n", "x"]), max_size=30)


@given(TEXT_PIECES, st.data())
@settings(max_examples=300, deadline=None)
def test_a_paragraph_never_spans_a_blank_line_and_the_brief_finds_sentences_in_any_order(pieces, data) -> None:
    from tui.core.brief import Sentences

    text = "".join(pieces)
    offsets = data.draw(st.lists(st.integers(0, len(text)), max_size=8))
    for offset in offsets:
        start, end = paragraph_at(text, offset)
        assert not re.search(r"\n[ \t]*\n", text[start:end])
    asked = Sentences(text)
    for offset in offsets:
        assert asked.at(offset) == Sentences(text).at(offset)  # the same, whatever was asked before
