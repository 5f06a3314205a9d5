"""Inventory: hosts, groups and defaults, with Nornir SimpleInventory-style inheritance.

(The loader and validator are filled in by the collectors/store work; the :class:`Host` shape
below is the contract the collectors use.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Credentials:
    """References to secrets, never the secrets themselves (except a plaintext `password`,
    which works but warns). Resolve with :meth:`password_value` at connection time only."""

    username: str | None = None
    password_env: str | None = None
    password_file: str | None = None
    ssh_key_file: str | None = None
    password: str | None = None  # plaintext in the inventory: discouraged
    prompt: bool = False  # ask interactively (one-off runs)

    def __repr__(self) -> str:  # never print secrets
        return f"Credentials(username={self.username!r}, password=***)"


@dataclass
class Host:
    name: str  # inventory name, unique
    hostname: str  # IP or DNS name; "local" for a vSwitch read on this machine
    platform: str  # Netmiko device_type, or ovs / linux_bridge
    port: int = 22
    site: str | None = None
    groups: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # role data, free-form
    credentials: Credentials = field(default_factory=Credentials)
    transport: str = "ssh"  # ssh | local
    driver: str | None = None  # netmiko | napalm (None: the recipe's preference)
    timeout: float = 60.0
    retries: int = 2
    host_key_policy: str = "tofu"  # strict | tofu | ignore
    netns: str | None = None  # for local vSwitch reads inside a network namespace
