"""What reaches the screen, and when: the step between the session's `Show` and the renderer.

The renderer turns one event into one line; the presenter decides which
events get a line at all and groups the ones that arrive as floods:

* Event groups (`--events`): a chat notice belongs to a group by its kind
  (a resub notice is "subs", a raid notice "raids"), so choosing groups means
  the same whether a fact arrives as a notice or as its own subscription.
* One moment, one line, and never none.  Several subscriptions report the
  same moment (view/twins.py pairs them by user, kind and tier or amount):
  - subs, resubs, gifts and raids: the `channel.chat.notification` is the
    richer twin -- it carries the resub's message and, for gift bombs, the
    community gift id that ties each recipient to its bomb (§3.2), which
    `channel.subscribe` (is_gift) and `channel.subscription.gift` lack.
  - cheers: the chat message (its cheermotes and bits are on the chat line),
    then `channel.bits.use`, then `channel.cheer`.  An anonymous cheer's chat
    message comes from Twitch's AnAnonymousCheerer account, while the events
    carry no user: all three key it as anonymous.  Power-ups and combos come
    only as `channel.bits.use` and are shown at once.
  Whichever report comes first is shown at once when no richer source is
  subscribed; otherwise it waits up to `twins.WINDOW` (1.5 s) for the richer
  one, and is shown when that never comes (or when focus stops: `flush`).
  Later twins are dropped.
  - Twitch's built-in rewards that send a message (highlight it, send it in
    sub-only mode): the chat line, marked `✪ highlighted` / `✪ sub-only`.
  - bans and timeouts: `channel.ban` (reason, duration, moderator);
    `channel.chat.clear_user_messages` gets a line only without it.
  - a chat message sent through a channel-points reward: the redemption line,
    which has the same text plus the reward's title.
* Floods: follows beyond 5 in 10 s collapse into one summary line per 10 s;
  a gift bomb is one line for the bomb plus one line with its recipients;
  hype train, poll, prediction and goal progress is throttled to one line per 10 s.
  All of this keeps deadlines (`deadline()` / `tick(now)`) that the App's main
  loop sleeps on, so nothing polls.
* Moderation: on a fancy terminal a deleted message's line is rewritten in
  place while it is on screen; elsewhere a short notice says what happened.
  AutoMod's outcome (allowed, denied, expired) rewrites its held line the same
  way, or adds a line where that is not possible.
* Alerts: a line with a banner (raid, sub, first-time chatter, a mention of the
  broadcaster) also rings the bell when `bell` is on (stdout is a terminal and
  --bell was given).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from focuslib.view.collapse import FLOOD_LIMIT, FLOOD_WINDOW, GIFT_WAIT, Bomb, FloodGate, GiftBombs, Throttle
from focuslib.twitch.events import (ANONYMOUS_CHEERER, AnnouncementNotice, AutoModHold, AutoModUpdate,
                                    AutomaticReward, BitsUse, ChannelBan, ChannelRaid, ChannelUnban, ChatClear,
                                    ChatMessage, ChatNotification, ChatSettings, Cheer, ClearUserMessages,
                                    CommunityGiftNotice, Event, Follow, Goal, HypeTrain, MessageDelete, Poll,
                                    Prediction, RaidNotice, Redemption, ResubNotice, SubGiftNotice, SubNotice,
                                    Subscribe, SubscriptionGift, SubscriptionMessage, User)
from focuslib.view.filters import Filters
from focuslib.view.modmemory import ModerationMemory
from focuslib.view.render import Renderer
from focuslib.view.terminal import Terminal
from focuslib.view.twins import WINDOW, Twins

NOTIFICATION = "channel.chat.notification"
CHAT = "channel.chat.message"
REDEMPTION = "channel.channel_points_custom_reward_redemption.add"

# Notice kind -> event group (§3.2); kinds not listed belong to "chat".
NOTICE_GROUPS = {
    "sub": "subs", "resub": "subs", "sub_gift": "subs", "community_sub_gift": "subs", "gift_paid_upgrade": "subs",
    "prime_paid_upgrade": "subs", "pay_it_forward": "subs", "raid": "raids", "unraid": "raids",
    "bits_badge_tier": "cheers",
}
# Moment kind -> its sources, richest first (view/twins.py).
TWIN_SOURCES: dict[str, tuple[str, ...]] = {
    "sub": (NOTIFICATION, "channel.subscribe"),
    "resub": (NOTIFICATION, "channel.subscription.message"),
    "gift": (NOTIFICATION, "channel.subscription.gift"),  # the gifter's line (a bomb or one gift)
    "gifted": (NOTIFICATION, "channel.subscribe"),  # one recipient of a gift
    "raid": (NOTIFICATION, "channel.raid"),
    "cheer": (CHAT, "channel.bits.use", "channel.cheer"),
}
TWIN_GROUPS = {"sub": "subs", "resub": "subs", "gift": "subs", "gifted": "subs", "raid": "raids", "cheer": "cheers"}
# Built-in rewards whose message is a chat message marked as such (§3.1 message_type).
CHAT_REWARDS = frozenset({"send_highlighted_message", "single_message_bypass_sub_mode"})
REWARDS = 64  # redemptions waiting for their chat message (or the reverse), and pairs kept for a delete
RECENT_CHAT = 512  # chat lines remembered for in-place deletion (more than a screen holds)
GIFT_TOTALS = 64  # gifters' cumulative totals remembered for their notice (a few bombs at once at most)


class Presenter:
    def __init__(self, renderer: Renderer, terminal: Terminal, *, groups: frozenset[str] | None = None,
                 types: frozenset[str] | None = None, bell: bool = False, flood_limit: int = FLOOD_LIMIT,
                 flood_window: float = FLOOD_WINDOW, gift_wait: float = GIFT_WAIT, progress_interval: float = 10.0,
                 twin_window: float = WINDOW, filters: Filters | None = None) -> None:
        self.renderer = renderer
        self.filters = filters or Filters()  # highlights and hidden chatters or words (main thread; view/filters.py)
        self.terminal = terminal
        # Screen mode's pane (screen/writer.py) takes a line back wherever it is and remembers as many as it
        # holds; a line-mode terminal rewrites only what is still on screen.
        self._remove = getattr(terminal, "remove", None)
        self._remembers: int = getattr(terminal, "remembers", RECENT_CHAT)
        self.groups = groups
        self.types = types  # subscription types focus has; None = all of them
        self.bell = bell
        self.follows: FloodGate[User] = FloodGate(flood_limit, flood_window)
        self.firsts: FloodGate[User] = FloodGate(flood_limit, flood_window)  # first-time chatters, as follows
        self.bombs = GiftBombs(gift_wait)
        self.progress: Throttle[Event] = Throttle(progress_interval)
        self.twins = Twins(twin_window)
        self._event_bomb: Bomb | None = None  # fallback grouping without notifications
        self._bomb_ids = 0
        self._recent: OrderedDict[str, tuple[str, list[Any]]] = OrderedDict()  # message id -> (user id, head)
        # A redemption's input comes twice: as the redemption (whose line shows it) and as a chat message (not
        # shown), in either order.  A moderator deletes the chat message: its id finds the redemption's line.
        self._rewards: OrderedDict[tuple[str, str], str] = OrderedDict()  # (user id, text) -> the other's key
        self._aliases: OrderedDict[str, str] = OrderedDict()  # chat message id -> the redemption line's key
        self._skip: set[type] = set()
        self.moderation = ModerationMemory()  # who is timed out, the chat modes shown last
        # (gifter id, tier, count) -> the gifter's cumulative total, from channel.subscription.gift: the
        # community gift notice (the line shown) may lack it, and its twin is never shown.
        self._gift_totals: OrderedDict[tuple[str, str, int], int] = OrderedDict()
        self.use(types)

    def use(self, types: frozenset[str] | None) -> None:
        """The subscription types Twitch actually gave focus (None = all): decides each fact's source.

        Called again whenever that changes (a refused or revoked preferred source
        lets its fallback through)."""
        self.types = types
        skip: set[type] = set()
        if self._has("channel.ban"):
            skip.add(ClearUserMessages)
        self._skip = skip

    def _has(self, stype: str) -> bool:
        return self.types is None or stype in self.types

    # -- input ------------------------------------------------------------------------

    def show(self, event: Event, now: float) -> bool:
        """Put whatever `event` should show on the terminal (maybe nothing yet); False when the streamer's
        filters hide it (view/filters.py): the history and the devlog have it already, the screen never will."""
        if self.filters.hiding:
            event = self.visible(event)  # type: ignore[assignment]
            if event is None:
                return False
        kind = type(event)
        if kind is ChatMessage:
            if event.bits:  # type: ignore[union-attr]
                self._twin(("cheer", _cheerer(event.chatter), event.bits), CHAT, event, now)  # type: ignore[union-attr]
            self._chat(event, now)  # type: ignore[arg-type]
            return True
        if kind is ChatNotification:
            if not self._wanted(NOTICE_GROUPS.get(event.kind, "chat")):  # type: ignore[union-attr]
                return True
            keys = _notice_keys(event)  # type: ignore[arg-type]
            fresh = [self._twin(key, NOTIFICATION, event, now) for key in keys]  # every key is reported
            if keys and not any(fresh):
                return True  # a late twin: its moment is on screen already
        else:
            if kind is SubscriptionGift and event.cumulative_total:  # type: ignore[union-attr]
                self._gift_total(event)  # type: ignore[arg-type]
            key = _event_key(event)
            source = "channel.bits.use" if kind is BitsUse else TWIN_SOURCES[key[0]][-1] if key else ""
            if key is not None and not self._twin(key, source, event, now):
                return True  # waits for its richer twin (see tick), or its twin was shown already
        self._present(event, now)
        return True

    def visible(self, event: Event) -> Event | None:
        """`event` as the streamer's filters let it be drawn: None when they hide it, a chat notice without the
        words they hide (a resub's message).  `show` asks it, and so does whatever draws an event itself (a
        released cheer or resub, runtime/memory_draw.py)."""
        filters = self.filters
        if not filters.hiding:
            return event
        if filters.hidden(event):
            return None
        if type(event) in (ChatNotification, SubscriptionMessage):  # a chatter's words inside an alert
            return _without_hidden_text(event, filters)  # type: ignore[arg-type]
        reply = event.reply if type(event) is ChatMessage else None  # type: ignore[union-attr]
        if reply is not None and filters.hidden_text(reply.parent_user, reply.parent_body):
            # Twitch quotes the parent in every reply: a hidden message's words would reach the stream there.
            return event._replace(reply=reply._replace(parent_body=""))  # type: ignore[union-attr]
        return event

    def _twin(self, key: tuple[Any, ...], source: str, event: Event, now: float) -> bool:
        """Report one twin of a moment; True when it should be shown now."""
        sources = TWIN_SOURCES[key[0]]
        rank = sources.index(source)
        group = TWIN_GROUPS[key[0]]
        best = next((r for r, stype in enumerate(sources)
                     if self._has(stype) and (stype != NOTIFICATION or self._wanted(group))), rank)
        return self.twins.report(key, source, rank, best, event, now)

    def _present(self, event: Event, now: float) -> None:
        if self.filters.highlighting:  # a redemption's or a cheer's line (chat lines: `_chat`)
            self.renderer.mark = self.filters.highlighted(event)
        try:
            self._dispatch(event, now)
        finally:
            self.renderer.mark = False  # a branch that draws nothing must not pass the mark on

    def _dispatch(self, event: Event, now: float) -> None:
        kind = type(event)
        if kind in self._skip:
            if kind is ClearUserMessages:
                self._moderation(event)
        elif kind is ChatNotification:
            self._notice(event, now)  # type: ignore[arg-type]
        elif kind is Follow:
            if self.follows.add(event.user, now):  # type: ignore[union-attr]
                self._emit(self.renderer.event(event))
        elif kind is SubscriptionGift:
            self._event_gift(event, now)  # type: ignore[arg-type]
        elif kind is Subscribe and event.is_gift and self._event_bomb is not None:  # type: ignore[union-attr]
            self._event_recipient(event.user, now)  # type: ignore[union-attr]
        elif kind is AutomaticReward:
            if not self._in_chat(event):  # type: ignore[arg-type]
                self._emit(self.renderer.event(event))
        elif kind in (HypeTrain, Poll, Prediction, Goal):
            if self._progress(event, now):  # type: ignore[arg-type]
                self._emit(self.renderer.event(event))
        elif kind in (MessageDelete, ChatClear, ClearUserMessages):
            if not self._moderation(event):
                self._emit(self.renderer.event(event))
        elif kind is AutoModHold:
            key = f"held:{event.message_id}" if self.terminal.fancy else None  # type: ignore[union-attr]
            self._emit(self.renderer.event(event), key=key)
        elif kind is AutoModUpdate:
            self._automod_update(event)  # type: ignore[arg-type]
        elif kind is ChannelBan:
            self.moderation.banned(event)  # type: ignore[arg-type]
            self._emit(self.renderer.event(event))
        elif kind is ChannelUnban and self.moderation.ends_timeout(event):  # type: ignore[arg-type]
            self._emit(self.renderer.timeout_ended(event))  # type: ignore[arg-type]
        elif kind is ChatSettings:
            if self.moderation.new_modes(event):  # type: ignore[arg-type]
                self._emit(self.renderer.event(event))
        elif kind is Redemption and event.user_input:  # type: ignore[union-attr]  # what the viewer typed
            user, key = event.user.id, f"redemption:{event.id}"  # type: ignore[union-attr]
            key = self._pair_reward(user, event.user_input, line=key)  # type: ignore[union-attr]
            self._owned(self.renderer.event(event), key, user)
        elif kind is SubscriptionMessage and event.text:  # type: ignore[union-attr]  # a resub's own words
            user = event.user.id  # type: ignore[union-attr]
            self._owned(self.renderer.event(event), f"resub:{user}:{now}", user)
        else:
            self._emit(self.renderer.event(event))

    def _in_chat(self, e: AutomaticReward) -> bool:
        """A highlighted or sub-only-mode message is a chat line marked `✪ highlighted` / `✪ sub-only`
        already: its redemption would repeat it (the line stays when chat is not shown)."""
        return e.reward_type in CHAT_REWARDS and self._has(CHAT) and self._wanted("chat")

    def _progress(self, event: HypeTrain | Poll | Prediction | Goal, now: float) -> bool:
        key = f"{type(event).__name__}:{event.id}"
        if event.phase == "progress":
            return self.progress.add(key, event, now)
        if event.phase == "end":
            self.progress.finish(key)
        return True

    def deadline(self) -> float | None:
        """The monotonic time `tick` next needs to run, None when nothing waits."""
        times = [d for d in (self.follows.deadline(), self.firsts.deadline(), self.bombs.deadline(),
                             self.progress.deadline(), self.twins.deadline()) if d is not None]
        return min(times) if times else None

    def flush(self, now: float) -> None:
        """Release everything that still waits, deadline or not: focus is stopping, and a moment
        held for its twin (or a flood summary, a gift bomb's recipients) must not go unseen."""
        self.tick(float("inf"))

    def tick(self, now: float) -> None:
        """Release whatever waited for a deadline that has passed."""
        for event in self.twins.due(now):  # their richer twin never came
            self._present(event, now)
        names = self.follows.due(now)
        if names:
            self._emit(self.renderer.follow_summary(names, self.follows.window))
        firsts = self.firsts.due(now)
        if firsts:
            self._emit(self.renderer.first_summary(firsts, self.firsts.window))
        for bomb in self.bombs.due(now):
            self._finish_bomb(bomb)
        for event in self.progress.due(now):
            self._emit(self.renderer.event(event))

    # -- chat ---------------------------------------------------------------------------

    def _chat(self, m: ChatMessage, now: float) -> None:
        if m.reward_id and self._has(REDEMPTION) and self._wanted("points"):
            self._pair_reward(m.chatter.id, m.text, chat=m.message_id)
            return  # the redemption line shows it (see the module docstring)
        if self.renderer.is_first(m) and not self.firsts.add(m.chatter, now):
            self.renderer.plain_first(m.message_id)  # a wave of new accounts: their lines without the banner
        self.renderer.mark = self.filters.highlighting and self.filters.highlighted(m)
        line = self.renderer.event(m)  # which takes the mark back
        if line is None:
            return
        if self.terminal.fancy and m.message_id:
            self._emit_taken_back(line, m.message_id, m.chatter.id, self.renderer.chat_head(m))
        else:
            self._emit(line)

    def _moderation(self, event: Event) -> bool:
        """Rewrite deleted lines in place; True when that said everything."""
        if not self.terminal.fancy:
            return False
        if isinstance(event, MessageDelete):
            mid = self._aliases.get(event.message_id, event.message_id)  # a redemption's chat message: its line
            ids = [mid] if mid in self._recent else []
        elif isinstance(event, ClearUserMessages):
            ids = [k for k, (uid, _) in self._recent.items() if uid == event.target.id]
        else:
            ids = list(self._recent)
        done = 0
        remove = self._remove
        for mid in ids:
            _, head = self._recent.pop(mid)
            if remove is not None:
                done += remove(mid)
                continue
            text = self.renderer.deleted_chat(head)
            done += self.terminal.replace(mid, text, self.renderer.last_rows)
        return isinstance(event, MessageDelete) and done > 0

    def _automod_update(self, e: AutoModUpdate) -> None:
        """The outcome rewrites the held line while it is on screen, else it is a line of its own."""
        if self.terminal.fancy:
            line = self.renderer.automod_resolved(e)
            if line is not None and self.terminal.replace(f"held:{e.message_id}", line, self.renderer.last_rows):
                return
        self._emit(self.renderer.event(e))

    # -- notices and gifts --------------------------------------------------------------------

    def _notice(self, n: ChatNotification, now: float) -> None:
        d = n.detail
        if not n.shared and isinstance(d, CommunityGiftNotice) and d.id:
            gifter = None if n.anonymous else n.chatter
            bomb = self.bombs.bomb(d.id, gifter, d.tier, d.total, now)
            if d.cumulative_total is None:  # its twin channel.subscription.gift may have said it
                known = self._gift_totals.get((gifter.id if gifter else "", d.tier, d.total))
                if known:
                    n = n._replace(detail=d._replace(cumulative_total=known))
            bomb.total_said = n.detail.cumulative_total is not None  # type: ignore[union-attr]
            self._emit(self.renderer.event(n))
            if bomb.total and len(bomb.recipients) >= bomb.total:  # every recipient came first
                self._finish_bomb(self.bombs.open.pop(d.id))
            return
        if not n.shared and isinstance(d, SubGiftNotice) and d.community_gift_id:
            gifter = None if n.anonymous else n.chatter
            bomb = self.bombs.recipient(d.community_gift_id, d.recipient, gifter, d.tier, now)
            if bomb is not None:
                self._finish_bomb(bomb)
            return
        if n.text and not n.anonymous and n.message_id:  # a resub's or an announcement's own words
            return self._owned(self.renderer.event(n), n.message_id, n.chatter.id)
        self._emit(self.renderer.event(n))

    def _gift_total(self, e: SubscriptionGift) -> None:
        key = ("" if e.anonymous else e.gifter.id, e.tier, e.total)
        self._gift_totals[key] = e.cumulative_total  # type: ignore[assignment]
        self._gift_totals.move_to_end(key)
        if len(self._gift_totals) > GIFT_TOTALS:
            self._gift_totals.popitem(last=False)

    def _event_gift(self, e: SubscriptionGift, now: float) -> None:
        # Without notifications nothing ties a gifted channel.subscribe to its
        # bomb, so the recipients that follow a channel.subscription.gift are
        # taken as its own, up to its total (Twitch sends them right after it).
        self._bomb_ids += 1
        gift_id = f"event-{self._bomb_ids}"
        self._event_bomb = self.bombs.bomb(gift_id, None if e.anonymous else e.gifter, e.tier, e.total, now)
        self._event_bomb.total_said = bool(e.cumulative_total)  # its line says it
        self._emit(self.renderer.event(e))

    def _event_recipient(self, recipient: User, now: float) -> None:
        bomb = self._event_bomb
        assert bomb is not None
        if self.bombs.open.get(bomb.gift_id) is not bomb:  # it already went quiet
            self._event_bomb = None
            return self._emit(self.renderer.event(Subscribe(recipient, User("", "", ""), bomb.tier, True)))
        done = self.bombs.recipient(bomb.gift_id, recipient, bomb.gifter, bomb.tier, now)
        if done is not None:
            self._event_bomb = None
            self._finish_bomb(done)
        return None

    def _finish_bomb(self, bomb: Bomb) -> None:
        if not bomb.announced:
            self._emit(self.renderer.gift_bomb(bomb.gifter, len(bomb.recipients), bomb.tier))
        if bomb.recipients:
            gifter = bomb.gifter.id if bomb.gifter else ""
            known = None if bomb.total_said else self._gift_totals.get((gifter, bomb.tier, bomb.total))
            self._emit(self.renderer.gift_recipients(bomb.recipients, bomb.total, known))
        if self._event_bomb is bomb:
            self._event_bomb = None

    # -- output -------------------------------------------------------------------------------

    def _pair_reward(self, user: str, text: str, *, chat: str = "", line: str = "") -> str:
        """Pair a redemption's line with its chat message (either may come first); the key the line gets."""
        if self._remove is None or not user or not text:
            return line
        other = self._rewards.pop((user, text), None)
        if chat:
            if other is not None:  # the line is on screen already: its chat message's id finds it
                self._aliases[chat] = other
                if len(self._aliases) > REWARDS:
                    self._aliases.popitem(last=False)
            else:
                self._rewards[(user, text)] = chat
        elif other is not None:  # its chat message came first: the line takes the message's id
            return other
        else:
            self._rewards[(user, text)] = line
        if len(self._rewards) > REWARDS:
            self._rewards.popitem(last=False)
        return line

    def _owned(self, line: str | None, key: str, owner: str) -> None:
        """A line that carries a chatter's own words beside chat (a resub's message, an announcement, a
        redemption's input): in screen mode it is taken back with that chatter's chat (a ban, a timeout, a clear;
        a deleted notice by its message id).  Line mode rewrites only chat lines in place (their head is known)."""
        if line is None or self._remove is None:
            return self._emit(line)
        self._emit_taken_back(line, key, owner, [])

    def _emit_taken_back(self, line: str, key: str, owner: str, head: list[Any]) -> None:
        """Show a line a moderator can take back: remembered (bounded) by its key with its chatter's id."""
        recent = self._recent
        recent[key] = (owner, head)
        if len(recent) > self._remembers:
            recent.popitem(last=False)
        self._emit(line, key=key)

    def _wanted(self, group: str) -> bool:
        return self.groups is None or group in self.groups

    def _emit(self, line: str | None, key: str | None = None) -> None:
        if line is None:
            return
        self.terminal.line(line, key, self.renderer.last_rows)
        if self.bell and self.renderer.last_alert:
            self.terminal.bell()


# -- twin keys: what identifies a moment in each of its reports -------------------------------

def _notice_keys(n: ChatNotification) -> list[tuple[Any, ...]]:
    if n.shared:
        return []  # it happened in another channel of a shared chat: no channel.* twin here
    d = n.detail
    kind = n.kind
    if kind == "sub" and isinstance(d, SubNotice):
        return [("sub", n.chatter.id, d.tier)]
    if kind == "resub" and isinstance(d, ResubNotice):
        return [("resub", n.chatter.id, d.tier)]
    if kind == "raid" and isinstance(d, RaidNotice):
        return [("raid", d.raider.id)]
    if kind == "community_sub_gift" and isinstance(d, CommunityGiftNotice):
        return [("gift", n.chatter.id, d.tier, d.total)]
    if kind == "sub_gift" and isinstance(d, SubGiftNotice):
        keys: list[tuple[Any, ...]] = [("gifted", d.recipient.id, d.tier)]
        if not d.community_gift_id:  # one gift: this notice is also the gifter's line
            keys.append(("gift", n.chatter.id, d.tier, 1))
        return keys
    return []


def _event_key(e: Event) -> tuple[Any, ...] | None:
    kind = type(e)
    if kind is Subscribe:
        return ("gifted" if e.is_gift else "sub", e.user.id, e.tier)  # type: ignore[union-attr]
    if kind is SubscriptionMessage:
        return ("resub", e.user.id, e.tier)  # type: ignore[union-attr]
    if kind is SubscriptionGift:
        return ("gift", e.gifter.id, e.tier, e.total)  # type: ignore[union-attr]
    if kind is ChannelRaid:
        # The raider identifies a raid (it cannot raid twice in a minute); viewer counts may differ.
        return ("raid", e.from_broadcaster.id)  # type: ignore[union-attr]
    if kind is Cheer:
        return ("cheer", e.user.id, e.bits)  # type: ignore[union-attr]  # "" when anonymous
    if kind is BitsUse and e.kind == "cheer":  # type: ignore[union-attr]  # power-ups and combos have no twin
        return ("cheer", e.user.id, e.bits)  # type: ignore[union-attr]
    return None


def _without_hidden_text(event: ChatNotification | SubscriptionMessage, filters: Filters
                         ) -> ChatNotification | SubscriptionMessage | None:
    """`event` without the text the hide rules catch: the alert stays, its words go (the history and the devlog
    have them); an announcement, nothing but its text, is None: not drawn, like a hidden chat message."""
    if type(event) is SubscriptionMessage:
        return event._replace(text="", emotes=()) if filters.hidden_text(event.user, event.text) else event
    n: ChatNotification = event  # type: ignore[assignment]
    if not filters.hidden_text(n.chatter, n.text):
        return event
    return None if isinstance(n.detail, AnnouncementNotice) else n._replace(text="", fragments=())


def _cheerer(chatter: User) -> str:
    """The cheer key's user for a chat message: an anonymous cheer is sent to chat by Twitch's
    AnAnonymousCheerer account, while channel.cheer carries no user at all; both key as ""."""
    return "" if chatter.login == ANONYMOUS_CHEERER else chatter.id
