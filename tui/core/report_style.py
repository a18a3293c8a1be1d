"""The HTML report's look: each tag's colours, worked out to meet WCAG contrast, and the stylesheet.

Codebook colours are untrusted text: only `#rrggbb` made here from parsed numbers ever reaches
the CSS, and tags are named in the CSS by their index (`.t0`, `.t1`), never by their name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from string import Template

from rich.color import Color, ColorParseError

from tui.core.tags import FALLBACK_COLOUR, TagSet

RGB = tuple[int, int, int]

INK = (0x1B, 0x1F, 0x24)  # the text's colour
PAPER = (0xFF, 0xFF, 0xFF)
TEXT_CONTRAST = 7.0  # the article's text on a tag's tint: WCAG AAA, well above AA's 4.5
LABEL_CONTRAST = 4.5  # a label's white text on its tag's dark colour: WCAG AA
TINT_STRENGTH = 0.30  # how much of the codebook colour a tint keeps, at most
# Underline styles by tag index: with the label, the tag shows without its colour (print, colour blindness).
LINE_STYLES = ("solid", "dashed", "dotted", "double")
LANES = 3  # overlapping spans stack their underlines this many deep; deeper ones share the last


def parse_colour(colour: str) -> RGB | None:
    """A codebook colour (#rrggbb, a colour name, rgb(...)) as numbers, or None if it is not one."""
    try:
        triplet = Color.parse(colour).get_truecolor()
    except (ColorParseError, TypeError, ValueError):
        return None
    return (triplet.red, triplet.green, triplet.blue)


def hex_of(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def luminance(rgb: RGB) -> float:
    """WCAG 2 relative luminance."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = map(channel, rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(colour: RGB, other: RGB, amount: float) -> RGB:
    """`amount` of `colour` over `other` (0 gives `other`)."""
    r, g, b = (round(c * amount + o * (1 - amount)) for c, o in zip(colour, other, strict=True))
    return (r, g, b)


def tint(colour: RGB) -> RGB:
    """A light background in the tag's colour on which INK keeps TEXT_CONTRAST."""
    amount = TINT_STRENGTH
    while amount > 0 and contrast(INK, mix(colour, PAPER, amount)) < TEXT_CONTRAST:
        amount -= 0.02
    return mix(colour, PAPER, max(amount, 0.0))


def deep(colour: RGB) -> RGB:
    """The tag's colour darkened until white text on it meets LABEL_CONTRAST (labels, underlines)."""
    amount = 1.0
    while amount > 0 and contrast(PAPER, mix(colour, (0, 0, 0), amount)) < LABEL_CONTRAST:
        amount -= 0.04
    return mix(colour, (0, 0, 0), max(amount, 0.0))


@dataclass(frozen=True)
class TagLook:
    """One tag as the report draws it. `index` names its CSS class; `name` is only ever escaped text."""

    index: int
    name: str
    description: str
    colour: RGB  # the codebook's, parsed
    line: str  # underline style

    @property
    def css_class(self) -> str:
        return f"t{self.index}"

    @property
    def tint(self) -> RGB:
        return tint(self.colour)

    @property
    def deep(self) -> RGB:
        return deep(self.colour)


class TagLooks(dict[str, TagLook]):
    """Tag name -> look. A tag that is not in the codebook gets the next look when first met, so a
    corpus written in one pass can meet new tags as it goes (the CSS is written at the end)."""

    def add(self, name: str) -> TagLook:
        return self[name]

    def __missing__(self, name: str) -> TagLook:
        look = TagLook(len(self), name, "Not in the codebook.", parse_colour(FALLBACK_COLOUR) or (168, 168, 168),
                       LINE_STYLES[len(self) % len(LINE_STYLES)])
        self[name] = look
        return look


def tag_looks(tags: TagSet, found: Iterable[str] = ()) -> TagLooks:
    """The codebook's tags in order, then tags found in the annotations but not in the codebook."""
    fallback = parse_colour(FALLBACK_COLOUR) or (168, 168, 168)
    looks = TagLooks()
    for tag in tags:
        looks[tag.name] = TagLook(len(looks), tag.name, tag.description, parse_colour(tag.colour) or fallback,
                                  LINE_STYLES[len(looks) % len(LINE_STYLES)])
    for name in sorted(set(found) - set(looks)):
        looks.add(name)
    return looks


def tag_css(looks: Iterable[TagLook]) -> str:
    """The per-tag rules: tint, label colour and underline (style and colour)."""
    rules = []
    for look in looks:
        c, tinted, deep_colour = look.css_class, hex_of(look.tint), hex_of(look.deep)
        width = "4px" if look.line == "double" else "3px"
        rules.append(
            f"mark.{c},.swatch.{c}{{background-color:{tinted};border-bottom:{width} {look.line} {deep_colour}}}\n"
            f".chip.{c},mark.{c}[data-label]::before{{background-color:{deep_colour}}}\n"
            f".bar.{c}{{background-color:{deep_colour}}}\n"
        )
    return "".join(rules)


# Lane n's underline sits n steps below the text, so overlapping spans show every line.
_LANE_RULES = "".join(f"mark.l{n}{{padding-bottom:{1 + 5 * n}px}}\n" for n in range(LANES))

STYLESHEET = Template("""
:root{color-scheme:light;--ink:$ink;--muted:#55606b;--rule:#d8dde3;--paper:#ffffff;--wash:#f5f6f8;
--serif:Charter,"Bitstream Charter","Sitka Text",Cambria,Georgia,"DejaVu Serif",serif;
--sans:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"DejaVu Sans",sans-serif}
*{box-sizing:border-box}
html{background:var(--wash)}
body{margin:0;color:var(--ink);font:16px/1.5 var(--sans)}
.page{max-width:1180px;margin:0 auto;padding:2.5rem 2rem 4rem}
a{color:#0b5cad}
a:focus-visible,mark:focus-visible{outline:3px solid #0b5cad;outline-offset:2px}
h1,h2,h3{font-family:var(--sans);line-height:1.25;margin:0}
h1{font-size:1.9rem;font-weight:700;letter-spacing:-.01em;margin:.35rem 0 .8rem;font-family:var(--serif)}
h2{font-size:1.15rem;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:0 0 1rem;font-weight:600}
h3{font-size:1rem;margin:0 0 .5rem}
.kicker{margin:0;font-size:.8rem;letter-spacing:.08em;text-transform:uppercase;color:var(--muted)}
.masthead{border-bottom:1px solid var(--rule);padding-bottom:1.2rem;margin-bottom:1.5rem}
.meta{display:flex;flex-wrap:wrap;gap:.4rem 2rem;margin:0;font-size:.85rem;color:var(--muted)}
.meta div{display:flex;gap:.4rem}.meta dt{font-weight:600}.meta dd{margin:0;overflow-wrap:anywhere}
.layout{display:grid;grid-template-columns:minmax(0,1fr) 300px;gap:2rem;align-items:start}
.main{min-width:0;grid-column:1;grid-row:1}
.side{grid-column:2;grid-row:1;position:sticky;top:1rem;display:flex;flex-direction:column;gap:1rem}
.card{background:var(--paper);border:1px solid var(--rule);border-radius:8px;padding:1.25rem 1.4rem;
margin-bottom:1.5rem}
.side .card{margin:0;padding:1rem 1.1rem}
.notice{background:#fff8e1;border:1px solid #e0c36a;border-radius:6px;padding:.75rem 1rem;margin:0 0 1rem}
.legend{width:100%;border-collapse:collapse;font-size:.9rem}
.legend td{padding:.35rem .25rem;border-top:1px solid var(--rule);vertical-align:top}
.legend tr:first-child td{border-top:0}
.legend .count{text-align:right;font-variant-numeric:tabular-nums;font-weight:600}
.legend .desc{display:block;color:var(--muted);font-size:.8rem;margin-top:.15rem}
.legend .total td{font-weight:600}
.swatch{display:inline-block;min-width:2.6em;text-align:center;font-family:var(--serif);border-radius:2px;
padding:0 .2em}
.chip{display:inline-block;color:#fff;font:600 .68rem/1.5 var(--sans);letter-spacing:.06em;text-transform:uppercase;
border-radius:3px;padding:0 .4em;vertical-align:.1em;white-space:nowrap;max-width:16em;overflow:hidden;
text-overflow:ellipsis}
.howto{font-size:.8rem;color:var(--muted);margin:.75rem 0 0}
.toc{font-size:.85rem}.toc ol{margin:0;padding-left:1.2rem}.toc li{margin:.15rem 0}
.article{font:18px/2.15 var(--serif);white-space:pre-wrap;overflow-wrap:break-word;unicode-bidi:plaintext;
background:var(--paper);border:1px solid var(--rule);border-radius:8px;padding:1.75rem 2.25rem;margin-bottom:1.5rem}
mark{color:var(--ink);position:relative;background-clip:content-box;-webkit-print-color-adjust:exact;
print-color-adjust:exact;
border-radius:1px}
mark[data-label]::before{content:attr(data-label);color:#fff;font:600 .58rem/1 var(--sans);letter-spacing:.05em;
text-transform:uppercase;padding:.2em .35em .16em;border-radius:3px;margin-inline-end:.2em;vertical-align:.2em;
display:inline-block;max-width:14em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;unicode-bidi:plaintext;
-webkit-print-color-adjust:exact;print-color-adjust:exact}
mark[tabindex]:focus::after{content:attr(data-tip);position:absolute;left:0;top:100%;z-index:5;margin-top:6px;
width:max-content;max-width:28rem;white-space:pre-wrap;font:400 .8rem/1.45 var(--sans);color:#fff;background:#1f2933;
padding:.5rem .7rem;border-radius:6px;box-shadow:0 4px 14px rgba(0,0,0,.25)}
$lanes
a.ref{font:600 .7rem/1 var(--sans);vertical-align:super;text-decoration:none;padding:0 .15em;margin-left:.05em}
a.ref::before{content:"["}a.ref::after{content:"]"}
.notes ol{margin:0;padding-left:2rem}
.notes li{margin:0 0 .9rem;padding-left:.25rem}
.notes li:target,.quotes li:target{background:#fff3c4}
.note-text{white-space:pre-wrap;margin:.3rem 0 0;font-family:var(--serif);font-size:1rem}
.who{color:var(--muted);font-size:.8rem}
.excerpt{font-family:var(--serif);color:var(--muted)}
.group{margin:0 0 1.5rem}.group:last-child{margin-bottom:0}
.group h3{display:flex;align-items:baseline;gap:.6rem;border-bottom:1px solid var(--rule);padding-bottom:.35rem}
.group h3 .n{color:var(--muted);font-weight:400;font-size:.85rem}
.quotes{list-style:none;margin:0;padding:0}
.quotes li{display:grid;grid-template-columns:2.5rem minmax(0,1fr);gap:.6rem;padding:.45rem 0;
border-bottom:1px dashed var(--rule)}
.quotes li:last-child{border-bottom:0}
.quotes .pos{color:var(--muted);font-size:.75rem;text-align:right;padding-top:.2rem;font-variant-numeric:tabular-nums}
.quotes .q{font-family:var(--serif);font-size:1rem;white-space:pre-wrap;overflow-wrap:break-word;
unicode-bidi:plaintext}
.quotes .q a{color:inherit;text-decoration-color:var(--rule)}
.quotes .sub{display:block;font-size:.8rem;color:var(--muted);margin-top:.15rem}
.quotes .sub .note-inline{color:var(--ink);white-space:pre-wrap}
.unplaced{color:#8a4b00}
table.agree{border-collapse:collapse;width:100%;font-size:.85rem;font-variant-numeric:tabular-nums}
table.agree th,table.agree td{padding:.35rem .5rem;border-bottom:1px solid var(--rule);text-align:right}
table.agree th:first-child,table.agree td:first-child{text-align:left}
table.agree caption{caption-side:bottom;text-align:left;color:var(--muted);font-size:.8rem;padding-top:.5rem}
.docs{border-collapse:collapse;width:100%;font-size:.85rem}
.docs th,.docs td{padding:.35rem .5rem;border-bottom:1px solid var(--rule);text-align:left;vertical-align:top}
.docs td.num{text-align:right;font-variant-numeric:tabular-nums}
.docs .problem{color:#a4262c}
.doc{border-top:3px solid var(--ink);padding-top:1.5rem;margin-top:2.5rem}
.doc h2.title{font:700 1.5rem/1.3 var(--serif);text-transform:none;letter-spacing:0;color:var(--ink)}
.brief svg{max-width:100%;height:auto;font-family:var(--sans)}
.brief .entity{margin:1rem 0 0}
.brief .hedges{font-size:.85rem;color:var(--muted)}
.footer{margin-top:2rem;color:var(--muted);font-size:.8rem}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:9}
@media (max-width:900px){.layout{display:block}.side{position:static;margin-bottom:1.5rem}
.page{padding:1.25rem .9rem 3rem}.article{padding:1.1rem 1.1rem;font-size:17px}}
@media print{
@page{margin:16mm 15mm}
html,body{background:#fff}
body{font-size:10.5pt}
.page{max-width:none;padding:0}
.layout{display:block}
.side{position:static;display:block}
.side .card{break-inside:avoid;margin-bottom:1rem}
.toc,.skip{display:none}
.card,.article{border:0;padding:0;border-radius:0}
.article{font-size:11.5pt;line-height:2.3}
mark[tabindex]:focus::after{display:none}
mark:focus,mark:focus-visible{outline:none}
a{color:inherit;text-decoration:none}
a.ref{color:#000}
h2{break-after:avoid}
.notes li,.quotes li,.group h3,.legend tr{break-inside:avoid}
.doc{break-before:page;border-top:0}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
""").substitute(ink=hex_of(INK), lanes=_LANE_RULES)
