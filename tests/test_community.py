"""The moments of protocol notes §2.6: bits uses, built-in rewards, shared chat, goals and raids out.

Their lines are in the goldens (tests/cases.py); here: the two `channel.raid`
subscriptions told apart end to end (catalog, session, frame parser,
simulator), every new trigger (`make trigger EVENT=...`) reaching focus's
screen through the simulated Twitch, and the presenter's rules for them.
"""

from __future__ import annotations

import json

import pytest
import requests

from focuslib.sim import payloads
from focuslib.sim import payloads_channel
from focuslib.sim import payloads_community
from focuslib.sim.catalog import CATALOG
from focuslib.sim.triggers import TRIGGERS
from focuslib.twitch.events import ChannelRaid, OutgoingRaid
from focuslib.twitch.messages import parse_frame
from focuslib.twitch.scopes import DEFAULT_SCOPES, PURPOSES
from focuslib.twitch.session import CreateSubscriptions, Session, Status
from focuslib.twitch.subscriptions import desired

from cases import FRIEND, MOSS, TINY
from conftest import t
from test_channel import ALL, END
from test_present import ALL_TYPES, Screen

NEW = {"channel.bits.use": "1", "channel.channel_points_automatic_reward_redemption.add": "2",
       "channel.shared_chat.begin": "1", "channel.shared_chat.update": "1", "channel.shared_chat.end": "1",
       "channel.goal.begin": "1", "channel.goal.progress": "1", "channel.goal.end": "1"}


def test_the_new_types_are_subscribed_with_twitchs_versions_conditions_and_scopes() -> None:
    specs = {spec.type: spec for spec in desired("7", "8")}
    for stype, version in NEW.items():
        spec = specs[stype]
        assert spec.version == version == CATALOG[stype][0]
        assert dict(spec.condition) == {"broadcaster_user_id": "7"}
        assert set(spec.scopes) == set(CATALOG[stype][1])
        assert not spec.scopes or any(scope in DEFAULT_SCOPES and PURPOSES[scope] for scope in spec.scopes)  # make auth asks
    assert specs["channel.goal.begin"].scopes == ("channel:read:goals",)
    assert specs["channel.shared_chat.begin"].scopes == ()
    raids = [dict(spec.condition) for spec in desired("7", "8") if spec.type == "channel.raid"]
    assert raids == [{"to_broadcaster_user_id": "7"}, {"from_broadcaster_user_id": "7"}]


def raid_frame(condition: dict[str, str], event: dict) -> object:
    sub = payloads.subscription_object("channel.raid", "1", condition, "s")
    return parse_frame(json.dumps(payloads.notification(sub, event)))


def test_a_raid_is_incoming_or_outgoing_by_its_subscriptions_condition() -> None:
    incoming = raid_frame({"to_broadcaster_user_id": "70000001"}, payloads_channel.raid(FRIEND, 38))
    outgoing = raid_frame({"from_broadcaster_user_id": "70000001"}, payloads_community.raid_out(FRIEND, 38))
    assert type(incoming.event) is ChannelRaid  # type: ignore[attr-defined]
    assert type(outgoing.event) is OutgoingRaid  # type: ignore[attr-defined]
    assert outgoing.event.to_broadcaster.login == "rusty_raccoon"  # type: ignore[attr-defined]


def test_a_raid_on_the_other_subscription_is_read_by_its_payload() -> None:
    """A server that forwards by type alone (twitch-cli's mock) delivers each raid on both subscriptions: the
    payload's from_/to_broadcaster_user_id say which end of it the channel is, never the subscription."""
    incoming = raid_frame({"from_broadcaster_user_id": "70000001"}, payloads_channel.raid(FRIEND, 38))
    outgoing = raid_frame({"to_broadcaster_user_id": "70000001"}, payloads_community.raid_out(FRIEND, 38))
    came, went = incoming.event, outgoing.event  # type: ignore[attr-defined]
    assert type(came) is ChannelRaid and came.from_broadcaster.login == "rusty_raccoon"
    assert type(went) is OutgoingRaid and went.to_broadcaster.login == "rusty_raccoon"
    neither = raid_frame({"from_broadcaster_user_id": "70000001"},  # a raid between two other channels
                         {**payloads_channel.raid(FRIEND, 3), "to_broadcaster_user_id": "5"})
    assert type(neither.event) is OutgoingRaid  # type: ignore[attr-defined]


