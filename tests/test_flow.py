"""focus against the simulated Twitch over real sockets: the happy path."""

from __future__ import annotations

from focuslib.sim import payloads
from focuslib.sim import payloads_chat
from focuslib.twitch.subscriptions import desired

from conftest import ESC, N_SUBS, t




def test_chat_follow_and_sub_reach_the_screen_in_order(sim, start_focus):
    focus = start_focus()
    wanted = sorted(spec.type for spec in desired("1", "1"))
    session = sim.wait_subscribed(len(wanted))
    kinds = sorted(sub["type"] for sub in session.subscriptions.values())
    assert kinds == wanted
    sim.notify("channel.chat.message", payloads.chat_message(("1", "ann", "Ann"), "hello there", color="#FF0000"))
    sim.notify("channel.follow", payloads.follow(("2", "bob", "Bob")))
    sim.notify("channel.chat.notification", payloads_chat.sub(("3", "cy", "Cy"), "2000"))
    sim.notify("channel.chat.notification", payloads_chat.sub_gift(("1", "ann", "Ann"), ("4", "di", "Di")))
    focus.out.wait_text("Ann gifted a T1 sub to Di")
    focus.out.wait_text(f"-- subscribed {len(wanted)}/{len(wanted)}")
    lines = focus.out.lines()
    shown = [line for line in lines if not line.startswith("-- ")]
    assert shown[0].endswith("Ann: hello there")
    assert shown[1].endswith("♥ Bob followed")
    assert shown[2].endswith("★ Cy subscribed at T2")
    assert f"-- subscribed {len(wanted)}/{len(wanted)}" in lines
    assert not ESC.search(focus.out.text)  # not a terminal and color auto: plain
    assert focus.stop() == 0


def test_twitch_cli_mock_mode_needs_only_the_two_urls_and_a_user_id(tmp_path):
    """twitch-cli's mock: subscriptions at the server root, no OAuth endpoints, no token checks, and
    the channel.chat.* types refused (its issue #344): the fallback subscriptions carry those moments."""
    from conftest import Focus, Sink
    from focuslib.errors import ConfigError
    from focuslib.runtime.setup import Options
    from focuslib.sim import SimTwitch
    from focuslib.sim import payloads_channel

    with SimTwitch(strict_tokens=False, ping_interval=None, wait_timeout=t(10)) as mock:
        for stype in ("channel.chat.message", "channel.chat.notification", "channel.chat.message_delete",
                      "channel.chat.clear", "channel.chat.clear_user_messages"):
            mock.fail_subscriptions[stype] = (400, "The combination of values in the type and version fields "
                                                   "is not valid")
        env = {"TWITCH_EVENTSUB_URL": mock.ws_url, "TWITCH_API_URL": mock.http_base,
               "XDG_RUNTIME_DIR": str(tmp_path / "run"), "FOCUS_DATA_DIR": str(tmp_path / "data"),
               "HOME": str(tmp_path)}
        no_user = Focus(env, Options(devlog=False), Sink()).start()
        no_user.thread.join(5)
        assert isinstance(no_user.result, ConfigError) and "TWITCH_USER_ID" in str(no_user.result)
        focus = Focus({**env, "TWITCH_USER_ID": "70000001"}, Options(devlog=False, timestamps=False), Sink()).start()
        try:
            mock.wait_subscribed(N_SUBS - 5)
            focus.out.wait_text(f"subscribed {N_SUBS - 5}/{N_SUBS}")
            mock.notify("channel.follow", payloads.follow(("5", "mock_fan", "Mock_Fan")))
            mock.notify("channel.raid", payloads_channel.raid(("6", "raider", "Big_Raider"), 120))
            mock.notify("channel.subscribe", payloads.subscribe(("7", "subber", "New_Sub"), "1000"))
            mock.notify("channel.cheer", payloads_channel.cheer(("8", "cheerer", "Cheery"), 100, "Cheer100 nice"))
            focus.out.wait_text("Cheery")
            text = focus.out.text
            for who in ("Mock_Fan followed", "Big_Raider", "New_Sub", "Cheery"):
                assert who in text
            assert mock.validate_calls == 0
        finally:
            assert focus.stop() == 0


def test_status_line_is_redrawn_in_place_only_on_a_color_terminal(sim, start_focus):
    from conftest import Sink

    tty = start_focus(sink=Sink(tty=True), color="always")
    sim.wait_subscribed(N_SUBS)
    sim.notify("channel.follow", payloads.follow(("5", "fan", "Fan")))
    tty.out.wait_text("Fan")
    tty.out.wait_text(f"subscribed {len(desired('1', '1'))}/")
    assert "\r\x1b[2K" in tty.out.text and "\n-- subscribed" not in tty.out.text
    tty.stop()
