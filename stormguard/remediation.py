"""Remediation snippets, in each platform's own syntax, under one contract.

A finding is only useful if the engineer on call can act on it, so each one carries the lines to
paste: ``interface X`` + sub-commands on the Cisco family, Arista EOS, Huawei VRP and H3C
Comware; ``set``/``delete`` lines on Junos; ``ovs-vsctl`` / ``bridge`` commands on vSwitches.
Rules call these helpers instead of formatting commands themselves, so all rules speak a platform
the same way, and ``stormguard fix`` (:mod:`stormguard.fix`) applies exactly these snippets to a
candidate config.

The contract (documented in ``docs/rules.md``; tests in ``tests/fix/``):

* **Safe line by line.** Platforms that apply each line at once (Huawei VRP, H3C Comware, IOS)
  never lose a VLAN that stays: VRP trunks get the permitted VLANs *added* first and the rest
  removed afterwards (never ``undo port trunk allow-pass vlan all`` first); the Cisco family
  replaces the list with one atomic ``switchport trunk allowed vlan LIST``; Junos commits
  atomically. VRP VLAN lists are split into lines of at most 10 items (the CLI's ``&<1-10>``).
* **Never looser.** A threshold is clamped in its own unit (pps, bit/s or percent) to the
  policy's maximum in that unit; a unit the platform cannot express, or a unit without a
  policy maximum, becomes a "not auto-fixable" note saying what is needed.
* **No side effects.** Turning STP back on never changes the STP mode; a per-port fix touches
  that port (or the group it inherits the value from).
* **The variant in the file** (:class:`Variant`): Comware v5 vs v7, Huawei S-series vs
  CloudEngine, Junos ELS vs non-ELS and the STP protocol configured, hybrid vs trunk ports,
  Comware ``broadcast-suppression`` vs ``storm-constrain`` (mutually exclusive per class).
* **Fixed at the source.** A value a port inherits (``iface.extra["inherited"][field]``: an
  ``interface range``, port-group or Junos interface-range) is fixed there. A value from a Junos
  ``groups`` stanza is reported as not auto-fixable (the group's path is not known).

A snippet that cannot be applied safely starts with a comment line ``<c> not auto-fixable:
<reason>`` (``!`` on the Cisco family, ``#`` elsewhere); other comment lines are notes.
``stormguard fix`` skips such findings and says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from stormguard.vlans import VlanSet

#: The contract every remediation follows, rendered into ``docs/rules.md`` by the docgen.
CONTRACT_MARKDOWN = """
## Remediation contract

Every finding carries a fix in the device's own syntax (shown under the finding by `stormguard
lint`, hidden with `--no-fix`; applied to a candidate config by `stormguard fix`). Every fix
follows these rules, tested per platform in `tests/fix/`:

- **Safe to paste line by line, never a transient outage.** Huawei VRP, H3C Comware and IOS
  apply each line as it is entered. On VRP trunks the VLANs to keep are *added* first
  (`port trunk allow-pass|permit vlan ...`) and the rest removed afterwards (`undo ... vlan
  <the others>`); never `undo port trunk allow-pass vlan all` first. VRP lines carry at most 10
  VLAN items (the CLI's limit). The Cisco family replaces the list with one atomic
  `switchport trunk allowed vlan LIST` (never `... vlan none` first); Junos commits atomically.
  Hybrid ports use `port hybrid tagged vlan` / `port hybrid vlan ... tagged` and keep their
  PVID (untagged) VLAN.
- **Never looser.** A threshold is clamped in its own unit to the policy maximum in that unit
  (SG302 `max_pps`, `max_bps`, `max_percent`): a 20 kpps limit becomes `max_pps` pps, a 500
  Mbit/s limit `max_bps`, a percentage `max_percent` %. When the policy has no maximum in that
  unit (0), or the platform cannot express it (NX-OS and EOS have no bit/s level, Junos no pps),
  the fix says so instead of switching units. A mechanism moved to get an alarm (Comware
  `broadcast-suppression` to `storm-constrain`, Huawei suppression to `storm-control`) keeps
  the level, clamped likewise. New storm-control comes with its alarm (`storm-control action
  trap`, `storm-control enable trap`, Junos `action-shutdown`).
- **No side effects.** Turning spanning tree back on never changes its mode (`stp enable`,
  `stp global enable`, `spanning-tree vlan X`, `delete protocols mstp disable`); only EOS
  `spanning-tree mode none` (the off switch itself) becomes the default `mstp`. A per-port fix
  touches that port (or the group it inherits the value from).
- **The syntax of the variant in the file**: Comware v5 (`stp enable`, `stp edged-port
  disable`, global `stp bpdu-protection`, `storm-constrain broadcast 3000 1500 pps`) vs v7
  (`stp global enable`, `undo stp edged-port`, `stp port bpdu-protection enable`,
  `storm-constrain broadcast pps 3000 1500`); Huawei S-series (`storm-control ...`, `stp
  enable`) vs CloudEngine (`storm control ...`, `storm suppression ...`, `undo stp disable`);
  Junos ELS (`protocols layer2-control bpdu-block`, storm-control profiles) vs non-ELS
  (`ethernet-switching-options`, unit names `ge-0/0/1.0` in protocol stanzas) and the STP
  protocol configured (`rstp`, `mstp`, `vstp`).
- **Mutually exclusive features respected**: on Comware a class is limited by
  `broadcast-suppression` or by `storm-constrain`, never both; the fix stays with the one in use
  (moving to `storm-constrain` removes the suppression first).
- **Fixed at the source.** A value a port inherits from a Cisco or H3C `interface range`, a
  Huawei `port-group` / H3C `port-group manual`, or a Junos `interface-range` is fixed in that
  block. A value from a Junos `groups` stanza is reported as not auto-fixable (change it in the
  group, or `apply-groups-except` on the interface).
- **Not auto-fixable, and said so.** A fix that would have to guess starts with a comment line
  `! not auto-fixable: <reason>` (`#` outside the Cisco family): the VLANs a trunk needs when
  the device defines none (or practically all), a unit the platform or the policy cannot
  express, a Junos group. `stormguard fix` leaves those findings alone and names them.
