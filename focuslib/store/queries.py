"""What the history answers: a user's record, the question and link inboxes, the recap.

Every function takes a read connection (schema.open_read) of its caller's own
and returns plain records; store/report.py turns them into lines.  Nothing
here writes: answering a question goes through the writer (focus) or
`mark_done` on a connection of the one-shot command's own.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Said:
    ts: float
    text: str
    deleted: bool
    cleared: bool
    held: bool


@dataclass(frozen=True, slots=True)
class ModAction:
    ts: float
    type: str  # ban, timeout, unban, delete, clear_user, release (the streamer let them through the hold queue)
    moderator: str
    detail: str
    amount: int = 0  # release: the held messages it let through


@dataclass(frozen=True, slots=True)
class UserHistory:
    login: str
    name: str
    first_seen: float | None
    count: int
    messages: list[Said]
    moderation: list[ModAction]


@dataclass(frozen=True, slots=True)
class Question:
    id: int  # messages row id (what /done marks)
    ts: float
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Link:
    ts: float
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class Recap:
    since: float
    until: float
    messages: int  # every message received, held ones included (the hold queue hides them, they were written)
    chatters: int
    new_chatters: int  # whose first message in the channel's history is in the window, held or not
    held: int  # of `messages`, those the hold queue kept off stream and nobody released
    held_chatters: int
    follows: int
    subs: int
    gifts: int
    bits: int  # cheered and spent on power-ups and combos
    raids: int
    raid_viewers: int
    top: list[tuple[str, int]] = field(default_factory=list)
    per_minute: list[int] = field(default_factory=list)
    power_up_bits: int = 0  # of `bits`, those spent on power-ups and combos (channel.bits.use only)
    released: int = 0  # of `messages`, those held until the streamer's /release (not among `held`)
    released_chatters: int = 0


MODERATION = ("ban", "timeout", "unban", "delete", "clear_user", "release")  # what a user's record lists


def history(conn: sqlite3.Connection, who: str, limit: int = 20) -> UserHistory | None:
    """`who`'s last `limit` messages (oldest first), first seen, count and moderation; None if never seen."""
    login = who.lstrip("@").lower()
    pairs = conn.execute("SELECT channel, user_id, name, login FROM users WHERE login = ? ORDER BY last_ts DESC",
                         (login,)).fetchall()
    if not pairs:  # banned or timed out before they ever said anything
        pairs = conn.execute("SELECT DISTINCT channel, target_id, target_name, target_login FROM events "
                             "WHERE target_login = ?", (login,)).fetchall()
    if not pairs:  # a display name, any case, in any script ("Pixel_Otter", "ちいさなコンパイラ", "Élodie")
        pairs = _by_name(conn, who.lstrip("@"))
    if not pairs:
        return None
    name, login = pairs[0][2] or pairs[0][3], pairs[0][3]
    said: list[Said] = []
    first: float | None = None
    count = 0
    moderation: list[ModAction] = []
    for channel, user_id, _, _ in pairs:
        n, lo = conn.execute("SELECT count(*), min(ts) FROM messages WHERE channel = ? AND user_id = ?",
                             (channel, user_id)).fetchone()
        count += n
        if lo is not None and (first is None or lo < first):
            first = lo
        said += [Said(ts, text, bool(d), bool(c), bool(h)) for ts, text, d, c, h in conn.execute(
            "SELECT ts, text, deleted, cleared, held FROM messages WHERE channel = ? AND user_id = ? "
            "ORDER BY ts DESC LIMIT ?", (channel, user_id, limit))]
        moderation += [ModAction(ts, kind, mod or "", detail, amount or 0) for ts, kind, mod, detail, amount in
                       conn.execute("SELECT ts, type, name, detail, amount FROM events WHERE channel = ? AND "
                                    f"target_id = ? AND type IN ({','.join('?' * len(MODERATION))}) ORDER BY ts",
                                    (channel, user_id, *MODERATION))]
    said.sort(key=lambda s: s.ts)
    moderation.sort(key=lambda m: m.ts)
    return UserHistory(login, name, first, count, said[-limit:], moderation)


