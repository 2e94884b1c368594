"""Settings from the environment, `./.env` and `$XDG_CONFIG_HOME/focus/config.env`, validated once.

The first place that sets a variable wins: the environment, then `.env` in the working directory (a
clone's habit), then the config file `focus setup` writes (so `focus` works from any directory).
python-dotenv reads the files; nothing here changes `os.environ`.  Every problem raises `ConfigError`
naming the variable and what to do, which the scripts print in one or two lines with exit code 2.
Here: where Twitch is, your app and token, and where focus keeps its files (every command needs them).
`settings.py` has the one table of every setting, and reads and checks focus's own (FOCUS_*, NO_COLOR).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping
from urllib.parse import urlsplit

from focuslib.errors import ConfigError

if TYPE_CHECKING:
    from focuslib.playground import Demo

DEFAULT_REDIRECT_URI = "http://localhost:3000"
DEFAULT_EVENTSUB_URL = "wss://eventsub.wss.twitch.tv/ws"
DEFAULT_API_URL = "https://api.twitch.tv/helix"
DEFAULT_AUTH_URL = "https://id.twitch.tv/oauth2"
ENVIRONMENT = "environment"  # the origin of a value from the process environment


@dataclass(frozen=True)
class Source:
    """One place settings come from: `origin` is "environment" or a file's path; `values` what it sets."""

    origin: str
    values: Mapping[str, str] = field(repr=False)


def config_file(environ: Mapping[str, str] | None = None) -> Path:
    """`$XDG_CONFIG_HOME/focus/config.env`, else `~/.config/focus/config.env` (what `focus setup` writes)."""
    env = os.environ if environ is None else environ
    return _xdg(env, "XDG_CONFIG_HOME", ".config") / "focus" / "config.env"


def sources(environ: Mapping[str, str] | None = None, dotenv_path: str | os.PathLike[str] = ".env") -> list[Source]:
    """Where settings come from, the one that wins first; a file that does not exist is left out."""
    env = os.environ if environ is None else environ
    found = [Source(ENVIRONMENT, env)]
    for path, hint in ((Path(dotenv_path), "fix or remove the .env file"),
                       (config_file(env), "fix it, or run focus setup again")):
        if path.is_file():
            found.append(Source(str(path.absolute()), _read_env_file(path, hint)))
    return found


def on_this_machine(url: str) -> bool:
    """The URL's host is this machine (the simulator, twitch-cli's mock server), not Twitch."""
    return urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")


def load_environment(environ: Mapping[str, str] | None = None, dotenv_path: str | os.PathLike[str] = ".env"
                     ) -> dict[str, str]:
    """The config file, overlaid by `.env` (when present), overlaid by the real environment."""
    merged: dict[str, str] = {}
    for source in reversed(sources(environ, dotenv_path)):
        merged.update(source.values)
    return merged


def _read_env_file(path: Path, hint: str) -> dict[str, str]:
    from dotenv import dotenv_values  # only paid for when there is a file

    try:
        st = path.stat()
        if st.st_uid != os.getuid():  # it could point focus's sign-in at any server: only yours counts
            raise ConfigError(f"{path} belongs to another user", "remove it, or write your own settings there")
        if path.name != "config.env" and others_can_write(st):  # config.env is made 0600 just below
            raise ConfigError(f"{path} can be changed by other users (mode {stat.S_IMODE(st.st_mode):04o}), who could "
                              "point focus's sign-in at their own server", f"run: chmod go-w {path}")
        if path.name == "config.env" and st.st_mode & 0o077:  # it holds the client secret: yours alone
            os.chmod(path, 0o600)
        values = dotenv_values(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}", hint) from None
    return {k: v for k, v in values.items() if v is not None}


def others_can_write(st: os.stat_result, group_members: Callable[[int], set[int]] | None = None) -> bool:
    """Someone but the file's owner may change it: anyone (o+w), or a group with another member (g+w).

    A group-writable file of your own private group (Debian and Ubuntu give each user one, with umask 002)
    is yours alone, so it is not refused."""
    if st.st_mode & stat.S_IWOTH:
        return True
    if not st.st_mode & stat.S_IWGRP:
        return False
    members = (group_members or _group_members)(st.st_gid)
    return bool(members - {st.st_uid})