- **Proportional output.** A VLAN list longer than 160 characters (SG101 on a device with
  thousands of VLANs) is summarised in lint output (`<2000 VLANs in 2000 ranges: 2,4,6,8,...>`)
  instead of repeated in full on every port; `stormguard fix` writes it in full.

`stormguard fix FILE [-o OUT] [--rules SG101,SG301] [--diff] [--platform P] [--policy F]`
applies the fixes to a candidate config the way the device reads the pasted lines: inside the
block the snippet names (a port with no block of its own gets one), replacing the lines of the
same setting; VLAN-list commands are evaluated and written back as the resulting list. Junos
`set`/`delete` lines are applied to the configuration in display-set form; **a curly-brace Junos
configuration is printed in display-set form** (inactive statements as `deactivate` lines;
comments and annotations are not kept). vSwitch state (OVS, Linux bridge) is not a file: its
fixes are commands to run on the host, and `fix` applies none. A fix that reveals findings a
device-wide one was hiding (STP off on the device hides per-port STP findings) is followed by
their fixes. Exit 0 when every selected finding was fixed, 1 when some could not be (each named
on stderr), 2 on bad input (one line). The fix round trip (fixed config re-linted: none of the
fixed findings, no new finding, no new parser warning) is tested over every example, fixture
and fuzzed config of every switch platform.
"""

CISCOISH = frozenset({"cisco", "nxos", "eos"})
VRPISH = frozenset({"huawei", "comware"})
#: Name of the storm-control profile proposed on Junos ELS when a port has none.
JUNOS_STORM_PROFILE = "sg-storm"
#: Marker of a snippet ``stormguard fix`` must not apply (after the comment character).
NOT_FIXABLE = "not auto-fixable:"
#: VRP CLI: at most 10 VLAN items (an ID or an ``A to B`` range) per command.
VRP_ITEMS_PER_LINE = 10
#: A VLAN list longer than this (characters) is summarised in lint output (SG101 on a device
#: with thousands of VLANs): ``stormguard fix`` writes it in full (see :data:`FULL_LISTS`).
LONG_LIST = 160
#: Set by ``stormguard fix``: write every VLAN list in full, never summarised.
FULL_LISTS: ContextVar[bool] = ContextVar("stormguard_full_vlan_lists", default=False)
_ALL = VlanSet.all()


def comment_char(family: str) -> str:
    return "!" if family in CISCOISH else "#"


def not_fixable(family: str, reason: str, *hint: str) -> str:
    """A snippet that says why it cannot be pasted as is (and what the engineer should do)."""
    c = comment_char(family)
    return "\n".join([f"{c} {NOT_FIXABLE} {reason}", *hint])


def fixable(snippet: str) -> str | None:
    """None when `snippet` can be applied; else the reason it cannot."""
    first = snippet.split("\n", 1)[0]
    if first[:1] in ("!", "#") and NOT_FIXABLE in first:
        return first.split(NOT_FIXABLE, 1)[1].strip()
    if not snippet.strip():
        return "no remediation"
    lines = [ln.strip() for ln in snippet.split("\n") if ln.strip()]
    if all(ln[0] in ("!", "#") for ln in lines):  # advice only: nothing to apply
        return lines[0].lstrip("!# ").strip()
    return None


# -- the variant of the device --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Variant:
    """Which dialect of its family a device speaks (see the module docstring)."""

    family: str
    comware_v5: bool = False
    huawei_ce: bool = False
    junos_els: bool = True
    junos_stp: str | None = None  # the spanning-tree protocol configured: rstp, mstp, vstp


_PLAIN: dict[str, Variant] = {}


def plain(family: str) -> Variant:
    v = _PLAIN.get(family)
    if v is None:
        v = _PLAIN[family] = Variant(family)
    return v


def _flag(extra: Mapping[str, Any], *keys: str) -> str:
    for k in keys:
        val = extra.get(k)
        if val not in (None, ""):
            return str(val).lower()
    return ""


def detect_variant(device: Any, family: str) -> Variant:
    """The variant of a :class:`stormguard.model.Device` (parsers record it in ``extra``;
    without that, the version string and the spelling of the config decide)."""
    extra: Mapping[str, Any] = getattr(device, "extra", {}) or {}
    if family == "comware":
        tag = _flag(extra, "comware_version", "comware", "variant", "dialect")
        if tag:
            v5 = tag.lstrip("v").startswith("5") or tag in ("comware5", "comware-v5")
        else:
            v5 = str(extra.get("version", "")).strip().lstrip("Vv").startswith("5")
        return Variant(family, comware_v5=v5)
    if family == "huawei":
        tag = _flag(extra, "huawei_series", "series", "variant", "dialect")
        if tag:
            ce = tag in ("ce", "cloudengine", "huawei-ce", "huawei_ce")
        else:
            ver = str(extra.get("version", ""))
            ce = "CE" in ver or ver.strip().startswith("8.") or any(
                n[:4] in ("10GE", "25GE", "40GE") or n.startswith("100GE")
                for n in getattr(device, "interfaces", {}))
        return Variant(family, huawei_ce=ce)
    if family == "junos":
        if isinstance(extra.get("junos_els"), bool):
            els = bool(extra["junos_els"])
        else:
            tag = _flag(extra, "junos_variant", "els", "variant", "dialect")
            els = tag not in ("non-els", "nonels", "false", "0", "legacy") if tag else True
        stp = getattr(device, "stp", None)
        proto = _flag(extra, "stp_protocol") or (getattr(stp, "mode", None) or "")
        proto = proto.lower() if proto in ("rstp", "mstp", "vstp", "stp") else None
        return Variant(family, junos_els=els, junos_stp=proto)
    return plain(family)


def variant(dev: Any) -> Variant:
    """The :class:`Variant` of an :class:`~stormguard.effective.EffectiveDevice`, computed once
    per device (kept in the effective device's ``__dict__``)."""
    cache = getattr(dev, "__dict__", None)
    if cache is not None:
        v = cache.get("_sg_variant")
        if v is not None:
            return v
    v = detect_variant(dev.device, dev.family)
    if cache is not None:
        cache["_sg_variant"] = v
    return v


def source(iface: Any, *fields: str) -> Mapping[str, Any] | None:
    """Where `iface` inherits the first of `fields` from (``extra["inherited"]``), if anywhere."""
    inh = iface.extra.get("inherited") if iface is not None else None
    if not inh:
        return None
    for f in fields:
        src = inh.get(f)
        if src:
            return src
    return None


def vlan_context(port: Any) -> dict[str, Any]:
    """Keyword arguments of :func:`trunk_allowed` for an effective port: a hybrid port keeps
    its PVID (untagged) VLAN; the list is fixed where the port inherits it from."""
    iface = port.iface
    hybrid = iface.extra.get("link_type") == "hybrid"
    keep = VlanSet.of([iface.native_vlan or 1]) if hybrid else None
    pvid = iface.extra.get("pvid")  # Linux bridge: the untagged VLAN stays
    if isinstance(pvid, int) and 1 <= pvid <= 4094:
        keep = VlanSet.of([pvid])
    return {"hybrid": hybrid, "keep": keep, "at": source(iface, "allowed_vlans")}


# -- spelling ---------------------------------------------------------------------------------


def _header(family: str, port: str, at: Mapping[str, Any] | None) -> str:
    if at:
        if at.get("header") and at.get("kind") != "vlan":
            return str(at["header"])  # the group's own header line, as the file spells it
        kind, name = str(at.get("kind", "")), str(at.get("name", ""))
        if kind == "port-group":
            return f"port-group manual {name}" if family == "comware" else f"port-group {name}"
        if kind == "interface-range":
            if family in VRPISH and " " not in name and "/" not in name:
                return f"interface range name {name}"
            return f"interface range {name}"
    return f"interface {port}"


def _iface(name: str, *lines: str, family: str = "", at: Mapping[str, Any] | None = None) -> str:
    head = _header(family, name, at) if at else f"interface {name}"
    return head + "\n " + "\n ".join(lines) if lines else head


def _junos_group(at: Mapping[str, Any] | None) -> str | None:
    """A not-auto-fixable reason when the value comes from a Junos group."""
    if at and at.get("kind") == "junos-group":
        where = f" (line {at['line']})" if at.get("line") else ""
        return (f"the value is inherited from Junos group {at.get('name')}{where}; change it in "
                "the group (or apply-groups-except on this interface)")
    return None


def _junos_iface_path(port: str, at: Mapping[str, Any] | None) -> str:
    if at and at.get("kind") == "junos-interface-range":
        return f"interfaces interface-range {at.get('name')}"
    return f"interfaces {port}"


def _junos_unit(name: str, at: Mapping[str, Any] | None = None) -> str:
    return f"{_junos_iface_path(name, at)} unit 0 family ethernet-switching"


def _stp_if(port: str, v: Variant) -> str:
    """How a protocol stanza names the port: non-ELS Junos uses the logical unit (``.0``)."""
    return port if v.junos_els or "." in port else f"{port}.0"


def vlan_text(family: str, vlans: VlanSet | str) -> str:
    if isinstance(vlans, str):
        return vlans
    return _vlan_text(family, vlans)


@lru_cache(maxsize=512)
def _vlan_text(family: str, vlans: VlanSet) -> str:
    """Memoised: a device repeats the same few VLAN lists on hundreds of ports."""
    if family in VRPISH:
        return vlans.to_text(sep=" ", range_sep=" to ")
    if family == "junos":
        return "[ " + vlans.to_text(sep=" ") + " ]"
    if family == "ovs":
        return ",".join(str(v) for v in vlans)
    return vlans.to_text()


@lru_cache(maxsize=512)
def vrp_chunks(vlans: VlanSet) -> tuple[str, ...]:
    """``10 20 to 30 ...`` in pieces of at most :data:`VRP_ITEMS_PER_LINE` items."""
    items = [str(a) if a == b else f"{a} to {b}" for a, b in vlans.ranges()]
    return tuple(" ".join(items[i:i + VRP_ITEMS_PER_LINE])
                 for i in range(0, len(items), VRP_ITEMS_PER_LINE))


@lru_cache(maxsize=256)
def cisco_chunks(vlans: VlanSet, width: int = 200) -> tuple[str, ...]:
    """``10,20-30,...`` in pieces of at most `width` characters (whole items)."""
    out: list[str] = []
    cur = ""
    for a, b in vlans.ranges():
        item = _range_text(a, b)
        if cur and len(cur) + 1 + len(item) > width:
            out.append(cur)
            cur = item
        else:
            cur = f"{cur},{item}" if cur else item
    if cur:
        out.append(cur)
    return tuple(out)


@lru_cache(maxsize=256)
def _summary(vlans: VlanSet) -> str:
    """A long list, summarised for lint output."""
    rs = vlans.ranges()
    head = ",".join(str(a) if a == b else f"{a}-{b}" for a, b in rs[:4])
    return f"<{len(vlans)} VLANs in {len(rs)} ranges: {head},...>"


def _too_long(family: str, vlans: VlanSet) -> bool:
    return len(_vlan_text(family, vlans)) > LONG_LIST and not FULL_LISTS.get()


def _junos_members(vlans: VlanSet, names: Mapping[int, str] | None) -> list[str]:
    """Junos ``vlan members`` tokens: a VLAN the config names is written by its name (that is
    how the member list spells it, and ``delete`` must match it), the rest as IDs/ranges."""
    out: list[str] = []
    for a, b in vlans.ranges():
        if names and (b - a) < 64 and any(v in names for v in range(a, b + 1)):
            run: list[int] = []
            for v in range(a, b + 1):
                if v in names:
                    if run:
                        out.append(_range_text(run[0], run[-1]))
                        run = []
                    out.append(names[v])
                else:
                    run.append(v)
            if run:
                out.append(_range_text(run[0], run[-1]))
        else:
            out.append(_range_text(a, b))
    return out


def _range_text(a: int, b: int) -> str:
    return str(a) if a == b else f"{a}-{b}"


# -- VLANs ------------------------------------------------------------------------------------


def trunk_allowed(family: str, port: str, vlans: VlanSet | str,
                  names: Mapping[int, str] | None = None, *,
                  current: VlanSet | None = None, keep: VlanSet | None = None,
                  hybrid: bool = False, at: Mapping[str, Any] | None = None,
                  all_threshold: int | None = None) -> str:
    """Make a trunk carry exactly `vlans` (plus `keep`, e.g. a hybrid port's PVID).

    `current` is what it carries now (None: every VLAN); Junos writes VLANs by name where
    `names` has one. VRP adds first and removes afterwards, so a VLAN that stays never drops.
    A proposal that is itself "all" (at least `all_threshold` VLANs) is not a fix."""
    if isinstance(vlans, str):
        return not_fixable(family, "the VLANs this trunk needs are not known (the device "
                           "defines none besides VLAN 1): list them", _trunk_allowed_text(
                               family, port, vlans, names, at))
    if all_threshold is not None and vlans.covers_all(all_threshold):
        return not_fixable(family, f"the device defines {len(vlans)} VLANs, as good as all: "
                           "list the VLANs the far end needs", _trunk_allowed_text(
                               family, port, "VLAN-LIST", names, at))
    if _too_long(family, vlans):
        return not_fixable(
            family, f"{len(vlans)} VLANs: the list is summarised here; "
            "`stormguard fix` writes it in full",
            _trunk_allowed_text(family, port, _summary(vlans), names, at))
    if family == "linux_bridge" and keep is not None:
        from stormguard.remediation_vswitch import bridge_vlan_add

        rest = _ALL - vlans - keep
        return "\n".join([*bridge_vlan_add(port, vlans - keep),
                          *(f"bridge vlan del dev {port} vid {_range_text(a, b)}"
                            for a, b in rest.ranges())])
    if family in CISCOISH and len(_vlan_text(family, vlans)) > LONG_LIST:
        # too long for one CLI line: add (a no-op for VLANs already allowed), then remove the
        # rest, in lines of a sane length; never a replace that drops VLANs added later
        have = current if current is not None else _ALL
        lines = [f"switchport trunk allowed vlan add {c}" for c in cisco_chunks(vlans)]
        lines += [f"switchport trunk allowed vlan remove {c}"
                  for c in cisco_chunks(have - vlans - (keep or VlanSet.none()))]
        return _iface(port, *lines, family=family, at=at)
    if family in VRPISH:
        if not vlans:
            return not_fixable(family, "no VLAN would be left on the trunk: list the VLANs "
                               "it needs")
        have = current if current is not None else _ALL
        drop = have - vlans
        if keep is not None:
            drop = drop - keep
        if hybrid:
            add_cmd = ("port hybrid tagged vlan {}" if family == "huawei"
                       else "port hybrid vlan {} tagged")
            del_cmd = "undo port hybrid vlan {}"
            add = vlans - (keep or VlanSet.none())
        else:
            word = "allow-pass" if family == "huawei" else "permit"
            add_cmd = f"port trunk {word} vlan {{}}"
            del_cmd = f"undo port trunk {word} vlan {{}}"
            add = vlans
        lines = [add_cmd.format(c) for c in vrp_chunks(add)]
        lines += [del_cmd.format(c) for c in vrp_chunks(drop)]
        return _iface(port, *lines, family=family, at=at)
    return _trunk_allowed_text(family, port, vlans, names, at)


def _trunk_allowed_text(family: str, port: str, vlans: VlanSet | str,
                        names: Mapping[int, str] | None, at: Mapping[str, Any] | None) -> str:
    v = vlan_text(family, vlans)
    if family in CISCOISH:
        # one command replaces the list atomically: VLANs that stay keep forwarding
        return _iface(port, f"switchport trunk allowed vlan {v}", family=family, at=at)
    if family == "junos":
        why = _junos_group(at)
        if why:
            return not_fixable(family, why)
        if names and isinstance(vlans, VlanSet):
            v = "[ " + " ".join(_junos_members(vlans, names)) + " ]"
        unit = _junos_unit(port, at)
        return f"delete {unit} vlan members\nset {unit} vlan members {v}"
    if family in VRPISH:
        word = "allow-pass" if family == "huawei" else "permit"
        return _iface(port, f"port trunk {word} vlan {v}",
                      f"undo port trunk {word} vlan <every other VLAN>", family=family, at=at)
    if family == "ovs":
        return f"ovs-vsctl set port {port} trunks={v}"
    if family == "linux_bridge":
        if not isinstance(vlans, VlanSet):
            return f"bridge vlan add dev {port} vid {v}\nbridge vlan del dev {port} vid <others>"
        # add first, then take away the rest (one VLAN or one A-B range per call)
        from stormguard.remediation_vswitch import bridge_vlan_add

        rest = _ALL - vlans
        return "\n".join([*bridge_vlan_add(port, vlans),
                          *(f"bridge vlan del dev {port} vid {_range_text(a, b)}"
                            for a, b in rest.ranges())])
    return f"allow only VLANs {v} on {port}"


def trunk_remove(family: str, port: str, vlans: VlanSet,
                 names: Mapping[int, str] | None = None, *, hybrid: bool = False,
                 at: Mapping[str, Any] | None = None) -> str:
    """Take `vlans` off a trunk's allowed list (Junos: by name where `names` has one)."""
    v = vlan_text(family, vlans)
    if family in CISCOISH:
        return _iface(port, f"switchport trunk allowed vlan remove {v}", family=family, at=at)
    if family == "junos":
        why = _junos_group(at)
        if why:
            return not_fixable(family, why)
        unit = _junos_unit(port, at)
        return "\n".join(f"delete {unit} vlan members {m}" for m in _junos_members(vlans, names))
    if family in VRPISH:
        if hybrid:
            cmd = "undo port hybrid vlan {}"
        else:
            cmd = ("undo port trunk allow-pass vlan {}" if family == "huawei"
                   else "undo port trunk permit vlan {}")
        return _iface(port, *(cmd.format(c) for c in vrp_chunks(vlans)), family=family, at=at)
    if family == "ovs":
        return f"ovs-vsctl remove port {port} trunks {v}"
    if family == "linux_bridge":
        return "\n".join(f"bridge vlan del dev {port} vid {_range_text(a, b)}"
                         for a, b in vlans.ranges())
    return f"remove VLANs {v} from {port}"


# -- spanning tree -----------------------------------------------------------------------------


def stp_enable_global(family: str, bridge: str = "BRIDGE", *, v: Variant | None = None,
                      mode: str | None = None) -> str:
    """Turn spanning tree on for the device (for a vSwitch: on `bridge`) without changing the
    mode: only a mode of ``none`` (the "off" switch on EOS) is replaced, by the default mode."""
    v = v or plain(family)
    if family in CISCOISH:
        if mode == "none" or family == "eos":
            default = {"eos": "mstp", "nxos": "rapid-pvst"}.get(family, "rapid-pvst")
            return f"spanning-tree mode {default}"
        return "spanning-tree vlan 1-4094" if family == "cisco" else "spanning-tree vlan 1-3967"
    if family == "junos":
        if v.junos_stp:  # configured, but switched off
            return f"delete protocols {v.junos_stp} disable"
        return "set protocols rstp"  # the factory protocol, none configured
    if family == "huawei":
        return "stp enable"
    if family == "comware":
        return "stp enable" if v.comware_v5 else "stp global enable"
    if family == "ovs":
        return f"ovs-vsctl set bridge {bridge} rstp_enable=true"
    if family == "linux_bridge":
        return f"ip link set dev {bridge} type bridge stp_state 1"
    return "enable spanning tree"


def stp_enable_vlans(family: str, vlans: VlanSet, *, v: Variant | None = None) -> str:
    t = vlans.to_text()
    if family in ("cisco", "nxos"):
        return f"spanning-tree vlan {t}"
    if family == "eos":
        return f"spanning-tree vlan-id {t}"
    if family == "junos":
        return "\n".join(f"delete protocols vstp vlan {_range_text(a, b)} disable"
                         for a, b in vlans.ranges())
    if family in VRPISH:
        return "\n".join(f"stp vlan {c} enable" for c in vrp_chunks(vlans))
    return f"enable spanning tree for VLANs {t}"


def stp_enable_port(family: str, port: str, *, v: Variant | None = None,
                    at: Mapping[str, Any] | None = None) -> str:
    v = v or plain(family)
    if family in CISCOISH:
        return _iface(port, "no spanning-tree disable", family=family, at=at)
    if family == "junos":
        why = _junos_group(at)
        if why:
            return not_fixable(family, why)
        return f"delete protocols {v.junos_stp or 'rstp'} interface {_stp_if(port, v)} disable"
    if family == "huawei":
        return _iface(port, "undo stp disable" if v.huawei_ce else "stp enable",
                      family=family, at=at)
    if family == "comware":
        return _iface(port, "stp enable", family=family, at=at)
    if family == "ovs":
        return f"ovs-vsctl remove port {port} other_config stp-enable"
    return f"enable spanning tree on {port}"


def edge_off(family: str, port: str, from_global: bool, *, v: Variant | None = None,
             at: Mapping[str, Any] | None = None) -> str:
    """Stop `port` from being an edge port (port setting, or override of a global default)."""
    v = v or plain(family)
    if family == "cisco":
        return _iface(port, "spanning-tree portfast disable" if from_global
                      else "no spanning-tree portfast", family=family, at=at)
    if family == "nxos":
        return _iface(port, "spanning-tree port type normal" if from_global
                      else "no spanning-tree port type edge", family=family, at=at)
    if family == "eos":
        # `portfast auto` (the EOS default) would make it operationally edge again
        return _iface(port, "no spanning-tree portfast", "no spanning-tree portfast auto",
                      family=family, at=at)
    if family == "junos":
        why = _junos_group(at)
        if why:
            return not_fixable(family, why)
        proto = v.junos_stp or "rstp"
        if from_global:
            # a port's own stanza replaces `interface all` (and its `edge`) for that port
            return f"set protocols {proto} interface {_stp_if(port, v)}"
        fix = f"delete protocols {proto} interface {_stp_if(port, v)} edge"
        if proto == "vstp":  # VSTP also sets it per VLAN
            fix += (f"\n# and under each VLAN: delete protocols vstp vlan <VLAN> interface "
                    f"{_stp_if(port, v)} edge")
        return fix
    if family == "huawei":
        return _iface(port, "stp edged-port disable", family=family, at=at)
    if family == "comware":
        if from_global or v.comware_v5:
            return _iface(port, "stp edged-port disable", family=family, at=at)
        return _iface(port, "undo stp edged-port", family=family, at=at)
    if family == "ovs":
        return f"ovs-vsctl set port {port} other_config:rstp-port-admin-edge=false"
    return f"make {port} a non-edge port"


def bpdu_filter_off(family: str, port: str, from_global: bool, *, v: Variant | None = None,
                    at: Mapping[str, Any] | None = None) -> str:
    if from_global:
        return {
            "cisco": "no spanning-tree portfast bpdufilter default",
            "nxos": "no spanning-tree port type edge bpdufilter default",
            "eos": "no spanning-tree edge-port bpdufilter default",
            "huawei": "undo stp bpdu-filter default",
            "comware": "undo stp bpdu-filter default",
        }.get(family, "remove the global BPDU filter default")
    if family in CISCOISH:
        return _iface(port, "spanning-tree bpdufilter disable", family=family, at=at)
    if family == "huawei":
        return _iface(port, "stp bpdu-filter disable", family=family, at=at)
    if family == "comware":
        return _iface(port, "undo stp bpdu-filter", "undo bpdu-drop any", family=family, at=at)
    return f"remove BPDU filtering from {port}"


def bpdu_guard_on(family: str, port: str, *, v: Variant | None = None,
                  at: Mapping[str, Any] | None = None) -> str:
    v = v or plain(family)
    if family in CISCOISH:
        return _iface(port, "spanning-tree bpduguard enable", family=family, at=at)
    if family == "junos":
        if v.junos_els:
            return f"set protocols layer2-control bpdu-block interface {port}"
        return f"set ethernet-switching-options bpdu-block interface {_stp_if(port, v)}"
    if family == "huawei":
        return "stp bpdu-protection"  # global: BPDU protection of every edge port
    if family == "comware":
        if v.comware_v5:
            return "stp bpdu-protection"
        return _iface(port, "stp port bpdu-protection enable", family=family, at=at)
    return f"enable BPDU guard on {port}"


# -- storm control -----------------------------------------------------------------------------

_UNIT_NAMES = {"percent": "%", "pps": "pps", "bps": "bit/s"}


def comware_mechanism(iface: Any) -> str:
    """``"constrain"`` when a Comware port uses ``storm-constrain`` (thresholds with a lower
    bound, or a control action), else ``"suppression"``: the two exclude each other per class."""
    if iface is None:
        return "suppression"
    syntax = iface.extra.get("storm_syntax") or {}  # the command that set each class
    if syntax:
        if "broadcast" in syntax:
            return "constrain" if syntax["broadcast"] == "storm-constrain" else "suppression"
        if "storm-constrain" in syntax.values():
            return "constrain"
    if any(sc.falling is not None for sc in iface.storm_control.values()):
        return "constrain"
    if iface.storm_actions & {"block", "shutdown"}:
        return "constrain"
    return "suppression"


def _ce_suppression(iface: Any) -> bool:
    """A Huawei port whose broadcast limit is ``storm suppression`` / ``broadcast-suppression``
    (no alarm possible), not ``storm control`` / ``storm-control``: the fix keeps the mechanism
    in use (the parser names it in ``extra["storm_syntax"]``)."""
    syntax = (iface.extra.get("storm_syntax") or {}).get("broadcast") if iface is not None else None
    return syntax in ("storm suppression", "broadcast-suppression")


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) else f"{x:g}"


