"""The codebook: tags with colour, key and description, and the project's `hedgerow.toml`.

A config file looks like:

    [[tags]]
    name = "actor"
    key = "1"
    colour = "#5fafff"
    description = "Who acts or speaks: a person, state or organisation."

    [keys]            # binding id = keys, to remap the TUI's keys
    "app.search" = "slash,ctrl+f"
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.color import Color, ColorParseError

from tui.core.errors import InputError

CONFIG_NAME = "hedgerow.toml"
FALLBACK_COLOUR = "#a8a8a8"  # for tags found in files but missing from the codebook
TAG_FIELDS = {"name", "key", "colour", "color", "description"}
TOP_LEVEL = {"tags", "keys"}


@dataclass(frozen=True)
class Tag:
    name: str
    colour: str
    key: str = ""
    description: str = ""


DEFAULT_TAGS = (
    Tag("actor", "#5fafff", "1", "Who acts or speaks: a person, state, organisation or group."),
    Tag("commitment", "#87d787", "2", "A pledge, plan or stated intention to act."),
    Tag("hedge", "#ffaf5f", "3", "Hedged or uncertain language: 'appeared to', 'could', 'remains to be tested'."),
)


@dataclass(frozen=True)
class TagSet:
    tags: tuple[Tag, ...] = DEFAULT_TAGS

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", _assign_keys(tuple(self.tags)))  # keyless tags: the free digits

    def __iter__(self) -> Iterator[Tag]:
        return iter(self.tags)

    def __len__(self) -> int:
        return len(self.tags)

    def __contains__(self, name: object) -> bool:
        return any(tag.name == name for tag in self.tags)

    @property
    def names(self) -> list[str]:
        return [tag.name for tag in self.tags]

    def get(self, name: str) -> Tag | None:
        return next((tag for tag in self.tags if tag.name == name), None)

    def by_key(self, key: str) -> Tag | None:
        """The tag on digit key `key` ("1" … "9"), as the codebook's `key` fields say; None if none.

        Both apps' digit keys use this one lookup: a tag's place in the codebook is not its key.
        """
        return next((tag for tag in self.tags if key and tag.key == key), None)

    def colour_of(self, name: str) -> str:
        tag = self.get(name)
        return tag.colour if tag else FALLBACK_COLOUR


@dataclass(frozen=True)
class Config:
    """A project's settings: its codebook and its key remappings (binding id -> keys)."""

    tags: TagSet = field(default_factory=TagSet)
    keys: dict[str, str] = field(default_factory=dict)
    path: Path | None = None


def _parse_tag(entry: object, index: int, where: str) -> Tag:
    if not isinstance(entry, dict):
        raise InputError(f"{where}: tags[{index}] must be a table with name, key, colour, description")
    unknown = set(entry) - TAG_FIELDS
    if unknown:
        raise InputError(f"{where}: tags[{index}] has unknown field(s) {', '.join(sorted(unknown))} "
                         f"(allowed: name, key, colour, description)")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip() or name != name.strip():
        raise InputError(f"{where}: tags[{index}] needs a non-empty 'name' without surrounding spaces")
    colour = entry.get("colour", entry.get("color"))
    if not isinstance(colour, str):
        raise InputError(f"{where}: tag {name!r} needs a 'colour' such as \"#5fafff\" or \"dark_orange\"")
    try:
        Color.parse(colour)
    except ColorParseError:
        raise InputError(f"{where}: tag {name!r} has a bad colour {colour!r} (use #rrggbb or a colour name)") from None
    key = entry.get("key", "")
    if not isinstance(key, str) or (key and key not in "123456789") or len(key) > 1:
        raise InputError(f"{where}: tag {name!r} has a bad key {key!r} (use a digit from \"1\" to \"9\")")
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise InputError(f"{where}: tag {name!r} has a description that is not a string")
    return Tag(name, colour, key, description)


def parse_config(data: dict[str, Any], where: str = CONFIG_NAME) -> Config:
    unknown = set(data) - TOP_LEVEL
    if unknown:
        raise InputError(f"{where}: unknown section(s) {', '.join(sorted(unknown))} (allowed: tags, keys)")
    tags: tuple[Tag, ...] = DEFAULT_TAGS
    if "tags" in data:
        entries = data["tags"]
        if not isinstance(entries, list) or not entries:
            raise InputError(f"{where}: 'tags' must be a non-empty array of tables ([[tags]])")
        tags = tuple(_parse_tag(entry, i, where) for i, entry in enumerate(entries))
        _check_unique(tags, where)
        tags = _assign_keys(tags)
    keys = data.get("keys", {})
    # Key names are printable (ctrl+f, slash): a control character would reach the footer raw.
    if not isinstance(keys, dict) or not all(isinstance(v, str) and v and v.isprintable() and str(k).isprintable()
                                             for k, v in keys.items()):
        raise InputError(f"{where}: [keys] must map binding ids to key strings, e.g. \"app.search\" = \"slash\"")
    return Config(TagSet(tags), dict(keys))


def _check_unique(tags: tuple[Tag, ...], where: str) -> None:
    seen_names: set[str] = set()
    seen_keys: set[str] = set()
    for tag in tags:
        if tag.name in seen_names:
            raise InputError(f"{where}: duplicate tag name {tag.name!r}")
        if tag.key and tag.key in seen_keys:
            raise InputError(f"{where}: duplicate key {tag.key!r} (tag {tag.name!r})")
        seen_names.add(tag.name)
        seen_keys.add(tag.key)


def _assign_keys(tags: tuple[Tag, ...]) -> tuple[Tag, ...]:
    """Give keyless tags the free digits in order, so the first nine tags always have a key."""
    free = [d for d in "123456789" if d not in {t.key for t in tags}]
    result = []
    for tag in tags:
        if not tag.key and free:
            tag = Tag(tag.name, tag.colour, free.pop(0), tag.description)
        result.append(tag)
    return tuple(result)


def load_config(path: Path | None) -> Config:
    """Read a config file; None or a missing project config gives the defaults."""
    if path is None:
        return Config()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such config file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read it ({error.strerror or error})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not valid UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: invalid TOML: {error}") from None
    config = parse_config(data, str(path))
    return Config(config.tags, config.keys, path)
