"""The simulated Twitch used by `make demo`, the tests and the bench."""

from .server import ALL_SCOPES, SimTwitch

__all__ = ["ALL_SCOPES", "SimTwitch"]
