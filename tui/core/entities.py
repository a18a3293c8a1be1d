"""The entities already used in a layer, and which of them best matches a name.

An actor's entity is its canonical name ("Robert Simmons" for "Simmons", "Ambassador Simmons");
an actor without one counts under its quote. Matching is for offering choices, best first: a
name whose words hold all the query's words ranks first, then shared words, then similar spelling.
"""

from __future__ import annotations

from collections import Counter
from difflib import SequenceMatcher

from tui.core.layer import Layer

ACTOR = "actor"


def known_entities(layer: Layer, actor_tag: str = ACTOR) -> Counter[str]:
    """How many actors carry each entity (their quote, when they have none)."""
    from tui.core.brief import annotations_of  # reads a Layer's rows without making annotations or spans

    return Counter(annotations_of(layer, [actor_tag])[actor_tag].names())


def _words(text: str) -> set[str]:
    return {word.strip(".,;:'’\"“”()").casefold() for word in text.split()} - {""}


def score(query: str, name: str) -> float:
    """0 (nothing alike) to 3 (the same name, ignoring case and spacing)."""
    q, n = " ".join(query.split()).casefold(), " ".join(name.split()).casefold()
    if not q:
        return 0.0
    if q == n:
        return 3.0
    query_words, name_words = _words(q), _words(n)
    shared = len(query_words & name_words)
    if (query_words and query_words <= name_words) or (name_words and name_words <= query_words):
        return 2.0 + shared / max(len(query_words | name_words), 1) / 2
    return shared / max(len(query_words | name_words), 1) + SequenceMatcher(None, q, n).ratio() / 2


def ranked(query: str, names: Counter[str] | list[str], limit: int = 50) -> list[str]:
    """`names`, best match for `query` first (more mentions first among equals); all of them when
    `query` is empty, the most mentioned first."""
    counts = names if isinstance(names, Counter) else Counter(names)
    order = sorted(counts, key=lambda name: (-score(query, name), -counts[name], name.casefold()))
    return order[:limit]


def best_match(query: str, names: Counter[str], exclude: str = "") -> str | None:
    """The entity a new mention most likely names, if any is alike enough (not the mention itself):
    else the one entity that shares a capitalised word with it ("Ambassador Simmons" and "Robert
    Simmons": one word of three in common scored too low), where no other does."""
    candidates = [name for name in ranked(query, names, limit=5) if name != exclude]
    found = next((name for name in candidates if score(query, name) >= 1.0), None)
    if found is not None:
        return found
    capitalised = _capitalised(query)
    sharing = [name for name in names if name != exclude and capitalised & _capitalised(name)] if capitalised else []
    return sharing[0] if len(sharing) == 1 else None


def _capitalised(text: str) -> set[str]:
    return {word.casefold() for word in (w.strip(".,;:'’\"“”()") for w in text.split()) if word[:1].isupper()}
