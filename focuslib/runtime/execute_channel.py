"""The channel's commands carried out (runtime/execute.py merges `HANDLERS` into its own table).

Each handler takes the `Executor` (typed loosely: execute.py imports this module, never the other way) and a
record of twitch/commands_channel.py, and returns one `Outcome`.  A login is looked up first (Get Users, cached);
`/user` builds a private card: in focus it goes to the devlog (a readable note, never the stream), in a shell it
is the command's output.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any, Callable

from focuslib.net.chat_api import Outcome, done, refused
from focuslib.text import rfc3339, sanitize
from focuslib.twitch import commands_channel as cc
from focuslib.twitch.events_base import User

Handler = Callable[[Any, Any], Outcome]
TIERS = {"1000": "T1", "2000": "T2", "3000": "T3"}


def _on_user(ex: Any, login: str, act: Callable[[User], Outcome]) -> Outcome:
    user = ex.user(login)
    return user if isinstance(user, Outcome) else act(user)


def _me(ex: Any, cmd: cc.Me) -> Outcome:
    # Helix's Send Chat Message has no action messages (IRC's /me): "/me waves" would reach chat as that text.
    return refused("Twitch's API cannot send /me (an action message); to send it as plain chat, type it without "
                   "/me (Up brings the line back)")


def _card(ex: Any, cmd: cc.UserCard) -> Outcome:
    user = ex.user(cmd.user)
    if isinstance(user, Outcome):
        return user
    lines = card_lines(ex, user, time.time())
    title = f"user card: {user.name} ({user.login}, id {user.id})"
    if ex.note is None:  # a shell: the card is the command's output (private)
        return done("\n".join([title, *lines]))
    went = ex.note(title, lines)
    if not went:
        return refused(f"the devlog is off (--no-devlog), and a card never goes on stream: python focus.py user "
                       f"{user.login} prints it in a shell")
    return done(went if isinstance(went, str) else f"the card of {user.name} is in the devlog (private)")


def card_lines(ex: Any, user: User, now: float) -> list[str]:
    """What Twitch and the history know of `user`: account and follow age, subscription, messages, moderation."""
    api = ex.api
    out = []
    account = api.account(user.id)
    created = None if isinstance(account, Outcome) else rfc3339(account.get("created_at"))
    out.append(f"account created {_when(created, now)}" if created else "account: Twitch did not say")
    followed = api.followed_at(user.id)
    if isinstance(followed, Outcome):
        out.append(followed.text)
    else:
        moment = rfc3339(followed) if followed else None
        out.append(f"following since {_when(moment, now)}" if moment else "not following")
    sub = api.subscription(user.id)
    if isinstance(sub, Outcome):
        out.append(sub.text)
    elif sub is None:
        out.append("not subscribed")
    else:
        gift = sub.get("gifter_name") if sub.get("is_gift") else ""
        out.append(f"subscribed at {TIERS.get(str(sub.get('tier')), '?')}" + (f" (a gift from {sanitize(str(gift))})"
                                                                               if gift else ""))
    out += _history(ex, user)
    return out


def _when(moment: Any, now: float) -> str:
    days = max(0, int((now - moment.timestamp()) // 86_400))
    age = f"{days} day{'' if days == 1 else 's'}" if days < 730 else f"{days // 365} years"
    return f"{moment.strftime('%Y-%m-%d')} ({age} ago)" if days else f"{moment.strftime('%Y-%m-%d %H:%M')} (today)"


def _history(ex: Any, user: User) -> list[str]:
    """The chatter's record in focus's history (read-only): messages, first seen, moderation."""
    if ex.history is None:
        return ["history: off"]
    from focuslib.store import queries, report
    from focuslib.store.schema import StoreError, open_read

    try:
        conn = open_read(ex.history, busy_ms=500)
        try:
            found = queries.history(conn, user.login, 5)
        finally:
            conn.close()
    except StoreError as exc:
        return ["history: none" if "no history yet" in exc.message else f"history: {exc.message}"]
    except sqlite3.Error:
        return ["history: the database cannot be read"]
    if found is None:
        return ["history: no message in this channel yet"]
    lines = report.history_lines(found, on_stream=False)  # the card is private: the whole record
    return ["history: " + lines[0], *lines[1:]]


HANDLERS: dict[type, Handler] = {
    cc.Vip: lambda ex, cmd: _on_user(ex, cmd.user, lambda u: ex.api.vip(u.id, u.name, cmd.on)),
    cc.Mod: lambda ex, cmd: _on_user(ex, cmd.user, lambda u: ex.api.mod(u.id, u.name, cmd.on)),
    cc.Roles: lambda ex, cmd: ex.api.roles(cmd.vips),
    cc.Marker: lambda ex, cmd: ex.api.marker(cmd.description),
    cc.Title: lambda ex, cmd: ex.api.title(cmd.text),
    cc.Game: lambda ex, cmd: ex.api.game(cmd.name),
    cc.Commercial: lambda ex, cmd: ex.api.commercial(cmd.seconds),
    cc.Unraid: lambda ex, cmd: ex.api.unraid(),
    cc.Whisper: lambda ex, cmd: _on_user(ex, cmd.user, lambda u: ex.api.whisper(u.id, u.name, cmd.text)),
    cc.NewPoll: lambda ex, cmd: ex.api.poll(cmd.question, cmd.choices, cmd.seconds),
    cc.EndPoll: lambda ex, cmd: ex.api.end_poll(),
    cc.NewPrediction: lambda ex, cmd: ex.api.prediction(cmd.question, cmd.outcomes, cmd.seconds),
    cc.EndPrediction: lambda ex, cmd: ex.api.end_prediction(cmd.winner, cmd.cancel),
    cc.Me: _me,
    cc.UserCard: _card,
}
