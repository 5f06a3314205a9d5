"""Broadcast storm-control threshold above the policy maximum.

Why it matters for storms: a storm-control level that is too high never triggers. At 10 Gbit/s,
a 50 % broadcast threshold lets 5 Gbit/s of broadcast through - enough to saturate every host
and switch CPU in the VLAN - before anything is dropped. The policy caps the threshold per unit:
``max_percent`` (of link bandwidth), ``max_pps`` (packets per second) and ``max_bps`` (bits per
second); a level of 100 % means no limit at all.

Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    interface GigabitEthernet1/0/7
     storm-control broadcast level 80.00

Good (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    interface GigabitEthernet1/0/7
     storm-control broadcast level 5.00

Bad (Juniper Junos)::

    set forwarding-options storm-control-profiles sc all bandwidth-percentage 50

Good (Juniper Junos)::

    set forwarding-options storm-control-profiles sc all bandwidth-percentage 5

Junos non-ELS (``ethernet-switching-options``) switches run storm control on every switched
port by default at 80 % of the broadcast and unknown-unicast traffic: a port no
``storm-control interface`` stanza covers is judged on that 80 % here (not as "no storm-control",
SG301). ELS has no such default: its factory configuration applies a profile, which then shows.
Ports of a role SG301 exempts (inter-switch links) are not judged on that default.

Bad (Juniper Junos non-ELS, the default)::

    set interfaces ge-0/0/7 unit 0 family ethernet-switching port-mode access

Good (Juniper Junos non-ELS)::

    set ethernet-switching-options storm-control interface ge-0/0/7 level 5

Bad (Huawei VRP, H3C Comware)::

    interface GigabitEthernet0/0/7
     storm-control broadcast min-rate 50000 max-rate 100000

Good (Huawei VRP; H3C Comware ``broadcast-suppression pps 5000``)::

    interface GigabitEthernet0/0/7
     storm-control broadcast min-rate 2000 max-rate 5000
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stormguard import remediation
from stormguard.effective import EffectiveDevice
from stormguard.model import SWITCH_PLATFORMS
from stormguard.rules.base import Hit, RuleContext

ID = "SG302"
NAME = "storm-threshold-too-high"
SEVERITY = "medium"
PARAMS: dict[str, Any] = {"max_percent": 10, "max_pps": 10000, "max_bps": 100_000_000}
PLATFORMS = SWITCH_PLATFORMS

_UNIT_TEXT = {"percent": "%", "pps": "pps", "bps": "bit/s"}


def _fmt(value: float, unit: str) -> str:
    if unit == "bps":
        for factor, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
            if value >= factor:
                return f"{value / factor:g} {prefix}bit/s"
    if unit == "pps":
        return f"{value:.0f} pps" if value == int(value) else f"{value:g} pps"
    return f"{value:g} {_UNIT_TEXT.get(unit, unit)}"


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    limits = {"percent": float(params["max_percent"]), "pps": float(params["max_pps"]),
              "bps": float(params["max_bps"])}
    # SG301's exempt roles (inter-switch links) need no storm-control: a platform default
    # there is not judged either (an explicit level still is)
    exempt_default = set(ctx.policy.params_for("SG301", {"exempt_roles": []})["exempt_roles"])
    for port in dev.storm_ports:
        sc = port.storm.get("broadcast")
        if sc is None or sc.level is None:
            continue
        limit = limits.get(sc.unit)
        if limit is None or sc.level <= limit:
            continue
        default = "broadcast" not in port.iface.storm_control and ctx.family == "junos"
        if default and port.role in exempt_default:
            continue  # a role SG301 lets go without storm-control: its platform default too
        yield Hit(
            message=(f"broadcast storm-control on {port.name} is {_fmt(sc.level, sc.unit)}"
                     + (" (the Junos non-ELS default: no storm-control statement covers the "
                        "port)" if default else "")
                     + f", above the policy maximum of {_fmt(limit, sc.unit)}"),
            interface=port.name,
            line=sc.line_of("level") or sc.line or port.line,
            expected=f"<= {_fmt(limit, sc.unit)}",
            actual=_fmt(sc.level, sc.unit),
            # clamped in its own unit; the variant's syntax (Junos non-ELS: the port's own
            # ethernet-switching-options stanza; ELS: the profile the port uses)
            remediation=remediation.storm_limit(
                ctx.family, port.name, sc.unit, remediation.clamp(sc.level, sc.unit, limits),
                v=remediation.variant(dev), iface=port.iface,
                at=remediation.source(port.iface, "storm_control.broadcast", "storm_control"),
                profile=None if default else port.iface.extra.get("storm_control_profile")),
        )

