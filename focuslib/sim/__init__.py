"""The simulated Twitch used by `make demo`, the tests and the bench."""

from .server import SimTwitch
from .state import ALL_SCOPES

__all__ = ["ALL_SCOPES", "SimTwitch"]
