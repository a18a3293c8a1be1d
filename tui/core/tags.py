"""The codebook: tags with colour, key and description, and the project's `hedgerow.toml`.

A config file looks like:

    [[tags]]
    name = "actor"
    key = "1"
    colour = "#5fafff"
    description = "Who acts or speaks: a person, state or organisation."

    [[relations]]     # how annotations link: a commitment `by` an actor
    name = "by"
    from = "commitment"
    to = "actor"
    description = "Who makes the commitment."

    [keys]            # binding id = keys, to remap the TUI's keys
    "app.search" = "slash,ctrl+f"

Without `[[relations]]` the default relations whose tags the codebook has apply (`by`:
commitment -> actor, `hedges`: hedge -> commitment); with it, exactly those listed. The brief reads
the relations named `by` and `hedges`, or those given `role = "by"` / `role = "hedges"`: a codebook
of claims softened by hedges has `name = "softens", from = "hedge", to = "claim", role = "hedges"`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.color import Color, ColorParseError

from tui.core.errors import InputError

CONFIG_NAME = "hedgerow.toml"
FALLBACK_COLOUR = "#a8a8a8"  # for tags found in files but missing from the codebook
TAG_FIELDS = {"name", "key", "colour", "color", "description"}
RELATION_FIELDS = {"name", "from", "to", "description", "role"}
BRIEF_ROLES = ("by", "hedges")  # what the brief sums up: a commitment `by` an actor, a hedge that `hedges` it
TOP_LEVEL = {"tags", "keys", "relations"}


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
class Relation:
    """A kind of link from an annotation tagged `source` to one tagged `target`."""

    name: str
    source: str
    target: str
    description: str = ""
    role: str = ""  # "by" or "hedges": what it is to the brief, when its name is not that (BRIEF_ROLES)

    def fits(self, source_tag: str, target_tag: str) -> bool:
        return source_tag == self.source and target_tag == self.target


DEFAULT_RELATIONS = (
    Relation("by", "commitment", "actor", "Who makes the commitment."),
    Relation("hedges", "hedge", "commitment", "The hedge qualifies the commitment."),
)


@dataclass(frozen=True)
class Relations:
    relations: tuple[Relation, ...] = DEFAULT_RELATIONS

    def __iter__(self) -> Iterator[Relation]:
        return iter(self.relations)

    def __len__(self) -> int:
        return len(self.relations)

    def __contains__(self, name: object) -> bool:
        return any(r.name == name for r in self.relations)

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.relations]

    def get(self, name: str) -> Relation | None:
        return next((r for r in self.relations if r.name == name), None)

    def playing(self, role: str) -> Relation | None:
        """The relation the brief reads as `role` ("by" or "hedges"): the one the codebook gives that
        role, else the one of that name, unless it was given another role."""
        explicit = next((r for r in self.relations if r.role == role), None)
        if explicit is not None:
            return explicit
        named = self.get(role)
        return named if named is not None and not named.role else None

    def fitting(self, source_tag: str, target_tag: str) -> list[Relation]:
        """The relations a link from a `source_tag` annotation to a `target_tag` one can have."""
        return [r for r in self.relations if r.fits(source_tag, target_tag)]

    def between(self, first_tag: str, second_tag: str) -> tuple[Relation, bool] | None:
        """The first relation fitting the two tags either way round, and whether it runs second -> first."""
        for relation in self.relations:
            if relation.fits(first_tag, second_tag):
                return relation, False
            if relation.fits(second_tag, first_tag):
                return relation, True
        return None


@dataclass(frozen=True)
class Config:
    """A project's settings: its codebook (tags, relations) and its key remappings (binding id -> keys)."""

    tags: TagSet = field(default_factory=TagSet)
    keys: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    relations: Relations = field(default_factory=Relations)


