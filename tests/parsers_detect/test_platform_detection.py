"""Platform detection on real-world files: RANCID headers, Oxidized backups, file extensions,
configs with few hints, and configurations of platforms stormguard does not parse (named in a
one-line error, never parsed as the nearest supported platform)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stormguard.errors import UnknownPlatformError
from stormguard.parsers import parse_config
from stormguard.parsers.detect import (
    _UNSUPPORTED_SCAN_BYTES,
    detect_platform,
    rancid_type,
    score_unsupported,
)


def catalyst(ports: int = 400) -> str:
    """A large Catalyst 6500 config as some backups hold it: no `Building configuration`, no
    version line, `interface GigabitEthernet 1/1` with a space, bare `switchport` lines."""
    out = ["hostname cat6509-core-b", "!"]
    for slot in range(1, 9):
        for port in range(1, ports // 8 + 1):
            out += [f"interface GigabitEthernet {slot}/{port}",
                    f" description desk {slot}-{port}",
                    " switchport",
                    f" switchport access vlan {100 + slot}",
                    " no ip address",
                    "!"]
    out.append("end")
    return "\n".join(out) + "\n"


IOS_BODY = """hostname acc-sw-3
!
interface GigabitEthernet1/0/1
 switchport access vlan 10
 switchport mode access
 spanning-tree portfast
!
end
"""
NXOS_BODY = """hostname leaf-9
feature lacp
interface Ethernet1/1
  switchport
  switchport mode trunk
"""
XE_BODY = """version 17.3
hostname c9300-acc
!
license boot level network-advantage
interface GigabitEthernet1/0/1
 switchport mode access
"""
ASA = """: Saved
:
ASA Version 9.8(4)32
!
hostname fw-edge-1
interface GigabitEthernet0/0
 nameif outside
 security-level 0
 ip address 192.0.2.2 255.255.255.0
!
same-security-traffic permit inter-interface
"""
XR = """!! IOS XR Configuration 7.3.2
!! Last configuration change at Tue Nov 10 09:00:01 2026 by netops
!
hostname pe-1
interface TenGigE0/0/0/1
 description core
 ipv4 address 192.0.2.1 255.255.255.254
!
interface GigabitEthernet0/0/0/5
 shutdown
!
end
"""
CUMULUS_NVUE = """nv set interface swp1-4 bridge domain br_default
nv set interface swp1 bridge domain br_default access 10
nv set bridge domain br_default vlan 10,20
nv config apply
"""
CUMULUS_IFUPDOWN = """auto lo
iface lo inet loopback

auto swp1
iface swp1
    bridge-access 10

auto bridge
iface bridge
    bridge-ports swp1 swp2
    bridge-vids 10 20
    bridge-vlan-aware yes
"""
F5 = """#TMSH-VERSION: 15.1.8
sys global-settings {
    hostname lb-1.example.net
}
ltm virtual vs_web {
    destination 192.0.2.10:443
}
net vlan internal {
    interfaces { 1.1 { } }
}
"""
PROCURVE = """; J9772A Configuration Editor; Created on release #YA.16.02.0012
; Ver #0d:13.9f.f8.1d.9b.3f.bf.bb.ef.7c.59.fc.6b.fb.9f.fc.ff.ff.37.ef:02
hostname "HP-2530-48G"
vlan 1
   name "DEFAULT_VLAN"
   untagged 1-48
   ip address dhcp-bootp
   exit
vlan 10
   name "users"
   tagged 49-50
   exit
