"""The footer: Textual's, rebuilt only when the keys it shows change.

The stock Footer rebuilds every key (a widget each, styles and all) whenever the screen publishes
its bindings: on each focus change, when the terminal reports focus in, on refresh_bindings. It
also starts empty and fills in after the first frame. On the 5 MB bench document that rebuild
landed on the first keys after the text showed (py-spy: a fifth of the UI thread's busy time in
the first three seconds went to FooterKey styles), one of them taking over a second on a loaded
machine. This one composes its keys with the first frame and rebuilds only when they differ.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.screen import Screen

Shown = tuple[tuple[str, str, str, bool, str], ...]
PALETTE_WIDTH = 12  # "▏^p palette", docked at the right


class KeyFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self._bindings_ready = True  # compose the keys with the first frame, not after it
        self._shown: Shown | None = None
        self._fitted_width = 0

    def _keys_shown(self, screen: Screen[object]) -> Shown:
        return tuple((binding.key, binding.description, binding.action, enabled, tooltip)
                     for _, binding, enabled, tooltip in screen.active_bindings.values() if binding.show)

    def compose(self):  # type: ignore[no-untyped-def]  # Footer's own signature
        if self.is_attached:
            self._shown = self._keys_shown(self.screen)
        widgets = list(super().compose())
        keys = [w for w in widgets if isinstance(w, FooterKey) and not w.has_class("-command-palette")]
        # Whole keys that fit beside the palette's, in their order; the rest are in the help and the
        # palette. Textual's footer would cut the last one mid-word ("o Docu").
        # The help's key first: it says where the others went.
        room, kept = self.app.size.width - PALETTE_WIDTH, set()
        for key in sorted(keys, key=lambda key: key.action not in ("help", "app.help")):
            room -= len(key.key_display) + len(key.description) + 3  # " key description "
            if room < 0:
                break
            kept.add(key)
        self._fitted_width = self.app.size.width
        if len(kept) < len(keys):
            self.styles.grid_size_columns = len(kept)
        yield from (w for w in widgets if w in kept or w not in keys)

    def on_resize(self) -> None:
        if self._fitted_width != self.app.size.width:
            self.call_later(self.recompose)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            keys = self._keys_shown(screen)
            if keys == self._shown:
                return  # the same keys (or a rebuild showing them is already due): nothing to do
            if screen.app.app_focus:  # Footer rebuilds only then; otherwise on the app's focus-in
                self._shown = keys
        super().bindings_changed(screen)