def check_keys(config: Config, known: Collection[str]) -> None:
    """InputError, naming the config file, for a [keys] entry that names no binding (`known`: the ids
    the TUI has) or that gives a binding a key of the codebook's tags: a typo was ignored without a
    word, and `"app.quit" = "1"` made the tag key 1 quit."""
    where = str(config.path or "hedgerow.toml")
    for binding_id, value in config.keys.items():
        if binding_id not in known:
            raise InputError(f"{where}: [keys] names no binding {binding_id!r} "
                             f"(the ids are in the README's key table, e.g. \"app.search\")")
        tag_keys = {tag.key: tag.name for tag in config.tags if tag.key}
        if binding_id.split(".")[-1].startswith("tag_"):
            continue  # a tag key itself, moved
        for key in (part.strip() for part in value.split(",")):
            if key in tag_keys:
                raise InputError(f"{where}: [keys] {binding_id} = {value!r} takes key {key}, "
                                 f"which tags {tag_keys[key]}")


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
        raise InputError(f"{where}: unknown section(s) {', '.join(sorted(unknown))} "
                         f"(allowed: tags, relations, keys)")
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
    return Config(TagSet(tags), dict(keys), relations=_parse_relations(data, TagSet(tags), where))


def _parse_relations(data: dict[str, Any], tags: TagSet, where: str) -> Relations:
    if "relations" not in data:
        return Relations(tuple(r for r in DEFAULT_RELATIONS if r.source in tags and r.target in tags))
    entries = data["relations"]
    if not isinstance(entries, list):
        raise InputError(f"{where}: 'relations' must be an array of tables ([[relations]])")
    relations = tuple(_parse_relation(entry, i, tags, where) for i, entry in enumerate(entries))
    names = [r.name for r in relations]
    for name in names:
        if names.count(name) > 1:
            raise InputError(f"{where}: duplicate relation name {name!r}")
    roles = [r.role for r in relations if r.role]
    for role in roles:
        if roles.count(role) > 1:
            raise InputError(f"{where}: two relations have the role {role!r} (the brief reads one)")
    made = Relations(relations)
    by, hedges = made.playing("by"), made.playing("hedges")
    if by is not None and hedges is not None and hedges.target != by.source:
        raise InputError(f"{where}: relation {hedges.name!r} ({hedges.source} → {hedges.target}) must point to "
                         f"the tag relation {by.name!r} starts from ({by.source}): the brief lists each "
                         f"{by.source} with what hedges it")
    return made


def _parse_relation(entry: object, index: int, tags: TagSet, where: str) -> Relation:
    if not isinstance(entry, dict):
        raise InputError(f"{where}: relations[{index}] must be a table with name, from, to, description, role")
    unknown = set(entry) - RELATION_FIELDS
    if unknown:
        raise InputError(f"{where}: relations[{index}] has unknown field(s) {', '.join(sorted(unknown))} "
                         f"(allowed: name, from, to, description, role)")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip() or name != name.strip() or any(c.isspace() for c in name):
        raise InputError(f"{where}: relations[{index}] needs a 'name' of one word, e.g. \"by\"")
    ends = []
    for end in ("from", "to"):
        tag = entry.get(end)
        if not isinstance(tag, str):
            raise InputError(f"{where}: relation {name!r} needs '{end}', the name of a tag")
        if tag not in tags:
            raise InputError(f"{where}: relation {name!r} names an unknown tag {tag!r} in '{end}' "
                             f"(the tags are {', '.join(tags.names)})")
        ends.append(tag)
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise InputError(f"{where}: relation {name!r} has a description that is not a string")
    role = entry.get("role", "")
    if role not in ("", *BRIEF_ROLES):
        raise InputError(f"{where}: relation {name!r} has an unknown role {role!r} "
                         f"(the brief's roles are {' and '.join(BRIEF_ROLES)})")
    if role and ends[0] == ends[1]:
        raise InputError(f"{where}: relation {name!r} has the role {role!r} but links a tag to itself")
    return Relation(name, ends[0], ends[1], description, role)


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
    if not raw.replace(b"\r\n", b"\n").strip(b" \t\n"):
        return Config(path=path)  # an empty hedgerow.toml marks a project's root: the defaults, no parser
    import tomllib  # here: ~4 ms, before the first frame of a project whose config is empty

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not valid UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: invalid TOML: {error}") from None
    config = parse_config(data, str(path))
    return Config(config.tags, config.keys, path, config.relations)
