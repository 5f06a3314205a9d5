"""The built-in demo network: what ``stormguard demo`` collects and audits.

* one fake switch per supported platform (``stormguard.testing.fakenet``: real SSH servers on
  127.0.0.1 with realistic running configs, some ports compliant and some not), spread over
  two sites, plus one switch that rejects the inventory's password, so the report shows how a
  collection failure looks;
* one fake VMware ESXi host (the same SSH fakes, answering ``esxcli`` / ``vim-cmd``);
* the switches' LLDP / CDP tables name the hypervisors' NICs (:mod:`stormguard.demo.cabling`),
  so the report's topology section joins both layers and shows exactly one loop spanning tree
  cannot break: the Open vSwitch bridge with two loose uplinks into two joined switches;
* when this host allows it (root, Open vSwitch installed): a private user-space Open vSwitch
  with a hypervisor bridge showing the classic vSwitch loop (two loose uplinks, no STP, a trunk
  allowing every VLAN) next to a compliant one (LACP bond, RSTP, pruned trunk);
* when this host allows it (root, iproute2): Linux bridges in a throw-away network namespace,
  one flat bridge with two uplinks and STP off, one with STP on.

The demo runs several simulated nights (:data:`NIGHTS`) so the report has a history: between
nights the network changes (:data:`CHANGES`: a trunk opened to every VLAN, a fix applied) and a
new device joins the inventory (:data:`JOINS`), the way a real fleet drifts from night to night.

What cannot run here is skipped with a note (``DemoNetwork.notes``), never an error. Everything
is torn down on exit: only the namespaces, OVS processes and servers this module started.
The password the fakes accept is random per demo and only ever lives in an environment
variable of this process (the inventory references it by name).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stormguard.demo.cabling import ESXI_HOST

PASSWORD_ENV = "SG_DEMO_PASSWORD"

#: (inventory name, platform, site, fault): one per platform, and one with a wrong password
SWITCHES: tuple[tuple[str, str, str, str | None], ...] = (
    ("dc1-core-ios", "cisco_ios", "dc1", None),
    ("dc1-agg-xe", "cisco_xe", "dc1", None),
    ("dc1-leaf-nxos", "cisco_nxos", "dc1", None),
    ("dc1-leaf-eos", "arista_eos", "dc1", None),
    ("dc2-access-junos", "juniper_junos", "dc2", None),
    ("dc2-access-vrp", "huawei", "dc2", None),
    ("dc2-access-comware", "hp_comware", "dc2", None),
    ("dc2-lab-ios", "cisco_ios", "dc2", "auth"),
)
FAULT_NOTES = {"auth": "rejects the inventory's password on purpose"}
#: hypervisors served by the fakes (SSH): the ESXi host (see stormguard.demo.cabling)
HYPERVISORS: tuple[tuple[str, str, str, str | None], ...] = (
    (ESXI_HOST, "esxi", "dc1", None),
)

#: simulated nights the demo runs, so the report has a trend and new / resolved / persisting
NIGHTS = 3
#: device -> the night it joins the inventory (before that, the switch exists but is unknown)
JOINS: dict[str, int] = {"dc2-access-comware": 3}


@dataclass(frozen=True)
class Change:
    """A change made on a demo switch before a night: `old` text replaced by `new`, once."""

    night: int
    device: str
    what: str
    old: str
    new: str

    def apply(self, text: str) -> str:
        if self.old not in text:  # the fake's config template changed: say so, loudly
            raise RuntimeError(f"demo change {self.what!r} no longer applies to {self.device}")
        return text.replace(self.old, self.new, 1)


CHANGES: tuple[Change, ...] = (
    Change(2, "dc1-core-ios", "trunk Gi1/0/1 to hv01 opened to every VLAN (allowed list removed)",
           " switchport trunk allowed vlan 10,20,30\n", ""),
    Change(3, "dc1-core-ios", "fix applied on Gi1/0/2 to hv02: VLANs pruned, storm-control on",
           " description hv02 vmnic0\n switchport mode trunk\n",
           " description hv02 vmnic0\n switchport trunk allowed vlan 10,20,30\n"
           " switchport mode trunk\n storm-control broadcast level 1.00 0.50\n"
           " storm-control action trap\n"),
)


@dataclass
class DemoNetwork:
    hosts: dict[str, dict[str, Any]] = field(default_factory=dict)  # inventory host entries
    notes: list[str] = field(default_factory=list)  # what was skipped, and why
    platforms: dict[str, str] = field(default_factory=dict)  # device -> platform
    faulty: dict[str, str] = field(default_factory=dict)  # device -> why it fails
    fakes: Any = None  # the running FakeNetwork
    configs: dict[str, str] = field(default_factory=dict)  # device -> config it serves now

    def inventory(self, night: int = NIGHTS) -> dict[str, Any]:
        """The inventory as of `night` (devices that join later are not in it yet)."""
        hosts = {n: h for n, h in self.hosts.items() if JOINS.get(n, 1) <= night}
        return {
            "defaults": {"username": "netops", "password_env": PASSWORD_ENV,
                         "host_key_policy": "tofu", "timeout": 20, "retries": 0},
            "hosts": hosts,
        }

    def joining(self, night: int) -> list[str]:
        return sorted(n for n, first in JOINS.items() if first == night and n in self.hosts)

    def change(self, night: int) -> list[str]:
        """Make the changes of `night` on the running fakes; returns what was done."""
        done = []
        for ch in CHANGES:
            if ch.night != night or ch.device not in self.configs:
                continue
            text = ch.apply(self.configs[ch.device])
            _serve_config(self.fakes, ch.device, text)
            self.configs[ch.device] = text
            done.append(f"{ch.device}: {ch.what}")
        return done


def _serve_config(fakes: Any, name: str, text: str) -> None:
    """The fake `name` answers its config command with `text` from its next session on (the
    same atomic swap as :meth:`FakeNetwork.bump_revision`, with a config of our own)."""
    from stormguard.testing.fakenet import config_command

    dev = fakes.devices[name]
    cmd = config_command(dev.platform)
    host = fakes._net.hosts[name]
    commands = dict(host.nos_inventory["configuration"]["commands"])  # its cabling stays
    commands[cmd] = {"output": text, "help": cmd}
    host.nos_inventory["configuration"]["commands"] = commands


def _build_ovs(stack: contextlib.ExitStack, net: DemoNetwork) -> None:
    from stormguard.testing.ovs import OvsLab, missing_requirements

    why = missing_requirements()
    if why:
        net.notes.append(f"Open vSwitch skipped: {why}")
        return
    try:
        lab = stack.enter_context(OvsLab(prefix="sgdemo-ovs"))
        # the classic vSwitch loop: two loose uplinks, STP off, a trunk that allows everything
        lab.add_bridge("br-vm")
        lab.add_port("br-vm", "eth1", "vlan_mode=trunk", "external_ids:description=uplink-tor1")
        lab.add_port("br-vm", "eth2", "vlan_mode=trunk", "external_ids:description=uplink-tor2")
        lab.add_port("br-vm", "vnet0", "tag=10", nic=False, iface_type="internal")
        # the compliant shape: an LACP bond, a pruned trunk, RSTP
        lab.add_bridge("br-storage", rstp=True)
        lab.add_bond("br-storage", "bond0", ["eth3", "eth4"], "trunks=30,31", "lacp=active",
                     "bond_mode=balance-tcp", "external_ids:description=uplink-tor1-tor2")
        lab.add_port("br-storage", "vnet1", "tag=30", "vlan_mode=access", nic=False,
                     iface_type="internal")
        host = lab.host("dc1-hv-ovs")
    except Exception as exc:
        net.notes.append(f"Open vSwitch skipped: could not start it here ({exc})")
        return
    net.hosts[host.name] = {"hostname": "local", "platform": "ovs", "transport": "local",
                            "site": "dc1", "data": dict(host.data)}
    net.platforms[host.name] = "ovs"


def _build_bridges(stack: contextlib.ExitStack, net: DemoNetwork) -> None:
    from stormguard.testing.linuxbridge import BridgeLab, missing_requirements

    why = missing_requirements()
    if why:
        net.notes.append(f"Linux bridges skipped: {why}")
        return
    try:
        lab = stack.enter_context(BridgeLab(prefix="sgdemo-lb"))
        lab.add_bridge("br-flat")  # STP off, two uplinks: the loop waiting to happen
        lab.add_uplink("br-flat", "up1", alias="uplink tor1")
        lab.add_uplink("br-flat", "up2", alias="uplink tor2")
        lab.add_guest("br-flat", "vm1")
        lab.add_bridge("br-stp", stp=True)  # the same with STP on and guarded uplinks
        lab.add_uplink("br-stp", "up3", alias="uplink tor1")
        lab.add_uplink("br-stp", "up4", alias="uplink tor2")
        lab.port_flag("up3", "guard", True)
        lab.port_flag("up4", "guard", True)
        lab.add_guest("br-stp", "vm2")
        if not lab.supports("vlan_filtering"):
            net.notes.append("Linux bridges: this kernel has no bridge VLAN filtering, so "
                             "every bridge floods all VLANs (SG402 shows it)")
        host = lab.host("dc2-hv-lb")
    except Exception as exc:
        net.notes.append(f"Linux bridges skipped: could not build them here ({exc})")
        return
    net.hosts[host.name] = {"hostname": "local", "platform": "linux_bridge",
                            "transport": "local", "netns": host.netns, "site": "dc2",
                            "data": dict(host.data)}
    net.platforms[host.name] = "linux_bridge"


@contextlib.contextmanager
def demo_network(*, vswitches: bool = True) -> Iterator[DemoNetwork]:
    """Start the demo network; stop all of it on exit (also after an error or Ctrl-C)."""
    from stormguard.demo.cabling import OUTPUTS, esxi_outputs
    from stormguard.testing.fakenet import FakeDevice, FakeNetwork, show_outputs

    password = secrets.token_urlsafe(12)
    old_env = os.environ.get(PASSWORD_ENV)
    os.environ[PASSWORD_ENV] = password
    net = DemoNetwork()
    try:
        with contextlib.ExitStack() as stack:
            devices = [FakeDevice(name=n, platform=p, port=0, username="netops",
                                  password=password, fault=f, outputs=OUTPUTS.get(n, {}))
                       for n, p, _s, f in SWITCHES]
            # the ESXi host: a fake SSH shell answering esxcli, its vmnics cabled to dc1
            hint = show_outputs("esxi")["vim-cmd hostsvc/net/query_networkhint"]
            devices.append(FakeDevice(name=ESXI_HOST, platform="esxi", port=0,
                                      username="netops", password=password,
                                      outputs=esxi_outputs(hint)))
            fakes = stack.enter_context(FakeNetwork(devices, hang_s=30.0))
            net.fakes = fakes
            for name, platform, site, fault in (*SWITCHES, *HYPERVISORS):
                net.configs[name] = fakes.devices[name].config
                net.hosts[name] = {"hostname": "127.0.0.1", "port": fakes.devices[name].port,
                                   "platform": platform, "site": site}
                net.platforms[name] = platform
                if fault:
                    net.faulty[name] = FAULT_NOTES.get(fault, fault)
            if vswitches:
                _build_ovs(stack, net)
                _build_bridges(stack, net)
            else:
                net.notes.append("vSwitches skipped (--no-vswitches)")
            yield net
    finally:
        if old_env is None:
            os.environ.pop(PASSWORD_ENV, None)
        else:
            os.environ[PASSWORD_ENV] = old_env


def write_inventory(net: DemoNetwork, path: Path, night: int = NIGHTS) -> Path:
    import yaml

    path.write_text("# stormguard demo inventory (throw-away; the password is referenced, "
                    "never written)\n" + yaml.safe_dump(net.inventory(night), sort_keys=False),
                    encoding="utf-8")
    return path
