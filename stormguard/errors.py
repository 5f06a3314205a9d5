"""Exceptions that end in a one-line message for the user (never a traceback).

Every error that can reach the CLI derives from :class:`StormguardError`; its ``str()`` is the
whole message and names the culprit (file, device, key). The CLI prints it and exits with
``exit_code``. Secrets must never be formatted into these messages.
"""

from __future__ import annotations


class StormguardError(Exception):
    exit_code = 2


class InputError(StormguardError):
    """Bad input the user gave: a file that is empty, binary, unreadable or unparsable."""


class UnknownPlatformError(InputError):
    """The platform could not be detected, or the name given is not supported."""


class ConfigError(StormguardError):
    """A policy, inventory or stormguard.yaml file is invalid (message names file and line)."""


class PermissionProblem(StormguardError):
    """The process lacks a capability it needs (e.g. CAP_NET_RAW for sniffing)."""
