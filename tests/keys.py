"""Typing in Pilot tests: many keys in one burst, one wait at the end.

`pilot.press(*keys)` waits for the app to go idle after every key (two sleeps of at least 20 ms and
a frame each), so typing a 25-character search pattern cost about a second. `type_keys` posts the
same key events through the same driver, in order, and waits as `pilot.press` does after the last
one only: what a paste or a fast typist sends, which the app must handle anyway (issue 9, item 1).
"""

from __future__ import annotations

import unicodedata

from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot


def key_event(key: str) -> events.Key:
    """The event `pilot.press(key)` sends for `key` (a key name or one character)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    char: str | None
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def type_keys(pilot: Pilot, *keys: str) -> None:
    """Press `keys` in one burst; returns once the app has handled them, as `pilot.press` does."""
    if not keys:
        return
    *burst, last = keys
    app = pilot.app
    driver = app._driver
    assert driver is not None
    for key in burst:
        event = key_event(key)
        event.set_sender(app)
        driver.send_message(event)
    await pilot.press(last)
