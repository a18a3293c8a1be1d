"""Agreement figures checked against hand counts, the `krippendorff` package's alpha, and kappa and
alpha values computed once with scikit-learn and NLTK (tests/data/make_agreement_reference.py says
how; they are kept as numbers so the tests need neither library)."""

from __future__ import annotations

import json
import re
from itertools import combinations
from pathlib import Path

import pytest
from rich.console import Console

from tui.core.agreement import AgreementError, agreement_report, agreement_table, overlap_matches, tokenize
from tui.core.annotation import Annotation

TEXT = (
    "The minister said the government will probably raise pensions next year, "
    "although critics doubt it. Unions may strike if the plan fails."
)


def ann(who: str, phrase: str, tag: str, nth: int = 0, cut: tuple[int, int] = (0, 0)) -> Annotation:
    """An annotation on the nth occurrence of `phrase`, its edges moved by `cut` characters."""
    start = [m.start() for m in re.finditer(re.escape(phrase), TEXT)][nth]
    return Annotation.create(TEXT, start + cut[0], start + len(phrase) + cut[1], tag, document="d", annotator=who)


ALICE = [
    ann("alice", "The minister", "actor"),
    ann("alice", "the government", "actor"),
    ann("alice", "will probably raise pensions next year", "commitment"),
    ann("alice", "probably", "hedge"),
    ann("alice", "critics", "actor"),
    ann("alice", "Unions", "actor"),
    ann("alice", "may", "hedge"),
]
BOB = [
    ann("bob", "The minister", "actor"),  # exact
    ann("bob", "government", "actor"),  # overlaps "the government"
    ann("bob", "raise pensions", "commitment"),  # inside alice's commitment
    ann("bob", "probably", "hedge"),  # exact
    ann("bob", "doubt", "hedge"),  # alice has nothing here
    ann("bob", "Unions", "actor"),  # exact
    ann("bob", "may strike", "hedge"),  # overlaps "may"
    ann("bob", "Unions may strike", "commitment"),  # alice has no commitment here
]
CAROL = [
    ann("carol", "minister", "actor", cut=(2, 0)),  # starts mid-word: "nister"
    ann("carol", "the government will", "actor"),
    ann("carol", "probably raise pensions", "commitment"),
    ann("carol", "probably", "hedge"),
    ann("carol", "critics doubt", "hedge"),
    ann("carol", "the plan", "actor"),
]


# --- independent reference: naive per-token labels, straight from the definition ---


def reference_labels(layer: list[Annotation], tag: str | None = None) -> list[str]:
    """Per token: covered-by-`tag` flag, or "+"-joined covering tags ("O" if none)."""
    out = []
    for m in re.finditer(r"\w+|[^\w\s]", TEXT):
        covering = {a.tag for a in layer if a.start < m.end() and a.end > m.start()}
        out.append(str(tag in covering) if tag else "+".join(sorted(covering)) or "O")
    return out


REFERENCE = json.loads((Path(__file__).parent / "data" / "agreement_reference.json").read_text(encoding="utf-8"))
FIGURES = REFERENCE["figures"]  # scikit-learn's kappa and NLTK's alpha, computed once


