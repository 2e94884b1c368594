"""One payload per event type, notice type and chat variant focus draws (shared by several tests).

Built with the simulator's builders (shaped like protocol notes §3), plus the
protocol notes' own example payloads copied verbatim.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from focuslib.sim import payloads
from focuslib.sim import payloads_channel as channel
from focuslib.sim import payloads_chat as chat_events
from focuslib.sim import payloads_community as community
from focuslib.sim import payloads_moderation as moderation

OTTER = ("81230001", "pixel_otter", "Pixel_Otter")
MOSS = ("81230002", "mossy_lantern", "Mossy_Lantern")
HERON = ("81230003", "byte_heron", "byte_heron")
FRIEND = ("70000077", "rusty_raccoon", "RustyRaccoon")
TINY = ("81230005", "tiny_compiler", "ちいさなコンパイラ")

# §3.1, §3.2, §3.4 and §1.5 examples, verbatim.
DOC_CHAT = json.loads("""
{"broadcaster_user_id":"70001234","broadcaster_user_login":"quietfox","broadcaster_user_name":"QuietFox",
 "chatter_user_id":"81234567","chatter_user_login":"pixel_otter","chatter_user_name":"Pixel_Otter",
 "message_id":"2f0c5a7e-9b1d-4e3f-a6c8-7d9e0f1a2b3c",
 "message":{"text":"@QuietFox gg Cheer50 HeyGuys","fragments":[
  {"type":"mention","text":"@QuietFox","cheermote":null,"emote":null,
   "mention":{"user_id":"70001234","user_name":"QuietFox","user_login":"quietfox"}},
  {"type":"text","text":" gg ","cheermote":null,"emote":null,"mention":null},
  {"type":"cheermote","text":"Cheer50","emote":null,"mention":null,"cheermote":{"prefix":"Cheer","bits":50,"tier":1}},
  {"type":"text","text":" ","cheermote":null,"emote":null,"mention":null},
  {"type":"emote","text":"HeyGuys","cheermote":null,"mention":null,
   "emote":{"id":"30259","emote_set_id":"0","owner_id":"0","format":["static"]}}]},
 "message_type":"text",
 "badges":[{"set_id":"subscriber","id":"6","info":"8"},{"set_id":"bits","id":"100","info":""}],
 "cheer":{"bits":50},"color":"","reply":null,
 "channel_points_custom_reward_id":null,"channel_points_animation_id":null,
 "source_broadcaster_user_id":null,"source_broadcaster_user_login":null,"source_broadcaster_user_name":null,
 "source_message_id":null,"source_badges":null,"is_source_only":null}""")
DOC_COMMUNITY_GIFT = json.loads("""
{"broadcaster_user_id":"70001234","broadcaster_user_login":"quietfox","broadcaster_user_name":"QuietFox",
 "chatter_user_id":"82345678","chatter_user_login":"mossy_lantern","chatter_user_name":"Mossy_Lantern",
 "chatter_is_anonymous":false,"color":"#3C8DFF","badges":[{"set_id":"sub-gifter","id":"5","info":""}],
 "system_message":"Mossy_Lantern is gifting 5 Tier 1 Subs to QuietFox's community!",
 "message_id":"7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e","message":{"text":"","fragments":[]},
 "notice_type":"community_sub_gift",
 "community_sub_gift":{"id":"4419032157738827104","total":5,"sub_tier":"1000","cumulative_total":23},
 "sub":null,"resub":null,"sub_gift":null,"raid":null,"announcement":null,
 "source_broadcaster_user_id":null,"source_broadcaster_user_login":null,"source_broadcaster_user_name":null,
 "source_message_id":null,"source_badges":null}""")
DOC_BAN = json.loads("""
{"user_id":"83456789","user_login":"loud_kettle","user_name":"Loud_Kettle",
 "broadcaster_user_id":"70001234","broadcaster_user_login":"quietfox","broadcaster_user_name":"QuietFox",
 "moderator_user_id":"88901234","moderator_user_login":"calm_heron","moderator_user_name":"Calm_Heron",
 "reason":"caps spam","banned_at":"2024-05-01T18:20:00.5Z","ends_at":"2024-05-01T18:30:00.5Z","is_permanent":false}""")
DOC_FOLLOW = json.loads("""
{"user_id":"81234567","user_login":"pixel_otter","user_name":"Pixel_Otter",
 "broadcaster_user_id":"70001234","broadcaster_user_login":"quietfox","broadcaster_user_name":"QuietFox",
 "followed_at":"2024-05-01T18:03:41.401112233Z"}""")


def chat(who: tuple[str, str, str], text: str, **kw: Any) -> tuple[str, dict[str, Any]]:
    return "channel.chat.message", payloads.chat_message(who, text, **kw)


def notice(event: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return "channel.chat.notification", event


ACTION_FRAGS = [{"type": "text", "text": "brews another coffee", "cheermote": None, "emote": None, "mention": None}]
LONG = ("that borrow checker error is a classic, it happens every time you keep a reference around across a "
        "call that needs the value mutably, see https://example.invalid/a/very/long/url/that/cannot/be/broken/at/all")

# name -> () -> (subscription type, event payload)
CASES: dict[str, Callable[[], tuple[str, dict[str, Any]]]] = {
    # channel.chat.message
    "chat/doc-example": lambda: ("channel.chat.message", DOC_CHAT),
    "chat/plain": lambda: chat(HERON, "is that neovim? the colors are so clean"),
    "chat/badges": lambda: chat(MOSS, "welcome in everyone", color="#3C8DFF", badges=[
        ("broadcaster", "1", ""), ("moderator", "1", ""), ("vip", "1", ""), ("subscriber", "3012", "26"),
        ("founder", "0", "30"), ("premium", "1", ""), ("glhf-pledge", "1", "")]),
    "chat/emotes-and-cheer": lambda: chat(OTTER, "Kappa nice Cheer100 PogChamp", color="#FF7F50"),
    "chat/mentions": lambda: chat(OTTER, "@byte_heron and @DeskFox look at this", color="#FF7F50"),
    "chat/reply": lambda: chat(HERON, "@Pixel_Otter not yet, tests first", reply=payloads.reply_to(
        "parent-1", OTTER, "@DeskFox did you push the fix yet? asking for a friend")),
    "chat/action": lambda: chat(MOSS, "\x01ACTION brews another coffee\x01", color="#3C8DFF", frags=ACTION_FRAGS),
    "chat/highlighted": lambda: chat(TINY, "look at my highlighted message!", color="#DAA520",
                                     message_type="channel_points_highlighted"),
    "chat/sub-only": lambda: chat(HERON, "points bought me in", message_type="channel_points_sub_only"),
    "chat/user-intro": lambda: chat(("70109999", "new_friend", "New_Friend"), "hi! first time here",
                                    message_type="user_intro"),
    "chat/power-up-effect": lambda: chat(OTTER, "sparkly SeemsGood", message_type="power_ups_message_effect"),
    "chat/power-up-giant": lambda: chat(OTTER, "PogChamp", message_type="power_ups_gigantified_emote"),
    "chat/unknown-type": lambda: chat(OTTER, "a type from the future", message_type="hologram"),
    "chat/shared-chat": lambda: chat(("81239999", "far_guest", "FarGuest"), "hello from over there",
                                     source=FRIEND),
    "chat/reward": lambda: chat(HERON, "what font is that?", reward_id="reward-1"),
    "chat/unicode": lambda: chat(TINY, "こんにちは！ 👩‍💻 e\u0301 שלום עולם مرحبا 🦊✨", color="#DAA520"),
    "chat/hostile": lambda: chat(("6", "x\u202ey", "Evil\u202eName\u200b"),
                                 "\x1b[2J\x1b]0;pwned\x07ring\x07 \u2066bidi\u2069 z\u0301\u0302\u0303\u0304\u0305"),
    "chat/dark-color": lambda: chat(("7", "navy_nick", "NavyNick"), "can you read me?", color="#000080"),
    "chat/long": lambda: chat(OTTER, LONG, color="#FF7F50", badges=[("subscriber", "12", "14")]),
    # channel.chat.notification, every notice type (§3.2)
    "notice/sub": lambda: notice(chat_events.sub(OTTER, "2000")),
    "notice/sub-prime": lambda: notice(chat_events.sub(OTTER, prime=True)),
    "notice/resub": lambda: notice(chat_events.resub(OTTER, 14, 5, text="still here, still shipping HeyGuys")),
    "notice/resub-sub-plan": lambda: notice(chat_events.resub(OTTER, 3, None, "3000", sub_plan=True)),
    "notice/resub-gifted": lambda: notice(chat_events.resub(OTTER, 2, None, is_gift=True, gifter=MOSS)),
    "notice/sub-gift": lambda: notice(chat_events.sub_gift(MOSS, HERON, cumulative_total=3)),
    "notice/sub-gift-anonymous": lambda: notice(chat_events.sub_gift(None, HERON)),
    "notice/community-sub-gift": lambda: notice(DOC_COMMUNITY_GIFT),
    "notice/gift-paid-upgrade": lambda: notice(chat_events.gift_paid_upgrade(HERON, MOSS)),
    "notice/gift-paid-upgrade-anonymous": lambda: notice(chat_events.gift_paid_upgrade(HERON, None)),
    "notice/prime-paid-upgrade": lambda: notice(chat_events.prime_paid_upgrade(HERON, "1000")),
    "notice/raid": lambda: notice(chat_events.raid(FRIEND, 42)),
    "notice/unraid": lambda: notice(chat_events.unraid(FRIEND)),
    "notice/pay-it-forward": lambda: notice(chat_events.pay_it_forward(HERON, MOSS)),
    "notice/announcement": lambda: notice(chat_events.announcement(MOSS, "giveaway at the end of stream!", "BLUE")),
    "notice/announcement-primary": lambda: notice(chat_events.announcement(MOSS, "be nice", "primary")),
    "notice/bits-badge-tier": lambda: notice(chat_events.bits_badge_tier(OTTER, 10000)),
    "notice/charity-donation": lambda: notice(chat_events.charity_donation(OTTER, "Code Club", 1550)),
    "notice/watch-streak": lambda: notice(chat_events.watch_streak(TINY, 10, 450, "ten in a row!")),
    "notice/modiversary": lambda: notice(chat_events.notification(MOSS, "modiversary", {"months": 12},
                                                                  "Mossy_Lantern has been a mod for 12 months!")),
    "notice/unknown": lambda: notice(chat_events.unknown_notice(OTTER, "gift_sub_bonus_match",
                                                                "Twitch matched the gift \x1b[5mwith a bonus sub!")),
    "notice/unknown-empty": lambda: notice(chat_events.unknown_notice(OTTER, "sponsored_shopping_purchase", "")),
    **{f"notice/shared-{kind}": (lambda build=build: notice(chat_events.shared(build(), FRIEND))) for kind, build in {
        "sub": lambda: chat_events.sub(OTTER), "resub": lambda: chat_events.resub(OTTER, 5, 2, text="hi"),
        "sub_gift": lambda: chat_events.sub_gift(MOSS, HERON),
        "community_sub_gift": lambda: chat_events.community_sub_gift(MOSS, 3, "9"),
        "gift_paid_upgrade": lambda: chat_events.gift_paid_upgrade(HERON, MOSS),
        "prime_paid_upgrade": lambda: chat_events.prime_paid_upgrade(HERON), "raid": lambda: chat_events.raid(HERON, 7),
        "pay_it_forward": lambda: chat_events.pay_it_forward(HERON, None),
        "announcement": lambda: chat_events.announcement(MOSS, "over in the other channel", "ORANGE")}.items()},
    # moderation (§3.3)
    "mod/message-delete": lambda: ("channel.chat.message_delete", chat_events.message_delete(OTTER, "some-id")),
    "mod/clear": lambda: ("channel.chat.clear", chat_events.chat_clear()),
    "mod/clear-user-messages": lambda: ("channel.chat.clear_user_messages", chat_events.clear_user_messages(OTTER)),
    "mod/timeout-doc-example": lambda: ("channel.ban", DOC_BAN),
    "mod/ban": lambda: ("channel.ban", channel.ban(OTTER, MOSS, "")),
    "mod/unban": lambda: ("channel.unban", channel.unban(OTTER, MOSS)),
    # AutoMod and the other moderation moments (§2.6): held text never shows
    "automod/hold": lambda: ("automod.message.hold", moderation.automod_hold(OTTER, "a very rude word here", "held-1")),
    "automod/approved": lambda: ("automod.message.update", moderation.automod_update(
        OTTER, "a very rude word here", "held-2", "Approved", MOSS)),
    "automod/denied": lambda: ("automod.message.update", moderation.automod_update(
        OTTER, "a very rude word here", "held-3", "Denied", MOSS)),
    "automod/expired": lambda: ("automod.message.update", moderation.automod_update(
        OTTER, "a very rude word here", "held-4", "Expired", None)),
    "automod/own-hold": lambda: ("channel.chat.user_message_hold", moderation.user_message_hold(
        "my own words", "own-1")),
    "automod/own-approved": lambda: ("channel.chat.user_message_update", moderation.user_message_update(
        "my own words", "own-1", "approved")),
    "automod/own-invalid": lambda: ("channel.chat.user_message_update", moderation.user_message_update(
        "my own words", "own-1", "invalid")),
    "mod/warning": lambda: ("channel.warning.send", moderation.warning_send(
        OTTER, MOSS, "caps spam", ["Be kind", "No caps"])),
    "mod/warning-no-reason": lambda: ("channel.warning.send", moderation.warning_send(OTTER, MOSS, "")),
    "mod/warning-ack": lambda: ("channel.warning.acknowledge", moderation.warning_acknowledge(OTTER)),
    "mod/chat-settings": lambda: ("channel.chat_settings.update", moderation.chat_settings(
        slow=30, followers=10, subs=True, emote_only=True, unique=True)),
    "mod/chat-settings-off": lambda: ("channel.chat_settings.update", moderation.chat_settings()),
    "mod/chat-settings-followers-any": lambda: ("channel.chat_settings.update", moderation.chat_settings(followers=0)),
    "mod/suspicious-monitored": lambda: ("channel.suspicious_user.message", moderation.suspicious_message(
        OTTER, "hello again", shared_bans=2)),
    "mod/suspicious-restricted": lambda: ("channel.suspicious_user.message", moderation.suspicious_message(
        OTTER, "you cannot read this on stream", "restricted", "unknown")),
    "mod/shield-on": lambda: ("channel.shield_mode.begin", moderation.shield_mode(True, MOSS)),
    "mod/shield-off": lambda: ("channel.shield_mode.end", moderation.shield_mode(False, MOSS)),
    "mod/unban-request": lambda: ("channel.unban_request.create", moderation.unban_request_create(
        OTTER, "please \x1b[2J")),
    "mod/unban-request-approved": lambda: ("channel.unban_request.resolve", moderation.unban_request_resolve(
        OTTER, MOSS, "approved", "ok")),
    "mod/unban-request-canceled": lambda: ("channel.unban_request.resolve", moderation.unban_request_resolve(
        OTTER, None, "canceled")),
    "mod/vip-add": lambda: ("channel.vip.add", moderation.vip(HERON)),
    "mod/vip-remove": lambda: ("channel.vip.remove", moderation.vip(HERON)),
    # channel events (§3.4)
    "follow/doc-example": lambda: ("channel.follow", DOC_FOLLOW),
    "subscribe": lambda: ("channel.subscribe", payloads.subscribe(OTTER, "3000")),
    "subscribe/gift": lambda: ("channel.subscribe", payloads.subscribe(HERON, "1000", is_gift=True)),
    "subscription-gift": lambda: ("channel.subscription.gift", channel.subscription_gift(MOSS, 5, cumulative_total=40)),
    "subscription-gift/anonymous": lambda: ("channel.subscription.gift", channel.subscription_gift(None, 1)),
    "subscription-message": lambda: ("channel.subscription.message", channel.subscription_message(
        OTTER, "Kappa glad to be back Kappa", 14, 5, emotes=[(0, 4, "25"), (22, 26, "25")])),
    "cheer": lambda: ("channel.cheer", channel.cheer(OTTER, 100, "Cheer100 for the coffee fund")),
    "cheer/anonymous": lambda: ("channel.cheer", channel.cheer(None, 1, "Cheer1")),
    "raid": lambda: ("channel.raid", channel.raid(FRIEND, 1234)),
    # The streamer's own raid: the same type, told apart by the subscription's condition (see `event_of`).
    "raid/outgoing": lambda: ("channel.raid", community.raid_out(FRIEND, 38)),
    # §2.6: every use of bits, built-in rewards, shared chat sessions, goals
    "bits-use/cheer": lambda: ("channel.bits.use", community.bits_use(MOSS, 500, "cheer", "Cheer500 ship it")),
    "bits-use/cheer-anonymous": lambda: ("channel.bits.use", community.bits_use(None, 25, "cheer", "Cheer25")),
    "bits-use/message-effect": lambda: ("channel.bits.use", community.bits_use(
        OTTER, 50, "power_up", "this one sparkles", "message_effect")),
    "bits-use/giant-emote": lambda: ("channel.bits.use", community.bits_use(
        OTTER, 100, "power_up", "", "gigantify_an_emote", "PogChamp")),
    "bits-use/celebration": lambda: ("channel.bits.use", community.bits_use(TINY, 500, "power_up", "", "celebration")),
    "bits-use/combo": lambda: ("channel.bits.use", community.bits_use(HERON, 5, "combo")),
    "bits-use/unknown-kind": lambda: ("channel.bits.use", community.bits_use(HERON, 7, "hologram\x1b[5m", "hi")),
    "auto-reward/highlight": lambda: ("channel.channel_points_automatic_reward_redemption.add",
                                      community.automatic_reward(TINY, "send_highlighted_message", 500,
                                                                 "look at my highlighted message!")),
    "auto-reward/emote-unlock": lambda: ("channel.channel_points_automatic_reward_redemption.add",
                                         community.automatic_reward(HERON, "random_sub_emote_unlock", 1000,
                                                                    emote="deskfoxHype")),
    "auto-reward/unknown": lambda: ("channel.channel_points_automatic_reward_redemption.add",
                                    community.automatic_reward(OTTER, "pin_my_message", 300)),
    "shared-chat/begin": lambda: ("channel.shared_chat.begin", community.shared_chat("begin", FRIEND, [FRIEND, MOSS])),
    "shared-chat/update": lambda: ("channel.shared_chat.update", community.shared_chat("update", FRIEND, [FRIEND])),
    "shared-chat/end": lambda: ("channel.shared_chat.end", community.shared_chat("end", FRIEND, [])),
    "goal/begin": lambda: ("channel.goal.begin", community.goal(
        "begin", "follow", "500 followers by Friday", 480, 500)),
    "goal/progress": lambda: ("channel.goal.progress", community.goal("progress", "new_subscription_count", "", 7, 20)),
    "goal/reached": lambda: ("channel.goal.end", community.goal(
        "end", "subscription", "sub points \x1b[2Jgoal", 101, 100, True)),
    "goal/missed": lambda: ("channel.goal.end", community.goal("end", "follow", "500 followers by Friday", 492, 500)),
    "redemption": lambda: ("channel.channel_points_custom_reward_redemption.add",
                           channel.redemption(HERON, "Ask a question", 1000, "what font is that?")),
    "redemption/no-input": lambda: ("channel.channel_points_custom_reward_redemption.add",
                                    channel.redemption(OTTER, "Hydrate", 500)),
    "hype-train/begin": lambda: ("channel.hype_train.begin", channel.hype_train("begin", 1, 600, 600, 1800)),
    "hype-train/progress": lambda: ("channel.hype_train.progress", channel.hype_train("progress", 2, 2400, 500, 2000)),
    "hype-train/end": lambda: ("channel.hype_train.end", channel.hype_train("end", 3, 6100, 0, 0, [
        (OTTER, "bits", 2500), (MOSS, "subscription", 1500)])),
    "poll/begin": lambda: ("channel.poll.begin", channel.poll(
        "begin", "Tabs or spaces?", [("Tabs", 0), ("Spaces", 0)])),
    "poll/progress": lambda: ("channel.poll.progress", channel.poll("progress", "Tabs or spaces?",
                                                                    [("Tabs", 12), ("Spaces", 30)])),
    "poll/end": lambda: ("channel.poll.end", channel.poll("end", "Tabs or spaces?", [("Tabs", 19), ("Spaces", 44)],
                                                          "completed")),
    "poll/terminated": lambda: ("channel.poll.end", channel.poll("end", "Tabs or spaces?", [("Tabs", 1), ("Spaces", 0)],
                                                                 "terminated")),
    "prediction/begin": lambda: ("channel.prediction.begin", channel.prediction(
        "begin", "Will it compile?", [("Yes", 0, 0), ("No", 0, 0)])),
    "prediction/progress": lambda: ("channel.prediction.progress", channel.prediction(
        "progress", "Will it compile?", [("Yes", 7, 4200), ("No", 3, 1100)])),
    "prediction/lock": lambda: ("channel.prediction.lock", channel.prediction(
        "lock", "Will it compile?", [("Yes", 7, 4200), ("No", 3, 1100)])),
    "prediction/end": lambda: ("channel.prediction.end", channel.prediction(
        "end", "Will it compile?", [("Yes", 7, 4200), ("No", 3, 1100)], winner=1)),
    "prediction/canceled": lambda: ("channel.prediction.end", channel.prediction(
        "end", "Will it compile?", [("Yes", 7, 4200), ("No", 3, 1100)], status="canceled")),
    "shoutout-receive": lambda: ("channel.shoutout.receive", channel.shoutout_receive(FRIEND, 230)),
    "shoutout-create": lambda: ("channel.shoutout.create", moderation.shoutout_create(FRIEND, 1)),
    "stream/online": lambda: ("stream.online", channel.stream_online()),
    "stream/online-rerun": lambda: ("stream.online", channel.stream_online("rerun")),
    "stream/offline": lambda: ("stream.offline", channel.stream_offline()),
    "ad-break": lambda: ("channel.ad_break.begin", channel.ad_break(90)),
    "ad-break/manual": lambda: ("channel.ad_break.begin", channel.ad_break(180, automatic=False)),
}

# Cases whose subscription's condition is not the type's usual one (it decides how they parse).
CONDITIONS: dict[str, dict[str, str]] = {"raid/outgoing": {"from_broadcaster_user_id": "70000001"}}


def event_of(name: str) -> Any:
    """The record focus parses case `name` into, with its subscription's condition."""
    from focuslib.twitch.events import parse_event

    stype, payload = CASES[name]()
    return parse_event(stype, "1", payload, CONDITIONS.get(name))
