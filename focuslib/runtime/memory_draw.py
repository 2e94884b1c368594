"""The App's hand for what the chat memory returns: its records (runtime/memory_records.py) drawn with the view.

The main thread owns the terminal and the view; the memory only decides.  After each of the memory's steps the
App takes its records and draws them here, in order, before the event that step admitted (a mark must reach the
renderer before its line is rendered).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable

from focuslib.runtime.memory_records import FirstTime, NoQuote, Quiet, Reveal, Withheld
from focuslib.twitch.events import ChatMessage

if TYPE_CHECKING:
    from focuslib.runtime.memory_records import Record
    from focuslib.view.present import Presenter
    from focuslib.view.render import Renderer
    from focuslib.view.terminal import Terminal


def draw(records: Iterable[Record], renderer: Renderer, presenter: Presenter, terminal: Terminal, now: float,
         shown: Callable[[Any], None] | None) -> None:
    """Draw `records`; `shown`: the App's on_show (the input line's recent chat), for a released chat message,
    so /delete and /reply find what the stream just saw."""
    for rec in records:
        match rec:
            case Quiet():
                _quiet(rec, renderer, terminal)
            case FirstTime(message_id):
                renderer.mark_first(message_id)
            case NoQuote(message_id):
                renderer.hide_quote(message_id)
            case Withheld(event):
                renderer.withhold(event)
            case Reveal(item):
                _reveal(item, renderer, presenter, terminal, now, shown)


def _quiet(n: Quiet, renderer: Renderer, terminal: Terminal) -> None:
    line = renderer.quiet(n.text)
    if n.key is None:
        terminal.line(line)
    elif not (n.replace and terminal.replace(n.key, line, renderer.last_rows)) and n.anew:
        terminal.line(line, n.key, renderer.last_rows)


def _reveal(item: Any, renderer: Renderer, presenter: Presenter, terminal: Terminal, now: float,
            shown: Callable[[Any], None] | None) -> None:
    if type(item) is not ChatMessage:  # a released cheer, redemption or resub, as the presenter would draw it
        item = presenter.visible(item)  # the hide rules: a hidden chatter's moment, a resub's hidden words
        if item is None:
            return
        renderer.mark = presenter.filters.highlighted(item)
        line = renderer.event(item)
        if line is not None:  # straight to the terminal: the presenter would take it for a late twin
            terminal.line(line, None, renderer.last_rows)
        return
    if presenter.show(item, now) and shown is not None:  # False: the streamer's filters hide it
        shown(item)
