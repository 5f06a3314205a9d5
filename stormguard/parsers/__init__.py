"""Parsers: configuration text (or vSwitch state) in, :class:`stormguard.model.Device` out.

The contract (as NAPALM documents its getters, every driver follows it)
----------------------------------------------------------------------
Each platform is one module in this package, named after its Netmiko device_type
(``cisco_ios``, ``cisco_nxos``, ``arista_eos``, ``juniper_junos``, ``huawei``, ``hp_comware``;
``ovs`` and ``linux_bridge`` for vSwitches), exposing::

    PLATFORM: str                      # the device_type it parses
    def parse(text: str, source: str = "") -> list[Device]

``parse`` is a pure function. It must

* never raise on odd input: unknown lines are ignored; a line it recognises but cannot read is
  recorded in ``Device.warnings`` and skipped (only :class:`stormguard.errors.InputError` may
  escape, for input that is not a configuration of that platform at all);
* record the 1-based line number of every value it sets (``obj.set(name, value, line)``);
* leave unset what the config does not say (``None``): defaults are applied in
  :mod:`stormguard.effective`, in one place;
* accept CRLF line ends, banners and certificates with arbitrary text, and separators.

Switch parsers return one device; vSwitch parsers return one device per bridge.
``cisco_xe`` is parsed by the ``cisco_ios`` module.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from stormguard.errors import UnknownPlatformError
from stormguard.model import PLATFORMS, Device

#: device_type -> module name in this package
PARSER_MODULES: dict[str, str] = {
    "cisco_ios": "cisco_ios",
    "cisco_xe": "cisco_ios",
    "cisco_nxos": "cisco_nxos",
    "arista_eos": "arista_eos",
    "juniper_junos": "juniper_junos",
    "huawei": "huawei",
    "hp_comware": "hp_comware",
    "ovs": "ovs",
    "linux_bridge": "linux_bridge",
    "esxi": "esxi",
}

#: Other names users type, mapped to the canonical device_type.
ALIASES: dict[str, str] = {
    "ios": "cisco_ios",
    "iosxe": "cisco_xe",
    "ios-xe": "cisco_xe",
    "nxos": "cisco_nxos",
    "nxos_ssh": "cisco_nxos",
    "eos": "arista_eos",
    "junos": "juniper_junos",
    "vrp": "huawei",
    "huawei_vrp": "huawei",
    "comware": "hp_comware",
    "h3c": "hp_comware",
    "openvswitch": "ovs",
    "linux": "linux_bridge",
    "vmware_esxi": "esxi",
    "esx": "esxi",
    "vmware": "esxi",
}


def canonical_platform(name: str) -> str:
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in PARSER_MODULES:
        raise UnknownPlatformError(
            f"unknown platform {name!r} (supported: {', '.join(PLATFORMS)})"
        )
    return key


def parser_for(platform: str) -> ModuleType:
    module = PARSER_MODULES[canonical_platform(platform)]
    return importlib.import_module(f"stormguard.parsers.{module}")


def parse_config(text: str, platform: str | None = None, source: str = "") -> list[Device]:
    """Parse `text`; detect the platform when `platform` is None. Returns one device per switch."""
    if platform is None:
        from stormguard.parsers.detect import detect_platform

        platform = detect_platform(text, source)
    platform = canonical_platform(platform)
    devices = parser_for(platform).parse(text, source=source)
    for dev in devices:
        if platform == "cisco_xe" and dev.platform == "cisco_ios":
            dev.platform = "cisco_xe"
    return devices
