"""Linking in the annotating app: the link mode, the `by` proposal, the links panel's actions, the brief.

A mixin for HedgerowApp, kept apart so the app's module stays about reading and tagging.

* `l` starts a link from the annotation under the cursor; the analyst moves to the target
  (`]`/`[`, search, the cursor) and Enter confirms, Esc cancels. The relation is the
  codebook's one that fits the two tags, either way round (start on the actor or on the
  commitment: the link is the commitment `by` the actor).
* Tagging a commitment proposes its `by` link to the nearest actor in its sentence, else the
  previous actor: `a` accepts it; any other change drops it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding

from tui.app.cells import snippet
from tui.core.errors import HedgerowError
from tui.core.safe_text import shown_line

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from tui.app.base import SavingApp
    from tui.app.document_view import DocumentView
    from tui.app.links_panel import LinksPanel
    from tui.core.annotation import Annotation
    from tui.core.history import Change
    from tui.core.session import Session

    _LinkingBase = SavingApp  # what the mixin is mixed into, for the type checker
else:
    _LinkingBase = object

# In the footer, right after Undo (the app puts them there): at 100 columns the footer keeps the
# keys that fit, in order, so these two outrank Copy and Documents, which stay in the help.
LINK_KEYS_SHOWN = [
    Binding("l", "start_link", "Link", id="app.start_link"),
    Binding("B", "brief", "Brief", id="app.brief"),
]

LINK_BINDINGS = [
    # Priority, so Enter and Esc reach the link mode from the text or the list; they pass
    # through to the usual actions whenever no link is being made (see check_action).
    Binding("enter", "confirm_link", "Confirm link", show=False, priority=True, id="app.confirm_link"),
    Binding("escape", "cancel_link", "Cancel link", show=False, priority=True, id="app.cancel_link"),
    Binding("a", "accept_proposal", "Accept link", show=False, id="app.accept_link"),
    Binding("E", "entity", "Entity", show=False, id="app.entity"),
]

LINK_HELP = ("Linking", [
    ("app.start_link", "start a link from the annotation under the cursor; move to the target, enter links, "
                       "escape cancels"),
    ("app.accept_link", "accept the proposal: a commitment's actor, or an actor's entity"),
    ("app.entity", "the entity of the actor under the cursor (entities already used, best match first)"),
    ("links.follow", "in the links panel: go to the link's other end"),
    ("links.remove", "in the links panel: remove the link"),
    ("app.brief", "the brief: who commits to what, and how it is hedged"),
])

PREVIOUS_ACTORS = 2000  # annotations looked at, walking back, for the previous actor


def _quoted(annotation: Annotation, width: int = 30) -> str:
    return f"“{snippet(shown_line(annotation.quote), width)}”"


def _linked(start: Annotation, relation: str, end: Annotation) -> str:
    """What a new link says, on one line of the notification (64% of 100 columns): a longer one
    wrapped onto the status bar and hid the cursor's offset."""
    return f"Linked {_quoted(start, 14)} {shown_line(relation)} {_quoted(end, 14)} · u undoes"


