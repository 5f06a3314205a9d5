"""Collector drivers, registered by name (in the spirit of Nornir's plugin register).

A driver is a callable ``(host, ctx) -> Collected`` that raises
:class:`~stormguard.collect.base.CollectError`. Built in: ``netmiko`` and ``napalm`` (switches,
recipe in ``collectors/<platform>.yaml``), ``ovs`` and ``linux_bridge`` (vSwitches; their modules
expose ``collect(host, recipe: dict | None)``, adapted here). Third-party drivers register with
:func:`register_driver` or the ``stormguard.collectors`` entry-point group, so the pool never
needs to know them by import.

Which driver a host uses: ``host.driver`` if set, else the vSwitch platform name for ``ovs`` /
``linux_bridge``, else the recipe's preferred driver (``netmiko`` everywhere by default).
"""

from __future__ import annotations

import contextlib
import importlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from stormguard.collect.base import Collected, CollectError
from stormguard.collect.hostkeys import KnownHosts
from stormguard.inventory import Host

VSWITCH_DRIVERS = ("ovs", "linux_bridge", "esxi")


@dataclass
class CollectContext:
    """What a driver gets besides the host: where pins live, where recipes live, the attempt's
    wall-clock deadline, and a way to hand the pool's watchdog something to close."""

    known_hosts: KnownHosts
    recipes_dir: Path | None = None
    deadline: float = field(default_factory=lambda: time.monotonic() + 60.0)
    _closers: list[Callable[[], None]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    aborted: bool = False

    def remaining(self, floor: float = 1.0) -> float:
        return max(floor, self.deadline - time.monotonic())

    def on_abort(self, closer: Callable[[], None]) -> None:
        """Register a callable that tears the session down (the watchdog calls it when the
        attempt overruns its deadline, unblocking a read stuck on a silent device)."""
        with self._lock:
            if self.aborted:
                closer()
            else:
                self._closers.append(closer)

    def abort(self) -> None:
        with self._lock:
            self.aborted = True
            closers, self._closers = self._closers, []
        for closer in closers:
            # a half-dead session may fail to close: it is abandoned anyway
            with contextlib.suppress(Exception):
                closer()


DriverFn = Callable[[Host, CollectContext], Collected]

_BUILTIN: dict[str, str] = {
    "netmiko": "stormguard.collect.netmiko_driver:collect",
    "napalm": "stormguard.collect.napalm_driver:collect",
    "ovs": "stormguard.collect.ovs:collect",
    "linux_bridge": "stormguard.collect.linux_bridge:collect",
    "esxi": "stormguard.collect.esxi:collect",
}
_REGISTRY: dict[str, DriverFn] = {}
_REG_LOCK = threading.Lock()


def register_driver(name: str, fn: DriverFn) -> None:
    with _REG_LOCK:
        _REGISTRY[name] = fn


def registered_names() -> list[str]:
    names = set(_BUILTIN) | set(_REGISTRY)
    names |= {ep.name for ep in entry_points(group="stormguard.collectors")}
    return sorted(names)


def _vswitch_adapter(module_fn: Callable[..., Collected], name: str) -> DriverFn:
    """vSwitch modules take ``(host, recipe_dict)``; give them the known_hosts file through
    ``host.data`` (where they look for it) and the raw recipe YAML if there is one."""

    def run(host: Host, ctx: CollectContext) -> Collected:
        import yaml

        from stormguard.resources import data_dir

        recipe = None
        path = (ctx.recipes_dir or data_dir("collectors")) / f"{name}.yaml"
        if path.is_file():
            recipe = yaml.safe_load(path.read_text(encoding="utf-8"))
        data = dict(host.data)
        data.setdefault("known_hosts", str(ctx.known_hosts.path))
        return module_fn(replace(host, data=data), recipe)

    return run


def get_driver(name: str) -> DriverFn:
    """The driver registered as `name`; CollectError-free: raises KeyError when unknown."""
    with _REG_LOCK:
        if name in _REGISTRY:
            return _REGISTRY[name]
    target = _BUILTIN.get(name)
    if target is None:
        for ep in entry_points(group="stormguard.collectors"):
            if ep.name == name:
                fn = ep.load()
                register_driver(name, fn)
                return fn
        raise KeyError(name)
    module_name, attr = target.split(":")
    module = importlib.import_module(module_name)
    fn: Any = getattr(module, attr)
    if name in VSWITCH_DRIVERS:
        fn = _vswitch_adapter(fn, name)
    register_driver(name, fn)
    return fn


def driver_name_for(host: Host, recipes_dir: Path | None = None) -> str:
    if host.driver:
        return host.driver
    if host.platform in VSWITCH_DRIVERS:
        return host.platform
    from stormguard.collect.recipes import load_recipe

    try:
        return load_recipe(host.platform, recipes_dir).driver
    except FileNotFoundError:
        return "netmiko"


def resolve(host: Host, recipes_dir: Path | None = None) -> tuple[str, DriverFn]:
    """(driver name, driver) for `host`, or CollectError(unsupported)."""
    name = driver_name_for(host, recipes_dir)
    try:
        return name, get_driver(name)
    except (KeyError, ImportError, AttributeError):
        raise CollectError(host.name, "unsupported",
                           f"no collector driver {name!r} (known: "
                           f"{', '.join(registered_names())})") from None
