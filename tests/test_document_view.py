"""DocumentView driven through Textual's Pilot in a tiny host app."""

from __future__ import annotations

from typing import ClassVar

from rich.color import Color
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import BindingType

from tui.app.document_view import DocumentView
from tui.app.wrap import row_span
from tui.core.annotation import Annotation
from tui.core.layer import Layer

# From seeds/kazakhstan-nato-partnership-edm-2005.txt, plus a line of awkward graphemes.
TEXT = (
    "Kazakhstan has taken further steps towards strengthening its partnership with the NATO Alliance, "
    "as part of its ongoing strategy aimed at improving its domestic and regional security while "
    "balancing its relations with the United States, Russia, and China.\n\n"
    "During a visit to Kazakhstan in early October, Ambassador Robert Simmons, Special Representative "
    "of the NATO Secretary-General for the Caucasus and Central Asia, denied any need or existing plans "
    "for NATO bases in Kazakhstan or elsewhere in the Caspian region.\n\n"
    "Unicode: 中文 👍🏽 🇰🇿 👨\u200d👩\u200d👧 q\u0307 done."
)
# Rows at 80 columns: the view is 79 wide (1 for the scrollbar) and keeps one cell spare per row.
ROWS = [
    "Kazakhstan has taken further steps towards strengthening its partnership with",
    "the NATO Alliance, as part of its ongoing strategy aimed at improving its",
    "domestic and regional security while balancing its relations with the United",
    "States, Russia, and China.",
    "",
    "During a visit to Kazakhstan in early October, Ambassador Robert Simmons,",
    "Special Representative of the NATO Secretary-General for the Caucasus and",
    "Central Asia, denied any need or existing plans for NATO bases in Kazakhstan",
    "or elsewhere in the Caspian region.",
    "",
    "Unicode: 中文 👍🏽 🇰🇿 👨\u200d👩\u200d👧 q\u0307 done.",
]
ACTOR, HEDGE, PLACE = "#2040a0", "#206020", "#806000"
STYLES = {"actor": Style(bgcolor=ACTOR), "hedge": Style(bgcolor=HEDGE), "place": Style(bgcolor=PLACE)}


def make_layer() -> Layer:
    def note(start: int, end: int, tag: str) -> Annotation:
        return Annotation.create(TEXT, start, end, tag, document="edm", annotator="test")

    second = TEXT.index("During")
    return Layer(
        [
            note(0, 10, "actor"),  # "Kazakhstan", inside the hedge below
            note(0, 34, "hedge"),  # "Kazakhstan has taken further steps"
            note(second + 18, second + 28, "place"),  # the second "Kazakhstan"
        ]
    )


class Host(App):
    BINDINGS: ClassVar[list[BindingType]] = [("escape", "escaped", "Escape")]

    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []
        self.escaped = 0

    def compose(self) -> ComposeResult:
        yield DocumentView(TEXT, make_layer(), STYLES)

    def action_escaped(self) -> None:
        self.escaped += 1

    def on_document_view_cursor_moved(self, message: DocumentView.CursorMoved) -> None:
        self.messages.append(("cursor", message.offset))

    def on_document_view_selection_changed(self, message: DocumentView.SelectionChanged) -> None:
        self.messages.append(("selection", message.selection))


def style_at(view: DocumentView, x: int, y: int) -> Style:
    position = 0
    for segment in view.render_line(y):
        if position <= x < position + segment.cell_length:
            return segment.style
        position += segment.cell_length
    raise AssertionError(f"no cell at {x}")


def bg(style: Style) -> Color | None:
    return style.bgcolor


async def test_renders_wrapped_rows() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)):
        view = app.query_one(DocumentView)
        assert [view.render_line(y).text.rstrip() for y in range(len(ROWS))] == ROWS
        assert all(view.render_line(y).cell_length == 79 for y in range(12))
        assert view.virtual_size.height == len(ROWS)


async def test_rewraps_on_resize() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        await pilot.resize_terminal(40, 24)
        await pilot.pause()
        assert view.render_line(0).text.rstrip() == "Kazakhstan has taken further steps"
        assert view.virtual_size.height > len(ROWS)


async def test_right_and_left_move_by_grapheme() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        thumb = TEXT.index("👍")
        view.move_to(thumb)
        stops = []
        for _ in range(8):
            await pilot.press("right")
            stops.append(view.cursor)
        flag = TEXT.index("🇰")
        family = TEXT.index("👨")
        mark = TEXT.index("q\u0307")
        # thumb+skin tone, space, flag, space, ZWJ family, space, q+dot, space
        assert stops == [thumb + 2, thumb + 3, flag + 2, flag + 3, family + 5, family + 6, mark + 2, mark + 3]
        for expected in reversed([thumb, *stops[:-1]]):
            await pilot.press("left")
            assert view.cursor == expected


