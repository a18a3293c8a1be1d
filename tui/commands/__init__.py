"""hedgerow's commands, one module per family; each has `register(subparsers)`."""

from tui.commands import documents, exchange, gitcmds, review

MODULES = (documents, exchange, review, gitcmds)
