"""Where a document's annotation files live, and who the annotator is."""

from __future__ import annotations

import os
import re
import subprocess
import unicodedata
from pathlib import Path

from tui.core.errors import InputError
from tui.core.safe_text import shown_line
from tui.core.tags import CONFIG_NAME

ANNOTATIONS_DIR = "annotations"
GOLD = "gold"  # the adjudicated layer's file name

# Annotator names are file names as they are: one name, one file, on every platform. Letters,
# digits, '.', '_' and '-' (the characters layer files have always been named with), so no name
# is ever rewritten or cut, and two names never share a file.
MAX_NAME = 64
NAME_RULE = (f"an annotator name is 1 to {MAX_NAME} ASCII letters, digits, '.', '_' or '-', "
             f"starting with a letter, digit or '_'")
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}


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


def layer_key(document: Path) -> str:
    """The document's annotations folder under annotations/: its path from the project root, less
    a `.txt` suffix (`seeds/2005/report.txt` -> `seeds/2005/report`), so two documents never share
    one. Other suffixes stay (`notes.md` -> `notes.md`), so report.txt and report.md do not meet."""
    relative = relative_path(document)
    return relative[: -len(".txt")] if relative.endswith(".txt") else relative


def layer_dir(document: Path, override: Path | None = None) -> Path:
    return annotations_dir(document, override) / layer_key(document)


def legacy_layer_dir(document: Path, override: Path | None = None) -> Path | None:
    """Where layers lived before they were keyed by path (annotations/<stem>/), if elsewhere."""
    legacy = annotations_dir(document, override) / document.stem
    return None if legacy == layer_dir(document, override) else legacy


def legacy_layer_path(document: Path, annotator: str, override: Path | None = None) -> Path | None:
    """This annotator's file in the old layout, if it is there, belongs to this document and has
    no file in the new one: it is read from there and moved on the next save."""
    legacy = legacy_layer_dir(document, override)
    if legacy is None or layer_path(document, annotator, override).exists():
        return None
    candidate = legacy / f"{annotator}.json"  # a checked name: its file, never rewritten
    return candidate if candidate.is_file() and _legacy_belongs(candidate, document) else None


def _legacy_belongs(path: Path, document: Path) -> bool:
    """Whether an old-layout file was made on this document: its recorded path (if any) is its own."""
    from tui.core.layer_summary import read_summary

    recorded = read_summary(path).path
    return not recorded or recorded == relative_path(document)


def layer_path(document: Path, annotator: str, override: Path | None = None) -> Path:
    """The annotator's file; `annotator` must be a checked name (`check_annotator`), or `GOLD`."""
    if annotator != GOLD:
        check_annotator(annotator)
    return layer_dir(document, override) / f"{annotator}.json"


def layer_files(document: Path, override: Path | None = None) -> dict[str, Path]:
    """Every layer on disk for the document, annotator name -> file, gold excluded (old-layout
    files that belong to it included, until their next save moves them)."""
    return {name: path for name, path in all_layer_files(document, override).items() if name != GOLD}


def all_layer_files(document: Path, override: Path | None = None) -> dict[str, Path]:
    """Every layer on disk for the document, gold included, annotator name -> file."""
    files: dict[str, Path] = {}
    legacy = legacy_layer_dir(document, override)
    if legacy is not None and legacy.is_dir():
        files.update((p.stem, p) for p in legacy.glob("*.json") if _legacy_belongs(p, document))
    folder = layer_dir(document, override)
    if folder.is_dir():
        files.update((p.stem, p) for p in folder.glob("*.json") if p.is_file())
    return dict(sorted(files.items()))


def check_annotator(name: str, *, gold: bool = False) -> str:
    """`name` if it names one annotator's file, else InputError (one line: what is wrong, what is allowed).

    `gold` is the review's layer: only the review (and commands that read or re-anchor layers)
    may pass `gold=True`.
    """
    what = f"annotator name {shown_line(name)!r}"
    if not name.strip():
        problem = "--annotator needs a name"
    elif name in (".", ".."):
        problem = f"{what} is a folder, not a name"
    elif not name.isprintable() or any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        problem = f"{what} holds control characters"
    elif "/" in name or "\\" in name:
        problem = f"{what} holds a path separator"
    elif len(name) > MAX_NAME:
        problem = f"annotator name of {len(name)} characters is longer than {MAX_NAME}"
    elif not _NAME.fullmatch(name):
        bad = sorted({c for c in name if not re.fullmatch(r"[A-Za-z0-9._-]", c)})
        problem = (f"{what} holds {' '.join(repr(c) for c in bad)}" if bad
                   else f"{what} starts with {name[0]!r}")
    elif name.casefold() in _WINDOWS_DEVICES:
        problem = f"{what} is a device name on Windows, where its file could not be written"
    elif name.casefold() == GOLD and not gold:
        raise InputError(f"{what} is the review's layer: annotate under your own name and adjudicate "
                         f"into gold with `hedgerow review`")
    else:
        return name
    raise InputError(f"{problem}: {NAME_RULE}")


def check_layer_name_free(folder: Path, annotator: str) -> None:
    """Refuse a name that differs only in case from an existing layer's: on a case-insensitive
    file system (macOS, Windows) both would be one file."""
    try:
        others = [p.stem for p in folder.glob("*.json")]
    except OSError:
        return
    clashes = [other for other in others if other != annotator and other.casefold() == annotator.casefold()]
    if clashes:
        raise InputError(f"annotator name {annotator!r} differs only in case from the existing layer "
                         f"{clashes[0]!r}, which some file systems treat as the same file; use {clashes[0]!r}")


def safe_name(name: str) -> str:
    """A name derived from a person's name (git's user.name, the login): accents dropped, runs of
    other characters as '-'. Only for the default annotator; names given are checked, never changed."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name.strip()).strip("-.")


def default_annotator() -> str:
    """HEDGEROW_ANNOTATOR or the user config's `annotator`, else git config user.name, else the
    login name, made into an annotator name (see `safe_name`); refused rather than cut."""
    from tui.core.user_files import configured_annotator

    configured = configured_annotator()
    if configured:
        return _derived(configured)
    try:
        result = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5)
        name = result.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    if not name:
        try:
            import getpass  # only when no annotator is given or configured

            name = getpass.getuser()
        except (OSError, KeyError):
            name = os.environ.get("USER", "")
    return _derived(name)


def _derived(name: str) -> str:
    """A default annotator name from a person's name (`safe_name`), checked; refused, not cut, if too long."""
    derived = safe_name(name) or "annotator"
    try:
        return check_annotator(derived)
    except InputError as error:
        raise InputError(f"{error} (derived from {shown_line(name)!r}, the configured, git or login name: "
                         f"pass --annotator NAME)") from None


def resolve_annotator(name: str | None, *, gold: bool = False) -> str:
    """The annotator: `name` as given (checked, never changed), else the default."""
    if name is None:
        return default_annotator()
    return check_annotator(name, gold=gold)


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


EXPORTS_GITIGNORE = b"# Written by hedgerow: exports and reports, made again at will. Git ignores this folder.\n*\n"


def ignored_exports_dir(document: Path) -> Path:
    """`exports_dir`, given a `.gitignore` of its own if it has none: git ignores it in an analyst's
    repository too, not only in hedgerow's (whose .gitignore lists exports/). Raises StoreError."""
    from tui.core.atomic import atomic_write_bytes

    folder = exports_dir(document)
    if not (folder / ".gitignore").exists():
        atomic_write_bytes(folder / ".gitignore", EXPORTS_GITIGNORE)
    return folder
