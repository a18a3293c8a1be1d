"""Counts as people write them: "1 annotation", "2 annotations", never "annotation(s)"."""

from __future__ import annotations


def count_of(number: int, noun: str, plural: str = "") -> str:
    """"1 annotation", "2 annotations", "1,000 annotations"; `plural` when adding "s" is wrong."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"
