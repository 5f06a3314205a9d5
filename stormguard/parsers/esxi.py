"""VMware ESXi: ``esxcli`` output in, one :class:`~stormguard.model.Device` per vSwitch out.

An ESXi host has no configuration file to read: the collector (:mod:`stormguard.collect.esxi`)
runs read-only ``esxcli`` commands and stores their output, unchanged, in an *esxcli bundle*: a
text where each command's output follows a header line naming it, so every value keeps a line a
reader can find::

    # stormguard esxi bundle v1 host=esx-07
    ### esxcli network vswitch standard list
    vSwitch0
       Name: vSwitch0
       ...
    ### esxcli network vswitch standard portgroup list
    Name                Virtual Switch  Active Clients  VLAN ID
    ...
    ### esxcli network vswitch standard policy security get -v vSwitch0
       Allow Promiscuous: false
    ...

Sections read (each optional but the vSwitch list): ``network vswitch standard list``,
``network vswitch standard portgroup list``, ``network vswitch standard policy security|failover
get -v X``, ``network vswitch standard portgroup policy security|failover get -p PG``,
``network nic list``, ``system settings advanced list -o /Net/BlockGuestBPDU``,
``network vswitch dvs vmware list``, and ``vim-cmd hostsvc/net/query_networkhint`` (the CDP /
LLDP neighbours of the vmnics, read by :func:`neighbors_from_esxi_state`).

The model: a standard vSwitch is a switch named ``<host>/<vSwitch>`` (``extra["bridge"]``); its
uplinks (vmnics) are ports with ``physical_uplink=True``, trunks carrying the VLANs of the
vSwitch's port groups (VLAN 4095 = every VLAN; VLAN 0 = untagged, ``extra["untagged"]``), with
their NIC teaming role (``extra["teaming"]``: active / standby / unused) and link state. Port
groups are ports of kind ``other`` (not switched: a port group is a policy, not a cable) with
their VLAN (``extra["vlan_id"]``), effective security policy (``extra["security"]``) and
teaming (``extra["failover"]``). The vSwitch's own security and teaming policy, beacon probing,
CDP/LLDP mode and the host's ``Net.BlockGuestBPDU`` are in ``Device.extra``. A distributed
switch is listed as the host sees it (``<host>/<dvs>``, ``extra["distributed"]=True``; its port
groups' VLANs live in vCenter, so its uplinks' VLANs are unknown: ``extra["vlans_unknown"]``).
ESXi switches run no spanning tree (``stp.enabled=False``) and never forward a frame from one
uplink to another. Lines that cannot be read are noted in ``Device.warnings``, never dropped
silently.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stormguard.errors import InputError
from stormguard.model import Device
from stormguard.vlans import VlanSet

PLATFORM = "esxi"
BUNDLE_HEADER = "# stormguard esxi bundle v1"
_SECTION = re.compile(r"^### (.+?)\s*$")
_KV = re.compile(r"^\s+([A-Za-z][A-Za-z0-9 /()'-]*?):\s?(.*?)\s*$")
_TRUE = frozenset({"true", "yes", "1", "on"})


@dataclass
class Section:
    command: str
    start: int  # 1-based line of the first output line
    lines: list[str] = field(default_factory=list)


def bundle(host: str, outputs: Mapping[str, str]) -> str:
    """Write an esxcli bundle: `outputs` maps each command to its output, in order."""
    parts = [f"{BUNDLE_HEADER} host={host}"]
    for command, text in outputs.items():
        parts.append(f"### {command}")
        body = text.replace("\r\n", "\n").rstrip("\n")
        if body:
            parts.append(body)
    return "\n".join(parts) + "\n"


def sections(text: str) -> tuple[str, list[Section]]:
    """(host, sections) of a bundle; InputError for text that is not one."""
    lines = text.replace("\r\n", "\n").split("\n")
    first = lines[0].strip() if lines else ""
    if not first.startswith(BUNDLE_HEADER):
        raise InputError("not an esxi bundle: the first line must be "
                         f"'{BUNDLE_HEADER} host=NAME'")
    m = re.search(r"host=(\S+)", first)
    host = m.group(1) if m else "esxi"
    out: list[Section] = []
    for n, line in enumerate(lines[1:], start=2):
        sm = _SECTION.match(line)
        if sm:
            out.append(Section(sm.group(1), n + 1))
        elif out:
            out[-1].lines.append(line)
    return host, out


def _blocks(sec: Section) -> list[tuple[str, int, dict[str, tuple[str, int]]]]:
    """``Name`` header lines followed by indented ``Key: value`` lines (vswitch/dvs list)."""
    out: list[tuple[str, int, dict[str, tuple[str, int]]]] = []
    for i, line in enumerate(sec.lines):
        n = sec.start + i
        if not line.strip():
            continue
        if not line[0].isspace():
            out.append((line.strip(), n, {}))
            continue
        m = _KV.match(line)
        if m and out:
            out[-1][2].setdefault(m.group(1).strip(), (m.group(2), n))
    return out


def _kv(sec: Section) -> dict[str, tuple[str, int]]:
    out: dict[str, tuple[str, int]] = {}
    for i, line in enumerate(sec.lines):
        m = _KV.match(line)
        if m:
            out.setdefault(m.group(1).strip(), (m.group(2), sec.start + i))
    return out


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _table(sec: Section, warnings: list[str]) -> list[tuple[dict[str, str], int]]:
    """A column table (header, dashes, rows): columns cut at the dash runs' offsets."""
    lines = sec.lines
    for i in range(len(lines) - 1):
        if lines[i].strip() and re.fullmatch(r"[-\s]+", lines[i + 1]) and "-" in lines[i + 1]:
            header, dashes = lines[i], lines[i + 1]
            cols = [(m.start(), m.end()) for m in re.finditer(r"-+", dashes)]
            names = [header[a:b if j + 1 < len(cols) else None].strip()
                     for j, (a, b) in enumerate(cols)]
            rows = []
            for k, line in enumerate(lines[i + 2:], start=i + 2):
                if not line.strip():
                    continue
                cells = []
                for j, (a, _) in enumerate(cols):
                    end = cols[j + 1][0] if j + 1 < len(cols) else None
                    cells.append(line[a:end].strip())
                rows.append((dict(zip(names, cells, strict=True)), sec.start + k))
            return rows
    if any(line.strip() for line in lines):
        warnings.append(f"`{sec.command}` (line {sec.start}): no table header found; skipped")
    return []


