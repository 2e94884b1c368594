"""Highlights and filters: which chat lines stand out, and which are never drawn (pure rules, no I/O).

Set in FOCUS_HIGHLIGHT_USERS, FOCUS_HIGHLIGHT_WORDS, FOCUS_HIDE_USERS, FOCUS_HIDE_WORDS (focuslib/settings.py reads
and checks them; runtime/filtering.py makes the rules of what it read; comma-separated; users
by login or display name, an `@` is fine; words and phrases match whole words in any case; `/regex/` a pattern,
run only when it is safe on hostile chat: view/patterns.py), and changed for the run by /highlight, /hide,
/unhighlight and /unhide (`change`).

What the rules look at: the lines that carry a chatter's own words -- chat messages (replies, /me, a cheer's
chat line and the `channel.cheer` / `channel.bits.use` twins that stand in for it, so a hidden cheer never comes
back through a twin), channel-points redemptions with their input, and Twitch's built-in rewards that send a
message.  Subs, raids, follows and chat notices are alerts the streamer must not miss: never hidden; but the
text a chatter wrote into one (a resub's message) is left out when the hide rules catch it (`hidden_text`), and an
announcement, which is nothing but its text, is then not drawn.  A hidden message still reaches the history and
the devlog: the presenter drops it after both have it (runtime/app.py).
Hiding wins over highlighting.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from focuslib.text import sanitize
from focuslib.twitch.events_base import User
from focuslib.view.patterns import TEXT_LIMIT, compile_pattern, is_pattern, words_regex

DONE = {"highlight": "highlighted", "hide": "hidden"}


_SAID: dict[type, Callable[[Any], tuple[User, str]]] = {}  # filled by `said` at the first line


def said() -> dict[type, Callable[[Any], tuple[User, str]]]:
    """Event type -> (who wrote it, what they wrote).  Made at the first line, not when the settings are read at
    start-up: the event records (~50 types) stay off the path to the first subscription."""
    if _SAID:
        return _SAID
    from focuslib.twitch.events import ANONYMOUS_CHEERER, AutomaticReward, BitsUse, ChatMessage, Cheer, Redemption

    anonymous = User("", ANONYMOUS_CHEERER, "AnAnonymousCheerer")
    _SAID.update({
        ChatMessage: lambda e: (e.chatter, e.text),
        Cheer: lambda e: (anonymous if e.anonymous else e.user, e.message),
        BitsUse: lambda e: (e.user, e.text),
        Redemption: lambda e: (e.user, e.user_input),
        AutomaticReward: lambda e: (e.user, e.text),
    })
    return _SAID


class Names:
    """Chatters by login or display name, in any case."""

    def __init__(self, items: list[str] | None = None) -> None:
        self.shown: dict[str, str] = {}  # casefolded -> as the streamer wrote it
        for item in items or ():
            self.add(item)

    def __bool__(self) -> bool:
        return bool(self.shown)

    def add(self, item: str) -> bool:
        name = item.removeprefix("@").strip()
        key = name.casefold()
        if not key or key in self.shown:
            return False
        self.shown[key] = name
        return True

    def remove(self, item: str) -> bool:
        return self.shown.pop(item.removeprefix("@").strip().casefold(), None) is not None

    def matches(self, user: User) -> bool:
        shown = self.shown
        return user.login.casefold() in shown or (bool(user.name) and user.name.casefold() in shown)


class Words:
    """Whole words and phrases in any case, and /patterns/; `setting` names where a bad pattern came from."""

    def __init__(self, items: list[str] | None = None, setting: str = "") -> None:
        self.words: dict[str, str] = {}  # casefolded -> as written
        self.patterns: dict[str, re.Pattern[str]] = {}  # "/source/" -> compiled
        self._regex: re.Pattern[str] | None = None
        for item in items or ():
            self.add(item, setting)

    def __bool__(self) -> bool:
        return bool(self.words or self.patterns)

    def items(self) -> list[str]:
        return [*self.words.values(), *self.patterns]

    def add(self, item: str, where: str = "") -> bool:
        """Raises PatternError (a ConfigError) for a pattern focus will not run."""
        item = item.strip()
        if is_pattern(item):
            if item in self.patterns:
                return False
            self.patterns[item] = compile_pattern(item, where)
            return True
        if not item or item.casefold() in self.words:
            return False
        self.words[item.casefold()] = item
        self._regex = words_regex(list(self.words.values()))
        return True

    def remove(self, item: str) -> bool:
        item = item.strip()
        if self.patterns.pop(item, None) is not None:
            return True
        if self.words.pop(item.casefold(), None) is None:
            return False
        self._regex = words_regex(list(self.words.values()))
        return True

    def matches(self, text: str) -> bool:
        if not text:
            return False
        text = sanitize(text[:TEXT_LIMIT])  # what the screen would show, as far as Twitch lets a message go
        regex = self._regex
        if regex is not None and regex.search(text):
            return True
        for pattern in self.patterns.values():
            if pattern.search(text):
                return True
        return False


class Filters:
    """The four rules; `hidden` and `highlighted` decide a line, `change` is what the commands do (main thread)."""

    def __init__(self, highlight_users: Names | None = None, highlight_words: Words | None = None,
                 hide_users: Names | None = None, hide_words: Words | None = None) -> None:
        self.rules = {"highlight": (highlight_users or Names(), highlight_words or Words()),
                      "hide": (hide_users or Names(), hide_words or Words())}
        self._refresh()

    def _refresh(self) -> None:
        # The chat path asks `hiding` and `highlighting` first: with nothing set, a message costs an attribute read.
        # Each rule as the chat path reads it: (casefolded names or None, words or None).
        self._rule = {name: (names.shown or None, words if words else None)
                      for name, (names, words) in self.rules.items()}
        self.hiding = self._rule["hide"] != (None, None)
        self.highlighting = self._rule["highlight"] != (None, None)

    def hidden(self, event: Any) -> bool:
        """`event` is never drawn: its chatter or its words are hidden."""
        return self.hiding and self._matches("hide", event)

    def highlighted(self, event: Any) -> bool:
        """`event`'s line is marked: its chatter or its words are highlighted."""
        return self.highlighting and self._matches("highlight", event)

    def hidden_text(self, user: User, text: str) -> bool:
        """A chat notice's own text (a resub's message, an announcement) is never drawn: its words, or its
        chatter, are hidden.  The notice stays (an alert the streamer must not miss), without the text."""
        return self.hiding and bool(text) and self._caught("hide", user, text)

    def _matches(self, rule: str, event: Any) -> bool:
        words_of = (_SAID or said()).get(type(event))
        if words_of is None:
            return False
        return self._caught(rule, *words_of(event))

    def _caught(self, rule: str, user: User, text: str) -> bool:
        names, words = self._rule[rule]
        if names is not None and (user.login.casefold() in names or bool(user.name)
                                  and user.name.casefold() in names):
            return True
        return words is not None and words.matches(text)

    # -- the commands (/highlight, /unhighlight, /hide, /unhide) ------------------------------------------

    def change(self, action: str, item: str) -> str:
        """Carry out `/ACTION ITEM` (no ITEM: list what is set); the one line that answers it.  An @name is a
        chatter, a /…/ a pattern, anything else a word or phrase.  Raises PatternError for a refused pattern."""
        undo = action.startswith("un")
        rule = action.removeprefix("un")
        names, words = self.rules[rule]
        item = item.strip()
        if not item:
            return self.listing(rule)
        user = item.startswith("@")
        what = f"{item[1:]}'s messages" if user else f"messages matching {item}" if is_pattern(item) else \
            f"messages with the word {item}" if " " not in item else f'messages with "{item}"'
        doing = "highlighting" if rule == "highlight" else "hiding"
        if undo:
            changed = names.remove(item) if user else words.remove(item)
            self._refresh()
            return f"no longer {doing} {what}" if changed else f"{what} were not {DONE[rule]}; /{rule} lists what is"
        changed = names.add(item) if user else words.add(item, f"/{rule}")
        self._refresh()
        if not changed:
            return f"{doing} {what} already"
        tail = "; they still reach the history and the devlog" if rule == "hide" else ""
        hint = "" if user or " " in item or is_pattern(item) or not _login_like(item) else \
            f" (for the chatter: /{rule} @{item})"
        return f"{doing} {what} for this run{tail}{hint}"

    def listing(self, rule: str) -> str:
        names, words = self.rules[rule]
        doing = "highlighting" if rule == "highlight" else "hiding"
        parts = [f"users {', '.join(names.shown.values())}" if names else "",
                 f"words {', '.join(words.items())}" if words else ""]
        said = " · ".join(part for part in parts if part)
        if said:
            return f"{doing} {said}"
        return f"nothing is {DONE[rule]}: /{rule} @USER, WORD or /PATTERN/ (or FOCUS_{rule.upper()}_USERS, _WORDS)"


def _login_like(item: str) -> bool:
    return item.replace("_", "a").isascii() and item.replace("_", "a").isalnum() and len(item) <= 25
