"""hedgerow's Textual app: the document view, panels, dialogs and palette commands."""