def _option(command: str, short: str, long: str) -> str | None:
    """The value of ``-v NAME`` / ``--vswitch-name=NAME`` (quotes removed) in a command."""
    try:
        tokens = shlex.split(command)
    except ValueError:
        return None
    for i, tok in enumerate(tokens):
        if tok in (short, long) and i + 1 < len(tokens):
            return tokens[i + 1]
        if tok.startswith(long + "="):
            return tok.split("=", 1)[1]
        if tok.startswith(short) and len(tok) > len(short) and not tok.startswith("--"):
            return tok[len(short):].lstrip("=")
    return None


def _bool(value: str) -> bool | None:
    v = value.strip().lower()
    if not v:
        return None
    return v in _TRUE


def _policy(values: Mapping[str, tuple[str, int]]) -> dict[str, Any]:
    """Security / failover ``get`` output -> a dict of plain values (lists for adapters)."""
    out: dict[str, Any] = {}
    for key, (value, _line) in values.items():
        k = key.lower().replace(" ", "_")
        if k.endswith("adapters"):
            out[k] = _csv(value)
        elif value.strip().lower() in ("true", "false"):
            out[k] = _bool(value)
        else:
            out[k] = value.strip()
    return out


def _vlan_set(vids: list[int]) -> tuple[VlanSet, bool]:
    """Port-group VLAN IDs -> (tagged VLANs an uplink carries, untagged used)."""
    if any(v == 4095 for v in vids):
        return VlanSet.all(), any(v == 0 for v in vids)
    tagged = [v for v in vids if 1 <= v <= 4094]
    return VlanSet.of(tagged), any(v == 0 for v in vids)


