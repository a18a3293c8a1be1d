"""Keys typed in one burst (a paste, tmux send-keys -l, a fast typist) reach what the key before
them opened: the search bar, the note dialog, the command palette. Each test posts its keys
without waiting between them, as a terminal delivers a burst."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import Input

from tests.keys import type_keys
from tests.test_app import HEDGE, SIZE, find, open_session, stored, wait_saved
from tui.app.app import HedgerowApp
from tui.app.dialogs import ConfirmDialog, NoteDialog

NAMES = {"/": "slash", " ": "space", "?": "question_mark", "]": "right_square_bracket", "\r": "enter"}


def burst(app, keys: str | list[str]) -> None:
    """Post every key at once, as a terminal delivers a paste: nothing runs in between."""
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(NAMES.get(key, key), key if key != "\r" else "\r"))
        else:
            app.post_message(events.Key(key, None))


async def settle(pilot) -> None:
    for _ in range(5):
        await pilot.pause(0.02)


def tagged_app(doc: Path, quote: str = "Ambassador Robert Simmons") -> HedgerowApp:
    session = open_session(doc)
    start, end = find(session.text, quote)
    session.add(start, end, "actor")
    session.save()
    return HedgerowApp(open_session(doc))


async def test_keys_after_slash_go_to_the_search_bar_not_the_document(project_doc: Path) -> None:
    app = tagged_app(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        await pilot.press("right_square_bracket")  # the cursor on the annotation: d would delete it
        assert app.under_cursor() is not None
        burst(app, "/dx")
        await settle(pilot)
        assert app.query_one("#search-input", Input).value == "dx"
        assert len(app.session.layer) == 1, "the d deleted the annotation"
        await pilot.press("escape")
        await pilot.press("q")
    assert len(stored(project_doc)) == 1


async def test_a_whole_search_and_tag_in_one_burst(project_doc: Path) -> None:
    app = tagged_app(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        burst(app, ["slash", *"Tuncer", "enter", "1"])  # n, e and u must not run as commands
        await settle(pilot)
        await wait_saved(pilot, app)
        tags = sorted((a.tag, a.quote) for a in app.session.layer)
        assert tags == [("actor", "Ambassador Robert Simmons"), ("actor", "Tuncer")]


async def test_keys_after_enter_go_to_the_note_dialog(project_doc: Path) -> None:
    app = tagged_app(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        await pilot.press("right_square_bracket")
        burst(app, ["enter", *"due 5", "ctrl+s"])
        await settle(pilot)
        await wait_saved(pilot, app)
        (annotation,) = list(app.session.layer)
        assert annotation.note == "due 5"


async def test_keys_after_ctrl_p_go_to_the_palette(project_doc: Path) -> None:
    app = tagged_app(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        await pilot.press("right_square_bracket")
        burst(app, ["ctrl+p", *"dud"])
        await settle(pilot)
        assert app.screen.query_one(Input).value == "dud"
        assert len(app.session.layer) == 1


async def test_bound_characters_typed_into_a_field_do_not_stop_the_keys_after_them(project_doc: Path) -> None:
    """"/", "?", "[" and enter are bound in the document, but a field takes them as text: the keys
    after them showed only KEY_SETTLE_LIMIT (2 s) later, a freeze at every "and/or" or new line."""
    from textual.widgets import TextArea

    app = tagged_app(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted, even on a loaded machine
        await pilot.press("right_square_bracket")
        burst(app, ["enter", *"and/or [1]?", "enter", *"next"])
        await settle(pilot)  # 0.1 s: far less than the 2 s the held keys waited
        assert app.screen.query_one("#note-text", TextArea).text == "and/or [1]?\nnext"
        await pilot.press("escape")  # the note was edited: asked first
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("shift+tab", "enter")  # Discard
        await settle(pilot)
        burst(app, ["slash", *"U.S./NATO?"])
        await settle(pilot)
        assert app.query_one("#search-input", Input).value == "U.S./NATO?"
        assert len(app.session.layer) == 1


async def test_escape_and_a_key_typed_as_one_sequence_are_both_handled(project_doc: Path) -> None:
    """Esc then d typed fast reach the app as ESC d, which Textual reads as alt+d: unbound, both
    keys were lost (an analyst's delete silently did nothing). Unbound, it is esc, then d."""
    session = open_session(project_doc)
    session.add(*find(session.text, HEDGE), "hedge")
    session.save()
    app = HedgerowApp(open_session(project_doc))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket", "shift+right")  # on the annotation, a selection begun
        assert app.view.selection is not None
        app._driver.send_message(events.Key("alt+d", "d"))  # as the terminal's ESC d is read
        await pilot.pause()
        assert app.view.selection is None  # esc cleared it
        assert len(app.session.layer) == 0  # d deleted the annotation under the cursor


def linkable(project_doc: Path) -> tuple[HedgerowApp, str, str]:
    session = open_session(project_doc)
    actor = session.add(*find(session.text, "Robert Simmons"), "actor")
    made = session.add(*find(session.text, "denied any need or existing plans"), "commitment")
    session.save()
    return HedgerowApp(open_session(project_doc)), actor.id, made.id


async def test_a_link_made_in_one_burst_is_made(project_doc: Path) -> None:
    """l [ enter in one burst: enter came before the link mode began, so it opened the note dialog
    on the target and the keys after it went into the note."""
    app, actor, made = linkable(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        app.view.move_to(app.session.layer.get(made).start)
        await pilot.pause()
        await type_keys(pilot, "l", "left_square_bracket", "enter", "x")
        await pilot.pause()
        assert [(link.source, link.target) for link in app.session.links] == [(made, actor)]
        assert app.screen is app.screen_stack[0]  # no note dialog


async def test_a_search_finds_the_other_end_of_a_link(project_doc: Path) -> None:
    """A search leaves the cursor just after its match: enter said "Move the cursor onto the
    annotation to link to"; the match's last character is what the cursor is on."""
    app, actor, made = linkable(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        app.view.move_to(app.session.layer.get(made).start)
        await pilot.pause()
        await type_keys(pilot, "l", "slash", *"Robert Simmons", "enter")
        await pilot.pause()
        assert app.view.cursor == app.session.layer.get(actor).end  # just after the match
        await pilot.press("enter")
        assert [(link.source, link.target) for link in app.session.links] == [(made, actor)]


async def test_a_note_pasted_without_brackets_keeps_its_lines_and_esc_asks_before_losing_it(
        project_doc: Path) -> None:
    """Where the terminal does not bracket a paste (tmux send-keys -l), a newline comes as LF
    (ctrl+j), which TextArea ignored: the lines were glued. Esc then threw the note away unasked."""
    from textual.widgets import TextArea

    app = tagged_app(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("right_square_bracket")
        burst(app, ["enter", *"First line.", "ctrl+j", *"Second line."])
        await settle(pilot)
        area = app.screen.query_one("#note-text", TextArea)
        assert area.text == "First line.\nSecond line."
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # keep editing: the note and its text are still there
        assert isinstance(app.screen, NoteDialog) and area.text == "First line.\nSecond line."
        await pilot.press("ctrl+s")
        await settle(pilot)
        [annotation] = app.session.layer
        assert annotation.note == "First line.\nSecond line."
        await pilot.press("enter", "escape")  # not edited: Esc closes at once
        assert app.screen is app.screen_stack[0]
