"""The codebook: default tags, hedgerow.toml at the project root, --tags FILE, keys, errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tui.cli import main
from tui.core.errors import InputError
from tui.core.paths import config_path
from tui.core.session import Session, SessionOptions
from tui.core.tags import DEFAULT_TAGS, FALLBACK_COLOUR, Config, TagSet, check_keys, load_config, parse_config

CUSTOM = """
[[tags]]
name = "claim"
key = "4"
colour = "#ff0000"
description = "A claim of fact."

[[tags]]
name = "source"
color = "dark_orange"

[[tags]]
name = "doubt"
colour = "#00ff00"

[keys]
"app.search" = "slash,ctrl+f"
"""


def test_defaults() -> None:
    tags = TagSet()
    assert tags.names == ["actor", "commitment", "hedge"]
    assert [(t.name, t.key) for t in tags] == [("actor", "1"), ("commitment", "2"), ("hedge", "3")]
    assert tags.by_key("3").name == "hedge"
    assert tags.by_key("4") is None
    assert "hedge" in tags and "claim" not in tags
    assert tags.colour_of("actor") == "#5fafff"
    assert tags.colour_of("unknown") == FALLBACK_COLOUR
    assert all(t.description for t in tags)
    assert load_config(None) == Config()


def test_session_without_config_uses_defaults(project_doc: Path) -> None:
    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    assert session.tags.tags == DEFAULT_TAGS
    assert session.config.path is None


def test_project_config_is_picked_up(project_doc: Path) -> None:
    config = project_doc.parent / "hedgerow.toml"
    config.write_text(CUSTOM, encoding="utf-8")
    sub = project_doc.parent / "docs" / "deep"
    sub.mkdir(parents=True)
    nested = sub / "nested.txt"
    nested.write_text("Some claim here.\n", encoding="utf-8")
    for doc in (project_doc, nested):
        session = Session.open(doc, SessionOptions(annotator="alice"))
        assert session.tags.names == ["claim", "source", "doubt"]
        assert session.config.path == config
        assert session.config.keys == {"app.search": "slash,ctrl+f"}
    # the nested document's annotations go to the project root's annotations folder, under its path
    assert session.store.path == project_doc.parent / "annotations" / "docs" / "deep" / "nested" / "alice.json"
    annotation = session.add(5, 10, "claim")
    assert annotation.quote == "claim"
    with pytest.raises(InputError, match="unknown tag 'hedge'"):
        session.add(0, 4, "hedge")


def test_tags_option_overrides_project_config(project_doc: Path, tmp_path: Path) -> None:
    (project_doc.parent / "hedgerow.toml").write_text(CUSTOM, encoding="utf-8")
    override = tmp_path / "other.toml"
    override.write_text('[[tags]]\nname = "only"\ncolour = "#123456"\n', encoding="utf-8")
    session = Session.open(project_doc, SessionOptions(annotator="alice", tags=override))
    assert session.tags.names == ["only"]
    assert session.tags.get("only").key == "1"
    assert session.config.path == override
    assert config_path(project_doc, None) == project_doc.parent / "hedgerow.toml"
    assert config_path(project_doc, override) == override


def test_keyless_tags_get_free_digits_in_order() -> None:
    config = parse_config({"tags": [
        {"name": "a", "colour": "red"},
        {"name": "b", "colour": "red", "key": "1"},
        {"name": "c", "colour": "red"},
        {"name": "d", "colour": "red", "key": "3"},
        {"name": "e", "colour": "red"},
    ]})
    assert [(t.name, t.key) for t in config.tags] == [("a", "2"), ("b", "1"), ("c", "4"), ("d", "3"), ("e", "5")]


def test_more_than_nine_tags_leave_the_rest_keyless() -> None:
    config = parse_config({"tags": [{"name": f"t{i}", "colour": "blue"} for i in range(11)]})
    assert [t.key for t in config.tags] == [*"123456789", "", ""]


def test_config_with_only_keys_keeps_default_tags(tmp_path: Path) -> None:
    path = tmp_path / "hedgerow.toml"
    path.write_text('[keys]\n"app.quit" = "ctrl+q"\n', encoding="utf-8")
    config = load_config(path)
    assert config.tags.tags == DEFAULT_TAGS
    assert config.keys == {"app.quit": "ctrl+q"}
    assert config.path == path


BAD = [
    ("unknown-field", '[[tags]]\nname = "a"\ncolour = "red"\nshortcut = "x"\n', "unknown field(s) shortcut"),
    ("duplicate-name", '[[tags]]\nname = "a"\ncolour = "red"\n[[tags]]\nname = "a"\ncolour = "blue"\n',
     "duplicate tag name 'a'"),
    ("duplicate-key", '[[tags]]\nname = "a"\ncolour = "red"\nkey = "1"\n[[tags]]\nname = "b"\ncolour = "blue"\n'
                      'key = "1"\n', "duplicate key '1' (tag 'b')"),
    ("toml-duplicate-key", '[[tags]]\nname = "a"\nname = "b"\ncolour = "red"\n', "invalid TOML"),
    ("bad-colour", '[[tags]]\nname = "a"\ncolour = "#12345"\n', "bad colour '#12345'"),
    ("colour-name", '[[tags]]\nname = "a"\ncolour = "blurple"\n', "bad colour 'blurple'"),
    ("missing-colour", '[[tags]]\nname = "a"\n', "needs a 'colour'"),
    ("bad-key", '[[tags]]\nname = "a"\ncolour = "red"\nkey = "0"\n', "bad key '0'"),
    ("two-digit-key", '[[tags]]\nname = "a"\ncolour = "red"\nkey = "12"\n', "bad key '12'"),
    ("blank-name", '[[tags]]\nname = " a"\ncolour = "red"\n', "non-empty 'name'"),
    ("no-name", '[[tags]]\ncolour = "red"\n', "non-empty 'name'"),
    ("description-not-string", '[[tags]]\nname = "a"\ncolour = "red"\ndescription = 3\n', "not a string"),
    ("tags-not-array", 'tags = "actor"\n', "non-empty array"),
    ("tags-empty", "tags = []\n", "non-empty array"),
    ("tag-not-table", "tags = [1]\n", "tags[0] must be a table"),
    ("unknown-section", '[colours]\nactor = "red"\n', "unknown section(s) colours"),
    ("bad-keys", '[keys]\n"app.quit" = 3\n', "[keys] must map"),
    ("invalid-toml", "[[tags]\nname = \n", "invalid TOML"),
    ("not-utf8", b'[[tags]]\nname = "caf\xe9"\n', "not valid UTF-8"),
]


@pytest.mark.parametrize(("content", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_config(tmp_path: Path, content: str | bytes, message: str) -> None:
    path = tmp_path / "codebook.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError) as info:
        load_config(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert info.value.exit_code == 2


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such config file"):
        load_config(tmp_path / "missing.toml")


def test_bad_project_config_stops_the_session(project_doc: Path) -> None:
    (project_doc.parent / "hedgerow.toml").write_text('[[tags]]\nname = "a"\ncolour = "nope"\n', encoding="utf-8")
    with pytest.raises(InputError, match="bad colour"):
        Session.open(project_doc, SessionOptions(annotator="alice"))


def test_the_colour_hint_suggests_colours_that_work(tmp_path: Path) -> None:
    path = tmp_path / "codebook.toml"
    path.write_text('[[tags]]\nname = "a"\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_config(path)
    examples = re.findall(r'"([^"]+)"', str(info.value).split("such as", 1)[1])
    assert len(examples) == 2
    for example in examples:
        path.write_text(f'[[tags]]\nname = "a"\ncolour = "{example}"\n', encoding="utf-8")
        assert load_config(path).tags.get("a").colour == example


@pytest.mark.parametrize(("keys", "message"), [
    ('"app.nonsense" = "z"', "[keys] names no binding 'app.nonsense'"),
    ('"app.quit" = "1"', "[keys] app.quit = '1' takes key 1, which tags actor"),
    ('"app.search" = "ctrl+f,2"', "takes key 2, which tags commitment"),
])
def test_a_keymap_naming_no_binding_or_taking_a_tag_key_stops_the_tui_in_one_line(
        project: Path, project_doc: Path, capsys, keys: str, message: str) -> None:
    """A typo was ignored without a word, and "app.quit" = "1" made the tag key 1 quit."""
    from tui.app.app import binding_ids
    from tui.commands import documents

    (project / "hedgerow.toml").write_text(f"[keys]\n{keys}\n", encoding="utf-8")
    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    with pytest.raises(InputError, match=re.escape(message)) as raised:
        check_keys(session.config, binding_ids())
    assert str(raised.value).startswith(str(project / "hedgerow.toml"))
    # `hedgerow DOC` says so in one line before any screen (exit 2), as for any bad codebook
    called = []
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(documents, "need_terminal", lambda command: None)
    monkeypatch.setattr("tui.app.app.HedgerowApp.run", lambda self: called.append(self))
    try:
        assert main([str(project_doc), "--annotator", "alice"]) == 2
    finally:
        monkeypatch.undo()
    assert called == [] and message in capsys.readouterr().err


def test_a_keymap_of_known_bindings_and_moved_tag_keys_is_taken(project: Path, project_doc: Path) -> None:
    from tui.app.app import binding_ids

    (project / "hedgerow.toml").write_text('[keys]\n"app.search" = "ctrl+f"\n"app.tag_1" = "1,a"\n'
                                           '"review.accept" = "y"\n"list.up" = "k"\n', encoding="utf-8")
    check_keys(Session.open(project_doc, SessionOptions(annotator="alice")).config, binding_ids())