def parse(text: str, source: str = "") -> list[Device]:
    host, secs = sections(text)
    by_cmd: dict[str, Section] = {}
    for sec in secs:
        by_cmd[" ".join(sec.command.split())] = sec
    warnings: list[str] = []

    def find(prefix: str) -> list[Section]:
        return [s for c, s in by_cmd.items() if c.startswith(prefix)]

    vss = by_cmd.get("esxcli network vswitch standard list")
    if vss is None:
        raise InputError(f"{source or 'input'}: esxi bundle without "
                         "'esxcli network vswitch standard list'")
    nics: dict[str, tuple[dict[str, str], int]] = {}
    for sec in find("esxcli network nic list"):
        for row, n in _table(sec, warnings):
            if row.get("Name"):
                nics[row["Name"]] = (row, n)
    portgroups: dict[str, list[tuple[str, int, int | None, int]]] = {}
    for sec in find("esxcli network vswitch standard portgroup list"):
        for row, n in _table(sec, warnings):
            name, vsw, vid = row.get("Name", ""), row.get("Virtual Switch", ""), row.get(
                "VLAN ID", "")
            if not name or not vsw:
                warnings.append(f"line {n}: port group row without a name or vSwitch; skipped")
                continue
            if not vid.isdecimal() or not 0 <= int(vid) <= 4095:
                warnings.append(f"line {n}: port group {name!r}: VLAN ID {vid!r} not read")
                vid_i: int | None = None
            else:
                vid_i = int(vid)
            clients = row.get("Active Clients", "")
            portgroups.setdefault(vsw, []).append(
                (name, n, vid_i, int(clients) if clients.isdecimal() else 0))
    bpdu: tuple[bool | None, int | None] = (None, None)
    for sec in find("esxcli system settings advanced list"):
        vals = _kv(sec)
        if "Int Value" in vals and "BlockGuestBPDU" in vals.get("Path", ("", 0))[0]:
            raw, n = vals["Int Value"]
            bpdu = ((raw.strip() == "1") if raw.strip() in ("0", "1") else None, n)

    def policy_of(kind: str, flag: str, name: str) -> tuple[dict[str, Any], int | None]:
        scope = "portgroup policy" if flag == "-p" else "policy"
        prefix = f"esxcli network vswitch standard {scope} {kind} get"
        long = "--portgroup-name" if flag == "-p" else "--vswitch-name"
        for sec in secs:
            if not " ".join(sec.command.split()).startswith(prefix + " "):
                continue
            if _option(sec.command, flag, long) == name:
                return _policy(_kv(sec)), sec.start
        return {}, None

    devices: list[Device] = []
    for name, line, vals in _blocks(vss):
        dev = Device(hostname=f"{host}/{name}", platform=PLATFORM, source=source)
        dev.lines["hostname"] = line
        dev.extra["bridge"] = name
        dev.extra["esxi_host"] = host
        dev.stp.set("enabled", False, line)  # ESXi runs no spanning tree
        dev.warnings = list(warnings)
        for key in ("MTU", "CDP Status", "Beacon Enabled", "Beacon Interval", "Beacon Threshold"):
            if key in vals:
                v = vals[key][0]
                dev.extra[key.lower().replace(" ", "_")] = _bool(v) if key == "Beacon Enabled" \
                    else v
        security, sec_line = policy_of("security", "-v", name)
        failover, fo_line = policy_of("failover", "-v", name)
        dev.extra["security"] = security
        dev.extra["failover"] = failover
        if sec_line:
            dev.lines["security"] = sec_line
        if fo_line:
            dev.lines["failover"] = fo_line
        dev.extra["block_guest_bpdu"] = bpdu[0]
        if bpdu[1]:
            dev.lines["block_guest_bpdu"] = bpdu[1]
        uplinks = _csv(vals.get("Uplinks", ("", 0))[0])
        uplink_line = vals.get("Uplinks", ("", line))[1]
        pgs = portgroups.get(name, [])
        vids = [vid for _, _, vid, _ in pgs if vid is not None]
        carried, untagged = _vlan_set(vids)
        for vmnic in uplinks:
            iface = dev.interface(vmnic, uplink_line)
            iface.kind = "physical"
            iface.switched = True
            iface.set("mode", "trunk", uplink_line)
            iface.set("allowed_vlans", carried, uplink_line)
            iface.physical_uplink = True
            iface.extra["untagged"] = untagged
            role = "active"
            if vmnic in (failover.get("standby_adapters") or []):
                role = "standby"
            elif vmnic in (failover.get("unused_adapters") or []):
                role = "unused"
            iface.extra["teaming"] = role if failover else None
            nic = nics.get(vmnic)
            if nic is not None:
                row, n = nic
                iface.extra.update({"link": row.get("Link Status", ""),
                                    "speed": row.get("Speed", ""),
                                    "mac": row.get("MAC Address", ""),
                                    "driver": row.get("Driver", "")})
                if row.get("Admin Status", "").lower() == "down":
                    iface.set("shutdown", True, n)
        for pg, n, vid, clients in pgs:
            iface = dev.interface(pg, n)
            iface.kind = "other"
            iface.switched = False
            iface.extra["portgroup"] = True
            iface.extra["vlan_id"] = vid
            iface.extra["active_clients"] = clients
            if vid is not None and 1 <= vid <= 4094:
                iface.set("access_vlan", vid, n)
            pg_sec, pg_sec_line = policy_of("security", "-p", pg)
            pg_fo, _ = policy_of("failover", "-p", pg)
            iface.extra["security"] = pg_sec or dict(security)
            iface.extra["failover"] = pg_fo or dict(failover)
            if pg_sec_line:
                iface.lines["security"] = pg_sec_line
        devices.append(dev)
    for sec in find("esxcli network vswitch dvs vmware list"):
        for name, line, vals in _blocks(sec):
            dev = Device(hostname=f"{host}/{name}", platform=PLATFORM, source=source)
            dev.lines["hostname"] = line
            dev.extra.update({"bridge": name, "esxi_host": host, "distributed": True,
                              "block_guest_bpdu": bpdu[0]})
            dev.stp.set("enabled", False, line)
            uplinks = _csv(vals.get("Uplinks", ("", 0))[0])
            uplink_line = vals.get("Uplinks", ("", line))[1]
            for vmnic in uplinks:
                iface = dev.interface(vmnic, uplink_line)
                iface.kind = "physical"
                iface.switched = True
                iface.set("mode", "trunk", uplink_line)
                iface.physical_uplink = True
                iface.extra["vlans_unknown"] = True  # the DVS port groups live in vCenter
            devices.append(dev)
    return devices


