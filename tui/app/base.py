"""What the annotating app and the review app share: autosave state, help and a safe quit."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import App, ScreenStackError, SystemCommand
from textual.binding import Binding
from textual.message_pump import MessagePump
from textual.notifications import Notify, SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget

from tui.app import hangup, paste_guard
from tui.app.messages import SaveFinished
from tui.app.saver import AutoSaver
from tui.app.steady_layout import SteadyScreen
from tui.core import gc_policy, pacing
from tui.core.safe_text import shown, shown_line

if TYPE_CHECKING:  # not imported before the documents screen's first frame (issue 12)
    from tui.core.session import Session, Snapshot
    from tui.core.tags import TagSet

KEY_NAMES = {"slash": "/", "question_mark": "?", "right_square_bracket": "]", "left_square_bracket": "[",
             "delete": "del"}


def key_display(keys: str) -> str:
    return " / ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))

# (section, [(binding id or keys, what it does)]): the help screen, keys as currently mapped
HelpSections = list[tuple[str, list[tuple[str, str]]]]


# Input that the user waits to see answered (not mouse moves: hovering is no reason to wait).
_USER_ACTS = (events.Key, events.Paste, events.MouseDown, events.MouseUp, events.MouseScrollDown,
              events.MouseScrollUp, events.Click)
IDLE_TICK = 0.1  # seconds between two looks at whether the collector has work to do while the user is still
KEY_SETTLE_LIMIT = 2.0  # seconds a key waits for the one before it at most (a binding that never finishes)


def _is_a_field(widget: object) -> bool:
    """An Input or a TextArea (not imported here: TextArea costs ~10 ms before the first frame)."""
    return any(cls.__name__ in ("Input", "TextArea") for cls in type(widget).__mro__)


class KeysInOrder(App[int]):
    """Keys reach what has focus *after* the keys before them are handled.

    Textual routes each key to the focused widget as it arrives, but a bound key's action runs
    later (the key bubbles back up to the app) and a focus change later still. So in a burst
    like `/dx` the `d` and `x` went to the document (`d` deleted an annotation) before the search
    bar had focus. Here a key that some binding may act on holds the keys after it until its
    action has run and the focus it gave (a search bar, a dialog's text area) has landed; then
    they go on, in order, to whatever has focus then. Keys that no binding takes (typing in an
    input) are not held. So actions that move the focus do it in the action itself, not in a
    handler of a message they post (see SearchBar).
    """

    # Actions that move the focus or open a screen (a dialog, the help, the palette).
    FOCUS_ACTIONS = frozenset({
        "search", "note", "help", "command_palette", "export", "reanchor", "quit", "focus_next",
        "focus_previous", "toggle_panels", "jump", "accept", "accept_tag", "push_screen", "switch_screen",
        "documents", "open", "back", "back_to_document",  # the corpus's list and the document it opens
        # And those that change what the keys after them do: in the link mode, enter links (l ] enter
        # in a burst opened the note dialog on the target, and the keys after it went into the note).
        "start_link", "confirm_link", "cancel_link", "accept_proposal",
    })

    def get_default_screen(self) -> Screen[object]:
        return SteadyScreen(id="_default")

    def __init__(self) -> None:
        super().__init__()
        paste_guard.install()  # a paste's ESC stays text in a real terminal (tui/app/paste_guard.py)
        self._held: deque[events.Event] = deque()
        self._holding: events.Key | None = None  # the bound key the others wait for
        self._holding_screen: object = None
        self._holding_timer: Timer | None = None

    @on(events.Mount)
    def _collect_between_keys(self) -> None:
        # The collector's runs (~11,000 young objects, a few ms; Textual makes cycles as it draws)
        # landed in one key press in six; run them while the user is still instead (gc_policy).
        self.set_interval(IDLE_TICK, self._collect_if_still)

    def _collect_if_still(self) -> None:
        if pacing.still_for(pacing.QUIET):
            gc_policy.collect_while_idle()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, _USER_ACTS):
            pacing.user_acted()  # background work (a large file loading) waits while keys are handled
        if isinstance(event, events.Key) and not event.is_forwarded and (keys := self._escape_then_a_key(event)):
            for key in keys:  # in order, ahead of any key behind them, as if they had come apart
                await self.on_event(key)
            return
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            if self._holding is not None or self._held:
                self._held.append(event)
                return
            await self._route(event)
            return
        await super().on_event(event)

    def _escape_then_a_key(self, event: events.Key) -> list[events.Key]:
        """An Escape and a letter or digit typed fast come as one ESC-prefixed sequence, which the
        terminal also sends for Alt with that key: Textual made it alt+d, which nothing here binds,
        so both keys were lost (esc then d: no delete). Unbound, it is the two keys, in order."""
        character = event.character
        if not (event.key.startswith("alt+") and character and len(character) == 1 and character.isalnum()):
            return []
        try:
            chain = self.screen._binding_chain
        except Exception:  # no screen yet
            return []
        if any(event.key in bindings.key_to_bindings for _, bindings in chain):
            return []  # bound: an Alt key after all
        keys = [events.Key("escape", "\x1b"), events.Key(character, character)]
        for key in keys:
            key.set_sender(self)
        return keys

    async def _route(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and self._may_move_focus(event.key):
            self._holding, self._holding_screen = event, self.screen
            self._holding_timer = self.set_timer(KEY_SETTLE_LIMIT, self._release)
            focused = self.screen.focused
            if focused is not None:
                # The keys before this one may still be on their way: in the focused widget's queue
                # (typed into a field), or bubbling up from it to the app, whose bindings act last.
                # A priority binding would act before them: "bravo" then enter opened the row
                # highlighted before the filter; l [ enter linked from the annotation [ had left.
                # So this one follows them, through the same queues.
                self._behind_the_keys_before(focused, event)
                return
        await self._run(event)

    def _behind_the_keys_before(self, focused: Widget, event: events.Key) -> None:
        path: list[MessagePump] = []
        node: MessagePump | None = focused
        while node is not None and node is not self:
            path.append(node)
            node = node._parent

        def step(index: int) -> None:
            if index < len(path):
                path[index].call_later(step, index + 1)
            else:
                self.call_later(self._run_held, event)

        step(0)

    async def _run_held(self, event: events.Key) -> None:
        await self._run(event)  # even after KEY_SETTLE_LIMIT let the others go: a key is never lost

    async def _run(self, event: events.Event) -> None:
        await super().on_event(event)
        if self._holding is not event:
            return
        if not event.is_forwarded:  # a priority binding ran it already
            self.call_later(self._settle, event)
        else:  # behind the key in the queue of what has focus: by then it was taken, or sent up
            (self.focused or self.screen).call_later(self._settle_if_taken, event)

    def _settle_if_taken(self, event: events.Key) -> None:
        """A field took the key itself (typed a "/", a new line): no binding runs, nothing will come
        up to `_on_key`; without this the keys after it waited KEY_SETTLE_LIMIT to show."""
        if event._stop_propagation:
            self.call_later(self._settle, event)

    def _may_move_focus(self, key: str) -> bool:
        """Whether the binding `key` would run may move the focus or open a screen: then the keys
        after it wait. Other keys (moving the cursor, tagging) are not held, so a burst of them
        is handled as one, with one repaint, as before."""
        try:
            screen = self.screen
            chain = screen._binding_chain
        except Exception:  # no screen yet
            return False
        bound = [binding for _, bindings in chain for binding in bindings.key_to_bindings.get(key, ())]
        if not bound:
            return False  # typed into an input, or nothing takes it
        if screen.is_modal or _is_a_field(screen.focused):
            return True  # in a dialog or a field, a bound key (enter, esc, ctrl+s) often closes it
        return any(binding.action.split("(")[0].rsplit(".", 1)[-1] in self.FOCUS_ACTIONS for binding in bound)

    async def _on_key(self, event: events.Key) -> None:
        # Textual calls App._on_key, which runs the bindings, after this one: two hops put the
        # check after the focus change the action asked for (Widget.focus is itself a call_later).
        if event is self._holding:
            self.call_later(self.call_later, self._settle, event)

    async def _settle(self, event: events.Key) -> None:
        """Let the held keys go: the bound key's action has run; a dialog it opened has its focus."""
        if event is not self._holding:
            return
        screen = self.screen
        if self.focus_pending() or (screen is not self._holding_screen and screen.focused is None):  # mounting
            self.set_timer(0.005, lambda: self.call_later(self._settle, event))
        else:
            await self._release()

    def focus_pending(self) -> bool:
        """Whether an action's focus change is still under way after it returned (a document read
        in a worker): the held keys wait for it, KEY_SETTLE_LIMIT at most."""
        return False

    async def _release(self) -> None:
        if self._holding_timer is not None:
            self._holding_timer.stop()
        self._holding = self._holding_timer = self._holding_screen = None
        while self._held and self._holding is None:
            await self._route(self._held.popleft())


NOTICE_FRAME = 6  # a notice's bar and padding, the rack's scrollbar gutter, a gap: as notice_room counts them


class SavingApp(KeysInOrder):
    """An app whose session is saved off the UI thread, and that never quits with work unsaved."""

    KEY_HELP: ClassVar[HelpSections] = []

    def __init__(self, session: Session | None) -> None:
        """`session`: None only in the corpus's app, until a document is opened."""
        super().__init__()
        self._saver = None if session is None else AutoSaver(self, session, self._show_save_state)
        self._saving_failed = False
        # Set as the app closes. Workers whose result may be dropped (a large file's load) stop on
        # it: the process ends only once their threads do, and Textual's cancel does not reach them.
        self.closing = threading.Event()

    @on(events.Unmount)
    def _note_closing(self) -> None:
        self.closing.set()

    @on(events.Mount)
    def _watch_the_terminal(self) -> None:
        if self.is_headless:
            return
        hangup.on_hangup(self.terminal_gone)
        self.set_interval(hangup.CHECK_SECONDS, self._check_the_terminal)

    def _check_the_terminal(self) -> None:
        if not hangup.input_is_a_terminal():
            self.terminal_gone()

    def terminal_gone(self) -> None:
        """The terminal hung up: save and go, with no dialog (there is no one to answer it)."""
        if self.closing.is_set():
            return
        self.closing.set()
        if not hangup.input_is_a_terminal():  # a SIGHUP sent with the terminal still there: it is restored
            hangup.write_nowhere()
        self.prepare_to_quit()
        error = self.saver.flush() if self._saver is not None else ""
        self.exit(1 if error and error != self.saver.aside_message else 0)

    def prepare_to_quit(self) -> None:
        """What the app keeps before it quits (the subclass's), besides the annotations."""

    @property
    def saver(self) -> AutoSaver:
        """The open document's autosaver."""
        if self._saver is None:
            raise RuntimeError("no document is open")
        return self._saver

    @saver.setter
    def saver(self, saver: AutoSaver) -> None:
        self._saver = saver

    NOTICE_SECONDS = 3.0

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False, whole: bool = False) -> None:
        """One notice at a time, on the status row at the bottom left (see dialogs.tcss): stacked
        toasts covered the annotation list and the help. A new notice replaces the one showing.

        Plain text: messages quote tags, quotes and file names, so they are never parsed as markup
        (`markup` is ignored) and their controls show as stand-ins. `whole`: never cut to its row (a
        notice that says where a file was written)."""
        self.clear_notifications()
        text = shown(message).replace("\t", " ")
        room = self.notice_room()
        if severity == "information" and not whole and room is not None and "\n" not in text and len(text) > room:
            text = text[: max(1, room - 1)].rstrip() + "…"  # one row, clear of what is beside it
        with suppress(ScreenStackError):  # shown whole, a warning wraps in the same room (it ran over the readout)
            for rack in self.screen.query("ToastRack"):
                rack.styles.max_width = None if room is None else room + NOTICE_FRAME
                rack.set_class(room is not None, "-fitted")
        super().notify(text, title=shown_line(title), severity=severity,
                       markup=False, timeout=self.NOTICE_SECONDS if timeout is None else timeout)

    def get_system_commands(self, screen: Screen[object]) -> Iterator[SystemCommand]:
        """Textual's palette commands but two: its Keys panel beside our Help, which lists every
        key, and Screenshot, an SVG written to the working folder (a repository's root)."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Keys", "Screenshot"):
                yield command

    def _on_notify(self, event: Notify) -> None:
        """Clears the notices shown before App._on_notify (next in the MRO) adds this one. notify()
        posts its notice, so clearing there missed those still in the queue: an action that says two
        things, or keys in a burst, stacked two or three notices over the text."""
        self.clear_notifications()

    def clear_notifications(self) -> None:
        """Also takes down the toasts still being mounted: the rack removes only toasts it can find,
        and a toast is found only once its holder has mounted it, so a notice replaced at once stayed."""
        super().clear_notifications()
        with suppress(ScreenStackError):
            for holder in self.screen.query("ToastHolder"):
                holder.remove()

    def notice_room(self) -> int | None:
        """Characters a notice may take on its row before it covers something there (None: no limit).
        Warnings and errors are shown whole, over several rows if need be."""
        return None

    def show_save_state(self, state: str, error: str) -> None:
        """Put the save state on screen (the subclass's panel)."""

    def set_title(self, title: str) -> None:
        """The app's title (untrusted: it holds the document's title), controls as stand-ins."""
        self.title = shown_line(title)

    def exit_with_error(self, message: str, code: int) -> None:
        """Quit, printing `message` once the screen is restored: plain text, controls as stand-ins."""
        self.exit(None, code, Text(shown(message)))

    @work(thread=True, group="save", exit_on_error=False, name="save")
    def save_in_background(self, snapshot: Snapshot) -> None:
        """The autosaver's write, in a worker; the outcome comes back as SaveFinished."""
        self.post_message(SaveFinished(self.saver.write(snapshot)))

    @on(SaveFinished)
    def _save_finished(self, message: SaveFinished) -> None:
        self.saver.finished(message.error)

    def _show_save_state(self, state: str, error: str) -> None:
        self.show_save_state(state, error)
        if state == "aside" and not self._saving_failed:
            self.notify(f"Not written over: {error}", severity="error", timeout=15)
        if state == "error" and self.saver.failures == 1:
            self.notify(f"Not saved: {error}. Your work is kept in memory; retrying.", severity="error", timeout=10)
        elif state == "saved" and self._saving_failed:
            self.notify("Saved.")
        self._saving_failed = state in ("error", "aside")

    def key_bindings(self) -> list[Binding]:
        """The app's bindings and the focused pane's, as currently mapped."""
        bindings = [binding for _, binding in self._bindings]
        for widget in self.screen.focus_chain:
            bindings += [binding for _, binding in widget._bindings]
        for binding in self.bindings_elsewhere():  # as the user's keymap maps them
            keys = self._keymap.get(binding.id or "")
            bindings.append(replace(binding, key=keys) if keys else binding)
        return bindings

    def bindings_elsewhere(self) -> list[Binding]:
        """Bindings of screens and panels not on show now, which the help still lists."""
        return []

    def help_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        keys: dict[str, list[str]] = {}
        for binding in self.key_bindings():
            if binding.id and binding.key not in keys.setdefault(binding.id, []):
                keys[binding.id].append(binding.key)
        sections = [(title, [(key_display(",".join(keys.get(k, [k]))), what) for k, what in rows])
                    for title, rows in self.KEY_HELP]
        return [*sections, self.codebook_section()]

    def codebook_section(self) -> tuple[str, list[tuple[str, str]]]:
        """Each tag's key, name and description: the codebook, readable without the palette."""
        from tui.core.safe_text import shown_line

        rows = [(tag.key or "palette", shown_line(f"{tag.name}: {tag.description}" if tag.description else tag.name))
                for tag in self.codebook()]
        return ("Tags (the codebook)", rows)

    def codebook(self) -> TagSet:
        """The tags in use: the open document's."""
        return self.saver.session.tags

    def action_help(self) -> None:
        self.clear_notifications()  # nothing drawn over the help
        from tui.app.dialogs import HelpScreen  # not imported before the documents screen's first frame

        self.push_screen(HelpScreen(self.help_sections()))

    async def action_quit(self) -> None:
        self.prepare_to_quit()
        error = self.saver.flush() if self._saver is not None else ""  # None: no document opened yet
        aside = self.saver.aside_message if self._saver is not None else ""
        if not error or error == aside:
            # All saved; if beside the file that changed on disk, said once more as the screen goes.
            self.exit(0, message=Text(shown(aside)) if aside else None)
            return

        def decide(lose: bool | None) -> None:
            if lose:
                self.exit(return_code=1)

        from tui.app.dialogs import QuitDialog

        session = self.saver.session
        self.push_screen(QuitDialog(error, session.version - session.saved_version), decide)
