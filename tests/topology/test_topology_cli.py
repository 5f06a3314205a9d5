"""`stormguard topology` and the store audit's fleet rules, on a real SQLite store holding
switch, OVS and ESXi snapshots with their LLDP/CDP evidence."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from stormguard.cli import main
from stormguard.parsers.esxi import bundle
from stormguard.policy import load_policy
from stormguard.store import Store
from stormguard.store.audit import audit_snapshots
from stormguard.testing.fakenet import CONFIG_DIR

VSWITCH = Path(__file__).parents[1] / "vswitch" / "fixtures"


def _ios(name: str) -> str:
    ports = "".join(f"interface GigabitEthernet1/0/{i}\n switchport mode trunk\n"
                    " switchport trunk allowed vlan 10,20,30\n" for i in (1, 7, 10))
    return (f"hostname {name}\nspanning-tree mode rapid-pvst\n{ports}"
            "interface GigabitEthernet1/0/48\n switchport mode trunk\nend\n")


def _lldp_rows(*rows: tuple[str, str, str]) -> dict:
    return {"command": "show lldp neighbors", "raw": "(rows)",
            "parsed": [{"neighbor_name": n, "local_interface": lp, "capabilities": "B,R",
                        "neighbor_interface": rp} for lp, n, rp in rows]}


def _lldpcli(*links: tuple[str, str, str]) -> str:
    """lldpd's JSON (the shape of tests/topology/fixtures/lldpcli_*.json) for several NICs."""
    doc = {"lldp": {"interface": [
        {nic: {"via": "LLDP", "rid": "1", "age": "0 day, 00:10:00",
               "chassis": {sw: {"id": {"type": "mac", "value": "00:00:5e:00:53:01"},
                                "capability": [{"type": "Bridge", "enabled": True},
                                               {"type": "Router", "enabled": True}]}},
               "port": {"id": {"type": "ifname", "value": port}, "descr": port,
                        "ttl": "120"}}}
        for nic, sw, port in links]}}
    return json.dumps(doc, indent=2)


@pytest.fixture()
def db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'sg.db'}"
    esxi_out = yaml.safe_load((CONFIG_DIR / "esxi.show.yaml").read_text())
    hint = esxi_out.pop("vim-cmd hostsvc/net/query_networkhint").replace(
        "leaf1.dc1.example.net", "sw1").replace("leaf2.dc1.example.net", "sw2")
    with Store.open(url) as store:
        run = store.start_run("collect", "test")
        store.save_snapshot(run, "sw1", "cisco_ios", _ios("sw1"), {"lldp": _lldp_rows(
            ("Gi1/0/48", "sw2.dc1.example.net", "Gi1/0/48"),
            ("Gi1/0/1", "hv01", "3c:ec:ef:10:00:05"))})
        store.save_snapshot(run, "sw2", "cisco_ios", _ios("sw2"), {"lldp": _lldp_rows(
            ("Gi1/0/48", "sw1", "Gi1/0/48"), ("Gi1/0/7", "printer9", "port 1"))})
        store.save_snapshot(run, "hv01", "ovs", (VSWITCH / "ovs-hv01.json").read_text(), {
            "lldp": {"command": "lldpcli -f json show neighbors details",
                     "raw": _lldpcli(("eth5", "sw1", "Gi1/0/1"), ("eth6", "sw2", "Gi1/0/1"))}})
        store.save_snapshot(run, "esx-07", "esxi", bundle("esx-07", esxi_out),
                            {"networkhint": {"command": "vim-cmd", "raw": hint}})
        store.finish_run(run, "ok", {})
    return url


def test_text_lists_the_loop_first_then_links_and_unknowns(db, capsys) -> None:
    assert main(["topology", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "1 loop(s) spanning tree cannot break" in out
    loop = out.split("LOOPS SPANNING TREE CANNOT BREAK")[1].split("LINKS")[0]
    assert "hv01/br-loop:eth5" in loop and "sw1/GigabitEthernet1/0/48" in loop
    assert "why: hv01/br-loop: spanning tree is off" in loop
    assert "esx-07/vSwitch0:vmnic0 — sw1/GigabitEthernet1/0/10" in out or \
        "sw1/GigabitEthernet1/0/10 — esx-07/vSwitch0:vmnic0" in out
    assert ("sw2/GigabitEthernet1/0/7: LLDP neighbour printer9 port 1: far device not "
            "collected") in out


def test_json_dot_svg_and_filters(db, capsys, tmp_path) -> None:
    assert main(["topology", "--db", db, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["loops"]) == 1 and doc["loops"][0]["vlans"] == "10,20"
    assert sum(1 for link in doc["links"] if link["on_loop"]) == 3
    assert main(["topology", "--db", db, "--vlan", "30", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["loops"] == [] and all("30" in lk["vlans"] or lk["vlans"] == "all"
                                      or "-" in lk["vlans"] for lk in doc["links"])
    assert main(["topology", "--db", db, "--device", "esx-*", "--format", "dot"]) == 0
    dot = capsys.readouterr().out
    assert dot.startswith("graph stormguard {") and '"esx-07/vSwitch0" -- "sw1"' in dot
    out = tmp_path / "t.svg"
    assert main(["topology", "--db", db, "--format", "svg", "-o", str(out)]) == 0
    svg = ElementTree.fromstring(out.read_text())  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    red = [ln for ln in svg.iter(f"{ns}line") if ln.get("stroke") == "#c62828"]
    assert len(red) == 3 and "<script" not in out.read_text()
    titles = [t.text for t in svg.iter(f"{ns}title")]
    assert any("VLANs 10,20" in (t or "") for t in titles)


def test_bad_arguments_are_one_line_errors(db, capsys) -> None:
    assert main(["topology", "--db", db, "--device", "nothing*"]) == 2
    err = capsys.readouterr().err
    assert "matches no switch" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as exc:
        main(["topology", "--db", db, "--vlan", "5000"])
    assert exc.value.code == 2


def test_store_audit_runs_the_fleet_rules(db) -> None:
    with Store.open(db) as store:
        run = store.start_run("audit", "test")
        result = audit_snapshots(store, run, load_policy())
    assert not [e for e in result.errors if "fleet" in e]
    sg501 = [f for f in result.findings if f.rule == "SG501"]
    assert len(sg501) == 1 and sg501[0].device == "hv01/br-loop"
    assert sg501[0].severity == "critical"
    assert {f.rule for f in result.findings if f.device.startswith("esx-07")} & {
        "SG501", "SG502"} == set()  # (SG504/SG505 judge ESXi teaming and security)
