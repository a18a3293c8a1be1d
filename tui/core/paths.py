"""Where a document's annotation files live, and who the annotator is."""

from __future__ import annotations

import getpass
import os
import re
import subprocess
from pathlib import Path

from tui.core.errors import InputError
from tui.core.tags import CONFIG_NAME

ANNOTATIONS_DIR = "annotations"
GOLD = "gold"  # the adjudicated layer's file name


def project_root(document: Path) -> Path:
    """The nearest ancestor holding hedgerow.toml or .git, else the document's folder."""
    folder = document.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / CONFIG_NAME).is_file() or (candidate / ".git").exists():
            return candidate
    return folder


def relative_path(document: Path) -> str:
    """The document's path from its project root, with forward slashes."""
    try:
        return Path(os.path.relpath(document, project_root(document))).as_posix()
    except ValueError:  # another drive on Windows
        return Path(document).as_posix()


def annotations_dir(document: Path, override: Path | None = None) -> Path:
    return Path(override) if override else project_root(document) / ANNOTATIONS_DIR


def layer_dir(document: Path, override: Path | None = None) -> Path:
    return annotations_dir(document, override) / document.stem


def layer_path(document: Path, annotator: str, override: Path | None = None) -> Path:
    return layer_dir(document, override) / f"{safe_name(annotator)}.json"


def layer_files(document: Path, override: Path | None = None) -> dict[str, Path]:
    """Every layer on disk for the document, annotator name -> file, gold excluded."""
    folder = layer_dir(document, override)
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.json")) if p.stem != GOLD}


def safe_name(name: str) -> str:
    """A name usable as a file name on every platform: letters, digits, '.', '_' and '-'."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name.strip()).strip("-.")
    return cleaned[:64] or "annotator"


def default_annotator() -> str:
    """HEDGEROW_ANNOTATOR or the user config's `annotator`, else git config user.name, else the
    login name, made safe for a file name."""
    from tui.core.user_files import configured_annotator

    configured = configured_annotator()
    if configured:
        return safe_name(configured)
    try:
        result = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5)
        name = result.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    if not name:
        try:
            name = getpass.getuser()
        except (OSError, KeyError):
            name = os.environ.get("USER", "")
    return safe_name(name or "annotator")


def resolve_annotator(name: str | None) -> str:
    if name is None:
        return default_annotator()
    if not name.strip():
        raise InputError("--annotator needs a name")
    return safe_name(name)


def config_path(document: Path, override: Path | None = None) -> Path | None:
    """--tags FILE, else hedgerow.toml at the project root if there is one."""
    if override:
        return Path(override)
    candidate = project_root(document) / CONFIG_NAME
    return candidate if candidate.is_file() else None


EXPORTS_DIR = "exports"  # git-ignored: files written for people and other tools


def exports_dir(document: Path) -> Path:
    """The project's `exports/` folder (git ignores it), where the TUI writes exports and reports."""
    return project_root(document) / EXPORTS_DIR
