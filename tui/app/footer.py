"""The footer: Textual's, rebuilt only when the keys it shows change.

The stock Footer rebuilds every key (a widget each, styles and all) whenever the screen publishes
its bindings: on each focus change, when the terminal reports focus in, on refresh_bindings. It
also starts empty and fills in after the first frame. On the 5 MB bench document that rebuild
landed on the first keys after the text showed (py-spy: a fifth of the UI thread's busy time in
the first three seconds went to FooterKey styles), one of them taking over a second on a loaded
machine. This one composes its keys with the first frame and rebuilds only when they differ.

When they differ (a selection shows "Deselect", the search bar takes the focus), it updates the
keys in place instead of remounting them all: a rebuild cost ~100 ms a time (each new key's
styles and data binding), and it came on every search, selection and tag.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.screen import Screen

Shown = tuple[tuple[str, str, str, bool, str], ...]
KeySpec = tuple[str, str, str, str, bool, str]  # key, key display, description, action, disabled, tooltip


class KeyFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self._bindings_ready = True  # compose the keys with the first frame, not after it
        self._shown: Shown | None = None

    def _keys_shown(self, screen: Screen[object]) -> Shown:
        return tuple((binding.key, binding.description, binding.action, enabled, tooltip)
                     for _, binding, enabled, tooltip in screen.active_bindings.values() if binding.show)

    def compose(self):  # type: ignore[no-untyped-def]  # Footer's own signature
        if self.is_attached:
            self._shown = self._keys_shown(self.screen)
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            keys = self._keys_shown(screen)
            if keys == self._shown:
                return  # the same keys (or a rebuild showing them is already due): nothing to do
            if screen.app.app_focus:  # Footer rebuilds only then; otherwise on the app's focus-in
                if self._shown is not None and self._update_in_place(screen):
                    self._shown = keys
                    return
                self._shown = keys
        super().bindings_changed(screen)

    def _specs(self, screen: Screen[object]) -> list[KeySpec] | None:
        """The plain keys Footer.compose would show, in its order; None if it would group any."""
        first_of_action: dict[str, KeySpec] = {}
        for _, binding, enabled, tooltip in screen.active_bindings.values():
            if not binding.show:
                continue
            if binding.group is not None:
                return None  # grouped keys: leave them to Footer.compose
            if binding.action not in first_of_action:
                first_of_action[binding.action] = (binding.key, self.app.get_key_display(binding),
                                                   binding.description, binding.action, not enabled, tooltip)
        return list(first_of_action.values())

    def _update_in_place(self, screen: Screen[object]) -> bool:
        """Show the screen's keys by updating the key widgets there are; False if only a rebuild can."""
        specs = self._specs(screen)
        children = list(self.children)
        palette = [key for key in children if isinstance(key, FooterKey) and key.has_class("-command-palette")]
        keys = [key for key in children if isinstance(key, FooterKey) and key not in palette]
        wants_palette = (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE
                         and self.app.COMMAND_PALETTE_BINDING in screen.active_bindings)
        if specs is None or len(keys) + len(palette) != len(children) or bool(palette) != bool(wants_palette):
            return False
        for key, spec in zip(keys, specs, strict=False):
            self._set_key(key, spec)
        if palette:
            _, binding, enabled, _ = screen.active_bindings[self.app.COMMAND_PALETTE_BINDING]
            self._set_key(palette[0], (binding.key, self.app.get_key_display(binding), binding.description,
                                       binding.action, not enabled, binding.tooltip or binding.description))
        for key in keys[len(specs):]:
            key.remove()
        with self._context():  # data_bind binds to the active message pump, as in compose
            added = [FooterKey(key, display, description, action, disabled=disabled, tooltip=tooltip)
                     .data_bind(compact=Footer.compact) for key, display, description, action, disabled, tooltip
                     in specs[len(keys):]]
        if added:
            self.mount(*added, before=palette[0] if palette else None)
        return True

    @staticmethod
    def _set_key(widget: FooterKey, spec: KeySpec) -> None:
        key, display, description, action, disabled, tooltip = spec
        resized = (display, description) != (widget.key_display, widget.description)
        widget.key, widget.key_display, widget.description, widget.action = key, display, description, action
        widget._disabled = disabled
        widget.set_class(disabled, "-disabled")
        widget.tooltip = tooltip or None
        widget.refresh(layout=resized)
