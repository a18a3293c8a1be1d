"""Errors that carry a message meant for the user, never a traceback."""


class HedgerowError(Exception):
    """Base for errors shown to the user as one line."""

    exit_code = 1


class InputError(HedgerowError):
    """Bad input: a missing or unreadable document, bad config, bad arguments."""

    exit_code = 2


class StoreError(HedgerowError):
    """An annotation file is corrupt, unreadable or cannot be written."""

    exit_code = 1


class ChangedOnDisk(StoreError):
    """The file is not the one the store last read or wrote: something else wrote it since."""


class SavedAside(StoreError):
    """Not written over a file that changed on disk: written to a file beside it (the message says which)."""