def _by_name(conn: sqlite3.Connection, name: str) -> list[tuple[str, str, str, str]]:
    """The chatters whose display name is `name` (exactly, then ignoring case by Unicode's rules, which
    SQLite's NOCASE does only for ASCII), newest first: (channel, user id, name, login)."""
    rows = conn.execute("SELECT channel, user_id, name, login FROM users WHERE name = ? ORDER BY last_ts DESC",
                        (name,)).fetchall()
    if rows:
        return rows
    folded = name.casefold()
    return [row for row in conn.execute("SELECT channel, user_id, name, login FROM users ORDER BY last_ts DESC")
            if row[2].casefold() == folded]


def questions(conn: sqlite3.Connection, since: float) -> list[Question]:
    """Open questions since `since`, oldest first (their position is the number /done takes)."""
    return [Question(*row) for row in conn.execute(
        "SELECT id, ts, name, text FROM messages WHERE question = 1 AND ts >= ? AND deleted = 0 AND cleared = 0 "
        "AND held = 0 ORDER BY ts, id", (since,))]


def mark_done(conn: sqlite3.Connection, ids: list[int]) -> int:
    """Mark questions answered (a write connection); how many were open."""
    with conn:
        return sum(conn.execute("UPDATE messages SET question = 2 WHERE id = ? AND question = 1", (i,)).rowcount
                   for i in ids)


def links(conn: sqlite3.Connection, since: float) -> list[Link]:
    """Every URL posted since `since`, oldest first; not those of messages held (hold queue, never released),
    deleted or cleared: /links is shown on stream, and a moderated or held spammer's link must stay off it."""
    # A link row has its message's ts: the time index finds the message (there is none by message id).
    return [Link(*row) for row in conn.execute(
        "SELECT ts, name, url FROM links WHERE ts >= ? AND NOT EXISTS (SELECT 1 FROM messages m WHERE "
        "m.ts = links.ts AND m.message_id = links.message_id AND (m.held = 1 OR m.deleted = 1 OR m.cleared = 1)) "
        "ORDER BY ts, id", (since,))]


