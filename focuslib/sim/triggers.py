"""Events a person can fire by hand at a running simulator (`make trigger EVENT=...`).

A trigger plays a moment the way Twitch reports it: a sub arrives as
`channel.subscribe` *and* as a `sub` chat notice, a gift bomb as
`channel.subscription.gift`, one gifted `channel.subscribe` per recipient, a
`community_sub_gift` notice and one `sub_gift` notice per recipient, a ban as
`channel.ban` plus `channel.chat.clear_user_messages`.  The simulator delivers
each only to sessions subscribed to its type, so what focus shows depends on
its --events, as with the real Twitch.
"""

from __future__ import annotations

import itertools
import random
import zlib
from typing import TYPE_CHECKING, Any, Callable

from . import payloads
from . import payloads_channel as channel
from . import payloads_chat as chat
from . import payloads_community as community
from . import payloads_moderation as moderation

if TYPE_CHECKING:
    from .state import SimState

Frames = list[tuple[str, dict[str, Any]]]
Who = tuple[str, str, str]

CHATTERS = [
    (("81230001", "pixel_otter", "Pixel_Otter"), "#FF7F50", [("subscriber", "12", "14")]),
    (("81230002", "mossy_lantern", "Mossy_Lantern"), "#3C8DFF", [("moderator", "1", ""), ("subscriber", "0", "2")]),
    (("81230003", "byte_heron", "byte_heron"), "", []),
    (("81230004", "kaffeekatze", "KaffeeKatze"), "#9ACD32", [("vip", "1", ""), ("premium", "1", "")]),
    (("81230005", "tiny_compiler", "ちいさなコンパイラ"), "#DAA520", [("subscriber", "3", "3")]),
    (("81230006", "loud_kettle", "Loud_Kettle"), "#000000", [("founder", "0", "20")]),
]
OTTER, MOSS, HERON, KATZE, TINY, KETTLE = (c[0] for c in CHATTERS)
FRIEND = ("70000077", "rustyraccoon", "RustyRaccoon")  # another streamer
ANONYMOUS_CHEERER = ("407665396", "ananonymouscheerer", "AnAnonymousCheerer")  # sends anonymous cheers to chat
BROADCASTER = payloads.BROADCASTER
STYLE = {c[0]: (c[1], c[2]) for c in CHATTERS}
# How long each regular has followed the channel, in days (Get Channel Followers answers with it): all longer than
# FOCUS_HOLD_FOLLOW_DAYS' 7, so the hold queue shows them from a first run on; newcomers follow from their follow.
FOLLOWED_DAYS = {OTTER: 420, MOSS: 800, HERON: 35, KATZE: 260, TINY: 90, KETTLE: 12, FRIEND: 600}

LINES = [
    "hey @DeskFox what are we building today? HeyGuys",
    "that borrow checker error is a classic LUL",
    "try a dataclass with slots=True SeemsGood",
    "first time here, love the setup 🦊✨",
    "is that vim or neovim?",
    "Kappa Kappa Kappa",
    "have you tried turning the event loop off and on again",
    "日本語のチャットも大丈夫? 👍",
    "PogChamp it compiled",
]
# The moments' random choices (a sub's tier, a raid's size, a chat line, a newcomer's name) come from one generator,
# so a test can replay the demo exactly (`seed`); unseeded, newcomers get new names on every run (a demo's newcomer
# must be new to a history that remembers the last run's).
_rng = random.Random()
_seq = itertools.count(1)
_BASE = _rng.randrange(90_000)


def seed(value: int) -> None:
    """Make every later random choice, and the newcomers' names, the same on every run with this value."""
    global _seq, _BASE
    _rng.seed(value)
    _seq = itertools.count(1)
    _BASE = _rng.randrange(90_000)
HORDE = ("70000666", "hostile_horde", "Hostile_Horde")  # a raider bringing a hate raid
SPAM = ["FOLLOW ME FOR FREE VIEWERS", "this stream is trash lol", "cheap-viewers dot example 50% off",
        "E Z  E Z  E Z", "get a real job", "spam spam spam"]


def say(who: Who, text: str, **kw: Any) -> Frames:
    color, badges = STYLE.get(who, ("", []))
    return [("channel.chat.message", payloads.chat_message(who, text, color=color, badges=badges, **kw))]


def newcomer() -> Who:
    n = 10_000 + (_BASE + next(_seq)) % 90_000
    return (str(70100000 + n), f"new_friend_{n}", f"New_Friend_{n}")


def hate_raid(accounts: int = 40) -> Frames:
    """A raid, then a wave of accounts nobody has seen, following and posting spam: what /shield is for."""
    frames = raid(HORDE, 250)
    for k in range(accounts):
        n = 10_000 + (_BASE + next(_seq)) % 90_000
        bot = (str(71100000 + n), f"raid_bot_{n}", f"Raid_Bot_{n}")
        if k % 2:
            frames.append(("channel.follow", payloads.follow(bot)))
        frames += say(bot, SPAM[k % len(SPAM)])
    return frames


