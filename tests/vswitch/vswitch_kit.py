"""Build small OVS / Linux bridge state bundles in the exact JSON shapes the tools print, for
parser and rule tests that need one specific situation (the captured ones live in fixtures/)."""

from __future__ import annotations

import subprocess
import uuid as uuidlib
from pathlib import Path
from typing import Any

from stormguard.parsers._vswitch import dump_bundle

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def netns_names() -> set[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False)
    return {line.split()[0] for line in out.stdout.splitlines() if line.strip()}


def _set(values: list[Any]) -> Any:
    # OVSDB JSON prints a one-element set as the bare atom, as ovs-vsctl does.
    return values[0] if len(values) == 1 else ["set", values]


def _map(d: dict[str, Any]) -> list[Any]:
    return ["map", [[k, v] for k, v in d.items()]]


def _uuid(u: str) -> list[str]:
    return ["uuid", u]


class OvsBundle:
    """Bridges, ports and interfaces added by name; `text()` gives the bundle."""

    def __init__(self, hostname: str = "hv9") -> None:
        self.hostname = hostname
        self.bridges: list[dict[str, Any]] = []
        self.ports: list[dict[str, Any]] = []
        self.ifaces: list[dict[str, Any]] = []
        self.overrides: dict[str, list[str]] = {}

    def bridge(self, name: str, *, stp: bool = False, rstp: bool = False) -> dict[str, Any]:
        br = {"_uuid": str(uuidlib.uuid4()), "name": name, "stp_enable": stp,
              "rstp_enable": rstp, "ports": [], "datapath_type": "netdev"}
        self.bridges.append(br)
        self.port(name, name, itype="internal")
        return br

    def port(self, bridge: str, name: str, *, members: list[str] | None = None,
             itype: str = "", tag: int | None = None, trunks: list[int] | None = None,
             vlan_mode: str | None = None, other_config: dict[str, str] | None = None,
             external_ids: dict[str, str] | None = None, **iface_cols: Any) -> dict[str, Any]:
        br = next(b for b in self.bridges if b["name"] == bridge)
        iface_uuids = []
        for m in members or [name]:
            iu = str(uuidlib.uuid4())
            self.ifaces.append({"_uuid": iu, "name": m, "type": itype, **iface_cols})
            iface_uuids.append(iu)
        p = {"_uuid": str(uuidlib.uuid4()), "name": name, "interfaces": iface_uuids,
             "tag": tag, "trunks": trunks or [], "vlan_mode": vlan_mode,
             "other_config": other_config or {}, "external_ids": external_ids or {}}
        self.ports.append(p)
        br["ports"].append(p["_uuid"])
        return p

    def doc(self) -> dict[str, Any]:
        bh = ["_uuid", "datapath_type", "name", "ports", "rstp_enable", "stp_enable"]
        bdata = [[_uuid(b["_uuid"]), b["datapath_type"], b["name"],
                  ["set", [_uuid(u) for u in b["ports"]]], b["rstp_enable"], b["stp_enable"]]
                 for b in self.bridges]
        ph = ["_uuid", "bond_mode", "external_ids", "interfaces", "lacp", "name",
              "other_config", "tag", "trunks", "vlan_mode"]
        pdata = []
        for p in self.ports:
            ifs = [_uuid(u) for u in p["interfaces"]]
            pdata.append([
                _uuid(p["_uuid"]), ["set", []], _map(p["external_ids"]),
                ifs[0] if len(ifs) == 1 else ["set", ifs], ["set", []], p["name"],
                _map(p["other_config"]),
                p["tag"] if p["tag"] is not None else ["set", []],
                _set(p["trunks"]) if p["trunks"] else ["set", []],
                p["vlan_mode"] if p["vlan_mode"] else ["set", []],
            ])
        ih = ["_uuid", "external_ids", "ingress_policing_kpkts_rate", "ingress_policing_rate",
              "name", "type"]
        idata = [[_uuid(i["_uuid"]), _map(i.get("external_ids", {})),
                  i.get("ingress_policing_kpkts_rate", 0), i.get("ingress_policing_rate", 0),
                  i["name"], i["type"]] for i in self.ifaces]
        return {"kind": "ovs", "version": 1, "hostname": self.hostname,
                "overrides": self.overrides,
                "tables": {"Bridge": {"headings": bh, "data": bdata},
                           "Port": {"headings": ph, "data": pdata},
                           "Interface": {"headings": ih, "data": idata}}}

    def text(self) -> str:
        return dump_bundle(self.doc())


class LinuxBundle:
    """Links in `ip -j -d link show` shape plus `bridge -j vlan show` entries."""

    def __init__(self, hostname: str = "hv8") -> None:
        self.hostname = hostname
        self.links: list[dict[str, Any]] = [
            {"ifindex": 1, "ifname": "lo", "flags": ["LOOPBACK", "UP"], "link_type": "loopback"}
        ]
        self.vlans: list[dict[str, Any]] = []
        self.overrides: dict[str, list[str]] = {}

    def _next(self) -> int:
        return len(self.links) + 1

    def bridge(self, name: str, *, stp_state: int = 0, vlan_filtering: int = 0) -> None:
        self.links.append({
            "ifindex": self._next(), "ifname": name, "flags": ["BROADCAST", "UP"],
            "link_type": "ether",
            "linkinfo": {"info_kind": "bridge",
                         "info_data": {"stp_state": stp_state, "vlan_filtering": vlan_filtering,
                                       "vlan_default_pvid": 1}}})

    def port(self, bridge: str | None, name: str, *, kind: str | None = None,
             nic: bool = False, up: bool = True, alias: str | None = None,
             master: str | None = None, flags: dict[str, Any] | None = None,
             info_data: dict[str, Any] | None = None, link: str | None = None) -> None:
        lk: dict[str, Any] = {"ifindex": self._next(), "ifname": name,
                              "flags": ["BROADCAST", "MULTICAST"] + (["UP"] if up else []),
                              "link_type": "ether"}
        if nic:
            lk.update({"parentbus": "pci", "parentdev": f"0000:0{self._next()}:00.0"})
        li: dict[str, Any] = {}
        if kind:
            li["info_kind"] = kind
        if info_data:
            li["info_data"] = info_data
        if bridge or master:
            lk["master"] = bridge or master
            li["info_slave_kind"] = "bridge" if bridge else "bond"
            slave = {"state": "forwarding", "guard": False, "root_block": False,
                     "flood": True, "mcast_flood": True, "bcast_flood": True}
            slave.update(flags or {})
            li["info_slave_data"] = slave
        if li:
            lk["linkinfo"] = li
        if alias:
            lk["ifalias"] = alias
        if link:
            lk["link"] = link
        self.links.append(lk)

    def vlan(self, port: str, *entries: dict[str, Any]) -> None:
        self.vlans.append({"ifname": port, "vlans": list(entries)})

    def doc(self) -> dict[str, Any]:
        return {"kind": "linux_bridge", "version": 1, "hostname": self.hostname,
                "overrides": self.overrides, "links": self.links, "vlans": self.vlans}

    def text(self) -> str:
        return dump_bundle(self.doc())