async def test_cursor_is_drawn_over_a_whole_grapheme() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)):
        view = app.query_one(DocumentView)
        view.move_to(TEXT.index("👨"))
        cursor = [s for s in view.render_line(10) if s.style and s.style.reverse]
        assert [s.text for s in cursor] == ["👨\u200d👩\u200d👧"]


async def test_shift_right_selects_and_messages_only_on_change() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        await pilot.press("left")  # already at 0: nothing changes, nothing is posted
        await pilot.press("shift+right", "shift+right", "shift+right")
        await pilot.pause()
        assert view.selection == (0, 3)
        assert view.selection_anchor == 0 and view.cursor == 3
        assert app.messages == [
            ("cursor", 1),
            ("selection", (0, 1)),
            ("cursor", 2),
            ("selection", (0, 2)),
            ("cursor", 3),
            ("selection", (0, 3)),
        ]
        # the selection is reversed; the cursor after it is not, or it would look selected too
        assert [bool(style_at(view, x, 0).reverse) for x in range(5)] == [True, True, True, False, False]


async def test_ctrl_shift_right_selects_words() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        await pilot.press("ctrl+shift+right")
        assert view.selection == (0, len("Kazakhstan"))
        await pilot.press("ctrl+shift+right")
        assert view.selection == (0, len("Kazakhstan has"))
        await pilot.press("ctrl+shift+left")
        assert view.selection == (0, len("Kazakhstan "))


async def test_escape_clears_selection_or_bubbles() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        view.select(0, 5)
        await pilot.press("escape")
        assert view.selection is None and app.escaped == 0
        await pilot.press("escape")
        assert app.escaped == 1


async def test_up_and_down_keep_the_column_across_wrapped_rows() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        view.move_to(20)
        seen = []
        for _ in range(5):
            await pilot.press("down")
            seen.append(view.location(view.cursor))
        # row 3 is 26 cells wide, row 4 is the blank line: the column comes back after them
        assert seen == [(1, 20), (2, 20), (3, 20), (4, 0), (5, 20)]
        await pilot.press("shift+up")
        assert view.location(view.cursor) == (4, 0)
        assert view.selection == (view.cursor, TEXT.index("During") + 20)


async def test_home_and_end_use_the_visual_row() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        view.move_to(100)  # on row 1
        await pilot.press("end")
        assert view.cursor == 151  # the space that ends row 1 (row 2 starts at 152)
        await pilot.press("shift+home")
        assert view.selection == (78, 151)
        await pilot.press("ctrl+end")
        assert view.cursor == len(TEXT)


async def test_mouse_drag_selects() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        await pilot.mouse_down(DocumentView, offset=(2, 0))
        await pilot.hover(DocumentView, offset=(5, 1))
        await pilot.hover(DocumentView, offset=(10, 1))
        await pilot.mouse_up(DocumentView, offset=(10, 1))
        assert view.selection == (2, 78 + 10)
        assert app.mouse_captured is None
        await pilot.click(DocumentView, offset=(70, 3))  # right of "China." goes to its row's end
        assert view.selection is None
        assert view.cursor == TEXT.index("\n\nDuring")


async def test_double_click_selects_the_word() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        await pilot.click(DocumentView, offset=(45, 1), times=2)
        start, end = view.selection
        assert TEXT[start:end] == "strategy"


async def test_overlapping_annotations_are_underlined_in_the_inner_colour() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)):
        view = app.query_one(DocumentView)
        view.move_to(len(TEXT))  # away from the annotations, so none is emphasised
        inside_both, hedge_only, plain = style_at(view, 3, 0), style_at(view, 20, 0), style_at(view, 40, 0)
        assert bg(inside_both) == Color.parse(ACTOR) and inside_both.underline
        assert bg(hedge_only) == Color.parse(HEDGE) and not hedge_only.underline
        assert bg(plain) not in (Color.parse(ACTOR), Color.parse(HEDGE)) and not plain.underline


async def test_annotation_under_cursor_is_emphasised() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)):
        view = app.query_one(DocumentView)
        place = TEXT.index("Kazakhstan in early")
        view.move_to(len(TEXT))
        assert not style_at(view, 20, 5).bold
        view.move_to(place + 2)
        assert view.current_annotation.tag == "place"
        emphasised = style_at(view, 20, 5)
        assert emphasised.bold and bg(emphasised) != Color.parse(PLACE)
        assert not style_at(view, 3, 0).bold  # other annotations are not


async def test_search_matches_and_the_current_one_are_highlighted() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)):
        view = app.query_one(DocumentView)
        view.move_to(len(TEXT))
        first = TEXT.index("NATO")
        second = TEXT.index("NATO", first + 1)
        view.set_matches([(first, first + 4), (second, second + 4)], current=1)
        match = style_at(view, first - 78, 1)
        current = style_at(view, second - TEXT.index("Special"), 6)
        assert bg(match) == Color.parse("yellow") and not match.bold
        # No orange (it read as a hedge): the current match is bright and underlined.
        assert bg(current) == Color.parse("bright_yellow") and current.bold and current.underline
        view.set_current_match(0)
        assert style_at(view, first - 78, 1).bold