def storm_limit(family: str, port: str, unit: str, level: float | None, *,
                v: Variant | None = None, iface: Any = None,
                at: Mapping[str, Any] | None = None, profile: str | None = None) -> str:
    """Broadcast storm-control at `level` in `unit` (the caller clamps it to the policy
    maximum in that unit; ``level=None``: the policy has no maximum in that unit)."""
    v = v or plain(family)
    if level is None or level <= 0:
        return not_fixable(family, f"the policy sets no maximum in {_UNIT_NAMES.get(unit, unit)}"
                           f" (SG302 max_{unit}): set one, or choose the level by hand")
    pct, n = f"{level:g}", int(level)
    if family in CISCOISH:
        if unit == "percent":
            lvl = f"{level:.2f}" if family != "eos" else pct
        elif unit == "pps" and family in ("cisco", "eos", "nxos"):
            lvl = f"pps {n}"
        elif unit == "bps" and family == "cisco":
            lvl = f"bps {n}"
        else:
            return not_fixable(family, f"{family} storm-control has no "
                               f"{_UNIT_NAMES.get(unit, unit)} level: choose a level by hand")
        return _iface(port, f"storm-control broadcast level {lvl}", family=family, at=at)
    if family == "junos":
        why = _junos_group(at)
        if why:
            return not_fixable(family, why)
        if unit == "pps":
            return not_fixable(family, "Junos storm-control has no pps level: choose a "
                               "bandwidth-percentage or bandwidth-level by hand")
        kbps = max(n // 1000, 1)
        if not v.junos_els:
            lvl = f"level {pct}" if unit == "percent" else f"bandwidth {kbps}"
            return f"set ethernet-switching-options storm-control interface {port} {lvl}"
        lvl = f"bandwidth-percentage {pct}" if unit == "percent" else f"bandwidth-level {kbps}"
        if profile:  # fixed where it is set: the profile the port uses
            return f"set forwarding-options storm-control-profiles {profile} all {lvl}"
        return (f"set forwarding-options storm-control-profiles {JUNOS_STORM_PROFILE} all {lvl}\n"
                f"set {_junos_unit(port, at)} storm-control {JUNOS_STORM_PROFILE}")
    if family == "huawei":
        if unit == "percent":
            up = max(int(level), 1)
            rates = f"min-rate percent {max(up // 2, 1)} max-rate percent {up}"
        elif unit == "bps":
            k = max(n // 1000, 2)
            rates = f"min-rate cir {k // 2} max-rate cir {k}"
        else:
            rates = f"min-rate {max(n // 2, 1)} max-rate {max(n, 2)}"
        if v.huawei_ce and iface is not None and _ce_suppression(iface):
            lvl = (f"percent {pct}" if unit == "percent" else f"packets {n}" if unit == "pps"
                   else f"cir {max(n // 1000, 1)}")
            return _iface(port, f"storm suppression broadcast {lvl}", family=family, at=at)
        word = "storm control" if v.huawei_ce else "storm-control"
        return _iface(port, f"{word} broadcast {rates}", family=family, at=at)
    if family == "comware":
        if comware_mechanism(iface) == "constrain":
            return _iface(port, _constrain(unit, level, v), family=family, at=at)
        if unit == "percent":
            lvl = pct
        elif unit == "pps":
            lvl = f"pps {n}"
        else:
            lvl = f"kbps {max(n // 1000, 1)}"
        return _iface(port, f"broadcast-suppression {lvl}", family=family, at=at)
    return f"limit broadcast traffic on {port} to {pct} {_UNIT_NAMES.get(unit, unit)}"


def _constrain(unit: str, level: float, v: Variant) -> str:
    """Comware ``storm-constrain broadcast`` with a lower threshold at half the upper one."""
    if unit == "percent":
        upper = max(int(level), 1)
        kw = "ratio"
    elif unit == "pps":
        upper, kw = max(int(level), 2), "pps"
    else:
        upper, kw = max(int(level) // 1000, 2), "kbps"
    lower = max(upper // 2, 1)
    if v.comware_v5:
        return f"storm-constrain broadcast {upper} {lower} {kw}"
    return f"storm-constrain broadcast {kw} {upper} {lower}"


def storm_broadcast(family: str, port: str, percent: float, pps: int, *,
                    v: Variant | None = None, iface: Any = None,
                    at: Mapping[str, Any] | None = None) -> str:
    """Broadcast storm-control where there is none, at the policy's maximum in the unit the
    platform's usual command takes (pps on Huawei, percent elsewhere), with the action that
    makes a storm visible (a trap; Junos: shutdown; EOS has none), so the fix is complete.
    On Comware it is ``storm-constrain`` (``broadcast-suppression`` raises no alarm)."""
    v = v or plain(family)
    if family == "comware":
        return _iface(port, _constrain("percent", percent, v), "storm-constrain control block",
                      "storm-constrain enable trap", family=family, at=at)
    unit, level = ("pps", float(pps)) if family == "huawei" else ("percent", percent)
    limit = storm_limit(family, port, unit, level, v=v, iface=iface, at=at)
    if fixable(limit) or family == "eos":
        return limit
    action = storm_action(family, port, JUNOS_STORM_PROFILE, v=v, iface=iface, at=at)
    if family == "junos":
        return f"{limit}\n{action}"
    return limit + "\n" + "\n".join(action.split("\n")[1:])


def storm_action(family: str, port: str, profile: str | None = None, *,
                 v: Variant | None = None, iface: Any = None,
                 at: Mapping[str, Any] | None = None,
                 limits: Mapping[str, float | None] | None = None) -> str:
    """Make a storm visible: a trap (or a shutdown where that is all the platform offers)."""
    v = v or plain(family)
    if family in ("cisco", "nxos"):
        return _iface(port, "storm-control action trap", family=family, at=at)
    if family == "junos":
        if not v.junos_els:
            return "set ethernet-switching-options storm-control action-shutdown"
        return (f"set forwarding-options storm-control-profiles {profile or JUNOS_STORM_PROFILE} "
                "action-shutdown")
    if family == "huawei":
        word = "storm control" if v.huawei_ce else "storm-control"
        sc = iface.storm_control.get("broadcast") if iface is not None else None
        if sc is not None and sc.level is not None and _ce_suppression(iface):
            # broadcast-suppression / CE `storm suppression` raise no alarm: storm control
            # (which can trap) takes over at the same level, blocking above it
            level = sc.level
            if limits:
                level = clamp(level, sc.unit, limits) or level
            undo = ("undo storm suppression broadcast" if v.huawei_ce
                    else "undo broadcast-suppression")
            rates = storm_limit(family, port, sc.unit, level, v=v).split("\n")[-1].strip()
            return _iface(port, undo, rates, f"{word} action block", f"{word} enable trap",
                          family=family, at=at)
        return _iface(port, f"{word} enable trap", family=family, at=at)
    if family == "comware":
        if comware_mechanism(iface) == "constrain":
            return _iface(port, "storm-constrain enable trap", family=family, at=at)
        # broadcast-suppression has no alarm; storm-constrain (exclusive with it per class)
        # has: move broadcast over at the same level, limiting (block) and trapping.
        sc = iface.storm_control.get("broadcast") if iface is not None else None
        if sc is None or sc.level is None:
            return not_fixable(family, "no broadcast threshold to move to storm-constrain")
        level = sc.level
        if limits:  # never looser than SG302 allows, in the same unit
            level = clamp(level, sc.unit, limits) or level
        return _iface(port, "undo broadcast-suppression", _constrain(sc.unit, level, v),
                      "storm-constrain control block", "storm-constrain enable trap",
                      family=family, at=at)
    return f"configure a storm-control trap or shutdown action on {port}"


def clamp(level: float, unit: str, limits: Mapping[str, float | None]) -> float | None:
    """`level` clamped to the policy maximum in its own unit (None: no maximum in that unit)."""
    limit = limits.get(unit)
    if limit is None or limit <= 0:
        return None
    return min(level, limit)
