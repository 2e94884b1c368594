"""Every text a held or not yet known chatter writes is held, whatever door it comes through.

A cheer's message, a redemption's input, a resub, watch-streak or gift message, a power-up's text, a shared
chat guest's message, a reply quoting them: the moment is shown without the text, and the text waits with
their chat for /release.  focus runs with --hold-new against the simulated Twitch, which plays each moment
the way Twitch reports it (a cheer three times, a resub twice: triggers.py).
"""

from __future__ import annotations

import pytest

from conftest import N_SUBS, t
from focuslib.sim import payloads, payloads_channel, payloads_chat, payloads_community, triggers
from test_history_flow import ANN, BOB, CY, DEE, on_main, run_once, say
from test_hold_first_run import follower_calls

SECRET = "VILE WORDS"


@pytest.fixture
def guarded(sim, start_focus):
    """Ann is known (an earlier run); focus holds new chatters now.  Bob follows nobody: held."""
    run_once(sim, start_focus, [(ANN, "a regular")])
    focus = start_focus(timestamps=False, hold_minutes=10)
    sim.wait_subscribed(N_SUBS)
    return focus


def play(sim, frames) -> None:
    for stype, event in frames:
        sim.notify(stype, event)


def released(focus, who: str) -> None:
    memory = focus.app.memory
    on_main(focus, lambda: memory.show_lines(memory.release(who)))
    focus.out.wait_text(f"released {who}")


@pytest.mark.parametrize("frames, moment", [
    (lambda: triggers.cheer(BOB, 100, SECRET), "♦ Bob cheered 100 bits (message held)"),
    (lambda: [("channel.cheer", payloads_channel.cheer(BOB, 100, f"Cheer100 {SECRET}"))],
     "♦ Bob cheered 100 bits (message held)"),
    (lambda: [("channel.bits.use", payloads_community.bits_use(BOB, 100, "cheer", f"Cheer100 {SECRET}"))],
     "♦ Bob cheered 100 bits (message held)"),
    (lambda: triggers.redeem(BOB, "Ask a question", 1000, SECRET),
     "✪ Bob redeemed Ask a question (1,000) (message held)"),
    (lambda: triggers.resub(BOB, 14, SECRET), "[SUB] ★ Bob resubscribed at T1 · 14 months, 7 in a row (message held)"),
    (lambda: [("channel.subscription.message", payloads_channel.subscription_message(BOB, SECRET, 3))],
     "[SUB] ★ Bob resubscribed at T1 · 3 months (message held)"),
    (lambda: [("channel.chat.notification", payloads_chat.watch_streak(BOB, 10, 450, SECRET))],
     "↻ Bob watched 10 streams in a row (+450 points) (message held)"),
    (lambda: [("channel.chat.notification", {**payloads_chat.sub_gift(BOB, ANN),
                                             "message": {"text": SECRET, "fragments": []}})],
     "[GIFT] ✦ Bob gifted a T1 sub to Ann (message held)"),
    (lambda: [("channel.channel_points_automatic_reward_redemption.add", payloads_community.automatic_reward(
        BOB, "random_sub_emote_unlock", 1000, SECRET, "deskfoxHype"))],
     "✪ Bob redeemed Unlock a random sub emote (1,000): deskfoxHype (message held)"),
])
def test_each_door_shows_the_moment_and_holds_the_text_for_release(sim, guarded, frames, moment):
    focus = guarded
    play(sim, frames())
    focus.out.wait_text(moment)
    focus.out.wait_text("held: new chatter Bob")
    say(sim, ANN, "after the moment")
    focus.out.wait_text("Ann: after the moment")
    assert SECRET not in focus.out.text
    assert focus.out.text.count(moment) == 1  # Twitch's twins of one moment: one line
    before = len(focus.out.text)
    released(focus, "Bob")
    shown = focus.out.text[before:]
    assert shown.count(SECRET) == 1  # the text once, though Twitch sent it up to three times
    assert focus.stop() == 0


def test_a_known_chatters_texts_pass_and_a_moderators_too(sim, guarded):
    focus = guarded
    play(sim, triggers.redeem(ANN, "Hydrate", 500, "cheers from Ann"))
    mod = ("509", "mossy", "Mossy")
    sim.notify("channel.chat.notification", payloads_chat.notification(
        mod, "watch_streak", {"streak_count": 3, "channel_points_awarded": 10}, "", text="mod streak text",
        badges=[("moderator", "1", "")]))
    focus.out.wait_text("Ann redeemed Hydrate (500): cheers from Ann")
    focus.out.wait_text("Mossy watched 3 streams in a row (+10 points): mod streak text")
    assert "(message held)" not in focus.out.text
    assert focus.stop() == 0


