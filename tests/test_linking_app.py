"""Linking in the TUI, driven through Pilot: the Simmons sentence tagged, linked with the keys, and the brief."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from rich.style import Style

from tests.keys import type_keys
from tests.test_app import wait_loaded
from tui.app.app import HedgerowApp
from tui.app.brief_screen import BriefLines, BriefScreen
from tui.app.links_panel import LinksPanel
from tui.core.links import LINKS
from tui.core.session import Session, SessionOptions

SIZE = (110, 34)


def open_app(doc: Path) -> HedgerowApp:
    return HedgerowApp(Session.open(doc, SessionOptions(annotator="alice")))


async def select(pilot, pattern: str) -> None:
    """Select the regex match of `pattern`, as a user does: / then ctrl+r, the pattern, Enter."""
    await pilot.press("slash")
    bar_input = pilot.app.query_one("#search-input")
    bar_input.value = ""
    if not pilot.app.query_one("SearchBar").regex:
        await pilot.press("ctrl+r")
    await type_keys(pilot, *pattern)
    await pilot.press("enter")
    await pilot.pause()


async def tag(pilot, pattern: str, key: str) -> None:
    await select(pilot, pattern)
    await pilot.press(key)
    await pilot.pause()


async def wait_saved(pilot, app: HedgerowApp) -> None:
    for _ in range(60):
        await pilot.pause(0.05)
        if not app.session.dirty and not app.saver._in_flight:
            return
    raise AssertionError("not saved in time")


async def test_simmons_tagged_linked_with_keys_and_found_in_the_brief(project_doc: Path) -> None:
    app = open_app(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, "Simmons(?= also suggested)", "1")
        await tag(pilot, "setting up a team by 2007", "2")
        assert app.proposal is not None  # the nearest actor in the sentence: Simmons
        await pilot.press("a")  # accepted with one key
        await pilot.pause()
        session = app.session
        by_tag = {a.tag: a for a in session.layer}
        actor, commitment = by_tag["actor"], by_tag["commitment"]
        [by] = session.links
        assert (by.source, by.relation, by.target) == (commitment.id, "by", actor.id)

        await tag(pilot, "(?<=Simmons also )suggested", "3")
        await pilot.press("l")  # a link from the hedge under the cursor...
        await pilot.press("right_square_bracket", "right_square_bracket")  # ...past "could" to the commitment
        assert app.under_cursor().id == commitment.id
        await pilot.press("enter")
        await pilot.pause()
        await tag(pilot, "(?<=project )could", "3")
        await pilot.press("l", "right_square_bracket", "enter")
        await pilot.pause()
        hedges = sorted((a for a in session.layer if a.tag == "hedge"), key=lambda a: a.start)
        assert [h.quote for h in hedges] == ["suggested", "could"]
        assert sorted(link.source for link in session.links.incoming(commitment.id)) == sorted(h.id for h in hedges)

        # The details: the commitment's links both ways.
        app.view.move_to(commitment.start)
        await pilot.pause()
        panel = app.query_one(LinksPanel)
        assert panel.annotation_id == commitment.id and len(panel.rows) == 3
        assert [r.outgoing for r in panel.rows] == [True, False, False]
        # At 100 columns the panel has 24: the relation's name is whole, not "hed…".
        drawn = ["".join(s.text for s in panel.render_row(row, 24, Style())) for row in panel.rows]
        assert [line.split("█")[0] for line in drawn] == ["→ by     ", "← hedges ", "← hedges "]

        await pilot.press("B")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BriefScreen)
        [simmons] = screen.brief.entities
        assert simmons.name == "Simmons"
        [made] = simmons.commitments
        assert made.span.quote == "setting up a team by 2007"
        assert [h.quote for h in made.hedges] == ["suggested", "could"]
        lines = screen.query_one(BriefLines)
        shown = ["".join(segment.text for segment in lines.render_row(line, 100, Style())) for line in lines.rows]
        assert shown[0].startswith("Simmons") and "1 hedged · 0 bare" in shown[0]
        assert shown[1].startswith("  → “setting up a team by 2007”")
        assert shown[2:4] == ["      hedged by “suggested”", "      hedged by “could”"]
        await pilot.press("down", "enter")  # Enter on the commitment's line jumps to its span
        await pilot.pause()
        assert not isinstance(app.screen, BriefScreen)
        assert app.view.cursor == commitment.start
        await wait_saved(pilot, app)
    links = json.loads(app.session.store.path.read_text(encoding="utf-8"))[LINKS]
    assert sorted(r["relation"] for r in links.values()) == ["by", "hedges", "hedges"]


async def test_escape_cancels_wrong_pairs_are_refused_and_links_undo(project_doc: Path) -> None:
    app = open_app(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, "Simmons(?= also suggested)", "1")
        await tag(pilot, "(?<=project )could", "3")
        await pilot.press("l", "escape")
        assert app.link_from is None and len(app.session.links) == 0
        await pilot.press("l", "left_square_bracket", "enter")  # a hedge and an actor: no relation fits
        await pilot.pause()
        assert app.link_from is not None and len(app.session.links) == 0
        await pilot.press("escape")
        await tag(pilot, "setting up a team by 2007", "2")
        await pilot.press("x")  # any other key: the proposal stays out of the way
        await tag(pilot, "to react to disasters", "2")
        assert app.proposal is not None
        # Link the actor to the commitment starting from the actor: the link runs commitment -> actor.
        actor = next(a for a in app.session.layer if a.tag == "actor")
        app.view.move_to(actor.start)
        await pilot.pause()
        await pilot.press("l")
        commitment = next(a for a in app.session.layer if a.quote == "setting up a team by 2007")
        app.view.move_to(commitment.start)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        [link] = app.session.links
        assert (link.source, link.relation, link.target) == (commitment.id, "by", actor.id)
        assert app.proposal is None  # another change dropped it
        # Remove it from the links panel, undo brings it back; deleting the commitment takes it along.
        panel = app.query_one(LinksPanel)
        panel.focus()
        await pilot.press("x")
        await pilot.pause()
        assert len(app.session.links) == 0
        await pilot.press("u")
        await pilot.pause()
        assert len(app.session.links) == 1
        app.view.focus()
        app.view.move_to(commitment.start)
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert len(app.session.links) == 0
        await pilot.press("u")
        await pilot.pause()
        assert len(app.session.links) == 1 and commitment.id in app.session.layer


async def test_links_panel_follows_to_the_other_end(project_doc: Path) -> None:
    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    text = session.text
    start = text.index("Simmons also suggested")
    actor = session.add(start, start + 7, "actor")
    made_start = text.index("setting up a team by 2007")
    commitment = session.add(made_start, made_start + 25, "commitment")
    session.link(commitment.id, actor.id, "by")
    session.save()
    app = open_app(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        app.view.move_to(commitment.start)
        await pilot.pause()
        panel = app.query_one(LinksPanel)
        panel.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.view.cursor == actor.start
        assert app.view._is_linked(actor.id) and app.view._is_linked(commitment.id)


async def test_links_of_a_file_read_after_the_first_screen_are_marked_and_shown(project_doc: Path) -> None:
    """A large file is read in a worker and its links indexed there (Session.install brings a new
    index): the linked spans are marked in the text, and the panel shows the links, once it lands."""
    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    start = session.text.index("Simmons also suggested")
    actor = session.add(start, start + 7, "actor")
    made_start = session.text.index("setting up a team by 2007")
    commitment = session.add(made_start, made_start + 25, "commitment")
    session.link(commitment.id, actor.id, "by")
    session.save()
    deferred = Session.open(project_doc, SessionOptions(annotator="alice"), defer=True)
    app = HedgerowApp(deferred)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        assert len(app.session.links) == 1
        assert app.view._is_linked(actor.id) and app.view._is_linked(commitment.id)
        assert app.view._style_at(actor.start, [app.session.get(actor.id)], [], None).italic  # the marker
        app.view.move_to(commitment.start)
        await pilot.pause()
        panel = app.query_one(LinksPanel)
        assert panel.display and [(r.outgoing, r.other.id) for r in panel.rows] == [(True, actor.id)]


async def test_entity_proposed_on_tagging_an_actor_and_chosen_with_e(project_doc: Path) -> None:
    from tui.core.entities import best_match, known_entities, ranked

    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    first = session.text.index("Simmons")
    session.add(first, first + 7, "actor", entity="Robert Simmons")
    other = session.text.index("Utemuratov")
    session.add(other, other + 10, "actor")
    session.save()
    assert ranked("Simmons", known_entities(session.layer)) == ["Robert Simmons", "Utemuratov"]
    assert best_match("Simmons", known_entities(session.layer)) == "Robert Simmons"
    # One capitalised word in common, with one known entity only: proposed (it scored too low).
    assert best_match("Ambassador Simmons", known_entities(session.layer)) == "Robert Simmons"
    assert best_match("Ambassador Simmons", Counter({"Robert Simmons": 1, "Jane Simmons": 1})) is None
    assert best_match("the ministry", Counter({"The Ministry": 1, "Utemuratov": 1})) == "The Ministry"
    assert best_match("Foreign Ministry", Counter({"Utemuratov": 1})) is None
    app = open_app(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, "Simmons(?= also suggested)", "1")
        assert app.proposal is not None and app.proposal[1:] == ("entity", "Robert Simmons")
        await pilot.press("a")
        await pilot.pause()
        mention = app.under_cursor()
        assert mention.entity == "Robert Simmons"
        await pilot.press("E")  # the dialog: type another name, Enter
        await pilot.pause()
        await type_keys(pilot, *"Ambassador Simmons", "enter")
        await pilot.pause()
        assert app.session.get(mention.id).entity == "Ambassador Simmons"
        await pilot.press("E")
        await pilot.pause()
        # Offered: the entities other actors use, not this mention's own (it is in the input already).
        assert dict(app.screen.known) == {"Robert Simmons": 1, "Utemuratov": 1}  # type: ignore[attr-defined]
        rows = [strip.text for strip in app.screen._compositor.render_strips()]  # the screen as drawn
        assert any("empty: the quote · esc cancels" in row for row in rows)  # whole, not cut at the dialog's edge
        await pilot.press("down", "down", "enter")  # or pick one already used (best match first)
        await pilot.pause()
        assert app.session.get(mention.id).entity in {"Robert Simmons", "Utemuratov"}
        await pilot.press("u")
        await pilot.pause()
        assert app.session.get(mention.id).entity == "Ambassador Simmons"


async def test_markup_in_quotes_stays_text_while_linking(project_doc: Path) -> None:
    doc = project_doc.parent / "evil.txt"
    doc.write_text("[/x] Boss [b]said[/b] he would build a bridge by 2030.\n", encoding="utf-8")
    session = Session.open(doc, SessionOptions(annotator="alice"))
    actor = session.add(0, 9, "actor")
    commitment = session.add(session.text.index("build"), session.text.index(" by 2030"), "commitment")
    session.save()
    app = open_app(doc)
    async with app.run_test(size=SIZE) as pilot:
        app.view.move_to(actor.start)
        await pilot.pause()
        await pilot.press("l")  # a notice and the pane's subtitle both show the quote "[/x] Boss"
        await pilot.pause()
        assert "[/x] Boss" in str(app.view.border_subtitle)
        app.view.move_to(commitment.start)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.session.links) == 1
        assert any("[/x] Boss" in str(n.message) for n in app._notifications)


async def test_the_link_and_brief_keys_are_in_the_footer_and_the_help(project_doc: Path) -> None:
    """At 100 columns the footer keeps the keys that fit, in order: l and B come before Copy and Documents."""
    from tui.app.dialogs import HelpScreen

    app = open_app(project_doc)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = [(key.key_display, key.description) for key in app.query("FooterKey").results()]  # type: ignore[attr-defined]
        assert ("l", "Link") in shown and ("B", "Brief") in shown and ("?", "Help") in shown
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = dict(row for _, section in app.screen.sections for row in section)  # as bound now: keys -> words
        assert rows["l"].startswith("start a link from the annotation under the cursor")
        assert rows["B"] == "the brief: who commits to what, and how it is hedged"


async def test_a_codebook_of_claims_proposes_and_sums_up_claims(project_doc: Path) -> None:
    from tests.test_brief import ROLES_CODEBOOK

    (project_doc.parent / "hedgerow.toml").write_text(ROLES_CODEBOOK, encoding="utf-8")
    app = open_app(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, "Simmons(?= also suggested)", "1")
        await tag(pilot, "setting up a team by 2007", "2")  # a claim: its actor is proposed as `states`
        assert app.proposal is not None and app.proposal[1] == "states"
        await pilot.press("a")
        await tag(pilot, "(?<=project )could", "3")
        await pilot.press("l", "right_square_bracket", "enter")  # the hedge softens the claim
        await pilot.pause()
        assert sorted(link.relation for link in app.session.links) == ["softens", "states"]
        await pilot.press("B")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BriefScreen)
        summary = str(screen.query_one("#brief-summary").render())
        assert summary.startswith("1 claim: 1 hedged, 0 bare · 1 actor · 0 hedges linked to no claim")
        [simmons] = screen.brief.entities
        assert [h.quote for h in simmons.commitments[0].hedges] == ["could"]


async def test_b_says_when_the_codebook_gives_the_brief_nothing(project_doc: Path) -> None:
    (project_doc.parent / "hedgerow.toml").write_text(
        '[[tags]]\nname = "claim"\ncolour = "red"\n[[tags]]\nname = "source"\ncolour = "blue"\n', encoding="utf-8")
    app = open_app(project_doc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("B")
        await pilot.pause()
        assert not isinstance(app.screen, BriefScreen)
        assert any("nothing to sum up" in str(n.message) for n in app._notifications)


async def test_an_annotation_starting_where_a_shorter_one_does_is_reached_by_keys(project_doc: Path) -> None:
    """A hedge "Currently" and a commitment "Currently … situation" start at one offset: ] and [
    skipped the commitment, the brief's jump and l landed on the hedge (the innermost)."""
    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    start = session.text.index("Currently there are")
    end = session.text.index("situation") + len("situation")
    hedge = session.add(start, start + len("Currently"), "hedge")
    made = session.add(start, end, "commitment")
    simmons = session.text.index("Simmons confirmed")
    actor = session.add(simmons, simmons + len("Simmons"), "actor")
    session.save()
    app = HedgerowApp(Session.open(project_doc, SessionOptions(annotator="alice")))
    async with app.run_test(size=(100, 30)) as pilot:
        app.view.move_to(0)
        await pilot.pause()
        visited = []
        for _ in range(3):
            await pilot.press("right_square_bracket")
            visited.append(app.under_cursor().id)
        assert visited == [hedge.id, made.id, actor.id]  # in position order: (start, end)
        listing = app.annotation_list
        await pilot.press("left_square_bracket", "left_square_bracket")  # the commitment, then the hedge
        assert app.view.cursor == start and listing.rows[listing.highlighted].id == hedge.id
        await pilot.press("right_square_bracket")  # the commitment: the panels follow, the cursor stays
        assert app.view.cursor == start and listing.rows[listing.highlighted].id == made.id
        await pilot.press("right_square_bracket")
        await pilot.press("left_square_bracket")
        assert app.under_cursor().id == made.id and app.view.cursor == start
        await pilot.press("right")  # moving inside it keeps it, though the hedge is innermost there
        assert app.under_cursor().id == made.id
        await type_keys(pilot, "l", "right_square_bracket", "enter")  # from the commitment to its actor
        await pilot.pause()
        assert [(link.source, link.target) for link in app.session.links] == [(made.id, actor.id)]
        app.view.move_to(0)
        await pilot.press("B")
        await pilot.pause()
        assert isinstance(app.screen, BriefScreen)
        lines = app.screen.query_one(BriefLines)
        shown = ["".join(segment.text for segment in lines.render_row(line, 100, Style())) for line in lines.rows]
        assert shown[1].startswith("  → “Currently there")
        await pilot.press("down", "enter")  # the commitment's line: its span, and it under the cursor
        await pilot.pause()
        assert not isinstance(app.screen, BriefScreen)
        assert app.view.cursor == start and app.under_cursor().id == made.id
