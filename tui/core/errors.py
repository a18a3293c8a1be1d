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
