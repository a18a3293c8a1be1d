"""hedgerow: a terminal reader and annotator for analysts."""

__version__ = "0.1.0"
