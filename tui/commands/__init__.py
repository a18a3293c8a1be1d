"""hedgerow's commands, one module per family; each has `register(subparsers)`.

COMMANDS says which module registers each command, so that a run imports only its own module.
"""

COMMANDS = {
    "open": "documents", "list": "documents",
    "export": "exchange", "import": "exchange",
    "check": "review", "agree": "review", "review": "review",
    "merge-driver": "gitcmds", "show": "gitcmds", "git-setup": "gitcmds",
    "status": "corpus", "mv": "corpus",
    "report": "report",
}
# In the order `hedgerow --help` lists them.
MODULES = ("documents", "corpus", "exchange", "review", "gitcmds", "report")
