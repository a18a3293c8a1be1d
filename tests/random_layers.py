"""Random annotators' layers of short spans (tags a, b, c), for the review's tests and its bench."""

from __future__ import annotations

import random

from tui.core.annotation import Annotation


def random_layers(rng: random.Random, annotators: int, spans: int, length: int) -> dict[str, list[Annotation]]:
    layers = {}
    for i in range(annotators):
        items = []
        for _ in range(spans):
            start = rng.randrange(length - 1)
            end = min(length, start + rng.randint(1, 12))
            items.append(Annotation(start=start, end=end, quote="x" * (end - start), tag=rng.choice("abc"),
                                    document="", annotator=f"n{i}", created="-"))
        layers[f"n{i}"] = items
    return layers
