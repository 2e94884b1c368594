"""make auth never shows a code or a token that Twitch (or a proxy) quotes back (issue 22, items 3 and 4).

The process's redactor knows the secrets of the settings; the device code, the authorization code, the token
just issued and the token it replaces are learned on the way, and a refusal that quoted one of them printed
it.  The simulator's `oauth.echo` makes every refusal quote the request's form and Authorization header.
"""

from __future__ import annotations

import re
import time

from authkit import auth_env, finish, free_port, read_until, start_auth, start_script  # noqa: F401
from conftest import Browser
from focuslib.auth.store import StoredToken, TokenStore
from focuslib.config import Settings

MASK = "[redacted]"


def test_a_refused_device_code_is_not_shown(sim, env) -> None:
    sim.oauth.echo = True
    sim.oauth.device_interval = 1
    denv = auth_env(env, free_port())
    proc = start_script("auth_server.py", denv, "--device", "--no-browser")
    shown = read_until(proc, "enter the code")
    user_code = re.search(r"enter the code:\s+(\S+)", shown).group(1)
    (device_code,) = sim.oauth.devices
    sim.oauth.expire_device(user_code)  # the next poll is refused, quoting the device code
    code, out, err = finish(proc)
    assert code == 3 and "no longer accepts this device code" in err, out + err
    assert device_code not in out + err and MASK in err, err
    assert user_code in shown  # the code the person types is meant to be shown


def test_a_refused_authorization_code_is_not_shown(sim, env, start_auth) -> None:  # noqa: F811
    sim.oauth.echo = True
    sim.oauth.client_secret = "not-the-secret-focus-has"  # the exchange is refused, quoting its form
    run = start_auth(auth_env(env, free_port()))
    with Browser() as person:
        back = person.get(run.authorize_url(person))  # Twitch sends the browser back with a code
    run.out.wait_text("invalid client secret")
    (code,) = sim.oauth.used_codes
    assert back.status_code == 400 and code not in back.text
    assert code not in run.out.text and MASK in run.out.text, run.out.text
    run.stop()


def test_a_replaced_token_is_not_shown_when_its_revocation_is_refused(sim, env) -> None:
    """Twitch's revocation fails (a 503) after the new token is stored, and its answer quotes the old token."""
    old = sim.issue_token()
    denv = auth_env(env, free_port())
    settings = Settings.from_env(denv)
    store = TokenStore(settings.data_dir, settings.client_id)
    with store.locked():
        store.save(StoredToken(old.access_token, old.refresh_token, old.scopes, old.user[0], old.user[1],
                               old.expires_at))
    sim.oauth.failing["POST /oauth2/revoke"] = 503
    sim.oauth.echo = True
    sim.oauth.device_interval = 1
    proc = start_script("auth_server.py", denv, "--device", "--no-browser")
    shown = read_until(proc, "enter the code")
    with Browser() as person:
        assert person.get(re.search(r"open (http://\S+)", shown).group(1)).status_code == 200
    code, out, err = finish(proc)
    assert code == 0 and "Connected to Twitch as" in out, out + err
    assert "could not be revoked" in out and MASK in out, out
    assert old.access_token not in out + err and old.refresh_token not in out + err
