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
        for widget in widgets:
            if isinstance(widget, FooterKey):
                self._born_in_step(widget)
        keys = [w for w in widgets if isinstance(w, FooterKey) and not w.has_class("-command-palette")]
        kept = {keys[i] for i in self._fitting([(key.key_display, key.description, key.action) for key in keys])}
        self._fitted_width = self.app.size.width
        if len(kept) < len(keys):
            self.styles.grid_size_columns = len(kept)
        yield from (w for w in widgets if w in kept or w not in keys)

    def _fitting(self, keys: list[tuple[str, str, str]]) -> set[int]:
        """Which of the keys (display, description, action) to show: whole keys that fit beside the
        palette's, in their order; the rest are in the help and the palette. Textual's footer would
        cut the last one mid-word ("o Docu"). The help's key first: it says where the others went."""
        room, kept = self.app.size.width - PALETTE_WIDTH, set()
        for index in sorted(range(len(keys)), key=lambda index: keys[index][2] not in ("help", "app.help")):
            display, description, _ = keys[index]
            room -= len(display) + len(description) + 3  # " key description "
            if room < 0:
                break
            kept.add(index)
        return kept

    def on_resize(self) -> None:
        if self._fitted_width != self.app.size.width:
            self.call_later(self.recompose)

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
        if specs is not None and self._fitted_width == self.app.size.width:
            kept = self._fitting([(display, description, action) for _, display, description, action, _, _ in specs])
            specs = [spec for index, spec in enumerate(specs) if index in kept]
        elif specs is not None:
            return False  # resized since the last fit: a rebuild fits again
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
        for key in added:
            self._born_in_step(key)
        if added:
            self.mount(*added, before=palette[0] if palette else None)
        return True

    def _born_in_step(self, key: FooterKey) -> None:
        """The key's `compact` as it will be once mounted, and its class to match, set before its styles
        are first computed. FooterKey starts compact and Footer does not: mounting ran the key's
        watcher twice (add "-compact", then the data binding took it off), each time restyling the
        key: a fifth of the CPU between the app's mount and its first frame (cProfile), 5 MB bench."""
        compact = True if key.has_class("-command-palette") else self.compact  # Footer binds all but that one
        key.set_reactive(FooterKey.compact, compact)
        key.set_class(compact, "-compact", update=False)

    @staticmethod
    def _set_key(widget: FooterKey, spec: KeySpec) -> None:
        key, display, description, action, disabled, tooltip = spec
        resized = (display, description) != (widget.key_display, widget.description)
        widget.key, widget.key_display, widget.description, widget.action = key, display, description, action
        widget._disabled = disabled
        widget.set_class(disabled, "-disabled")
        widget.tooltip = tooltip or None
        widget.refresh(layout=resized)