def test_a_shared_chat_guest_is_held_like_any_new_chatter(sim, guarded):
    focus = guarded
    guest = ("81239999", "farguest", "FarGuest")
    play(sim, triggers.say(guest, f"{SECRET} from the other channel", source=triggers.FRIEND))
    focus.out.wait_text("held: new chatter FarGuest (1 message)")
    say(sim, ANN, "after the guest")
    focus.out.wait_text("Ann: after the guest")
    assert SECRET not in focus.out.text
    assert focus.stop() == 0


def test_a_reply_to_a_newcomer_never_quotes_them_even_before_they_are_held(sim, guarded):
    focus = guarded
    first = say(sim, BOB, f"{SECRET} first")  # waits for Twitch's answer (off screen) while Ann replies to it
    sim.notify("channel.chat.message", payloads.chat_message(
        ANN, "what?", reply=payloads.reply_to(first, BOB, f"{SECRET} first")))
    focus.out.wait_text("Ann ↪ @Bob (held): what?")
    assert SECRET not in focus.out.text
    assert focus.stop() == 0


def test_a_stored_follow_age_asks_twitch_nothing_on_the_next_run(sim, start_focus):
    sim.helix.follow(CY, 30)
    run_once(sim, start_focus, [(ANN, "a regular")])
    first = follower_calls(sim)
    # A run that asks 60 days: Twitch's answer (30) is stored, and Cy stays held -- unknown to the history.
    focus = start_focus(timestamps=False, hold_minutes=10, hold_follow_days=60.0)
    sim.wait_subscribed(N_SUBS)
    sim.notify("channel.cheer", payloads_channel.cheer(CY, 100, "Cheer100 take my bits"))
    focus.out.wait_text("Cy cheered 100 bits (message held)")
    memory = focus.app.memory
    focus.out.wait_for(lambda text: on_main(focus, lambda: CY[0] in memory._ages), 10)  # the answer is in
    assert focus.stop() == 0
    assert follower_calls(sim)[len(first):] == [CY[0]]
    focus = start_focus(timestamps=False, hold_minutes=10)  # 7 days: the stored age vouches, no call, no hold
    sim.wait_subscribed(N_SUBS)
    sim.notify("channel.cheer", payloads_channel.cheer(CY, 50, "Cheer50 and more"))
    focus.out.wait_text("Cy cheered 50 bits: Cheer50 and more")
    assert focus.stop() == 0
    assert follower_calls(sim)[len(first):] == [CY[0]]


def test_a_released_reply_never_quotes_a_chatter_still_held_however_many_replies_were_held_meanwhile(sim, guarded):
    focus = guarded
    first = say(sim, BOB, f"{SECRET} first")
    focus.out.wait_text("held: new chatter Bob (1 message)")
    quote = payloads.reply_to(first, BOB, f"{SECRET} first")
    sim.notify("channel.chat.message", payloads.chat_message(CY, "who says that?", reply=quote))
    focus.out.wait_text("held: new chatter Cy (1 message)")
    for k in range(70):  # a wave of held replies (Dee, held too, answers Bob again and again)
        sim.notify("channel.chat.message", payloads.chat_message(DEE, f"me too {k}", reply=quote))
    # Ann (known) speaks after the wave: a connection's frames are handled in order, so once her line is out all
    # 70 were (waiting for the count itself looked only when a line came, and the last 6 replies print nothing).
    say(sim, ANN, "after the wave")
    focus.out.wait_text("Ann: after the wave")
    dee = focus.app.memory.hold.by_id
    assert on_main(focus, lambda: dee(DEE[0]) is not None and dee(DEE[0]).total == 70)
    released(focus, "Cy")  # the streamer trusts Cy; Bob is still held
    focus.out.wait_text("who says that?")
    assert SECRET not in focus.out.text
    assert focus.stop() == 0


def test_a_follower_vouched_while_their_cheer_was_held_is_shown_whole_and_from_then_on(sim, start_focus):
    run_once(sim, start_focus, [(ANN, "a regular")])
    sim.helix.follow(CY, 30)
    sim.helix.slow["GET /helix/channels/followers"] = t(0.5)  # Cy's first words wait for Twitch's answer ...
    focus = start_focus(timestamps=False, hold_minutes=10, follow_wait=t(5))
    sim.wait_subscribed(N_SUBS)
    say(sim, CY, "hello there")
    sim.notify("channel.cheer", payloads_channel.cheer(CY, 100, "Cheer100 bits for you"))  # ... as Cy cheers
    focus.out.wait_text("Cy cheered 100 bits (message held)")
    focus.out.wait_text("Cy: hello there")  # following for 30 days: vouched
    focus.out.wait_text("Cheer100 bits for you")  # the cheer's text too
    say(sim, CY, "and again")
    focus.out.wait_text("Cy: and again")
    assert on_main(focus, lambda: len(focus.app.memory.hold)) == 0
    assert focus.stop() == 0