spanning-tree
"""
CATOS = """begin
!
# ***** NON-DEFAULT CONFIGURATION *****
!
!
#time: Tue Nov 10 2026, 09:00:00
!
#version 8.4(11)GLX
!
set system name cat6k-old
set vtp domain campus
set vlan 10 2/1-48
set spantree portfast 2/1-48 enable
set port name 2/1 desk-1
set trunk 1/1 on dot1q 1-1005
end
"""


def test_large_catalyst_config_with_a_space_before_the_port_number() -> None:
    text = catalyst()
    assert len(text) > 40_000
    assert detect_platform(text, "cat6509.cfg") == "cisco_ios"
    (dev,) = parse_config(text, None, "cat6509.cfg")
    assert dev.platform == "cisco_ios"


@pytest.mark.parametrize(("header", "body", "platform"), [
    ("!RANCID-CONTENT-TYPE: cisco", IOS_BODY, "cisco_ios"),
    ("!RANCID-CONTENT-TYPE: cisco", XE_BODY, "cisco_xe"),
    ("!RANCID-CONTENT-TYPE: cisco", NXOS_BODY, "cisco_nxos"),  # old RANCID: one type for all
    ("!RANCID-CONTENT-TYPE: cisco", "hostname x\n", "cisco_ios"),  # nothing else: IOS
    ("!RANCID-CONTENT-TYPE: cisco-nx", "hostname x\n", "cisco_nxos"),
    ("!RANCID-CONTENT-TYPE: arista", "hostname x\n", "arista_eos"),
    ("#RANCID-CONTENT-TYPE: juniper", "system { host-name x; }\n", "juniper_junos"),
    ("!RANCID-CONTENT-TYPE: huawei", "sysname x\n#\n", "huawei"),
    ("!RANCID-CONTENT-TYPE: h3c", "#\n sysname x\n#\n", "hp_comware"),
])
def test_rancid_header_names_the_platform(header: str, body: str, platform: str) -> None:
    text = f"{header}\n!\n!Chassis type: WS-C3850-48P\n!\n{body}"
    assert detect_platform(text, "rtr.example.net") == platform


def test_rancid_header_beats_the_text_of_another_platform() -> None:
    # RANCID knows what it logged into; the text only has to be parsable by that platform
    text = "!RANCID-CONTENT-TYPE: arista\n!\n" + IOS_BODY
    assert detect_platform(text, "x") == "arista_eos"


@pytest.mark.parametrize(("rancid", "name"), [
    ("cisco-xr", "Cisco IOS-XR"),
    ("cat5", "Cisco CatOS"),
    ("hp", "HP ProCurve / ArubaOS-Switch"),
    ("f5", "F5 BIG-IP"),
    ("foundry", "'foundry'"),
])
def test_rancid_type_of_an_unsupported_platform_is_named(rancid: str, name: str) -> None:
    text = f"!RANCID-CONTENT-TYPE: {rancid}\n!\nhostname x\n"
    with pytest.raises(UnknownPlatformError) as exc:
        detect_platform(text, "dev.cfg")
    msg = str(exc.value)
    assert msg.startswith(f"dev.cfg: looks like {name}")
    assert msg.endswith("which stormguard does not support") and "\n" not in msg


def test_rancid_cisco_still_refuses_an_asa() -> None:
    with pytest.raises(UnknownPlatformError, match="looks like Cisco ASA"):
        detect_platform("!RANCID-CONTENT-TYPE: cisco\n!\n" + ASA, "fw.cfg")


def test_rancid_header_only_at_the_start_of_a_line() -> None:
    assert rancid_type("!RANCID-CONTENT-TYPE: Cisco-NX\n") == "cisco-nx"
    assert rancid_type("banner motd ^ see !RANCID-CONTENT-TYPE: huawei ^\n") is None
    assert rancid_type("hostname x\n") is None


@pytest.mark.parametrize(("comment", "platform"), [
    ("! Cisco IOS Software, C3750E Software (C3750E-UNIVERSALK9-M), Version 15.2(4)E10",
     "cisco_ios"),
    ("! Cisco IOS XE Software, Version 16.12.05b\n! Cisco IOS Software [Gibraltar], "
     "Catalyst L3 Switch Software (CAT9K_IOSXE)", "cisco_xe"),
    ("! Cisco Nexus Operating System (NX-OS) Software", "cisco_nxos"),
    ("! Arista DCS-7050SX3-48YC8\n! Software image version: 4.28.3M", "arista_eos"),
])
def test_oxidized_backup_with_a_show_version_comment_block(comment: str, platform: str) -> None:
    # Oxidized strips `Building configuration...` / `Current configuration`; what is left is
    # the commented show version/inventory block and a bare running configuration.
    text = f"{comment}\n!\nhostname sw1\n!\ninterface Ethernet1\n description x\n!\nend\n"
    assert detect_platform(text, "sw1") == platform


@pytest.mark.parametrize(("suffix", "platform"), [
    (".ios", "cisco_ios"),
    (".nxos", "cisco_nxos"),
    (".eos", "arista_eos"),
    (".junos", "juniper_junos"),
    (".vrp", "huawei"),
    (".comware", "hp_comware"),
    (".IOS", "cisco_ios"),
])
def test_file_extension_is_a_hint(suffix: str, platform: str) -> None:
    text = "hostname sw1\n!\ninterface Ethernet1\n description x\n!\n"
    with pytest.raises(UnknownPlatformError, match="cannot tell the platform"):
        detect_platform(text, "sw1.cfg")
    assert detect_platform(text, f"/backups/sw1{suffix}") == platform


def test_file_extension_is_outvoted_by_clear_text() -> None:
    junos = ("## Last commit: 2026-11-10 09:00:00 UTC by netops\nversion 20.4R3;\n"
             "set interfaces ge-0/0/1 unit 0 family ethernet-switching interface-mode trunk\n")
    assert detect_platform(junos, "sw1.ios") == "juniper_junos"


@pytest.mark.parametrize(("text", "name"), [
    (XR, "Cisco IOS-XR"),
    (ASA, "Cisco ASA"),
    (CUMULUS_NVUE, "Cumulus Linux"),
    (CUMULUS_IFUPDOWN, "Cumulus Linux"),
    (F5, "F5 BIG-IP"),
    (PROCURVE, "HP ProCurve / ArubaOS-Switch"),
    (CATOS, "Cisco CatOS"),
])
def test_unsupported_platform_is_named_in_a_one_line_error(text: str, name: str) -> None:
    with pytest.raises(UnknownPlatformError) as exc:
        detect_platform(text, "backup/dev1.cfg")
    assert str(exc.value) == (
        f"backup/dev1.cfg: looks like {name}, which stormguard does not support")
    # also through the parser entry point used by lint
    with pytest.raises(UnknownPlatformError, match=f"looks like {name}"):
        parse_config(text, None, "backup/dev1.cfg")


def test_lint_reports_the_unsupported_platform_and_goes_on(tmp_path: Path) -> None:
    from stormguard.lint import lint_paths

    (tmp_path / "pe1.cfg").write_text(XR)
    (tmp_path / "acc.cfg").write_text(IOS_BODY.replace("hostname", "version 15.2\nhostname"))
    results = {Path(r.source).name: r for r in lint_paths([str(tmp_path)], fail_on="never")
               .results}
    assert results["pe1.cfg"].errors == [
        f"{tmp_path / 'pe1.cfg'}: looks like Cisco IOS-XR, which stormguard does not support"]
    assert not results["acc.cfg"].errors


def test_cli_exit_code_and_one_line_error(tmp_path: Path) -> None:
    cfg = tmp_path / "fw.cfg"
    cfg.write_text(ASA)
    run = subprocess.run([sys.executable, "-m", "stormguard", "lint", str(cfg)],
                         capture_output=True, text=True)
    assert run.returncode != 0
    out = run.stdout + run.stderr
    assert "looks like Cisco ASA, which stormguard does not support" in out
    assert "Traceback" not in out


def test_supported_configs_that_mention_unsupported_words_are_still_detected() -> None:
    # a banner quoting an ASA prompt and a description naming a CatOS box: the IOS config wins
    text = ("version 15.2\nservice timestamps debug datetime msec\nhostname acc-1\n"
            "banner motd ^\nASA Version 9.8 is on fw-1; set spantree is on cat6k-old\n^\n"
            + IOS_BODY)
    assert detect_platform(text, "acc-1.cfg") == "cisco_ios"


def test_unsupported_markers_are_looked_for_in_a_bounded_prefix() -> None:
    pad = "!\n" * (_UNSUPPORTED_SCAN_BYTES // 2 + 10)
    assert score_unsupported(ASA)["Cisco ASA"] >= 10
    assert score_unsupported(pad + ASA)["Cisco ASA"] == 0


# -- the fast paths give exactly the scores of a plain regex scan ----------------------------

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted(
    [p for p in (ROOT / "examples").iterdir() if p.is_file()]
    + [p for p in (ROOT / "tests").glob("parsers_*/fixtures/*") if p.is_file()]
)
TEXTS = [p.read_text(encoding="utf-8") for p in SAMPLES] + [
    catalyst(40), ASA, XR, CUMULUS_NVUE, CUMULUS_IFUPDOWN, F5, PROCURVE, CATOS]


def _plain(head: str, table) -> dict[str, int]:
    import re

    return {name: sum(w for rx, w in sigs if re.search(rx.pattern, head, rx.flags))
            for name, sigs in table.items()}


def test_anchors_are_the_literal_prefix_of_anchored_patterns() -> None:
    from stormguard.parsers import detect

    assert detect._anchor(r"^version 1[0-5]\.\d") == "version 1"
    assert detect._anchor(r"^ switchport\s*$") == " switchport"
    assert detect._anchor(r"^(Building configuration|Current configuration :)") is None
    assert detect._anchor(r"port trunk allow-pass vlan") is None  # not anchored
    assert detect._anchor(r"^\s+bridge-vids ") is None


@pytest.mark.parametrize("variant", ["as is", "upper", "swapcase", "crlf"])
def test_every_table_scores_like_a_plain_scan(variant: str) -> None:
    from stormguard.parsers import detect

    for text in TEXTS:
        text = {"as is": text, "upper": text.upper(), "swapcase": text.swapcase(),
                "crlf": text.replace("\n", "\r\n")}[variant]
        head = text[: detect._SCAN_BYTES]
        plain = _plain(head, detect._SIGNATURES)
        if plain["cisco_xe"]:
            plain["cisco_xe"] += plain["cisco_ios"]
        assert detect.score_platforms(text) == plain
        assert detect.score_weak(text) == _plain(head, detect._WEAK_SIGNATURES)
        assert detect.score_unsupported(text) == _plain(
            text[: detect._UNSUPPORTED_SCAN_BYTES], detect._UNSUPPORTED)
