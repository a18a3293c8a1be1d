"""Re-anchoring annotations after their document's text changed."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from tui.core.anchoring import THRESHOLD, WINDOW, Anchor, anchor, anchor_all, quote_holds
from tui.core.anchoring import AnchorStatus as Status
from tui.core.annotation import Annotation
from tui.core.document import normalise, text_hash

# From seeds/kazakhstan-nato-partnership-edm-2005.txt (Eurasia Daily Monitor, 2005).
TEXT = normalise(
    "Kazakhstan has taken further steps towards strengthening its partnership with the NATO Alliance, "
    "as part of its ongoing strategy aimed at improving its domestic and regional security while balancing "
    "its relations with the United States, Russia, and China. During a visit to Kazakhstan in early October, "
    "Ambassador Robert Simmons, Special Representative of the NATO Secretary-General for the Caucasus and "
    "Central Asia, denied any need or existing plans for NATO bases in Kazakhstan or elsewhere in the Caspian "
    "region.\n\n"
    "Though Ambassador Simmons evidently took the opportunity to downplay fears in Kazakhstan relating to its "
    "increasingly positive ties with the Alliance, seemingly ruling out the possibility of NATO forces being "
    "deployed to Kazakhstan in the foreseeable future, in many ways his trip has in fact secured an "
    "unprecedented level of practical cooperation with the Alliance. Behind the scenes, Simmons held "
    "forthright talks with Army General Mukhtar Altynbayev, Kazakhstan’s defense minister, exploring "
    "cooperation in defense, international and regional cooperation, and modernizing the Kazakh armed forces."
)
QUOTE = "unprecedented level of practical cooperation"


def ann(text: str, phrase: str, nth: int = 0) -> Annotation:
    """An annotation on the nth occurrence of `phrase` in `text`."""
    start = [m.start() for m in re.finditer(re.escape(phrase), text)][nth]
    return Annotation.create(text, start, start + len(phrase), "commitment", document=text_hash(text), annotator="t")


def check(result: Anchor, text: str, status: Status, start: int | None, quote: str | None) -> None:
    """`result` has `status` at `start`, and relocating it gives `quote` as the text at its offsets."""
    assert result.status is status
    assert result.start == start
    if status is Status.ORPHAN:
        assert result.end is None and result.score == 0.0
        with pytest.raises(ValueError, match="orphan"):
            result.relocated(text, text_hash(text))
        return
    moved = result.relocated(text, text_hash(text))
    assert (moved.start, moved.end, moved.quote) == (start, start + len(quote), quote)
    assert moved.quote == text[moved.start : moved.end]
    assert moved.prefix == text[max(0, start - 32) : start] and moved.suffix == text[moved.end : moved.end + 32]
    assert moved.document == text_hash(text)
    assert (moved.id, moved.tag, moved.note) == (result.annotation.id, result.annotation.tag, result.annotation.note)
    if status in (Status.HOLDS, Status.MOVED):
        assert result.score == 1.0
    else:
        assert THRESHOLD <= result.score < 1.0


def test_unchanged_text_holds_and_relocating_changes_nothing():
    a = ann(TEXT, QUOTE)
    result = anchor(TEXT, a)
    check(result, TEXT, Status.HOLDS, a.start, QUOTE)
    assert result.relocated(TEXT, a.document) is a  # same hash and context: not even `modified` moves


def test_holds_after_edits_after_the_quote_but_context_is_refreshed():
    a = ann(TEXT, QUOTE)
    new = TEXT.replace("Behind the scenes", "Privately")
    result = anchor(new, a)
    check(result, new, Status.HOLDS, a.start, QUOTE)
    assert result.relocated(new, text_hash(new)).suffix.startswith(" with the Alliance. Privately")


def test_insertion_before_the_quote_moves_it():
    a = ann(TEXT, QUOTE)
    inserted = "Editor’s note: this article was updated on 12 October 2005.\n\n"
    new = inserted + TEXT
    check(anchor(new, a), new, Status.MOVED, a.start + len(inserted), QUOTE)


def test_deletion_before_the_quote_moves_it():
    a = ann(TEXT, QUOTE)
    cut = "Though Ambassador Simmons evidently took the opportunity to downplay fears in Kazakhstan"
    new = TEXT.replace(cut, "Simmons sought to calm fears in Kazakhstan")
    shift = len("Simmons sought to calm fears in Kazakhstan") - len(cut)
    check(anchor(new, a), new, Status.MOVED, a.start + shift, QUOTE)


def test_edit_in_the_context_still_moves_it_and_takes_the_new_context():
    a = ann(TEXT, QUOTE)
    new = TEXT.replace("has in fact secured an unprecedented", "has secured an unprecedented")
    result = anchor(new, a)
    check(result, new, Status.MOVED, a.start - len("in fact "), QUOTE)
    assert result.relocated(new, "h").prefix.endswith("trip has secured an ")


@pytest.mark.parametrize(
    "edited",
    [
        "unprecedented level of close practical cooperation",  # insertion inside
        "unprecedented level of pragmatic cooperation",  # a word replaced
        "unprecedented levels of practical co-operation",  # spelling changes
        "Unprecedented level of practical cooperation",  # the first letter: kept, as the length nearest the quote's
    ],
)
def test_edit_inside_the_quote_is_fuzzy(edited):
    a = ann(TEXT, QUOTE)
    new = TEXT.replace(QUOTE, edited)
    check(anchor(new, a), new, Status.FUZZY, a.start, edited)


def test_edit_inside_the_quote_after_an_insertion_before_it_is_fuzzy():
    a = ann(TEXT, QUOTE)
    inserted, edited = "(Updated.) ", "unprecedented level of pragmatic cooperation"
    new = inserted + TEXT.replace(QUOTE, edited)
    check(anchor(new, a), new, Status.FUZZY, a.start + len(inserted), edited)


def test_fuzzy_match_beyond_the_window_is_found_in_the_whole_text():
    a = ann(TEXT, QUOTE)
    padding, edited = "Background material. " * (2 * WINDOW // 21), "unprecedented level of pragmatic cooperation"
    new = padding + TEXT.replace(QUOTE, edited)
    check(anchor(new, a), new, Status.FUZZY, a.start + len(padding), edited)


def test_edit_at_the_edge_of_the_quote_is_fuzzy_and_overlaps_the_new_phrase():
    a = ann(TEXT, QUOTE)
    edited = "remarkable level of practical cooperation"
    new = TEXT.replace(QUOTE, edited)
    result = anchor(new, a)
    at = new.index(edited)
    assert result.status is Status.FUZZY
    # The edges of an edited word are ambiguous ("an remarkable" is nearer "unprecedented"), the rest is not.
    assert abs(result.start - at) <= 4 and result.end == at + len(edited)
    assert result.relocated(new, "h").quote == new[result.start : result.end]


def test_too_many_edits_inside_the_quote_make_an_orphan():
    a = ann(TEXT, QUOTE)  # 44 characters: at most 11 edits
    new = TEXT.replace(QUOTE, "unheard-of degree of hands-on collaboration")
    check(anchor(new, a), new, Status.ORPHAN, None, None)


def test_edits_are_allowed_up_to_a_quarter_of_the_quote():
    a = ann(TEXT, QUOTE)  # 44 characters: at most 11 edits

    def hashed(count: int) -> str:  # `count` substitutions by a character found nowhere else
        return "".join("#" if i % 3 == 1 and i // 3 < count else c for i, c in enumerate(QUOTE))

    new = TEXT.replace(QUOTE, hashed(11))
    check(anchor(new, a), new, Status.FUZZY, a.start, hashed(11))
    new = TEXT.replace(QUOTE, hashed(12))
    check(anchor(new, a), new, Status.ORPHAN, None, None)


@pytest.mark.parametrize("offset", [0x100, 0x10000])
def test_characters_are_compared_whole_not_by_their_low_byte(offset):
    a = ann(TEXT, QUOTE)
    lookalike = "".join(chr(ord(c) + offset) for c in QUOTE)  # same low byte, different character
    new = TEXT.replace(QUOTE, lookalike)
    check(anchor(new, a), new, Status.ORPHAN, None, None)


def test_near_quote_in_unrelated_context_is_rejected_by_the_score():
    a = ann(TEXT, QUOTE)
    sentence = TEXT[TEXT.index("Though") :]
    new = TEXT.replace(sentence, "Analysts praised the unprecedented level of pragmatic cooperation among officials.")
    check(anchor(new, a), new, Status.ORPHAN, None, None)
    new = TEXT.replace(sentence, "Analysts praised the unprecedented level of practical co-operation among officials.")
    check(anchor(new, a), new, Status.ORPHAN, None, None)  # even with one edit: neither side of the context agrees
    # The same near quote keeping one side of its context is found.
    edited = "unprecedented level of pragmatic cooperation"
    new = TEXT.replace(QUOTE + " with the Alliance. Behind the scenes", edited + ", officials noted. Meanwhile")
    check(anchor(new, a), new, Status.FUZZY, a.start, edited)


def test_quote_deleted_entirely_is_an_orphan():
    a = ann(TEXT, QUOTE)
    new = TEXT.replace(" in many ways his trip has in fact secured an " + QUOTE, "")
    check(anchor(new, a), new, Status.ORPHAN, None, None)
    check(anchor("", a), "", Status.ORPHAN, None, None)


def test_quotes_shorter_than_four_characters_are_never_fuzzy():
    text = "At the summit Mr Lee met Ms Kim and Mr Abe."
    new = text.replace("Lee", "Li").replace("Kim", "Kin")
    assert anchor(new, ann(text, "Lee")).status is Status.ORPHAN  # 3 characters: no edit allowed
    assert anchor(new, ann(text, "Ms Kim")).status is Status.FUZZY  # 6 characters: one edit allowed


def test_repeated_quote_prefers_context_over_distance():
    a = ann(TEXT, "with the Alliance", nth=1)  # "...practical cooperation with the Alliance. Behind..."
    inserted = "Moscow had long watched, with growing unease, his many dealings with the Alliance. "
    at = TEXT.index("in many ways")
    new = TEXT[:at] + inserted + TEXT[at:]
    nearer = new.index("with the Alliance", at)  # the inserted copy is nearer the old offset...
    assert abs(nearer - a.start) < len(inserted)
    check(anchor(new, a), new, Status.MOVED, a.start + len(inserted), "with the Alliance")  # ...but context wins


def test_repeated_quote_with_equal_context_takes_the_nearest():
    text = "The talks went well. " * 12
    a = ann(text, "went well", nth=6)
    for inserted in ("So: ", "Today, so far: "):  # shifted by 4 and by 15 characters; the period is 21
        new = inserted + text
        starts = [m.start() for m in re.finditer("went well", new)]
        nearest = min(starts, key=lambda s: abs(s - a.start))
        check(anchor(new, a), new, Status.MOVED, nearest, "went well")
    assert nearest != a.start + len("Today, so far: ")  # nearest is the rule, even against the true shift


UNICODE = normalise(
    "Re\u0301sume\u0301 of the talks 👍🏽: 哈萨克斯坦与北约的伙伴关系继续深化，双方同意加强合作。"
    "The caf\u00e9 in Almaty 🇰🇿 hosted the me\u0301dia brief; Ålesund sent greetings."
)


def test_text_is_nfc_so_combining_marks_are_single_code_points():
    assert "Résumé" in UNICODE and "média" in UNICODE and "\u0301" not in UNICODE


CJK, MIXED = "哈萨克斯坦与北约的伙伴关系", "Almaty 🇰🇿 hosted the média"
MIXED2 = "Almaty 🇰🇿🇰🇿 hosted the media"


@pytest.mark.parametrize(
    "quote, change, status, expected",
    [
        (CJK, lambda t: t, Status.HOLDS, CJK),
        (CJK, lambda t: "🇰🇿🇰🇿 " + t, Status.MOVED, CJK),
        (MIXED, lambda t: normalise("e\u0301te\u0301 👍🏽 ") + t, Status.MOVED, MIXED),
        # The document re-saved decomposed (NFD) is NFC again once loaded, so offsets agree.
        (MIXED, lambda t: normalise(unicodedata.normalize("NFD", "Note: " + t)), Status.MOVED, MIXED),
        (CJK, lambda t: "🇰🇿 " + t.replace("北约", "北約"), Status.FUZZY, "哈萨克斯坦与北約的伙伴关系"),
        (MIXED, lambda t: t.replace("🇰🇿", "🇰🇿🇰🇿").replace("média", "media"), Status.FUZZY, MIXED2),
        (CJK, lambda t: t.replace(CJK, ""), Status.ORPHAN, None),
    ],
)
def test_unicode_offsets_are_code_points(quote, change, status, expected):
    a = ann(UNICODE, quote)
    new = change(UNICODE)
    start = None if expected is None else new.index(expected)
    check(anchor(new, a), new, status, start, expected)


def test_quote_holds():
    a = ann(TEXT, QUOTE)
    assert quote_holds(TEXT, a)
    assert not quote_holds("x" + TEXT, a)
    assert not quote_holds(TEXT[: a.end - 1], a)  # the text now ends inside the span


def test_anchor_all_keeps_the_given_order_and_reaches_every_status():
    quotes = ["Robert Simmons", QUOTE, "Caspian region", "Kazakh armed forces"]
    annotations = [ann(TEXT, q) for q in reversed(quotes)]
    new = "Updated. " + TEXT.replace("practical", "pragmatic").replace(" or elsewhere in the Caspian region", "")
    results = anchor_all(new, annotations)
    assert [r.annotation for r in results] == annotations
    assert [r.status for r in results] == [Status.MOVED, Status.ORPHAN, Status.FUZZY, Status.MOVED]
    assert anchor_all(TEXT, annotations)[0].status is Status.HOLDS
    assert anchor_all(TEXT, []) == []


def test_anchor_all_uses_the_shift_of_earlier_annotations_to_pick_among_equal_copies():
    text = "Minutes of the meeting. " + "The talks went well. " * 12
    first, repeated = ann(text, "Minutes"), ann(text, "went well", nth=6)
    new = "Draft 2, revised: " + text  # 18 characters: the copy 3 characters before is nearer
    assert anchor(new, repeated).start == repeated.start - 3
    results = anchor_all(new, [repeated, first])
    assert [(r.status, r.start) for r in results] == [(Status.MOVED, repeated.start + 18), (Status.MOVED, 18)]


def test_moved_anchors_from_a_layer_equal_anchor_all_without_the_ones_that_hold():
    from tui.core.anchoring import moved_anchors
    from tui.core.layer import Layer

    text = "Minutes of the meeting. " + "The talks went well. " * 12 + TEXT
    made = [ann(text, "Minutes"), ann(text, "went well", nth=6), ann(text, "Robert Simmons"), ann(text, QUOTE)]
    new = "Draft 2, revised: " + text.replace("The talks went well. " * 12, "The talks went well. " * 12 + " ")
    new = new.replace(QUOTE, QUOTE.upper())
    layer = Layer(made, text=text)
    expected = [r for r in anchor_all(new, list(layer)) if r.status is not Status.HOLDS]
    assert [(r.annotation, r.status, r.start) for r in moved_anchors(new, layer)] == \
        [(r.annotation, r.status, r.start) for r in expected]
    assert {r.status for r in expected} == {Status.MOVED, Status.ORPHAN}
    assert list(moved_anchors(text, layer)) == []  # nothing moved: nothing yielded


# A 5 MB text of seeded random words from the paragraph above: quotes of a few words are (almost) unique.
WORDS = [*TEXT.split(), "哈萨克斯坦", "👍🏽", "Résumé"]


@pytest.fixture(scope="module")
def big():
    rng = random.Random(2005)
    text = " ".join(rng.choices(WORDS, k=900_000))[:5_000_000]
    spaces = [m.start() for m in re.finditer(" ", text)]
    sha, annotations = text_hash(text), []
    for i in sorted(rng.sample(range(len(spaces) - 10), 1000)):
        start, end = spaces[i] + 1, spaces[i + rng.randint(2, 6)]
        annotations.append(Annotation.create(text, start, end, "actor", document=sha, annotator="t"))
    return text, annotations


@pytest.mark.parametrize("inserted", ["Preface. ", "Preface. " * 20_000], ids=["within-window", "beyond-window"])
def test_five_megabytes_with_an_insertion_at_the_start_re_anchors_1000_annotations(big, inserted):
    text, annotations = big
    assert len(text) == 5_000_000
    new = inserted + text
    results = anchor_all(new, annotations)
    assert len(results) == 1000
    for a, result in zip(annotations, results, strict=True):
        shifted = (a.start + len(inserted), a.end + len(inserted))
        assert (result.status, result.start, result.end) == (Status.MOVED, *shifted)
        assert result.relocated(new, "h").quote == a.quote


def test_five_megabytes_fuzzy_and_orphan_far_from_the_old_position(big):
    text, annotations = big
    inserted = "Preface. " * 20_000
    a, b = [x for x in annotations if len(x.quote) >= 30][10:12]  # long quotes: unique in the text
    middle = len(a.quote) // 2
    edited = a.quote[:middle] + "#" + a.quote[middle + 1 :]  # one substitution
    new = inserted + text[: a.start] + edited + text[a.end : b.start] + "@" * len(b.quote) + text[b.end :]
    check(anchor(new, a), new, Status.FUZZY, a.start + len(inserted), edited)
    check(anchor(new, b), new, Status.ORPHAN, None, None)


def test_fuzzy_edges_follow_the_context_when_a_word_is_inserted_at_the_edge() -> None:
    text = "Simmons denied any need or existing plans for NATO bases in Kazakhstan."
    a = ann(text, "denied any need")
    new = text.replace("denied any need", "denied any real need")
    found = anchor(new, a)
    assert found.status is Status.FUZZY
    assert new[found.start:found.end] == "denied any real need"  # not the edit-distance cut "denied any re"