def _group_members(gid: int) -> set[int]:
    """The user ids in group `gid`: its listed members and everyone whose primary group it is."""
    import grp
    import pwd

    try:
        names = set(grp.getgrgid(gid).gr_mem)
    except KeyError:  # a group the system does not know: nobody can be told apart, so count it as shared
        return {-1}
    members = {p.pw_uid for p in pwd.getpwall() if p.pw_gid == gid or p.pw_name in names}
    return members


def load_settings(playground: bool = True) -> Settings:
    """The settings every command runs with, checked (ConfigError if wrong).  While a demo runs (make demo),
    with `playground` they are the demo's: its simulated Twitch and its own data directory, never your
    client secret or tokens (focus itself, which shows your channel, passes False)."""
    settings = Settings.from_env(load_environment())
    if playground:
        from focuslib.playground import running_demo

        demo = running_demo(settings.runtime_dir, strict=True)
        if demo is not None:
            return demo_settings(settings, demo)
    return settings


def demo_settings(settings: Settings, demo: Demo) -> Settings:
    """`settings` pointed at a demo: its simulator and data; nothing of yours that is secret goes along."""
    import dataclasses

    return dataclasses.replace(settings, eventsub_url=demo.eventsub_url, api_url=demo.api_url,
                               auth_url=demo.auth_url, client_id=demo.client_id, access_token="",
                               refresh_token="", secret="", user_id="", data_dir=Path(demo.data_dir), demo=True)


@dataclass(frozen=True)
class Settings:
    client_id: str
    secret: str = field(repr=False)
    redirect_uri: str
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    user_id: str
    eventsub_url: str
    api_url: str
    auth_url: str
    data_dir: Path
    runtime_dir: Path
    devlog_pipe: Path
    env: Mapping[str, str] = field(repr=False)
    demo: bool = False  # a running demo's (make demo): commands say "(demo)"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        def get(name: str, default: str = "") -> str:
            return (env.get(name) or default).strip()

        user_id = get("TWITCH_USER_ID")
        if user_id and not (user_id.isascii() and user_id.isdigit()):  # "١٢٣" and "²" are digits to isdigit()
            raise ConfigError(f"TWITCH_USER_ID={user_id!r} is not a numeric user id",
                              "set TWITCH_USER_ID to the broadcaster's id (digits), or unset it to use the token's user")
        data_dir = Path(get("FOCUS_DATA_DIR") or _xdg(env, "XDG_DATA_HOME", ".local/share") / "focus").expanduser()
        runtime = runtime_dir(env, data_dir)
        pipe = get("FOCUS_DEVLOG_PIPE")
        return cls(
            client_id=get("TWITCH_CLIENT_ID"),
            secret=_secret(get("TWITCH_SECRET"), "the client secret in TWITCH_SECRET"),
            redirect_uri=_url(get("TWITCH_REDIRECT_URI", DEFAULT_REDIRECT_URI), "TWITCH_REDIRECT_URI", ("http", "https")),
            access_token=_secret(_strip_prefix(get("TWITCH_USER_ACCESS_TOKEN")), "the token in TWITCH_USER_ACCESS_TOKEN"),
            refresh_token=_secret(get("TWITCH_REFRESH_TOKEN"), "the refresh token in TWITCH_REFRESH_TOKEN"),
            user_id=user_id,
            eventsub_url=_url(get("TWITCH_EVENTSUB_URL", DEFAULT_EVENTSUB_URL), "TWITCH_EVENTSUB_URL", ("ws", "wss")),
            api_url=_url(get("TWITCH_API_URL", DEFAULT_API_URL), "TWITCH_API_URL", ("http", "https")).rstrip("/"),
            auth_url=_url(get("TWITCH_AUTH_URL", DEFAULT_AUTH_URL), "TWITCH_AUTH_URL", ("http", "https")).rstrip("/"),
            data_dir=data_dir,
            runtime_dir=runtime,
            devlog_pipe=Path(pipe).expanduser() if pipe else runtime / "devlog.fifo",
            env=env,
        )

    def require_client_id(self) -> str:
        if not self.client_id:
            raise ConfigError("TWITCH_CLIENT_ID is not set",
                              "run focus setup (make setup in a clone), or set your app's client id "
                              "(dev.twitch.tv/console) in .env or the environment")
        if not is_plain_secret(self.client_id):  # it goes into forms and headers, which cannot carry the rest
            raise ConfigError(f"TWITCH_CLIENT_ID={self.client_id!r} is not a client id",
                              "copy it again from dev.twitch.tv/console: one word of letters and digits")
        return self.client_id