def sub(who: Who, tier: str = "1000") -> Frames:
    return [("channel.subscribe", payloads.subscribe(who, tier)), ("channel.chat.notification", chat.sub(who, tier))]


def resub(who: Who, months: int, text: str) -> Frames:
    return [("channel.subscription.message", channel.subscription_message(who, text, months, months // 2)),
            ("channel.chat.notification", chat.resub(who, months, months // 2, text=text))]


def gift(gifter: Who, recipient: Who) -> Frames:
    return [("channel.subscription.gift", channel.subscription_gift(gifter, 1, cumulative_total=3)),
            ("channel.subscribe", payloads.subscribe(recipient, is_gift=True)),
            ("channel.chat.notification", chat.sub_gift(gifter, recipient, cumulative_total=3))]


def gift_bomb(gifter: Who | None, count: int) -> Frames:
    recipients = [newcomer() for _ in range(count)]
    out: Frames = [("channel.subscription.gift", channel.subscription_gift(gifter, count, cumulative_total=40))]
    out += [("channel.subscribe", payloads.subscribe(r, is_gift=True)) for r in recipients]
    out += [("channel.chat.notification", e)
            for e in chat.gift_bomb(gifter, recipients, gift_id=str(4419032157738800000 + next(_seq)))]
    return out


def raid(raider: Who, viewers: int) -> Frames:
    return [("channel.raid", channel.raid(raider, viewers)), ("channel.chat.notification", chat.raid(raider, viewers))]


def cheer(who: Who | None, bits: int, text: str) -> Frames:
    """A cheer as Twitch reports it three times: the chat message (an anonymous one from Twitch's
    AnAnonymousCheerer account), `channel.bits.use` and `channel.cheer` (view/twins.py keeps one)."""
    words = f"Cheer{bits} {text}"
    return say(who or ANONYMOUS_CHEERER, words) + [
        ("channel.bits.use", community.bits_use(who, bits, "cheer", words)),
        ("channel.cheer", channel.cheer(who, bits, words))]


def power_up(who: Who, bits: int, kind: str, text: str = "", emote: str = "") -> Frames:
    """A power-up: `channel.bits.use`, plus the chat message it decorates (not for a celebration)."""
    message_type = {"message_effect": "power_ups_message_effect",
                    "gigantify_an_emote": "power_ups_gigantified_emote"}.get(kind)
    decorated = say(who, text or emote, message_type=message_type) if message_type else []
    return [("channel.bits.use", community.bits_use(who, bits, "power_up", text, kind, emote))] + decorated


def ban(who: Who, minutes: float | None, reason: str) -> Frames:
    return [("channel.ban", channel.ban(who, MOSS, reason, minutes)),
            ("channel.chat.clear_user_messages", chat.clear_user_messages(who))]


def redeem(who: Who, title: str, cost: int, text: str = "") -> Frames:
    frames: Frames = [("channel.channel_points_custom_reward_redemption.add",
                       channel.redemption(who, title, cost, text))]
    if text:  # rewards that take text also post it to chat
        frames += say(who, text, reward_id="reward-" + title.lower().replace(" ", "-"))
    return frames


def said_and_deleted() -> Frames:
    mid = payloads.new_id()
    return say(KETTLE, "BUY CHEAP FOLLOWERS at spam dot example", message_id=mid) + [
        ("channel.chat.message_delete", chat.message_delete(KETTLE, mid))]


def _chat() -> Frames:
    who = _rng.choice(CHATTERS)[0]
    return say(who, _rng.choice(LINES))


def _poll(phase: str) -> Frames:
    votes = {"begin": (0, 0), "progress": (12, 30), "end": (19, 44)}[phase]
    return [(f"channel.poll.{phase}", channel.poll(phase, "Tabs or spaces?", list(zip(("Tabs", "Spaces"), votes)),
                                              "completed"))]


def _prediction(phase: str) -> Frames:
    tally = (0, 0, 0, 0) if phase == "begin" else (7, 4200, 3, 1100)
    outcomes = [("It compiles first try", tally[0], tally[1]), ("Three more errors", tally[2], tally[3])]
    return [(f"channel.prediction.{phase}", channel.prediction(phase, "Will it compile?", outcomes, winner=1))]


def _hype(phase: str) -> Frames:
    level, total, progress, goal = {"begin": (1, 600, 600, 1800), "progress": (2, 2400, 500, 2000),
                                    "end": (3, 6100, 0, 0)}[phase]
    top = [(OTTER, "bits", 2500), (MOSS, "subscription", 1500)]
    return [(f"channel.hype_train.{phase}", channel.hype_train(phase, level, total, progress, goal, top))]


TRIGGERS: dict[str, Callable[[], Frames]] = {
    "chat": _chat,
    "mention": lambda: say(OTTER, "@DeskFox did you push the fix yet?"),
    "reply": lambda: say(HERON, "@Pixel_Otter not yet, tests first", reply=payloads.reply_to(
        payloads.new_id(), OTTER, "@DeskFox did you push the fix yet?")),
    "action": lambda: say(KATZE, "\x01ACTION brews another coffee\x01", frags=[
        {"type": "text", "text": "brews another coffee", "cheermote": None, "emote": None, "mention": None}]),
    "highlight": lambda: _highlight(TINY, "look at my highlighted message!"),
    "intro": lambda: say(newcomer(), "hi! first time here, I write Rust too", message_type="user_intro"),
    "effect": lambda: say(OTTER, "this one sparkles SeemsGood", message_type="power_ups_message_effect"),
    "giant-emote": lambda: say(KATZE, "PogChamp", message_type="power_ups_gigantified_emote"),
    "shared-chat": lambda: say(("81239999", "farguest", "FarGuest"), "hello from the other channel!",
                               source=FRIEND),
    "follow": lambda: [("channel.follow", payloads.follow(newcomer()))],
    "sub": lambda: sub(_rng.choice(CHATTERS)[0], _rng.choice(["1000", "1000", "2000", "3000"])),
    "resub": lambda: resub(OTTER, 14, "fourteen months of watching compilers HeyGuys"),
    "gift": lambda: gift(MOSS, newcomer()),
    "giftbomb": lambda: gift_bomb(MOSS, 5),
    "upgrade": lambda: [("channel.chat.notification", chat.gift_paid_upgrade(HERON, MOSS))],
    "prime-upgrade": lambda: [("channel.chat.notification", chat.prime_paid_upgrade(KATZE))],
    "payforward": lambda: [("channel.chat.notification", chat.pay_it_forward(HERON, MOSS))],
    "raid": lambda: raid(FRIEND, _rng.randint(5, 400)),
    "hateraid": lambda: hate_raid(),
    "unraid": lambda: [("channel.chat.notification", chat.unraid(FRIEND))],
    "announce": lambda: [("channel.chat.notification", chat.announcement(MOSS, "giveaway at the end of stream!",
                                                                     "PURPLE"))],
    "cheer": lambda: cheer(OTTER, 100, "for the coffee fund"),
    "cheer-anonymous": lambda: cheer(None, 50, "from nobody"),
    "powerup": lambda: power_up(KATZE, 50, "message_effect", "this one sparkles SeemsGood"),
    "giant-emote-bits": lambda: power_up(OTTER, 100, "gigantify_an_emote", emote="PogChamp"),
    "celebration": lambda: power_up(MOSS, 500, "celebration"),
    "combo": lambda: [("channel.bits.use", community.bits_use(HERON, 5, "combo"))],
    "emote-unlock": lambda: [("channel.channel_points_automatic_reward_redemption.add", community.automatic_reward(
        HERON, "random_sub_emote_unlock", 1000, emote="deskfoxHype"))],
    "shared-begin": lambda: [("channel.shared_chat.begin", community.shared_chat("begin", BROADCASTER, [FRIEND]))],
    "shared-update": lambda: [("channel.shared_chat.update", community.shared_chat(
        "update", BROADCASTER, [FRIEND, ("70000078", "quietquokka", "QuietQuokka")]))],
    "shared-end": lambda: [("channel.shared_chat.end", community.shared_chat("end", BROADCASTER, []))],
    "goal-begin": lambda: [("channel.goal.begin", community.goal(
        "begin", "follow", "500 followers by Friday", 480, 500))],
    "goal-progress": lambda: [("channel.goal.progress", community.goal(
        "progress", "follow", "500 followers by Friday", 492, 500))],
    "goal-end": lambda: [("channel.goal.end", community.goal(
        "end", "follow", "500 followers by Friday", 501, 500, True))],
    "raid-out": lambda: [("channel.raid", community.raid_out(FRIEND, 38))],
    "bitsbadge": lambda: [("channel.chat.notification", chat.bits_badge_tier(OTTER, 1000))],
    "charity": lambda: [("channel.chat.notification", chat.charity_donation(KATZE, "Code Club", 2500))],
    "watchstreak": lambda: [("channel.chat.notification", chat.watch_streak(TINY, 10, 450, "ten in a row!"))],
    "shared-sub": lambda: [("channel.chat.notification", chat.shared(chat.sub(("81239999", "farguest", "FarGuest")),
                                                                  FRIEND))],
    "unknown-notice": lambda: [("channel.chat.notification", chat.unknown_notice(
        OTTER, "gift_sub_bonus_match", "Twitch matched Pixel_Otter's gift with 1 bonus sub!"))],
    "delete": said_and_deleted,
    "clear": lambda: [("channel.chat.clear", chat.chat_clear())],
    "timeout": lambda: ban(KETTLE, 10, "caps spam"),
    "ban": lambda: ban(newcomer(), None, "spam bot"),
    "unban": lambda: [("channel.unban", channel.unban(KETTLE, MOSS))],
    "redeem": lambda: redeem(KATZE, "Hydrate", 500),
    "redeem-text": lambda: redeem(HERON, "Ask a question", 1000, "what font is that?"),
    "hype-begin": lambda: _hype("begin"),
    "hype-progress": lambda: _hype("progress"),
    "hype-end": lambda: _hype("end"),
    "poll-begin": lambda: _poll("begin"),
    "poll-progress": lambda: _poll("progress"),
    "poll-end": lambda: _poll("end"),
    "prediction-begin": lambda: _prediction("begin"),
    "prediction-progress": lambda: _prediction("progress"),
    "prediction-lock": lambda: _prediction("lock"),
    "prediction-end": lambda: _prediction("end"),
    "shoutout": lambda: [("channel.shoutout.receive", channel.shoutout_receive(FRIEND, 230))],
    "online": lambda: [("stream.online", channel.stream_online())],
    "offline": lambda: [("stream.offline", channel.stream_offline())],
    "ad": lambda: [("channel.ad_break.begin", channel.ad_break(90))],
    # moderation moments (§2.6).  AutoMod holds a message: /allow N or /deny N answers it through
    # POST /helix/moderation/automod/message, which the Helix side (helix_api.py) turns into
    # automod.message.update and, when allowed, the chat message.
    "automod": lambda: [("automod.message.hold", moderation.automod_hold(
        KETTLE, "this stream is garbage and so are you", category="bullying", level=3))],
    "held-own": lambda: _held_own(),
    "warn": lambda: [("channel.warning.send", moderation.warning_send(KETTLE, MOSS, "caps spam", ["Be kind"]))],
    "warn-ack": lambda: [("channel.warning.acknowledge", moderation.warning_acknowledge(KETTLE))],
    "slowmode": lambda: [("channel.chat_settings.update", moderation.chat_settings(slow=30))],
    "chatmodes-off": lambda: [("channel.chat_settings.update", moderation.chat_settings())],
    "suspicious": lambda: [("channel.suspicious_user.message", moderation.suspicious_message(
        newcomer(), "hey its me again", "active_monitoring", "likely", 2))],
    "shield-on": lambda: [("channel.shield_mode.begin", moderation.shield_mode(True, MOSS))],
    "shield-off": lambda: [("channel.shield_mode.end", moderation.shield_mode(False, MOSS))],
    "unban-request": lambda: [("channel.unban_request.create", moderation.unban_request_create(
        KETTLE, "sorry about the caps, can I come back?"))],
    "unban-resolve": lambda: [("channel.unban_request.resolve", moderation.unban_request_resolve(
        KETTLE, MOSS, "approved", "welcome back, keep it calm"))],
    "vip": lambda: [("channel.vip.add", moderation.vip(KATZE))],
    "unvip": lambda: [("channel.vip.remove", moderation.vip(KATZE))],
    "shoutout-give": lambda: [("channel.shoutout.create", moderation.shoutout_create(FRIEND, 230))],
}


def _highlight(who: Who, text: str) -> Frames:
    """A highlighted message: the built-in reward's redemption, then the chat message marked as such."""
    return [("channel.channel_points_automatic_reward_redemption.add",
             community.automatic_reward(who, "send_highlighted_message", 500, text))] + say(
        who, text, message_type="channel_points_highlighted")


def _held_own() -> Frames:
    """The streamer's own message held by AutoMod, then allowed (it then arrives as chat)."""
    mid, text = payloads.new_id(), "check out my other stream at example dot invalid"
    return [("channel.chat.user_message_hold", moderation.user_message_hold(text, mid)),
            ("channel.chat.user_message_update", moderation.user_message_update(text, mid, "approved"))]


def fire(sim: SimState, name: str, count: int = 1) -> int:
    """Play moment `name` `count` times at every subscribed session; returns the events sent."""
    sent = 0
    for _ in range(count):
        for stype, event in TRIGGERS[name]():
            sim.notify(stype, event)
            sent += 1
    return sent


def chat_as(sim: SimState, name: str, text: str) -> int:
    """`make chat`: `text` in the chat as a chatter called `name` (any text: a test of focus's sanitizer),
    with an id of its own that stays the same for the same name; returns the events sent."""
    who = (str(70_000_000 + zlib.crc32(name.encode("utf-8", "replace")) % 10_000_000), name.lower(), name)
    frames = say(who, text)
    for stype, event in frames:
        sim.notify(stype, event)
    return len(frames)
