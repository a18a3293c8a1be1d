"""hedgerow's commands, one module per family; each has `register(subparsers)`.

COMMANDS says which module registers each command, so that a run imports only its own module.
"""

COMMANDS = {
    "open": "documents", "list": "documents",
    "export": "exchange", "import": "exchange",
    "check": "review", "agree": "review", "review": "review",
    "add": "editing", "link": "editing", "unlink": "editing", "delete": "editing", "brief": "editing",
    "merge-driver": "gitcmds", "show": "gitcmds", "git-setup": "gitcmds",
    "status": "corpus", "mv": "corpus",
    "report": "report",
}
# In the order `hedgerow --help` lists them.
MODULES = ("documents", "corpus", "editing", "exchange", "review", "gitcmds", "report")
