"""The command palette (ctrl+p): every action, exports and tag filters included."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from tui.core.safe_text import shown_line

if TYPE_CHECKING:
    from tui.app.app import HedgerowApp, PaletteCommand


class HedgerowCommands(Provider):
    def _commands(self) -> list[PaletteCommand]:
        """Names and help as plain text: they hold the codebook's tag names and descriptions,
        which come with the repository (from colleagues): controls as stand-ins, no markup."""
        app: HedgerowApp = self.app  # type: ignore[assignment]
        return [(shown_line(name), escape(shown_line(help_text)), callback)
                for name, help_text, callback in app.palette_commands()]

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(Content(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                # highlight() reads its argument as markup: a name with a bracket is shown plainly
                shown = matcher.highlight(name) if "[" not in name else Content(name)
                yield Hit(score, shown, callback, text=name, help=help_text)


class DocumentCommands(Provider):
    """Jump to any document of the corpus by (fuzzy) title or path."""

    async def search(self, query: str) -> Hits:
        app: HedgerowApp = self.app  # type: ignore[assignment]
        matcher = self.matcher(query)
        for title, relative, path in app.corpus_documents():
            name = shown_line(f"{title} — {relative}")
            score = matcher.match(name)
            if score > 0:
                # highlight() reads its argument as markup: a name with a bracket is shown plainly
                shown = matcher.highlight(name) if "[" not in name else Content(name)
                yield Hit(score, shown, partial(app.open_document, path), text=name, help="open this document")

