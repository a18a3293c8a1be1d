"""What the annotating app and the review app share: autosave state, help and a safe quit."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from tui.app.dialogs import HelpScreen, QuitDialog
from tui.app.saver import AutoSaver
from tui.core.session import Session

KEY_NAMES = {"slash": "/", "question_mark": "?", "right_square_bracket": "]", "left_square_bracket": "[",
             "delete": "del"}


def key_display(keys: str) -> str:
    return " / ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


class SavingApp(App[int]):
    """An app whose session is saved off the UI thread, and that never quits with work unsaved."""

    HELP: list[tuple[str, list[tuple[str, str]]]] = []  # (section, [(binding id or keys, what it does)])

    def __init__(self, session: Session | None) -> None:
        super().__init__()
        self.saver = AutoSaver(self, session, self._show_save_state)
        self._saving_failed = False

    def show_save_state(self, state: str, error: str) -> None:
        """Put the save state on screen (the subclass's panel)."""

    def _show_save_state(self, state: str, error: str) -> None:
        self.show_save_state(state, error)
        if state == "error" and self.saver.failures == 1:
            self.notify(f"Not saved: {error}. Your work is kept in memory; retrying.", severity="error", timeout=10)
        elif state == "saved" and self._saving_failed:
            self.notify("Saved.")
        self._saving_failed = state == "error"

    def key_bindings(self) -> list[Binding]:
        """The app's bindings and the focused pane's, as currently mapped."""
        bindings = [binding for _, binding in self._bindings]
        for widget in self.screen.focus_chain:
            bindings += [binding for _, binding in widget._bindings]
        return bindings

    def help_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        keys: dict[str, list[str]] = {}
        for binding in self.key_bindings():
            if binding.id and binding.key not in keys.setdefault(binding.id, []):
                keys[binding.id].append(binding.key)
        return [(title, [(key_display(",".join(keys.get(k, [k]))), what) for k, what in rows])
                for title, rows in self.HELP]

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.help_sections()))

    async def action_quit(self) -> None:
        error = self.saver.flush() if self.saver.session is not None else ""  # None: no document opened yet
        if not error:
            self.exit(0)
            return

        def decide(lose: bool | None) -> None:
            if lose:
                self.exit(return_code=1)

        session = self.saver.session
        self.push_screen(QuitDialog(error, session.version - session.saved_version), decide)
