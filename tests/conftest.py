"""Shared fixtures: the seed article and a throwaway project that keeps annotations in tmp."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "kazakhstan-nato-partnership-edm-2005.txt"


@pytest.fixture(autouse=True)
def user_files(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's config and cache in a tmp folder: tests never read or write the real ones."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.delenv("HEDGEROW_ANNOTATOR", raising=False)
    monkeypatch.setenv("HEDGEROW_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("HEDGEROW_CACHE", str(home / "cache"))
    return home


@pytest.fixture
def seed_path() -> Path:
    """The seed article in the repository (read it, do not write next to it)."""
    return SEED


@pytest.fixture
def seed_text(seed_path: Path) -> str:
    return seed_path.read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A tmp project root (it has a `.git` folder) holding `seed.txt`, a copy of the seed.

    Its annotations land in `<project>/annotations/`, never in the repository's.
    """
    root = tmp_path / "project"
    root.mkdir()
    (root / ".git").mkdir()
    shutil.copyfile(SEED, root / "seed.txt")
    return root


@pytest.fixture
def project_doc(project: Path) -> Path:
    """The seed's copy inside `project`."""
    return project / "seed.txt"