def test_a_raid_into_the_channel_on_its_raid_out_subscription_shows_as_a_raid_in(sim, start_focus) -> None:
    focus = start_focus(timestamps=False, groups=frozenset({"raids"}))
    session = sim.wait_subscribed(2)
    [out_sub] = [sub for sub in session.subscriptions.values() if "from_broadcaster_user_id" in sub["condition"]]
    session.send(json.dumps(payloads.notification(out_sub, payloads_channel.raid(FRIEND, 38))))
    focus.out.wait_text("is raiding with 38 viewers")
    assert "You are raiding" not in focus.out.text and "RustyRaccoon is raiding with 38 viewers" in focus.out.text
    assert focus.stop() == 0


def test_a_raid_by_the_channel_reads_as_its_raid_out_whatever_condition_came_with_it(sim, start_focus) -> None:
    """twitch-cli's `trigger raid -f <channel> -t <other>` labels the delivery with the target's condition
    (to_broadcaster_user_id=<other>): the channel focus shows is the raider, so it is the channel's raid out."""
    focus = start_focus(timestamps=False, groups=frozenset({"raids"}))
    session = sim.wait_subscribed(2)
    sub = payloads.subscription_object("channel.raid", "1", {"to_broadcaster_user_id": FRIEND[0]}, session.id)
    session.send(json.dumps(payloads.notification(sub, payloads_community.raid_out(FRIEND, 38))))
    focus.out.wait_text("You are raiding RustyRaccoon with 38 viewers")
    assert focus.stop() == 0


def test_the_two_raid_subscriptions_are_counted_apart() -> None:
    specs = tuple(spec for spec in desired("7", "7") if spec.type in ("channel.raid", "channel.follow"))
    s = Session("wss://eventsub.example/ws", specs)
    s.start(0)
    s.opened(1, 0)
    (create,) = [a for a in s.receive(1, parse_frame(json.dumps(payloads.welcome("x", 10))), 0)
                 if isinstance(a, CreateSubscriptions)]
    follow, raid_in, raid_out = create.specs
    assert not [a for a in s.subscription_result(create.epoch, raid_in, 202, "", 0) if isinstance(a, Status)]
    assert not [a for a in s.subscription_result(create.epoch, raid_out, 403, "no", 0) if isinstance(a, Status)]
    statuses = [a for a in s.subscription_result(create.epoch, follow, 202, "", 0) if isinstance(a, Status)]
    assert statuses == [Status("subscribed 2/3")]  # the refused raid out is not taken for the raid in
    assert "channel.raid" in s.active_types()


def screen_lines(focus) -> list[str]:
    return [line for line in focus.out.lines() if not line.startswith("-- ")]


# trigger -> the lines focus shows for it with every subscription (chat included).
SHOWN = {
    "cheer": ["★14 Pixel_Otter: ♦100 Cheer100 for the coffee fund"],  # its bits.use and channel.cheer twins: dropped
    "cheer-anonymous": ["AnAnonymousCheerer: ♦50 Cheer50 from nobody"],
    "powerup": ["♦ KaffeeKatze spent 50 bits on a message effect",
                "◆ [prime] KaffeeKatze: ♦ message effect this one sparkles SeemsGood"],
    "giant-emote-bits": ["♦ Pixel_Otter spent 100 bits on a giant emote: PogChamp",
                         "★14 Pixel_Otter: ♦ giant emote PogChamp"],
    "celebration": ["♦ Mossy_Lantern spent 500 bits on an on-screen celebration"],
    "combo": ["♦ byte_heron sent a combo of 5 bits"],
    "emote-unlock": ["✪ byte_heron redeemed Unlock a random sub emote (1,000): deskfoxHype"],
    "highlight": ["★3 ちいさなコンパイラ: ✪ highlighted look at my highlighted message!"],  # the redemption: in chat
    "shared-begin": ["⇄ Shared chat started with RustyRaccoon"],
    "shared-update": ["⇄ Shared chat is now with RustyRaccoon, QuietQuokka"],
    "shared-end": ["⇄ Shared chat ended"],
    "goal-begin": ["◐ Goal started: 500 followers by Friday — 480/500 followers (96%)"],
    "goal-progress": ["◐ Goal: 500 followers by Friday — 492/500 followers (98%)"],
    "goal-end": ["◐ Goal reached: 500 followers by Friday — 501/500 followers (100%)"],
    "raid-out": ["» You are raiding RustyRaccoon with 38 viewers"],
}


def test_every_new_trigger_reaches_the_screen_once_through_the_simulated_twitch(sim, start_focus) -> None:
    focus = start_focus(timestamps=False)
    sim.wait_subscribed(ALL)
    for name in SHOWN:
        for stype, event in TRIGGERS[name]():
            sim.notify(stype, event)
    sim.notify("channel.chat.message", payloads.chat_message(END, "that's all folks"))
    focus.out.wait_text("StageManager: that's all folks")
    shown = screen_lines(focus)[:-1]
    assert shown == [line for lines in SHOWN.values() for line in lines]
    assert focus.stop() == 0


