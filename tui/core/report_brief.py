"""The report's brief section: per entity, its commitments with their hedges, and a small SVG chart
of hedged against bare commitments.

The brief is the one model of tui.core.brief, as `hedgerow brief` and the TUI's brief screen have
it; a layer without links has none, and the report shows the annotations grouped by tag instead.
Everything in a Brief is untrusted text: it goes through `text` (escaped, control characters as
visible stand-ins), never bare `escape`, which would let an ESC or OSC sequence into the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from tui.core.brief import DEFAULT_ROLES, Brief, BriefRoles, Commitment, Entity, unattributed_heading, unlinked_heading
from tui.core.report_article import attr, text

if TYPE_CHECKING:
    from tui.core.document import Document
    from tui.core.layer import Layer
    from tui.core.links import Link


def brief_for(document: Document, layer: Layer, links: Iterable[Link] = (),
              roles: BriefRoles = DEFAULT_ROLES) -> Brief | None:
    """The brief of this layer (tui.core.brief, from its links), or None when no link sums anything up."""
    links = list(links)
    if not links:
        return None
    from tui.core.brief import build_brief

    built = build_brief(document.text, layer, links, roles=roles)
    if not _summed(built) and not built.unattributed and not built.unlinked_hedges:
        return None
    return built


def _summed(brief: Brief) -> list[Entity]:
    """The entities the report shows: those with a commitment (a mention alone sums nothing up)."""
    return [e for e in brief.entities if e.commitments]


CHART_WIDTH = 560
ROW_HEIGHT = 26
NAME_WIDTH = 170
LABEL_WIDTH = 140  # room after the longest bar for "12 hedged · 3 bare"


def chart_svg(brief: Brief) -> str:
    """Horizontal bars per entity: hedged (hatched) then bare (solid), with the counts written out."""
    entities = _summed(brief)
    most = max((len(e.commitments) for e in entities), default=0) or 1
    scale = (CHART_WIDTH - NAME_WIDTH - LABEL_WIDTH) / most
    height = ROW_HEIGHT * len(entities) + 34
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="brief-chart-title" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'width="{CHART_WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        '<title id="brief-chart-title">Hedged and bare commitments per entity</title>',
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#f4c9a0"/><line x1="0" y1="0" x2="0" y2="6" stroke="#8a4b00" '
        'stroke-width="3"/></pattern>'
        f'<clipPath id="brief-names"><rect width="{NAME_WIDTH - 8}" height="{height}"/></clipPath></defs>',
    ]
    for row, entity in enumerate(entities):
        y = row * ROW_HEIGHT
        hedged_width, bare_width = entity.hedged * scale, entity.bare * scale
        # From the left edge, clipped to its column: a name wider than the column loses its end, never its start.
        parts.append(f'<text x="0" y="{y + 17}" font-size="13" fill="#1b1f24" clip-path="url(#brief-names)">'
                     f'<title>{text(entity.name)}</title>{text(_short(entity.name, 24))}</text>')
        parts.append(f'<rect x="{NAME_WIDTH}" y="{y + 4}" width="{hedged_width:.1f}" height="18" fill="url(#hatch)" '
                     f'stroke="#8a4b00"><title>{entity.hedged} hedged</title></rect>')
        parts.append(f'<rect x="{NAME_WIDTH + hedged_width:.1f}" y="{y + 4}" width="{bare_width:.1f}" height="18" '
                     f'fill="#2f6f3e"><title>{entity.bare} bare</title></rect>')
        parts.append(f'<text x="{NAME_WIDTH + hedged_width + bare_width + 6:.1f}" y="{y + 17}" font-size="12" '
                     f'fill="#55606b">{entity.hedged} hedged · {entity.bare} bare</text>')
    legend_y = ROW_HEIGHT * len(entities) + 12
    parts.append(f'<rect x="{NAME_WIDTH}" y="{legend_y}" width="14" height="12" fill="url(#hatch)" stroke="#8a4b00"/>'
                 f'<text x="{NAME_WIDTH + 20}" y="{legend_y + 10}" font-size="12" fill="#1b1f24">hedged</text>'
                 f'<rect x="{NAME_WIDTH + 90}" y="{legend_y}" width="14" height="12" fill="#2f6f3e"/>'
                 f'<text x="{NAME_WIDTH + 110}" y="{legend_y + 10}" font-size="12" fill="#1b1f24">bare</text>')
    parts.append("</svg>")
    return "".join(parts)


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def brief_pieces(brief: Brief, anchor_of: Callable[[str], str | None]) -> Iterator[str]:
    """The brief section; `anchor_of` gives an annotation's element id in the article, if it is shown there."""
    yield '<section class="card brief" id="brief" aria-labelledby="brief-h"><h2 id="brief-h">Brief</h2>'
    roles = brief.roles
    entities = _summed(brief)
    if entities:
        yield chart_svg(brief)
    else:
        yield f"<p>No {text(roles.word('commitment'))} is linked to any {text(roles.word('actor'))} yet.</p>"
    for entity in entities:
        yield (f'<div class="entity"><h3>{text(entity.name)} <span class="who">'
               f'{text(roles.words(len(entity.commitments), "commitment"))}: {entity.hedged} hedged, '
               f'{entity.bare} bare</span></h3><ul>')
        yield from _commitment_items(entity.commitments, anchor_of)
        yield "</ul></div>"
    if brief.unattributed:
        yield f'<div class="entity"><h3>{text(unattributed_heading(roles))}</h3><ul>'
        yield from _commitment_items(brief.unattributed, anchor_of)
        yield "</ul></div>"
    if brief.unlinked_hedges:
        yield f"<h3>{text(unlinked_heading(roles))}</h3><ul>"
        yield from (f'<li class="excerpt">“{text(h.quote)}”</li>' for h in brief.unlinked_hedges)
        yield "</ul>"
    yield "</section>"


def _commitment_items(commitments: Sequence[Commitment], anchor_of: Callable[[str], str | None]) -> Iterator[str]:
    for commitment in commitments:
        target = anchor_of(commitment.span.id) if commitment.span.id else None
        quote = text(commitment.span.quote)
        quote = f'<a href="#{attr(target)}">{quote}</a>' if target else quote
        hedges = ("hedged by " + ", ".join(f"“{text(h.quote)}”" for h in commitment.hedges)
                  if commitment.hedges else "bare: no hedge")
        yield f'<li><span class="excerpt">“{quote}”</span> <span class="hedges">{hedges}</span></li>'
