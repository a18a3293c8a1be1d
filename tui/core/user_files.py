"""The user's own files, outside any project and out of git: a config (who the annotator is) and a
cache (where each document was left). Environment variables point both elsewhere, for tests and
shared machines.

    HEDGEROW_ANNOTATOR   the annotator's name (before the config file and git config user.name)
    HEDGEROW_CONFIG      the config file (default: $XDG_CONFIG_HOME/hedgerow/config.toml)
    HEDGEROW_CACHE       the cache folder (default: $XDG_CACHE_HOME/hedgerow)

The config file holds one setting for now:

    annotator = "alice"
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import tomllib
from pathlib import Path
from typing import Any

from tui.core.errors import HedgerowError, InputError

ANNOTATOR_VARIABLE = "HEDGEROW_ANNOTATOR"
CONFIG_VARIABLE = "HEDGEROW_CONFIG"
CACHE_VARIABLE = "HEDGEROW_CACHE"
CONFIG_FIELDS = {"annotator"}
POSITIONS = "positions.json"
KEPT_POSITIONS = 500  # documents remembered; the oldest are forgotten


def _base(variable: str, fallback: str) -> Path:
    return Path(os.environ.get(variable) or Path.home() / fallback)


def user_config_path() -> Path:
    override = os.environ.get(CONFIG_VARIABLE)
    return Path(override) if override else _base("XDG_CONFIG_HOME", ".config") / "hedgerow" / "config.toml"


def cache_dir() -> Path:
    override = os.environ.get(CACHE_VARIABLE)
    return Path(override) if override else _base("XDG_CACHE_HOME", ".cache") / "hedgerow"


def configured_annotator() -> str | None:
    """HEDGEROW_ANNOTATOR, else the config file's `annotator`, else None. A bad file: InputError."""
    name = os.environ.get(ANNOTATOR_VARIABLE, "").strip()
    if name:
        return name
    path = user_config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read it ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: invalid TOML: {error}") from None
    unknown = set(data) - CONFIG_FIELDS
    if unknown:
        raise InputError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))} (allowed: annotator)")
    name = data.get("annotator", "")
    if not isinstance(name, str):
        raise InputError(f"{path}: annotator must be a string, e.g. annotator = \"alice\"")
    return name.strip() or None


# -- where each document was left ----------------------------------------------------------------

def _position_key(document: Path, annotator: str) -> str:
    return f"{Path(document).resolve()}\n{annotator}"


def _read_positions() -> dict[str, Any]:
    try:
        data = json.loads((cache_dir() / POSITIONS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a cache: missing or damaged is the same as empty
    return data if isinstance(data, dict) else {}


def last_position(document: Path, annotator: str) -> int | None:
    """The cursor offset `annotator` left `document` at, or None."""
    entry = _read_positions().get(_position_key(document, annotator))
    offset = entry.get("offset") if isinstance(entry, dict) else None
    return offset if isinstance(offset, int) and offset >= 0 else None


def remember_position(document: Path, annotator: str, offset: int) -> None:
    """Keep where the cursor is, for the next opening; a failure to write is not worth an error."""
    from tui.core.atomic import atomic_write_bytes

    positions = _read_positions()
    positions[_position_key(document, annotator)] = {"offset": offset, "at": time.time()}
    if len(positions) > KEPT_POSITIONS:
        newest = sorted(positions.items(), key=lambda item: item[1].get("at", 0) if isinstance(item[1], dict) else 0)
        positions = dict(newest[-KEPT_POSITIONS:])
    with contextlib.suppress(HedgerowError):
        atomic_write_bytes(cache_dir() / POSITIONS, json.dumps(positions, indent=1).encode("utf-8"))