async def test_flagged_annotations_are_struck_through() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)):
        view = app.query_one(DocumentView)
        view.move_to(len(TEXT))
        hedge = next(a for a in view.annotations if a.tag == "hedge")
        assert not style_at(view, 20, 0).strike
        view.set_flagged([hedge.id])
        assert style_at(view, 20, 0).strike


async def test_keeps_cursor_in_view() -> None:
    app = Host()
    async with app.run_test(size=(80, 8)) as pilot:
        view = app.query_one(DocumentView)
        await pilot.press("ctrl+end")
        await pilot.pause()
        row, _ = view.location(view.cursor)
        assert view.scroll_offset.y <= row < view.scroll_offset.y + view.scrollable_content_region.height
        view.scroll_to(y=0, animate=False)  # scrolling away brings the cursor along
        await pilot.pause()
        assert view.location(view.cursor)[0] < view.scrollable_content_region.height


def test_row_span_matches_rendering_helper() -> None:
    from tui.app.wrap import wrap

    starts = wrap(TEXT, 79)
    assert [TEXT[slice(*row_span(TEXT, starts, row))].rstrip() for row in range(len(starts))] == ROWS


class FirstDrawn(DocumentView):
    """Keeps the first row it draws, and how much of the text was wrapped by then."""

    first_row: str | None = None
    wrapped_then = -1

    def render_line(self, y: int):
        strip = super().render_line(y)
        if self.first_row is None:
            self.first_row, self.wrapped_then = strip.text.rstrip(), self._wraps.wrapped_to
        return strip


async def test_the_first_frame_shows_text_and_the_rest_is_wrapped_after_it() -> None:
    from tui.app.wrap import wrap

    long_text = (TEXT + "\n\n") * 3000  # about 2,300 screens at 80x24
    view = FirstDrawn(long_text)

    class LongHost(App):
        def compose(self) -> ComposeResult:
            yield view

    async with LongHost().run_test(size=(80, 24)) as pilot:
        assert view.first_row == ROWS[0]  # not a blank row waiting for the Resize message
        assert 0 < view.wrapped_then < len(long_text) // 100  # only about a screen before that frame
        rows = len(wrap(long_text, 79))
        for _ in range(100):  # the rest, a chunk after each refresh
            if view.virtual_size.height == rows:
                break
            await pilot.pause(0.01)
        assert view.virtual_size.height == rows
        await pilot.press("ctrl+end")
        assert view.location(view.cursor)[0] == rows - 1


async def test_a_new_search_redraws_the_current_match_where_it_now_is() -> None:
    # Rows are cached by the matches they show: the same matches in a row, and the same index
    # for the current one, must not reuse a row whose current match was another span.
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        first = TEXT.index("has")  # row 0
        nato, its = TEXT.index("NATO"), TEXT.index("its ongoing")  # both on row 1
        spans = [(first, first + 3), (nato, nato + 4), (its, its + 3)]
        view.set_matches(spans, current=1)
        await pilot.pause()
        row_1_start = len(ROWS[0]) + 1
        current = Color.parse("bright_yellow")
        assert bg(style_at(view, nato - row_1_start, 1)) == current
        assert bg(style_at(view, its - row_1_start, 1)) != current
        view.set_matches(spans[1:], current=1)  # the same two on row 1; index 1 is now "its"
        await pilot.pause()
        assert bg(style_at(view, nato - row_1_start, 1)) != current
        assert bg(style_at(view, its - row_1_start, 1)) == current


async def test_the_exact_height_after_background_wrapping_waits_for_a_still_moment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The virtual size's change once everything is wrapped lays the screen out again: it waits while
    the user acts (a key meanwhile would pay for it), but a scroll that needs it gets it at once."""
    from tui.app.wrap import wrap
    from tui.core import pacing

    long_text = (TEXT + "\n\n") * 300
    rows = len(wrap(long_text, 79))
    view = DocumentView(long_text)

    class LongHost(App):
        def compose(self) -> ComposeResult:
            yield view

    acting = [True]
    monkeypatch.setattr(pacing, "still_for", lambda seconds: not acting[0])
    async with LongHost().run_test(size=(80, 24)) as pilot:
        for _ in range(200):  # the background wrapping, a chunk after each refresh
            if view._wraps.complete:
                break
            await pilot.pause(0.01)
        await pilot.pause(0.1)
        assert view._wraps.complete and view.virtual_size.height != rows  # the estimate, while "acting"
        acting[0] = False
        await pilot.pause(2 * pacing.QUIET)
        assert view.virtual_size.height == rows
        # Pending again (a second wrap at another width), then a jump to the end: exact at once.
        acting[0] = True
        await pilot.resize_terminal(70, 24)
        for _ in range(200):
            if view._wraps.complete:
                break
            await pilot.pause(0.01)
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert view.virtual_size.height == len(wrap(long_text, 69)) == view.location(view.cursor)[0] + 1