def package_alpha(labelled: dict[str, list[str]]) -> float:
    """Nominal alpha from the `krippendorff` package (coders x units, labels as numbers). Imported here:
    numpy with it costs every test worker ~0.2 s to import (~1 s more to compile on a fresh clone),
    and only the workers that run these tests need it."""
    import krippendorff
    import numpy

    values = sorted({label for labels in labelled.values() for label in labels})
    data = numpy.array([[values.index(label) for label in labels] for labels in labelled.values()], dtype=float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def pair(report: dict, a: str, b: str) -> dict:
    return next(p for p in report["pairs"] if (p["a"], p["b"]) == (a, b))


# --- tokenisation ---


def test_tokenize_words_and_punctuation_unicode():
    text = "Naïve café, 42 déjà-vu!\n  Ωμέγα"
    assert [text[s:e] for s, e in tokenize(text)] == ["Naïve", "café", ",", "42", "déjà", "-", "vu", "!", "Ωμέγα"]
    assert tokenize("   \n") == []


# --- F1 against hand counts ---


def test_exact_and_overlap_f1_hand_computed():
    report = agreement_report(TEXT, {"alice": ALICE, "bob": BOB})
    assert report["annotators"] == ["alice", "bob"]
    assert report["tags"] == ["actor", "commitment", "hedge"]
    ab = pair(report, "alice", "bob")
    actor, commitment, hedge = (ab["per_tag"][t] for t in report["tags"])
    # actor: alice 4, bob 3; exact {minister, Unions}; overlap adds government
    assert (actor["spans_a"], actor["spans_b"], actor["exact_matches"], actor["overlap_matches"]) == (4, 3, 2, 3)
    assert actor["exact_f1"] == pytest.approx(4 / 7) and actor["overlap_f1"] == pytest.approx(6 / 7)
    # commitment: alice 1, bob 2; no exact; "raise pensions" overlaps
    assert (commitment["exact_f1"], commitment["overlap_f1"]) == (0.0, pytest.approx(2 / 3))
    # hedge: alice 2, bob 3; exact "probably"; "may"~"may strike" overlaps
    assert hedge["exact_f1"] == pytest.approx(2 / 5) and hedge["overlap_f1"] == pytest.approx(4 / 5)
    overall = ab["overall"]
    counts = (overall["spans_a"], overall["spans_b"], overall["exact_matches"], overall["overlap_matches"])
    assert counts == (7, 8, 3, 6)
    assert overall["exact_f1"] == pytest.approx(6 / 15) and overall["overlap_f1"] == pytest.approx(12 / 15)
    assert report["min_exact_f1"] == pytest.approx(0.4)


def test_overlap_needs_same_tag():
    # bob's "Unions may strike" commitment overlaps alice's actor "Unions" but must not match it
    only = {"alice": [ann("alice", "Unions", "actor")], "bob": [ann("bob", "Unions may strike", "commitment")]}
    overall = agreement_report(TEXT, only)["pairs"][0]["overall"]
    assert overall["overlap_matches"] == 0 and overall["overlap_f1"] == 0.0


def test_overlap_matching_is_one_to_one():
    dup = [ann("alice", "probably", "hedge"), ann("alice", "probably", "hedge")]  # a duplicated span
    report = agreement_report(TEXT, {"alice": dup, "bob": [ann("bob", "will probably", "hedge")]})
    hedge = report["pairs"][0]["per_tag"]["hedge"]
    assert (hedge["exact_matches"], hedge["overlap_matches"]) == (0, 1)
    assert hedge["overlap_f1"] == pytest.approx(2 / 3)
    # exact matching is a multiset too: two vs one identical span is one match
    report = agreement_report(TEXT, {"alice": dup, "bob": [ann("bob", "probably", "hedge")]})
    assert report["pairs"][0]["overall"]["exact_matches"] == 1
    report = agreement_report(TEXT, {"alice": dup, "bob": [ann("bob", "probably", "hedge")] * 2})
    assert report["pairs"][0]["overall"]["exact_matches"] == 2
    assert report["pairs"][0]["overall"]["exact_f1"] == 1.0


def test_overlap_matching_is_maximum_and_symmetric():
    # A first-come pairing of the long span with "probably" would strand the short one: 1 match.
    # The documented rule finds the pairing with 2.
    long_and_short = [(0, 40), (10, 18)]
    other = [(10, 18), (30, 35)]
    assert overlap_matches(long_and_short, other) == 2
    assert overlap_matches(other, long_and_short) == 2
    assert overlap_matches([(0, 5)], [(5, 9)]) == 0  # touching is not overlapping (end is exclusive)
    forward = agreement_report(TEXT, {"alice": ALICE, "bob": BOB})["pairs"][0]
    backward = agreement_report(TEXT, {"alice": BOB, "bob": ALICE})["pairs"][0]
    for key in ("exact_f1", "overlap_f1", "kappa", "alpha"):
        assert forward["overall"][key] == pytest.approx(backward["overall"][key])


# --- kappa and alpha against the krippendorff package and the committed reference values ---

FIXTURES = {
    "alice-bob": {"alice": ALICE, "bob": BOB},
    "three": {"alice": ALICE, "bob": BOB, "carol": CAROL},
    "one-empty": {"alice": ALICE, "bob": []},
    "nested": {"alice": ALICE, "carol": CAROL},
}


@pytest.mark.parametrize("name", FIXTURES)
def test_pairwise_kappa_and_alpha_match_reference_libraries(name):
    layers = FIXTURES[name]
    report = agreement_report(TEXT, layers)
    assert report["tokens"] == len(re.findall(r"\w+|[^\w\s]", TEXT))
    checked = 0
    for a, b in combinations(sorted(layers), 2):
        got = pair(report, a, b)
        for tag, figures in [(None, got["overall"]), *list(got["per_tag"].items())]:
            la, lb = reference_labels(layers[a], tag), reference_labels(layers[b], tag)
            if len(set(la) | set(lb)) < 2:
                continue  # the references return nan / 1 by fiat; covered by the edge-case tests
            reference = FIGURES[f"{name}/{a}/{b}/{tag or '(overall)'}"]
            assert figures["kappa"] == pytest.approx(reference["kappa"], abs=1e-9), (a, b, tag)
            assert figures["alpha"] == pytest.approx(reference["alpha"], abs=1e-9), (a, b, tag)
            assert figures["alpha"] == pytest.approx(package_alpha({a: la, b: lb}), abs=1e-9), (a, b, tag)
            checked += 1
    assert checked >= 4  # the fixtures really exercise several figures
    assert checked == sum(1 for key in FIGURES if key.startswith(f"{name}/") and not key.endswith("/pooled"))


def test_kappa_and_alpha_are_not_trivial():
    ab = agreement_report(TEXT, {"alice": ALICE, "bob": BOB})["pairs"][0]
    assert 0.2 < ab["overall"]["kappa"] < 0.9
    assert 0.2 < ab["overall"]["alpha"] < 0.9 and ab["overall"]["alpha"] != ab["overall"]["kappa"]
    assert agreement_report(TEXT, FIXTURES["one-empty"])["pairs"][0]["overall"]["kappa"] == pytest.approx(0.0)


def test_overall_alpha_three_annotators_matches_the_references():
    layers = FIXTURES["three"]
    report = agreement_report(TEXT, layers)
    assert report["overall_alpha"] == pytest.approx(FIGURES["three/pooled"]["alpha"], abs=1e-9)
    expected = package_alpha({who: reference_labels(layer) for who, layer in layers.items()})
    assert report["overall_alpha"] == pytest.approx(expected, abs=1e-9)
    # three coders is not the mean of the pairs: check it really is pooled
    assert len(report["pairs"]) == 3
    exact = [p["overall"]["exact_f1"] for p in report["pairs"]]
    assert report["min_exact_f1"] == min(exact) < max(exact)
    assert report["overall_alpha"] != pytest.approx(
        sum(p["overall"]["alpha"] for p in report["pairs"]) / 3, abs=1e-6
    )


def test_partial_word_span_covers_the_token():
    # carol's "nister" covers the token "minister"; bob's full "The minister" covers "The" too
    report = agreement_report(TEXT, {"bob": [ann("bob", "minister", "actor")], "carol": [CAROL[0]]})
    assert report["pairs"][0]["overall"]["kappa"] == 1.0
    assert report["pairs"][0]["overall"]["exact_f1"] == 0.0


# --- edge cases ---


def test_fewer_than_two_annotators_is_an_error():
    with pytest.raises(AgreementError, match=r"^agreement needs at least two annotators; found 1: alice$"):
        agreement_report(TEXT, {"alice": ALICE})
    with pytest.raises(ValueError, match="found 0"):
        agreement_report(TEXT, {})


def test_no_annotations_gives_none():
    report = agreement_report(TEXT, {"alice": [], "bob": []}, tags=["hedge"])
    overall, hedge = report["pairs"][0]["overall"], report["pairs"][0]["per_tag"]["hedge"]
    for figures in (overall, hedge):
        assert [figures[k] for k in ("exact_f1", "overlap_f1", "kappa", "alpha")] == [None] * 4
        assert figures["spans_a"] == figures["spans_b"] == 0
    assert report["overall_alpha"] is None and report["min_exact_f1"] is None
    assert agreement_report("", {"alice": [], "bob": []})["tokens"] == 0


def test_given_tags_keep_order_include_unused_and_exclude_others():
    report = agreement_report(TEXT, {"alice": ALICE, "bob": BOB}, tags=["hedge", "source", "actor"])
    assert report["tags"] == ["hedge", "source", "actor"]
    ab = report["pairs"][0]
    assert list(ab["per_tag"]) == ["hedge", "source", "actor"]
    assert ab["per_tag"]["source"]["exact_f1"] is None and ab["per_tag"]["source"]["kappa"] is None
    assert (ab["overall"]["spans_a"], ab["overall"]["spans_b"]) == (6, 6)  # commitments left out


def test_no_tokens_but_spans_gives_f1_and_no_kappa():
    text = " \n  "
    span = Annotation.create(text, 0, 3, "actor", document="d", annotator="alice")
    overall = agreement_report(text, {"alice": [span], "bob": [span]})["pairs"][0]["overall"]
    assert overall["exact_f1"] == 1.0 and overall["kappa"] is None and overall["alpha"] is None


def test_single_label_everywhere_is_perfect_agreement():
    # both cover every token with "actor": chance agreement is 1, reported as 1.0 (kappa's formula
    # gives 0/0 there: scikit-learn says nan)
    whole = {who: [ann(who, TEXT, "actor")] for who in ("alice", "bob")}
    figures = agreement_report(TEXT, whole)["pairs"][0]["per_tag"]["actor"]
    assert figures["kappa"] == 1.0 and figures["alpha"] == 1.0


def test_identical_layers_are_exactly_one():
    twin = [ann("bob", a.quote, a.tag, cut=(0, 0)) for a in ALICE]
    report = agreement_report(TEXT, {"alice": ALICE, "bob": twin, "carol": list(ALICE)},
                              tags=["actor", "hedge", "unused"])
    defined = [
        v
        for p in report["pairs"]
        for figures in [p["overall"], *p["per_tag"].values()]
        for k, v in figures.items()
        if k in ("exact_f1", "overlap_f1", "kappa", "alpha") and v is not None
    ]
    assert len(defined) == 3 * 3 * 4  # 3 pairs x (overall, actor, hedge) x 4 figures; "unused" is n/a
    assert all(v == 1.0 for v in defined)
    assert report["overall_alpha"] == 1.0 and report["min_exact_f1"] == 1.0


# --- output ---


def test_report_is_json_and_table_renders():
    report = agreement_report(TEXT, {"alice": ALICE, "bob": BOB}, tags=["actor", "source"])
    assert json.loads(json.dumps(report)) == report
    console = Console(record=True, width=120)
    console.print(agreement_table(report))
    out = console.export_text()
    assert "alice / bob" in out and "(overall)" in out and "source" in out
    assert "n/a" in out  # the unused tag
    assert f"{4 / 7:.3f}" in out and "4 / 3" in out
