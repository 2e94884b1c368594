"""Shared code for focus.py, devlog.py and auth_server.py."""

__version__ = "0.1.0"
