"""The rule contract: what one storm-prevention rule module looks like, and what it may assume.

Layout of a rule module (one rule per module, ``stormguard/rules/sgNNN_<name>.py``)
--------------------------------------------------------------------------------
Like ruff or yamllint rules, a rule is a small module, found by the registry
(:func:`stormguard.rules.all_rules`) from its file name (``sg`` + three digits + ``_``)::

    '''Trunk allows all VLANs.                         <- title line (one sentence)

    Why it matters for storms: ... (a paragraph or two)

    Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::        <- one Bad and one Good block per
                                                          platform family the rule applies to:
        interface GigabitEthernet1/0/1                    Cisco/NX-OS/EOS, Junos, Huawei/H3C
         switchport mode trunk                            (vSwitch rules: OVS, Linux bridge)

    Good (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

        interface GigabitEthernet1/0/1
         switchport mode trunk
         switchport trunk allowed vlan 10,20
    '''
    ID = "SG101"                      # contract: reports, waivers and CI refer to it
    NAME = "trunk-allows-all-vlans"   # kebab-case
    SEVERITY = "high"                 # one of stormguard.findings.SEVERITIES
    PARAMS: dict = {"all_threshold": 4000}   # defaults; a policy pack may override each key
                                             # (the type of the default is the type accepted)

    def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext
              ) -> Iterator[Hit]:
        for port in dev.ports:            # switched, in-scope ports only (see below)
            ...
            yield Hit(message=..., interface=port.name, line=..., expected=..., actual=...,
                      remediation=...)

What ``check`` gets
-------------------
* ``dev`` -- an :class:`stormguard.effective.EffectiveDevice`: every global default already
  resolved against the per-port setting, once, by :mod:`stormguard.effective`. A rule must not
  re-derive global defaults (portfast default, BPDU guard default, Huawei default VLAN 1 ...);
  it reads ``port.edge.value`` / ``port.edge.line`` / ``port.edge.origin`` and so on.
  ``dev.ports`` holds the ports in scope for VLAN and spanning-tree rules (switched, not
  admin-down unless the policy includes them, aggregate members folded into their aggregate);
  ``dev.storm_ports`` the ports judged for storm-control (members on the Cisco family and EOS);
  ``dev.all_ports`` every port; ``dev.device`` the raw :class:`stormguard.model.Device`
  (vSwitch rules may read ``extra``). Global facts: ``dev.stp_enabled``,
  ``dev.stp_disabled_vlans``, ``dev.defined_vlans``. Per port (an
  :class:`~stormguard.effective.EffectivePort`): ``name``, ``role`` (policy role, else
  ``trunk``/``access``), ``mode``, ``is_trunk``, ``allowed_vlans``, ``permitted_vlans`` (the
  role's set on this device, or None), ``edge``, ``bpdu_guard``, ``bpdu_filter``,
  ``stp_enabled``, ``storm`` (traffic class -> StormControl), ``storm_actions``, ``line``,
  ``iface`` (the raw Interface). The ``Eff`` values carry ``.value``, ``.line`` and
  ``.origin`` (``"port"``, ``"global"`` or ``"default"``).
* ``params`` -- the rule's ``PARAMS`` merged with the policy's overrides (already validated).
* ``ctx`` -- a :class:`RuleContext`: the rule id, the merged policy, and the platform family
  (``cisco``, ``nxos``, ``eos``, ``junos``, ``huawei``, ``comware``, ``ovs``, ``linux_bridge``).

Optional module constant ``PLATFORMS``: a tuple of device_types the rule applies to (default:
every platform); the engine skips the rule elsewhere.

What ``check`` yields
---------------------
:class:`Hit` objects (the "finding-ish" part of a finding). The engine turns each into a
:class:`stormguard.findings.Finding`, adding rule id, severity (after policy overrides),
device, platform and source, and applying waivers. ``interface=None`` means a device-wide
(global) finding. ``line`` is the config line a reader should look at: the port setting when
the port set it, the global line when a global default is what is in effect, else the
interface header. ``severity`` (optional) caps the finding's severity below the rule's, for a
case that is real but weaker (see :class:`Hit`). ``remediation`` is a snippet in the device's
own syntax; use the helpers in :mod:`stormguard.remediation` so every rule speaks each platform
the same way.

A rule that reports most ports of a config may call ``make = maker(ctx)`` and yield
``make(...)`` instead of ``Hit(...)`` (same fields, positionally): under the engine that is
the finished Finding, which saves building a Hit per finding on the `stormguard lint` hot path.

Rules are pure: no I/O, no global state, no imports of heavy libraries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stormguard.findings import Finding, new_finding

if TYPE_CHECKING:
    from stormguard.effective import EffectiveDevice, EffectivePort
    from stormguard.policy import Policy


@dataclass(slots=True)
class Hit:
    """What a rule reports; the engine completes it into a Finding. (Slotted: hundreds are
    made per config on the `stormguard lint` hot path, where SG205 and SG306 pass the fields
    positionally: add a field at the end.)"""

    message: str
    interface: str | None = None
    line: int | None = None
    expected: str = ""
    actual: str = ""
    remediation: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    #: A lower severity for this hit than the rule's (an inert or operational-only case, e.g.
    #: a per-VLAN STP disable under MST): the finding gets the lower of this and the policy's
    #: severity for the rule, so a pack that lowers the rule lowers these hits too.
    severity: str | None = None
    #: Fleet rules (``SCOPE = "fleet"``) only: the device the finding is filed under.
    device: str | None = None


@dataclass(frozen=True)
class RuleContext:
    """Read-only facts a rule may need besides the device and its params."""

    rule_id: str
    policy: Policy
    family: str  # stormguard.model.PLATFORM_FAMILY value of the device being checked
    #: Set by the engine's per-device audit: (rule, severity, device, platform, source) of the
    #: findings it makes for this rule on this device, so that :func:`maker` can build them
    #: directly (see there). None elsewhere (fleet rules, a rule called on its own).
    finding: tuple[str, str, str, str, str] | None = None


#: ``make(message, interface, line, expected, actual, remediation, extra)``: :func:`maker`.
MakeFn = Callable[[str, "str | None", "int | None", str, str, str, "dict[str, Any]"],
                  "Hit | Finding"]


def maker(ctx: RuleContext) -> MakeFn:
    """What a rule that reports many ports of a config (SG205, SG306: hundreds of findings
    per config) calls instead of :class:`Hit`, with Hit's first six fields and ``extra``,
    positionally. Under the engine (``ctx.finding`` set) it returns the complete
    :class:`~stormguard.findings.Finding` the engine would have made of the Hit - the rule's
    severity (no cap: a capped hit must be a Hit), not waived; the engine still applies
    waivers and drops a failing rule's findings - so each finding is one object, not two.
    Elsewhere it is :class:`Hit` itself."""
    fields = ctx.finding
    if fields is None:
        return Hit
    rule, severity, device, platform, source = fields

    def make(message: str, interface: str | None, line: int | None, expected: str,
             actual: str, remediation: str, extra: dict[str, Any]) -> Finding:
        return new_finding(rule, severity, device, platform, interface, line, message,
                           expected, actual, remediation, source, extra)

    return make


CheckFn = Callable[["EffectiveDevice", Mapping[str, Any], RuleContext], Iterator[Hit]]


@dataclass(frozen=True)
class Rule:
    """One registered rule, built from its module by :func:`stormguard.rules.all_rules`."""

    id: str
    name: str
    severity: str
    params: Mapping[str, Any]  # defaults
    doc: str  # the module docstring (title line, why, Bad/Good examples)
    check: CheckFn
    module: str = ""
    platforms: tuple[str, ...] = ()  # empty = every platform; else device_types it applies to
    #: "device": ``check(dev, params, ctx)`` per device; "fleet": ``check(fleet, params, ctx)``
    #: once per audit over every device and the L2 graph (:class:`stormguard.topology.fleet.
    #: FleetView`), only when neighbour facts are given (``stormguard lint`` never runs them)
    scope: str = "device"

    @property
    def title(self) -> str:
        return self.doc.strip().splitlines()[0].strip() if self.doc.strip() else self.name

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "severity": self.severity,
            "title": self.title,
            "params": dict(self.params),
            "platforms": list(self.platforms),
            "scope": self.scope,
        }


def role_extra(port: EffectivePort) -> dict[str, Any]:
    """The ``extra`` keys every role-based finding carries: the port's role and why it has it
    (``role_source``, e.g. "description matches word 'esx'"); carried to JSON and SARIF."""
    if not port.role_source:
        return {"role": port.role}
    return {"role": port.role, "role_source": port.role_source}


def role_note(port: EffectivePort) -> str:
    """`` (role hypervisor: description matches word 'kvm')`` for a message, or ``""`` for the
    fallback roles trunk / access."""
    return f" (role {port.role}: {port.role_source})" if port.role_source else ""


def uplink_note(ports: Iterable[EffectivePort]) -> str:
    """Why the vSwitch ports a finding names count as physical uplinks, for its message:
    ``"uplinks per kernel: NIC on pci"`` when one reason covers them all, else each port with
    its own (``"eth0 per kernel: NIC on pci; bond0 per inventory physical_uplinks 'bond*'"``),
    or ``""`` when the parser recorded none. The reason is ``Interface.extra["uplink_source"]``:
    the inventory's globs, the OVS interface type, the kernel's link facts or the name
    heuristic, so an engineer who doubts that a port is a NIC sees which fact said so."""
    by_source: dict[str, list[str]] = {}
    for port in ports:
        source = port.iface.extra.get("uplink_source")
        if source:
            by_source.setdefault(str(source), []).append(port.name)
    if len(by_source) == 1:
        return f"uplinks per {next(iter(by_source))}"
    return "; ".join(f"{', '.join(names)} per {source}" for source, names in by_source.items())


def uplink_sources(ports: Iterable[EffectivePort]) -> dict[str, str]:
    """``{port: uplink_source}`` for a finding's ``extra`` (ports without one left out)."""
    return {p.name: str(p.iface.extra["uplink_source"])
            for p in ports if p.iface.extra.get("uplink_source")}