# -- neighbours (CDP / LLDP as the host sees them) ---------------------------------------------

_HINT_DEVICE = re.compile(r'^\s*device = "([^"]+)"')
_HINT_FIELD = re.compile(r'^\s*(devId|portId|chassisId|hardwarePlatform|networkSwitch|'
                         r'transparentBridge|key|value) = "?([^",]*)"?,?\s*$')


def neighbors_from_networkhint(host: str, text: str) -> list[Any]:
    """Neighbours from ``vim-cmd hostsvc/net/query_networkhint`` (CDP ``connectedSwitchPort``
    and LLDP ``lldpInfo`` per vmnic)."""
    from stormguard.topology.neighbors import Neighbor

    out: list[Neighbor] = []
    vmnic = ""
    mode = ""  # "cdp" | "lldp" while inside that object
    cur: dict[str, str] = {}
    last_key = ""

    def flush() -> None:
        nonlocal cur
        if mode and (cur.get("devId") or cur.get("system name") or cur.get("portId")):
            caps = frozenset({"bridge"} if cur.get("networkSwitch") == "true"
                             or cur.get("transparentBridge") == "true" else set())
            out.append(Neighbor(
                local_host=host, local_port=vmnic, protocol=mode,
                remote_name=cur.get("devId") or cur.get("system name", ""),
                remote_port=cur.get("portId", ""), capabilities=caps,
                remote_chassis=cur.get("chassisId", ""),
                remote_platform=cur.get("hardwarePlatform", "")))
        cur = {}

    for line in text.splitlines():
        m = _HINT_DEVICE.match(line)
        if m:
            flush()
            vmnic, mode = m.group(1), ""
            continue
        if "connectedSwitchPort = (vim.host.PhysicalNic.CdpInfo)" in line:
            flush()
            mode = "cdp"
            continue
        if "lldpInfo = (vim.host.PhysicalNic.LldpInfo)" in line:
            flush()
            mode = "lldp"
            continue
        f = _HINT_FIELD.match(line)
        if f and mode:
            key, value = f.group(1), f.group(2).strip()
            if key == "key":
                last_key = value.lower()
            elif key == "value" and last_key:
                cur[last_key] = value
                last_key = ""
            elif key not in cur:
                cur[key] = value
    flush()
    return out


def neighbors_from_esxi_state(device: str, state: Mapping[str, Any]) -> Any:
    """Neighbour facts from an ESXi snapshot's state (``networkhint`` entry)."""
    from stormguard.topology.neighbors import NeighborFacts

    facts = NeighborFacts()
    entry = state.get("networkhint")
    if isinstance(entry, Mapping):
        if "raw" in entry:
            host = device.split("/", 1)[0]
            facts.neighbors.extend(neighbors_from_networkhint(host, str(entry["raw"] or "")))
        elif entry.get("error"):
            facts.warnings.append(f"{device}: `{entry.get('command', 'vim-cmd')}` failed "
                                  f"({entry['error']}): no host-side neighbours")
    return facts
