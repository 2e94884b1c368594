"""`focus config`: every setting focus knows, its value and where it came from (like git config --show-origin).

Each row of focuslib/settings.py's table, the one focus reads its settings from: its value, where it came from and
what it is.  Secrets say only `set` or `unset`, and a URL's password is masked.  The origin is `environment`, the
file that set it, or `default`; a TWITCH_* or FOCUS_* name that no row knows is listed as unknown (a typo reads
as unset).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable, Mapping, Sequence, TextIO

from focuslib.cli.exits import Parser
from focuslib.config import ENVIRONMENT, Settings, Source, config_file, sources, without_password
from focuslib.settings import SETTINGS, Setting, known, read
from focuslib.errors import ExitStatus, FocusError
from focuslib.text import sanitize

# Settings whose default is worked out from others: shown as the value in effect, not as a rule.
EFFECTIVE: dict[str, Callable[[Settings], object]] = {
    "FOCUS_DATA_DIR": lambda settings: settings.data_dir,
    "FOCUS_DEVLOG_PIPE": lambda settings: settings.devlog_pipe,
}


def rows(found: list[Source], settings: Settings | None) -> list[tuple[str, str, str]]:
    """(name, value as shown, origin) for every row of the table, then every unknown TWITCH_*/FOCUS_* name."""
    out = []
    for row in SETTINGS:
        names = [row.name]
        if row.name.endswith("*"):  # a family: each member that is set, else the family itself
            names = sorted({name for source in found for name in source.values if row.matches(name)}) or names
        for name in names:
            out.append((name, *_shown(row, name, found, settings)))
    unknown = sorted({name for source in found for name in source.values
                      if name.startswith(("TWITCH_", "FOCUS_")) and known(name) is None})
    for name in unknown:
        origin = next(source.origin for source in found if name in source.values)
        out.append((name, "unknown setting: focus ignores it (a typo?)", origin))
    return out


def _shown(row: Setting, name: str, found: list[Source], settings: Settings | None) -> tuple[str, str]:
    for source in found:
        if name in source.values:
            value = source.values[name].strip()
            if row.secret:
                return ("set" if value else "unset (empty)"), source.origin
            return (sanitize(without_password(value)) if value else "(empty: the default applies)"), source.origin
    if row.secret:
        return "unset", ""
    if settings is not None and name in EFFECTIVE:
        return sanitize(str(EFFECTIVE[name](settings))), "default"
    return (row.default, "default") if row.default else ("(unset)", "")


def show(out: TextIO, environ: Mapping[str, str] | None = None) -> int:
    found = sources(environ)
    merged: dict[str, str] = {}
    for source in reversed(found):
        merged.update(source.values)
    problem: FocusError | None = None
    try:
        settings: Settings | None = Settings.from_env(merged)
    except FocusError as exc:
        settings, problem = None, exc
    try:
        read(merged)  # focus's own settings, checked as focus checks them: a wrong one is said under the table
    except FocusError as exc:
        problem = problem or exc
    places = [_place(source.origin) for source in found]
    if len(found) < 3:
        dotenv, config = Path(".env").absolute(), config_file(environ).absolute()
        if str(dotenv) not in (source.origin for source in found):
            places.insert(1, f"{dotenv} (none)")
        if str(config) not in (source.origin for source in found):
            places.append(f"{_place(str(config))} (none yet: focus setup writes it)")
    out.write("read in this order, the first place that sets a value wins: " + ", ".join(places) + "\n")
    if settings is not None:
        from focuslib.playground import running_demo

        demo = running_demo(settings.runtime_dir)
        if demo is not None:
            out.write(f"(demo) a demo runs (pid {demo.pid}): the shell's commands act on it and its data in "
                      f"{demo.data_dir}, not on these settings\n")
    table = rows(found, settings)
    width = max(len(name) for name, _, _ in table) + 2
    value_width = min(46, max(len(value) for _, value, _ in table))
    origin_width = min(30, max(len(_place(origin)) for _, _, origin in table))
    for name, value, origin in table:
        row = known(name)
        meaning = f"  # {row.meaning}" if row is not None else ""
        out.write(f"{name:<{width}}{value:<{value_width}}  {_place(origin):<{origin_width}}{meaning}".rstrip() + "\n")
    if problem is not None:
        from focuslib.cli.exits import failed

        return failed("focus", problem)
    return int(ExitStatus.OK)


def _place(origin: str) -> str:
    home = os.path.expanduser("~")
    if origin not in (ENVIRONMENT, "default") and home != "/" and origin.startswith(home + "/"):
        return "~" + origin[len(home):]
    return origin


def main(argv: Sequence[str]) -> int:
    from focuslib.cli.prog import prog

    Parser(prog=prog("config"), description=__doc__.splitlines()[0]).parse_args(argv)
    from focuslib.cli.exits import failed, reader_gone

    try:
        return show(sys.stdout)
    except FocusError as exc:  # a settings file it cannot read
        return failed("focus", exc)
    except BrokenPipeError:  # `focus config | head`
        return reader_gone()