def test_without_chat_a_cheer_is_one_line_from_bits_use_and_a_highlight_its_redemption(
        sim, start_focus) -> None:
    focus = start_focus(timestamps=False, groups=frozenset({"cheers", "points", "follows"}))
    sim.wait_subscribed(5)
    for name in ("cheer", "cheer-anonymous", "highlight"):
        for stype, event in TRIGGERS[name]():
            sim.notify(stype, event)
    sim.notify("channel.follow", payloads.follow(END))
    focus.out.wait_text("StageManager followed")
    # bits.use is the richer of the two left: shown at once, its channel.cheer twin dropped.
    assert screen_lines(focus)[:-1] == [
        "♦ Pixel_Otter cheered 100 bits: Cheer100 for the coffee fund",
        "♦ An anonymous cheerer cheered 50 bits: Cheer50 from nobody",
        "✪ ちいさなコンパイラ redeemed Highlight my message (500): look at my highlighted message!"]
    assert focus.stop() == 0


def test_a_raid_in_and_a_raid_out_each_reach_only_their_own_subscription(sim, start_focus) -> None:
    focus = start_focus(timestamps=False, groups=frozenset({"raids"}))
    session = sim.wait_subscribed(2)
    assert sorted(json.dumps(sub["condition"]) for sub in session.subscriptions.values()) == [
        '{"from_broadcaster_user_id": "70000001"}', '{"to_broadcaster_user_id": "70000001"}']
    for name in ("raid-out", "raid", "raid-out"):  # the way `make trigger EVENT=raid-out` fires them
        answer = requests.post(sim.http_base + "/sim/trigger", json={"event": name}, timeout=t(5))
        assert answer.ok and answer.json() == {"sent": 1 if name == "raid-out" else 2}
    focus.out.wait_text("You are raiding RustyRaccoon with 38 viewers", count=2)
    shown = screen_lines(focus)
    assert len(shown) == 3 and shown[0] == shown[2] == "» You are raiding RustyRaccoon with 38 viewers"
    assert shown[1].startswith("[RAID] » RustyRaccoon is raiding with ")
    assert focus.stop() == 0


def test_goal_progress_is_throttled_like_polls() -> None:
    s = Screen(types=ALL_TYPES)
    for k, now in enumerate((0.0, 1.0, 2.0)):
        goal = payloads_community.goal("progress", "follow", "500 followers", 480 + k, 500)
        s.show("channel.goal.progress", goal, now=now)
    assert len(s.lines) == 1
    s.tick(10.0)
    assert s.lines[-1] == "◐ Goal: 500 followers — 482/500 followers (96%)" and len(s.lines) == 2
    s.show("channel.goal.end", payloads_community.goal("end", "follow", "500 followers", 500, 500, True), now=10.5)
    assert s.lines[-1].startswith("◐ Goal reached: ") and s.presenter.deadline() is None


@pytest.mark.parametrize("reward,chat,lines", [
    ("send_highlighted_message", True, 0), ("single_message_bypass_sub_mode", True, 0),
    ("send_highlighted_message", False, 1), ("random_sub_emote_unlock", True, 1)])
def test_a_built_in_reward_whose_message_is_in_chat_is_not_repeated(reward, chat, lines) -> None:
    s = Screen(types=ALL_TYPES, groups=None if chat else frozenset({"points"}))
    s.show("channel.channel_points_automatic_reward_redemption.add",
           payloads_community.automatic_reward(TINY, reward, 500, "hi"))
    assert len(s.lines) == lines


def test_power_ups_and_combos_are_never_held_as_twins() -> None:
    s = Screen(types=ALL_TYPES)
    s.show("channel.bits.use", payloads_community.bits_use(MOSS, 500, "power_up", "", "celebration"), now=0.0)
    s.show("channel.bits.use", payloads_community.bits_use(MOSS, 5, "combo"), now=0.0)
    assert len(s.lines) == 2 and s.presenter.deadline() is None


def test_the_demo_channel_plays_every_new_moment() -> None:
    from focuslib.sim.demo import SCRIPT

    frames = [frame for _, step in SCRIPT for frame in step()]
    assert set(NEW) <= {stype for stype, _ in frames}
    assert any(event.get("from_broadcaster_user_id") == "70000001" for stype, event in frames
               if stype == "channel.raid")  # the streamer's own raid out
