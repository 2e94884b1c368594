"""focus's version: the package's (pyproject.toml reads it) and the User-Agent's (net/client.py)."""

__version__ = "0.1.0"
