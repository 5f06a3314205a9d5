"""Inventory loading: Nornir-style inheritance, the three-file layout, errors with lines."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import pytest

from stormguard.inventory import InventoryError, check_inventory, load_inventory

ONE_FILE = """\
defaults:
  username: netops
  password_env: SG_NET_PW
  timeout: 30
  data:
    role: access
    owner: neteng
groups:
  dc1:
    site: dc1
    platform: ios
    groups: [base]
    tags: [prod]
    data: {role: core}
  base:
    port: 2222
    retries: 4
    tags: [managed]
    data: {syslog: 10.9.9.9}
  edge:
    site: edge
    host_key_policy: strict
    data: {role: edge}
hosts:
  sw1:
    hostname: 10.0.0.1
    groups: [dc1, edge]
    data: {rack: r1}
  sw2:
    hostname: 10.0.0.2
    groups: [edge, dc1]
    platform: nxos
    port: 22
    credentials:
      username: admin
      ssh_key_file: keys/sw2
  hv1:
    platform: ovs
    transport: local
    netns: lab1
    tags: [vswitch]
"""


def write(tmp_path: Path, text: str, name: str = "inventory.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def test_inheritance_host_then_groups_in_order_then_defaults(tmp_path):
    inv = load_inventory(write(tmp_path, ONE_FILE))
    sw1, sw2, hv1 = inv.hosts["sw1"], inv.hosts["sw2"], inv.hosts["hv1"]
    # sw1: dc1 comes first, so its site wins over edge; port via dc1's nested group "base"
    assert (sw1.platform, sw1.site, sw1.port, sw1.retries) == ("cisco_ios", "dc1", 2222, 4)
    assert sw1.hostname == "10.0.0.1" and sw1.timeout == 30.0
    assert sw1.host_key_policy == "strict"  # only edge sets it
    assert sw1.groups == ["dc1", "base", "edge"]
    assert sw1.data == {"role": "core", "owner": "neteng", "syslog": "10.9.9.9", "rack": "r1"}
    assert sw1.tags == ["prod", "managed"]
    assert sw1.credentials.username == "netops" and sw1.credentials.password_env == "SG_NET_PW"
    # sw2: edge first now; host's own values beat every group
    assert (sw2.platform, sw2.site, sw2.port) == ("cisco_nxos", "edge", 22)
    assert sw2.data["role"] == "edge"
    assert sw2.credentials.username == "admin"
    assert sw2.credentials.ssh_key_file == str(tmp_path / "keys" / "sw2")  # relative to the file
    assert sw2.credentials.password_env == "SG_NET_PW"  # inherited field by field
    # hv1: defaults only; local transport
    assert (hv1.platform, hv1.transport, hv1.hostname, hv1.netns) == ("ovs", "local", "local",
                                                                       "lab1")
    assert hv1.port == 22 and hv1.site is None and hv1.data == {"role": "access",
                                                                 "owner": "neteng"}
    assert inv.groups == ["base", "dc1", "edge"]


def test_select_by_glob_site_group_tag(tmp_path):
    inv = load_inventory(write(tmp_path, ONE_FILE))
    names = lambda hosts: [h.name for h in hosts]  # noqa: E731
    assert names(inv.select()) == ["hv1", "sw1", "sw2"]
    assert names(inv.select("sw*")) == ["sw1", "sw2"]
    assert names(inv.select("site:dc*")) == ["sw1"]
    assert names(inv.select("group:base")) == ["sw1", "sw2"]
    assert names(inv.select("tag:vswitch,sw2")) == ["hv1", "sw2"]


def test_three_file_layout_matches_one_file(tmp_path):
    import yaml

    data = yaml.safe_load(ONE_FILE)
    d = tmp_path / "nornir"
    d.mkdir()
    for key in ("hosts", "groups", "defaults"):
        (d / f"{key}.yaml").write_text(yaml.safe_dump(data[key]))
    one = load_inventory(write(tmp_path, ONE_FILE))
    three = load_inventory(d)
    via_hosts_file = load_inventory(d / "hosts.yaml")
    for name in one.hosts:
        a, b, c = one.hosts[name], three.hosts[name], via_hosts_file.hosts[name]
        if name == "sw2":  # key file is relative to the file that names it
            for h in (b, c):
                h.credentials.ssh_key_file = a.credentials.ssh_key_file
        assert a == b == c
    assert [p.name for p in three.sources] == ["defaults.yaml", "groups.yaml", "hosts.yaml"]


def test_three_file_layout_errors_name_the_right_file(tmp_path):
    d = tmp_path / "inv"
    d.mkdir()
    (d / "hosts.yaml").write_text("sw1:\n  groups: [core]\n")
    (d / "groups.yaml").write_text("core:\n  site: dc1\n  platform: ciscoo\n")
    _, errors, _ = check_inventory(d)
    assert errors == ["groups.yaml:3: groups.core.platform: unknown platform 'ciscoo' "
                      "(supported: cisco_ios, cisco_xe, cisco_nxos, arista_eos, juniper_junos, "
                      "huawei, hp_comware, ovs, linux_bridge, esxi)"]
    (tmp_path / "empty").mkdir()
    _, errors, _ = check_inventory(tmp_path / "empty")
    assert len(errors) == 1 and "no hosts.yaml" in errors[0]


@pytest.mark.parametrize("text, expected", [
    ("hosts:\n  sw1:\n    hostname: 10.0.0.1\n\n    platform: ciscoo\n",
     "inventory.yaml:5: hosts.sw1.platform: unknown platform 'ciscoo'"),
    ("hosts:\n  sw1:\n    platfrom: ios\n",
     "inventory.yaml:3: hosts.sw1.platfrom: unknown key 'platfrom'"),
    ("hosts:\n  sw1:\n    platform: ios\n    groups: [core, nope]\n",
     "inventory.yaml:4: hosts.sw1.groups.0: unknown group 'core'"),
    ("hosts:\n  sw1:\n    platform: ios\n    port: 70000\n",
     "inventory.yaml:4: hosts.sw1.port: expected a TCP port 1-65535, got 70000"),
    ("defaults:\n  timeout: -1\nhosts:\n  sw1: {platform: ios}\n",
     "inventory.yaml:2: defaults.timeout: expected a positive number of seconds, got -1"),
    ("hosts:\n  sw1:\n    platform: ios\n    host_key_policy: trust\n",
     "inventory.yaml:4: hosts.sw1.host_key_policy: expected one of strict, tofu, ignore"),
    ("hosts:\n  sw1:\n    hostname: 10.0.0.1\n",
     "inventory.yaml:2: hosts.sw1: no platform"),
    ("hosts:\n  sw1:\n    platform: ios\n    transport: local\n",
     "inventory.yaml:4: hosts.sw1.transport: transport local reads a vSwitch"),
    ("hosts:\n  sw1:\n    platform: ios\n    password_env: 'NOT A NAME'\n",
     "inventory.yaml:4: hosts.sw1.password_env: expected the name of an environment variable"),
    ("groups:\n  a: {groups: [b]}\n  b: {groups: [a]}\nhosts:\n  sw1: {platform: ios, "
     "groups: [a]}\n", "inventory.yaml:2: groups.a.groups: group cycle: a -> b -> a"),
    ("hosts:\n  sw1: {platform: ios\n", "inventory.yaml:3: invalid YAML"),
    ("hosts:\n  - sw1\n", "inventory.yaml:1: hosts: expected a mapping, got a list"),
    ("hostz:\n  sw1: {}\n", "inventory.yaml:1: hostz: unknown top-level key"),
    ("hosts:\n", "inventory.yaml:1: hosts: no hosts defined"),
    ("hosts:\n  sw1: {platform: ios}\n  sw2: {platform: eos}\n  sw1: {platform: nxos}\n",
     "inventory.yaml:4: hosts.sw1: duplicate key (first at line 2)"),
    ("", "the inventory is empty"),
])
def test_errors_name_file_line_and_key(tmp_path, text, expected):
    _, errors, _ = check_inventory(write(tmp_path, text))
    assert errors, "expected an error"
    assert expected in errors[0], errors
    with pytest.raises(InventoryError) as exc:
        load_inventory(tmp_path / "inventory.yaml")
    assert "\n" not in str(exc.value)


def test_all_errors_are_reported_at_once(tmp_path):
    text = "hosts:\n  sw1: {platform: ciscoo}\n  sw2: {platform: ios, port: 0}\n  sw3: {}\n"
    _, errors, _ = check_inventory(write(tmp_path, text))
    assert [e.split(":")[1] for e in errors] == ["2", "3", "4"]
    with pytest.raises(InventoryError, match=r"\(and 2 more; see `stormguard inventory check`\)"):
        load_inventory(tmp_path / "inventory.yaml")


def test_missing_file_is_a_clear_error(tmp_path):
    _, errors, _ = check_inventory(tmp_path / "nope.yaml")
    assert errors == [f"{tmp_path / 'nope.yaml'}: inventory file not found"]


def test_aliases_are_canonicalised(tmp_path):
    text = "hosts:\n" + "".join(f"  h{i}: {{platform: {p}}}\n" for i, p in enumerate(
        ["eos", "junos", "vrp", "h3c", "iosxe", "openvswitch", "linux", "cisco_nxos"]))
    inv = load_inventory(write(tmp_path, text))
    assert [inv.hosts[f"h{i}"].platform for i in range(8)] == [
        "arista_eos", "juniper_junos", "huawei", "hp_comware", "cisco_xe", "ovs", "linux_bridge",
        "cisco_nxos"]


def test_plaintext_password_warns_naming_host_never_the_password(tmp_path, caplog):
    text = "hosts:\n  sw9:\n    platform: ios\n    password: Sup3r-Secret!\n"
    with caplog.at_level(logging.WARNING, logger="stormguard.inventory"):
        inv, errors, warnings = check_inventory(write(tmp_path, text))
    assert not errors
    assert warnings == ["inventory.yaml:4: hosts.sw9.password: plaintext password in the "
                        "inventory for host 'sw9' (use password_env or password_file)"]
    assert "sw9" in caplog.text and "Sup3r-Secret!" not in caplog.text
    creds = inv.hosts["sw9"].credentials
    assert creds.password_value("sw9") == "Sup3r-Secret!"  # it works
    assert "Sup3r-Secret!" not in repr(inv.hosts["sw9"]) and "Sup3r-Secret!" not in repr(creds)


def test_password_source_is_inherited_as_a_unit(tmp_path, monkeypatch):
    (tmp_path / "pw").write_text("from-file\n")
    monkeypatch.setenv("SG_DEF_PW", "from-env")
    text = ("defaults: {password_env: SG_DEF_PW, platform: ios}\n"
            "hosts:\n  a: {password_file: pw}\n  b: {prompt: true}\n  c: {}\n")
    inv = load_inventory(write(tmp_path, text))
    assert inv.hosts["a"].credentials.password_value("a") == "from-file"
    assert inv.hosts["b"].credentials.password_env is None and inv.hosts["b"].credentials.prompt
    assert inv.hosts["c"].credentials.password_value("c") == "from-env"


def test_unresolvable_secret_reference_names_the_reference(tmp_path, monkeypatch):
    from stormguard.errors import ConfigError

    monkeypatch.delenv("SG_MISSING_PW", raising=False)
    text = "hosts:\n  a: {platform: ios, password_env: SG_MISSING_PW}\n" \
           "  b: {platform: ios, password_file: /nonexistent/pw}\n"
    inv = load_inventory(write(tmp_path, text))
    with pytest.raises(ConfigError, match="a: password_env: environment variable SG_MISSING_PW"):
        inv.hosts["a"].credentials.password_value("a")
    with pytest.raises(ConfigError, match="b: password_file: cannot read /nonexistent/pw"):
        inv.hosts["b"].credentials.password_value("b")
