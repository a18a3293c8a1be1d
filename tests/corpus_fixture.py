"""A throwaway project holding a few documents, for the corpus tests."""

from __future__ import annotations

from pathlib import Path


def write_corpus(tmp_path: Path, texts: dict[str, str]) -> Path:
    """A project root (it has .git) under tmp_path holding each relative path with its text."""
    root = tmp_path / "project"
    for relative, text in texts.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / ".git").mkdir()
    return root
