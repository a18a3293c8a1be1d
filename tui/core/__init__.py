"""hedgerow's core: documents, annotations, storage, export and review. No Textual here."""