class LinkingMixin(_LinkingBase):
    """Needs the app's `current` (session), `view` and `under_cursor`, besides what every app has."""

    if TYPE_CHECKING:
        @property
        def current(self) -> Session: ...

        @property
        def view(self) -> DocumentView: ...

        def under_cursor(self) -> Annotation | None: ...

    link_from: str | None = None
    proposal: tuple[str, str, str] | None = None  # (source id, relation, target id), or (id, "entity", name)
    _proposing: bool = False

    def links_mounted(self) -> None:
        """Call once a document's session starts: marks linked spans, follows changes. A link being
        made, or a proposal, on the document open before is dropped."""
        self.link_from = self.proposal = None
        self.view.set_linked(self._is_linked)
        self.current.subscribe(self._links_changed)
        self.show_links(self.under_cursor())

    def _is_linked(self, annotation_id: str) -> bool:
        # The session's index of the moment: a deferred file's links arrive in a new one (Session.install).
        return self.current.links.is_linked(annotation_id)

    def show_links(self, annotation: Annotation | None) -> None:
        from tui.app.links_panel import LinksPanel
        from tui.app.panels import Sidebar

        for panel in self.query(LinksPanel):
            panel.show(annotation)
            if isinstance(panel.parent, Sidebar):
                panel.parent.fit()  # the details make room for it, or take it back

    def _say(self, message: str, *, severity: SeverityLevel = "information", timeout: float | None = None) -> None:
        """notify, with the message as plain text: it holds quotes, tags and names from the files."""
        self.notify(message, severity=severity, timeout=timeout, markup=False)

    # -- the link mode -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("confirm_link", "cancel_link"):
            return self.link_from is not None and self._in_main_pane()
        return True

    def _in_main_pane(self) -> bool:
        from tui.app.document_view import DocumentView
        from tui.app.row_list import RowList

        return self.screen is self.screen_stack[0] and isinstance(self.focused, (DocumentView, RowList))

    def action_start_link(self) -> None:
        annotation = self.under_cursor()
        if annotation is None:
            self._say("Put the cursor on an annotation to link it (] [ go to one).", severity="warning")
            return
        self.link_from = annotation.id
        # A Text, not a str: a str border title is read as markup, and the quote is from the file.
        self.view.border_subtitle = Text(f"linking from {shown_line(annotation.tag)} {_quoted(annotation, 24)} "
                                         f"· ⏎ link · esc cancel")
        # The keys first: cut to its row at 80 columns, the notice lost them ("go to the ot…").
        self._say(f"⏎ on the other end links, esc cancels: from {_quoted(annotation, 24)}", timeout=6)

    def _end_link_mode(self) -> None:
        self.link_from = None
        self.view.border_subtitle = ""

    def action_cancel_link(self) -> None:
        self._end_link_mode()
        self._say("Link cancelled.", timeout=2)

    def action_confirm_link(self) -> None:
        session = self.current
        source = session.layer.get(self.link_from or "")
        if source is None:
            self._end_link_mode()
            self._say("The annotation the link started from is gone.", severity="warning")
            return
        target = self.under_cursor()
        if target is None:
            self._say("Move the cursor onto the annotation to link to, then Enter (Esc cancels).",
                        severity="warning")
            return
        if target.id == source.id:
            self._say("That is the annotation the link starts from: move to another one.", severity="warning")
            return
        found = session.config.relations.between(source.tag, target.tag)
        if found is None:
            fitting = ", ".join(f"{r.name}: {r.source} → {r.target}" for r in session.config.relations) or "none"
            self._say(f"No relation links {shown_line(source.tag)} and {shown_line(target.tag)} "
                        f"(the relations are {fitting}).", severity="error")
            return
        relation, reversed_ = found
        start, end = (target, source) if reversed_ else (source, target)
        try:
            session.link(start.id, end.id, relation.name)
        except HedgerowError as error:
            self._say(str(error), severity="error")
            return
        self._end_link_mode()
        self._say(_linked(start, relation.name, end), timeout=4)

    # -- the `by` proposal ------------------------------------------------------------------

    def _links_changed(self, change: Change) -> None:
        self.show_links(self.under_cursor())
        if self._proposing:
            return
        self.proposal = None
        if self.link_from is not None and self.link_from not in self.current.layer:
            self._end_link_mode()
        if len(change.pairs) != 1 or change.pairs[0][0] is not None or not change.label.startswith("tag "):
            return
        added = change.pairs[0][1]
        annotation = self.current.layer.get(added.id) if added is not None else None
        if annotation is not None:
            self._propose(annotation)

    def _propose(self, annotation: Annotation) -> None:
        relation = self.current.config.relations.playing("by")  # the codebook's `by`, whatever its name
        if annotation.tag == (relation.target if relation else "actor"):
            self._propose_entity(annotation)
            return
        if relation is None or annotation.tag != relation.source:
            return
        actor = nearest_actor(self.current, annotation, relation.target)
        if actor is None:
            return
        self.proposal = (annotation.id, relation.name, actor.id)
        self._say(f"a links it {relation.name} {actor.tag} {_quoted(actor)}", timeout=5)  # the key first, as above

    def _propose_entity(self, annotation: Annotation) -> None:
        from tui.core.entities import best_match, known_entities

        known = known_entities(self.current.layer, annotation.tag)
        quote = " ".join(annotation.quote.split())
        known[quote] -= 1  # not the mention just tagged
        best = best_match(quote, +known, exclude=quote)
        if best is None:
            return
        self.proposal = (annotation.id, "entity", best)
        self._say(f"a sets the entity “{shown_line(best)}”, E chooses another", timeout=5)

    def action_accept_proposal(self) -> None:
        if self.proposal is None:
            self._say("Nothing proposed (tagging a commitment proposes its actor, an actor its entity).",
                        timeout=2)
            return
        source, relation, target = self.proposal
        self._proposing = True
        try:
            if relation == "entity":
                self.current.set_entity(source, target)
            else:
                self.current.link(source, target, relation)
        except HedgerowError as error:
            self._say(str(error), severity="error")
            return
        finally:
            self._proposing = False
            self.proposal = None
        if relation == "entity":
            self._say(f"Entity “{shown_line(target)}” set (u undoes)", timeout=2)
            return
        start, end = self.current.layer.get(source), self.current.layer.get(target)
        self._say(_linked(start, relation, end) if start and end else f"Linked {relation} (u undoes)", timeout=2)

    # -- entities -----------------------------------------------------------------------------

    def action_entity(self) -> None:
        from tui.app.entity_dialog import EntityDialog
        from tui.core.entities import known_entities

        annotation = self.under_cursor()
        if annotation is None:
            self._say("Put the cursor on an actor to name its entity.", severity="warning")
            return

        def chosen(name: str | None) -> None:
            if name is not None and annotation.id in self.current.layer:
                self.current.set_entity(annotation.id, name)

        # The entities the other actors use: this one's own (its quote, by default) is in the input
        # already, and listed it read as "used 1×" before anyone else had used it.
        known = known_entities(self.current.layer, annotation.tag)
        known[" ".join((annotation.entity or annotation.quote).split())] -= 1
        self.push_screen(EntityDialog(annotation, +known), chosen)

    # -- the links panel ---------------------------------------------------------------------

    def on_links_panel_follow(self, event: LinksPanel.Follow) -> None:
        self.view.clear_selection()
        self.view.choose(event.annotation)
        self.view.reveal(event.annotation.start, event.annotation.end)

    def on_links_panel_remove(self, event: LinksPanel.Remove) -> None:
        if self.current.remove_links([event.key]):
            self._say(f"Removed the {shown_line(event.link.relation)} link (u undoes)", timeout=2)

    # -- the brief ------------------------------------------------------------------------------

    def action_brief(self) -> None:
        self.clear_notifications()  # the last notice stood on the brief's bottom border
        from tui.app.brief_screen import BriefScreen
        from tui.core import gc_policy
        from tui.core.brief import BriefRoles, build_brief
        from tui.core.export import document_meta

        session = self.current
        roles = BriefRoles.of(session.config.relations)
        if not roles.sums_up:
            self._say(roles.why_empty(), severity="warning", timeout=6)
            return
        with gc_policy.kept():  # what the brief makes holds no cycle (gc_policy); it makes the rest when drawn
            brief = build_brief(session.text, session.layer, session.links, document_meta(session.document), roles)

        def jump(target: tuple[int, int] | None) -> None:
            if target is not None:
                self.view.clear_selection()
                spanned = [a for a in self.current.layer.overlapping(target[0], target[0] + 1)
                           if (a.start, a.end) == target]  # the span's own annotation, not a shorter one at its start
                if spanned:
                    self.view.choose(spanned[0])
                else:
                    self.view.move_to(target[0], scroll=False)
                self.view.reveal(*target)
                self.view.focus()

        self.push_screen(BriefScreen(brief), jump)

    def link_palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        return [
            ("Brief", "Who commits to what, and how it is hedged; enter jumps to a span", self.action_brief),
            ("Start a link", "Link the annotation under the cursor to another one", self.action_start_link),
            ("Accept the proposal", "Link the commitment just tagged to the actor proposed, or set the entity",
             self.action_accept_proposal),
            ("Entity", "Name the entity of the actor under the cursor", self.action_entity),
        ]


def nearest_actor(session: Session, commitment: Annotation, actor_tag: str) -> Annotation | None:
    """The actor nearest the commitment in its sentence, else the last actor before it."""
    from tui.core.segment import sentence_at

    text, layer = session.text, session.layer
    start, end = sentence_at(text, commitment.start)
    in_sentence = [a for a in layer.overlapping(start, end) if a.tag == actor_tag and a.id != commitment.id]
    if in_sentence:
        def distance(a: Annotation) -> int:
            return max(0, a.start - commitment.end, commitment.start - a.end)

        return min(in_sentence, key=lambda a: (distance(a), a.start > commitment.start, a.start))
    offset = start
    for _ in range(PREVIOUS_ACTORS):
        previous = layer.previous_before(offset)
        if previous is None:
            return None
        if previous.tag == actor_tag:
            return previous
        offset = previous.start
    return None