def runtime_dir(env: Mapping[str, str], data_dir: Path) -> Path:
    """A private per-user directory for the devlog pipe: $XDG_RUNTIME_DIR/focus, else `run` in the data dir.

    Never a fixed name in a shared directory such as /tmp: another user could create it first.
    """
    xdg = env.get("XDG_RUNTIME_DIR", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "focus"
    return data_dir / "run"


def ensure_private_dir(path: Path, setting: str = "FOCUS_DATA_DIR") -> Path:
    """Create `path` with mode 0700, or check an existing one is ours and private; `setting` is what the user
    changes to put it elsewhere (named in the error)."""
    try:
        missing = []
        parent = path
        while not os.path.lexists(parent) and parent != parent.parent:
            missing.append(parent)
            parent = parent.parent
        for directory in reversed(missing):  # every directory focus creates is private, not just the last
            try:
                os.mkdir(directory, 0o700)
            except FileExistsError:
                pass
        st = os.lstat(path)
    except OSError as exc:
        raise ConfigError(f"cannot create {path}: {exc.strerror}", "check the permissions of its parent") from None
    if not stat.S_ISDIR(st.st_mode):
        raise ConfigError(f"{path} exists and is not a directory", f"remove it, or point {setting} elsewhere")
    if st.st_uid != os.getuid():
        raise ConfigError(f"{path} belongs to another user", f"set {setting} to a path in a directory of yours")
    if st.st_mode & 0o077:
        os.chmod(path, 0o700)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all (a temporary file, fsync, rename), mode 0600 from its first byte, in a
    directory `ensure_private_dir` made private.  Raises OSError."""
    import tempfile  # only when writing: it pulls in shutil, off focus's start-up path

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # the rename itself, on disk
        dirfd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dirfd)
    except OSError:
        pass
    finally:
        os.close(dirfd)


def _xdg(env: Mapping[str, str], name: str, fallback: str) -> Path:
    value = env.get(name, "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path(env.get("HOME") or Path.home()) / fallback


def _url(value: str, name: str, schemes: tuple[str, ...]) -> str:
    shown = without_password(value)  # the error is printed, pasted into issues, maybe on stream
    try:
        parts = urlsplit(value)
    except ValueError:  # "http://[::1": an unclosed IPv6 bracket (urlsplit raises, issue 12)
        raise ConfigError(f"{name}={shown!r} is not a valid {'/'.join(schemes)} URL",
                          f"fix {name} in .env or the environment, or unset it to use the default") from None
    if parts.scheme not in schemes or not parts.hostname:
        raise ConfigError(f"{name}={shown!r} is not a valid {'/'.join(schemes)} URL",
                          f"fix {name} in .env or the environment, or unset it to use the default")
    try:
        parts.port
    except ValueError:
        raise ConfigError(f"{name}={shown!r} has an invalid port", f"fix {name}") from None
    return value


def without_password(value: str) -> str:
    """`value` with a URL's password masked (`https://user:***@proxy`): a TWITCH_*_URL may carry one, and focus
    config's output is pasted into issues and shown on stream."""
    scheme, sep, rest = value.partition("://")
    if not sep:
        return value
    end = min((k for k in (rest.find(c) for c in "/?#") if k >= 0), default=len(rest))
    netloc, tail = rest[:end], rest[end:]
    userinfo, at, host = netloc.rpartition("@")  # the last @: a password may hold one
    if not at or ":" not in userinfo:
        return value
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{host}{tail}"


def is_plain_secret(value: str) -> bool:
    """One line of visible ASCII: what Twitch issues.  Anything else would end up in an HTTP header or an
    error text that quotes it (a line break, a non-Latin-1 character), so it is refused before any use."""
    return all("!" <= ch <= "~" for ch in value)


def _secret(value: str, what: str) -> str:
    if not is_plain_secret(value):
        # Never quote the value: it is a secret, and it is what is broken.
        raise ConfigError(f"{what} is malformed: run make auth",
                          "or paste it again as one line of letters and digits")
    return value


def _strip_prefix(token: str) -> str:
    # twitch-cli and many guides print tokens as "oauth:xyz".
    return token[6:] if token.startswith("oauth:") else token