def recap(conn: sqlite3.Connection, since: float, until: float, top: int = 5) -> Recap:
    """The figures of [since, until]: what a streamer writes in their notes after a stream."""
    window = (since, until)
    one = lambda sql, args=window: conn.execute(sql, args).fetchone()[0] or 0  # noqa: E731
    # Every message counts, held or not: a recap that left out the new accounts the hold queue kept
    # off stream would say "(0 new)" on the very stream they wrote in.  Only the top chatters are
    # those whose messages reached the stream (a spam bot must not be named as a top chatter on it).
    where = "WHERE ts >= ? AND ts <= ?"
    shown = f"{where} AND held = 0"
    messages = one(f"SELECT count(*) FROM messages {where}")
    chatters = one(f"SELECT count(DISTINCT user_id) FROM messages {where}")
    held = one(f"SELECT count(*) FROM messages {where} AND held = 1")
    held_chatters = one(f"SELECT count(DISTINCT user_id) FROM messages {where} AND held = 1")
    new = one(f"SELECT count(*) FROM (SELECT channel, user_id, min(ts) AS first FROM messages m {where} "
              "GROUP BY channel, user_id) AS w WHERE NOT EXISTS (SELECT 1 FROM messages o WHERE o.channel = w.channel "
              "AND o.user_id = w.user_id AND o.ts < ?)", (*window, since))

    def events(expr: str, types: tuple[str, ...], extra: str = "") -> int:
        marks = ",".join("?" * len(types))
        return one(f"SELECT {expr} FROM events WHERE ts >= ? AND ts <= ? AND type IN ({marks}) {extra}",
                   (*window, *types))

    follows = events("count(*)", ("follow",))
    # Twitch reports subs, gifts, cheers and raids twice (the channel.* event and the chat notice);
    # count one source: the channel.* events when there are any, else the notices.
    subs = events("count(*)", ("sub",), "AND amount = 0") + events("count(*)", ("resub",))
    if not subs:
        subs = events("count(*)", ("notice:sub", "notice:resub"))
    gifts = events("sum(amount)", ("gift",)) or events("sum(amount)", ("notice:sub_gift", "notice:community_sub_gift"))
    # A cheer comes three times: as channel.cheer, as channel.bits.use of type "cheer" and as its chat message
    # (with its bits, held or not), and any of the three may be missing (a subscription or scope not granted,
    # a report lost in a reconnect).  Each source alone counts every cheer once, so the largest of the three
    # sums never counts one twice, and a cheer one source missed still counts from another.  Bits spent on
    # power-ups and combos come only as channel.bits.use (no twin, and their chat message, if any, carries
    # no bits): they add (protocol notes §2.6).
    cheered = max(events("sum(amount)", ("cheer",)), events("sum(amount)", ("bits_use",), "AND detail = 'cheer'"),
                  one(f"SELECT sum(bits) FROM messages {where}"))
    power_up_bits = events("sum(amount)", ("bits_use",), "AND detail <> 'cheer'")
    released = events("sum(amount)", ("release",))
    released_chatters = events("count(DISTINCT target_id)", ("release",))
    raids = events("count(*)", ("raid",))
    raid_viewers = events("sum(amount)", ("raid",))
    if not raids:
        raids = events("count(*)", ("notice:raid",))
        raid_viewers = events("sum(amount)", ("notice:raid",))
    # The broadcaster chats in their own channel (user_id = channel): not one of its top chatters.
    leaders = conn.execute(f"SELECT max(name), count(*) AS n FROM messages {shown} AND user_id <> channel "
                           "GROUP BY channel, user_id ORDER BY n DESC, max(name) LIMIT ?", (*window, top)).fetchall()
    minutes = max(1, int((until - since) // 60) + 1)
    per_minute = [0] * minutes
    for minute, n in conn.execute(f"SELECT CAST((ts - ?) / 60 AS INTEGER) AS k, count(*) FROM messages {where} "
                                  "GROUP BY k", (since, *window)):
        if 0 <= minute < minutes:
            per_minute[minute] = n
    return Recap(since, until, messages, chatters, new, held, held_chatters, follows, subs, gifts,
                 cheered + power_up_bits, raids, raid_viewers, [(name, n) for name, n in leaders], per_minute,
                 power_up_bits, released, released_chatters)


@dataclass(frozen=True, slots=True)
class LastMessage:
    """A chatter's latest message still in the chat (what a reply names as its parent)."""

    message_id: str
    user_id: str
    login: str
    name: str


def latest_message(conn: sqlite3.Connection, channel: str, who: str | None) -> LastMessage | None:
    """`who`'s latest message in `channel` that is still there (not deleted, cleared or held), or None;
    `who` None: anyone's whose message Twitch lets a moderator delete (not the broadcaster's, not a
    moderator's: Twitch answers 400)."""
    if who is None:
        row = conn.execute(
            "SELECT message_id, user_id, login, name FROM messages WHERE channel = ? AND deleted = 0 "
            "AND cleared = 0 AND held = 0 AND user_id <> channel AND (',' || badges) NOT LIKE '%,moderator/%' "
            "ORDER BY ts DESC LIMIT 1", (channel,)).fetchone()
        return LastMessage(*row) if row is not None else None
    # Through `users` (indexed by login) to messages(channel, user_id, ts): no scan of every message.
    row = conn.execute(
        "SELECT m.message_id, m.user_id, m.login, m.name FROM users u JOIN messages m "
        "ON m.channel = u.channel AND m.user_id = u.user_id WHERE u.channel = ? AND u.login = ? "
        "AND m.deleted = 0 AND m.cleared = 0 AND m.held = 0 ORDER BY m.ts DESC LIMIT 1",
        (channel, who.lstrip("@").lower())).fetchone()
    return LastMessage(*row) if row is not None else None
