"""The suite-wide secret check itself: it must find a secret wherever it shows up, and only then."""

from __future__ import annotations

from secret_guard import _files, _secrets, leaks


def test_leaks_finds_each_secret_and_masks_it_in_the_report():
    found = leaks([("stdout", "token abcdefghijkl here"), ("stderr", "clean")], {"abcdefghijkl", "zzzzzzzzzzz"})
    assert found == ["abc...kl (12 chars) in stdout"]
    assert leaks([("stdout", "short one: abc")], {"abc"}) == []  # too short to mean anything


def test_it_knows_every_secret_the_simulator_handed_out(sim, env, request):
    grant = sim.issue_token()
    wanted = _secrets(request.node)
    assert {grant.access_token, grant.refresh_token, env["TWITCH_USER_ACCESS_TOKEN"],
            env["TWITCH_SECRET"]} <= wanted


def test_it_reads_the_files_a_test_leaves_but_not_the_token_store(tmp_path):
    (tmp_path / "crash.txt").write_text("secret-in-a-crash-file")
    (tmp_path / "tokens-cid.json").write_text("secret-where-it-belongs")
    texts = dict(_files(tmp_path))
    assert list(texts.values()) == ["secret-in-a-crash-file"]
