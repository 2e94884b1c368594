"""The streamer's highlights and filters in the running focus: read once at start, changed by the input line.

The rules themselves are pure (view/filters.py) and belong to the presenter, whose thread is the main one; the
input line's thread only hands a /highlight or /hide over (an inbox `Call`), and the main thread changes the
rules and prints the one-line answer, so a change applies from the next line drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from focuslib.runtime.inbox import Call
from focuslib.settings import FILTERS

if TYPE_CHECKING:
    from focuslib.runtime.app import App
    from focuslib.twitch.commands_filters import Filter
    from focuslib.view.filters import Filters


Items = tuple[str, ...]


def read_filters(items: tuple[Items, Items, Items, Items]) -> Filters | None:
    """The presenter's rules from the four settings (FILTERS' order), which focuslib/settings.py checked before
    anything started (a /pattern/ focus will not run was one line naming the setting, exit 2).  None when none is
    set: the rules' modules then load with the view, off the way to the first subscription."""
    if not any(items):
        return None
    from focuslib.view.filters import Filters, Names, Words

    return Filters(Names(list(items[0])), Words(list(items[1]), FILTERS[1]), Names(list(items[2])),
                   Words(list(items[3]), FILTERS[3]))


def filter_commands(app: App) -> Callable[[Filter], None]:
    """What the input line calls for /highlight, /unhighlight, /hide, /unhide (on its own thread)."""
    def carry_out(command: Filter) -> None:  # the main thread: the presenter's rules are its own
        from focuslib.view.patterns import PatternError

        try:
            text, level = app.presenter.filters.change(command.action, command.item), "done"
        except PatternError as exc:
            text, level = exc.message, "warn"
        app.terminal.line(app.renderer.notice(text, level))

    return lambda command: app.inbox.put(Call(lambda: carry_out(command)))
