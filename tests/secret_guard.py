"""Suite-wide check: no access token, refresh token, authorization/device code or client secret ever
appears in anything a test saw (STYLE habit 9, brief "Non-negotiables").

After every test it gathers the secrets in play -- everything the test's simulated Twitch issued, the
secret values of its `env`, and whatever was registered with `watch` -- and scans:
  * pytest's captured stdout/stderr/log of setup, call and teardown,
  * every `Sink` (focus's and auth_server's terminal output in-process),
  * texts registered with `seen` (subprocess output, devlog lines, browser pages),
  * every regular file the test left in `tmp_path`, except the token store itself.
Each secret is also looked for escaped and encoded (repr, JSON, URL-encoded: `forms`).
A hit turns the test's teardown into a failure that says where the secret showed up (masked).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import pytest

SINKS: list[Any] = []  # conftest.Sink registers itself here
_SEEN: list[tuple[str, str]] = []  # (where, text)
_WATCHED: set[str] = set()
_SIMS: list[Any] = []
SECRET_ENV = ("TWITCH_SECRET", "TWITCH_USER_ACCESS_TOKEN", "TWITCH_REFRESH_TOKEN")
MIN_LEN = 8  # shorter values would match by accident


def seen(where: str, text: str | bytes) -> None:
    """Register output the test captured itself (e.g. a subprocess's stdout)."""
    _SEEN.append((where, text.decode("utf-8", "replace") if isinstance(text, bytes) else text))


def watch(*secrets: str) -> None:
    """Register secret values the guard cannot find on its own (a test's private sim or env)."""
    _WATCHED.update(s for s in secrets if s)


def watch_sim(sim: Any) -> None:
    """Register a simulator created outside the `sim` fixture."""
    _SIMS.append(sim)


def forms(secret: str) -> set[str]:
    """The secret and how it looks escaped or encoded: in a repr (str or bytes), in JSON, URL-encoded.
    Written here independently of focus's redactor, so a gap in one is not hidden by the same gap in the other."""
    import json
    from urllib.parse import quote, quote_plus

    found = {secret, repr(secret)[1:-1], json.dumps(secret)[1:-1], quote(secret, safe=""),
             quote_plus(secret, safe=""), repr(secret.encode("utf-8", "replace"))[2:-1],
             secret.encode("unicode_escape").decode("ascii")}
    return {form for form in found if len(form) >= MIN_LEN}


def leaks(texts: Iterable[tuple[str, str]], secrets: Iterable[str]) -> list[str]:
    """'<secret, masked> in <where>' for every secret (or an escaped/encoded form of it) found in any text."""
    wanted = sorted({f for s in secrets if len(s) >= MIN_LEN for f in forms(s)}, key=len, reverse=True)
    found = []
    for where, text in texts:
        for secret in wanted:
            if secret in text:
                found.append(f"{secret[:3]}...{secret[-2:]} ({len(secret)} chars) in {where}")
    return found


def _secrets(item: pytest.Item) -> set[str]:
    found = set(_WATCHED)
    funcargs = getattr(item, "funcargs", {})
    for sim in [funcargs.get("sim"), *_SIMS]:
        if sim is not None and hasattr(sim, "oauth"):
            found |= sim.oauth.secrets()
    env = funcargs.get("env")
    if isinstance(env, dict):
        found |= {env.get(name, "") for name in SECRET_ENV}
    return found


def _files(tmp: Path | None) -> list[tuple[str, str]]:
    if tmp is None or not tmp.exists():
        return []
    texts = []
    for path in tmp.rglob("*"):
        if path.name.startswith(("tokens-", ".tokens-")) or path.is_symlink() or not path.is_file():
            continue  # the token store is where secrets belong; FIFOs and dirs are not read
        if path.name == "config.env" and path.parent.name == "focus":
            continue  # focus setup's config file (0600) holds the client secret, as a .env would
        try:
            texts.append((f"file {path}", path.read_text("utf-8", "replace")))
        except OSError:
            continue
    return texts


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    outcome = yield
    if call.when != "teardown":
        return
    report = outcome.get_result()
    try:
        texts = [(name, content) for name, content in report.sections]
        texts += [(f"terminal output #{k}", sink.text) for k, sink in enumerate(SINKS)]
        texts += _SEEN
        texts += _files(getattr(item, "funcargs", {}).get("tmp_path"))
        found = leaks(texts, _secrets(item))
    finally:
        SINKS.clear()
        _SEEN.clear()
        _WATCHED.clear()
        _SIMS.clear()
    if found and report.outcome != "failed":
        report.outcome = "failed"
        report.longrepr = "a secret appeared in test output:\n  " + "\n  ".join(found)
