"""Secrets out of the store: per-platform masking on real syntax, lint unchanged by it, the
store boundary (masked unless `store: keep_secrets: true`), `stormguard diff` masking."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from stormguard.secrets_mask import MASK, keep_secrets_setting, mask_config

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
M = MASK

# (platform, config line as the device shows it, the line as stored). Every secret value in
# the left column is one of SECRETS, so the test can also grep for leftovers.
CASES: list[tuple[str, str, str]] = [
    # Cisco IOS
    ("cisco_ios", "enable secret 9 $9$Zq3w1Xy7AbCdEf$kLmNoPq", f"enable secret 9 {M}"),
    ("cisco_ios", "enable password 7 0822455D0A16", f"enable password 7 {M}"),
    ("cisco_ios", "username netops privilege 15 secret 9 $9$Hj5k8Lm2$uVw",
     f"username netops privilege 15 secret 9 {M}"),
    ("cisco_ios", "username backup password 7 094F471A1A0A", f"username backup password 7 {M}"),
    ("cisco_ios", "snmp-server community Rd0nly-Sw1tch RO SNMP-RO",
     f"snmp-server community {M} RO SNMP-RO"),
    ("cisco_ios", "snmp-server community Wr1te-Sw1tch RW 99", f"snmp-server community {M} RW 99"),
    ("cisco_ios", "snmp-server user NMS NMSGRP v3 auth sha AuthPass123 priv aes 128 PrivPass456",
     f"snmp-server user NMS NMSGRP v3 auth sha {M} priv aes 128 {M}"),
    ("cisco_ios", "snmp-server host 10.0.0.5 version 2c TrapComm2 udp-port 162",
     f"snmp-server host 10.0.0.5 version 2c {M} udp-port 162"),
    ("cisco_ios", "snmp-server host 10.0.0.6 TrapComm1", f"snmp-server host 10.0.0.6 {M}"),
    ("cisco_ios", "tacacs-server host 10.1.1.1 key 7 045802150C2E",
     f"tacacs-server host 10.1.1.1 key 7 {M}"),
    ("cisco_ios", "tacacs server TAC1\n address ipv4 10.1.1.1\n key 7 0822455D0A16544541",
     f"tacacs server TAC1\n address ipv4 10.1.1.1\n key 7 {M}"),
    ("cisco_ios", "radius server RAD1\n address ipv4 10.1.1.2 auth-port 1812\n key Cl34rRadKey",
     f"radius server RAD1\n address ipv4 10.1.1.2 auth-port 1812\n key {M}"),
    ("cisco_ios", "key chain OSPF-KC\n key 1\n  key-string 7 13061E010803",
     f"key chain OSPF-KC\n key 1\n  key-string 7 {M}"),
    ("cisco_ios", " ip ospf authentication-key 7 104D000A0618",
     f" ip ospf authentication-key 7 {M}"),
    ("cisco_ios", " ip ospf message-digest-key 1 md5 7 070C285F4D06",
     f" ip ospf message-digest-key 1 md5 7 {M}"),
    ("cisco_ios", " standby 10 authentication md5 key-string 7 0822455D0A17",
     f" standby 10 authentication md5 key-string 7 {M}"),
    ("cisco_ios", " vrrp 20 authentication text VrrpPw", f" vrrp 20 authentication text {M}"),
    ("cisco_ios", " neighbor 10.0.0.2 password 7 02050D480809",
     f" neighbor 10.0.0.2 password 7 {M}"),
    ("cisco_ios", "ntp authentication-key 1 md5 121A0C0411045D5679 7",
     f"ntp authentication-key 1 md5 {M} 7"),
    ("cisco_ios", "line vty 0 4\n password 7 0822455D0A18", f"line vty 0 4\n password 7 {M}"),
    ("cisco_ios", "crypto isakmp key IsakmpSecret address 10.9.9.9",
     f"crypto isakmp key {M} address 10.9.9.9"),
    # Cisco IOS-XE
    ("cisco_xe", "username admin privilege 15 secret 9 $9$nhEmQVczB7dqsO$X.HsgL",
     f"username admin privilege 15 secret 9 {M}"),
    ("cisco_xe", "aaa server radius dynamic-author\n client 10.1.1.9 server-key 7 0832495D",
     f"aaa server radius dynamic-author\n client 10.1.1.9 server-key 7 {M}"),
    ("cisco_xe", "snmp-server community XeComm RO", f"snmp-server community {M} RO"),
    # Cisco NX-OS
    ("cisco_nxos", "username admin password 5 $5$NLHHJE$Wn0p  role network-admin",
     f"username admin password 5 {M}  role network-admin"),
    ("cisco_nxos", "snmp-server user admin network-admin auth md5 0x4a1e99 priv 0x4a1e98 "
     "localizedkey", f"snmp-server user admin network-admin auth md5 {M} priv {M} localizedkey"),
    ("cisco_nxos", "snmp-server community Rd0nly-Nx0s group network-operator",
     f"snmp-server community {M} group network-operator"),
    ("cisco_nxos", "snmp-server host 10.250.0.21 traps version 2c TrapNx udp-port 162",
     f"snmp-server host 10.250.0.21 traps version 2c {M} udp-port 162"),
    ("cisco_nxos", 'tacacs-server host 10.250.0.30 key 7 "Fwpw1d2f3"',
     f'tacacs-server host 10.250.0.30 key 7 "{M}"'),
    ("cisco_nxos", 'radius-server host 10.250.0.31 key 7 "Kpb3c" authentication accounting',
     f'radius-server host 10.250.0.31 key 7 "{M}" authentication accounting'),
    ("cisco_nxos", "router bgp 65000\n  neighbor 10.0.0.2\n    password 3 5b4bd8ab0ca6b4b5",
     f"router bgp 65000\n  neighbor 10.0.0.2\n    password 3 {M}"),
    ("cisco_nxos", "  ip ospf message-digest-key 1 md5 3 0d3a9a3d9b1d3c43",
     f"  ip ospf message-digest-key 1 md5 3 {M}"),
    # Arista EOS
    ("arista_eos", "username admin privilege 15 role network-admin secret sha512 $6$Kq8Zr2$3xR9",
     f"username admin privilege 15 role network-admin secret sha512 {M}"),
    ("arista_eos", "enable password sha512 $6$abc$defEna", f"enable password sha512 {M}"),
    ("arista_eos", "snmp-server community Rd0nly-Ar1sta ro", f"snmp-server community {M} ro"),
    ("arista_eos", "snmp-server user NMS NMSGRP v3 localized 800000 auth sha 0xabc1 priv aes "
     "0xdef1", f"snmp-server user NMS NMSGRP v3 localized 800000 auth sha {M} priv aes {M}"),
    ("arista_eos", "snmp-server host 10.250.0.21 vrf MGMT version 2c TrapAr",
     f"snmp-server host 10.250.0.21 vrf MGMT version 2c {M}"),
    ("arista_eos", "radius-server host 10.250.0.31 key 7 0207165218120E",
     f"radius-server host 10.250.0.31 key 7 {M}"),
    ("arista_eos", "   neighbor 10.0.0.2 password 7 Ep2lnK8zLR8=",
     f"   neighbor 10.0.0.2 password 7 {M}"),
    ("arista_eos", "   ip ospf message-digest-key 1 sha256 7 Ep2lnK8zLR9=",
     f"   ip ospf message-digest-key 1 sha256 7 {M}"),
    ("arista_eos", "ntp authentication-key 1 md5 7 0207165218120F",
     f"ntp authentication-key 1 md5 7 {M}"),
    # Juniper Junos (curly braces and set commands)
    ("juniper_junos", '        encrypted-password "$6$abc$XYZroot";',
     f'        encrypted-password "{M}";'),
    ("juniper_junos", '        10.1.1.1 secret "$9$dfsdf8sdf";', f'        10.1.1.1 secret "{M}";'),
    ("juniper_junos", "snmp {\n    community Rd0nly-Jun0s {\n        authorization read-only;\n"
     "    }\n    community Wr1teJ;\n}",
     f"snmp {{\n    community {M} {{\n        authorization read-only;\n    }}\n"
     f"    community {M};\n}}"),
    ("juniper_junos", '                    md5 1 key "$9$Md5KeyJ";',
     f'                    md5 1 key "{M}";'),
    ("juniper_junos", '            authentication-key "$9$BgpKeyJ";',
     f'            authentication-key "{M}";'),
    ("juniper_junos", 'set system root-authentication encrypted-password "$6$abc$XYZset"',
     f'set system root-authentication encrypted-password "{M}"'),
    ("juniper_junos", "set snmp community publicJ authorization read-only",
     f"set snmp community {M} authorization read-only"),
    ("juniper_junos", 'set security ike policy P pre-shared-key ascii-text "$9$IkePsk"',
     f'set security ike policy P pre-shared-key ascii-text "{M}"'),
    # Huawei VRP
    ("huawei", " local-user netops password irreversible-cipher $1c$8o(P1xR~x$Yk7",
     f" local-user netops password irreversible-cipher {M}"),
    ("huawei", " local-user admin password cipher %^%#Lz=2!Oq~$%^%#",
     f" local-user admin password cipher {M}"),
    ("huawei", "super password level 15 cipher %^%#aB3#%^%#",
     f"super password level 15 cipher {M}"),
    ("huawei", "snmp-agent community read cipher %^%#Rd0nly%^%#",
     f"snmp-agent community read cipher {M}"),
    ("huawei", "snmp-agent community write Wr1tePlain", f"snmp-agent community write {M}"),
    ("huawei", "snmp-agent usm-user v3 nms authentication-mode sha cipher %^%#A1%^%# "
     "privacy-mode aes128 cipher %^%#P1%^%#",
     f"snmp-agent usm-user v3 nms authentication-mode sha cipher {M} privacy-mode aes128 "
     f"cipher {M}"),
    ("huawei", "snmp-agent target-host trap address udp-domain 10.1.1.1 params securityname "
     "cipher %^%#S1%^%# v2c", "snmp-agent target-host trap address udp-domain 10.1.1.1 params "
     f"securityname cipher {M} v2c"),
    ("huawei", " hwtacacs-server shared-key cipher %^%#T1%^%#",
     f" hwtacacs-server shared-key cipher {M}"),
    ("huawei", " radius-server shared-key cipher %^%#R1%^%#",
     f" radius-server shared-key cipher {M}"),
    ("huawei", " set authentication password cipher %^%#V1%^%#",
     f" set authentication password cipher {M}"),
    ("huawei", " ospf authentication-mode md5 1 cipher %^%#O1%^%#",
     f" ospf authentication-mode md5 1 cipher {M}"),
    ("huawei", " peer 10.0.0.2 password cipher %^%#B1%^%#", f" peer 10.0.0.2 password cipher {M}"),
    # H3C Comware
    ("hp_comware", " password hash $h$6$Jz4+$abc==", f" password hash {M}"),
    ("hp_comware", " password simple Adm1nPw", f" password simple {M}"),
    ("hp_comware", "super password role network-admin hash $h$6$xyzSup",
     f"super password role network-admin hash {M}"),
    ("hp_comware", "snmp-agent community read simple publicH3c",
     f"snmp-agent community read simple {M}"),
    ("hp_comware", "snmp-agent community write cipher $c$3$Wr1te==",
     f"snmp-agent community write cipher {M}"),
    ("hp_comware", "snmp-agent usm-user v3 nms grp simple authentication-mode sha AuthPw1 "
     "privacy-mode aes128 PrivPw1",
     f"snmp-agent usm-user v3 nms grp simple authentication-mode sha {M} privacy-mode "
     f"aes128 {M}"),
    ("hp_comware", "snmp-agent target-host trap address udp-domain 10.1.1.1 params securityname "
     "TrapH3c v2c", "snmp-agent target-host trap address udp-domain 10.1.1.1 params "
     f"securityname {M} v2c"),
    ("hp_comware", " key authentication cipher $c$3$K1==", f" key authentication cipher {M}"),
    ("hp_comware", " key authorization simple K2plain", f" key authorization simple {M}"),
    ("hp_comware", " ospf authentication-mode md5 1 cipher $c$3$O1==",
     f" ospf authentication-mode md5 1 cipher {M}"),
    ("hp_comware", " peer 10.0.0.2 password simple BgpPlain",
     f" peer 10.0.0.2 password simple {M}"),
]

# Lines that look close to a secret but are not one: they must come through untouched.
UNTOUCHED: list[tuple[str, str]] = [
    ("cisco_nxos", "no password strength-check"),
    ("cisco_ios", "service password-encryption"),
    ("cisco_xe", "password encryption aes"),
    ("cisco_ios", "key chain OSPF-KC\n key 1"),
    ("cisco_ios", "interface Gi1/0/1\n description password reset desk, key 7 cabinet"),
    ("cisco_ios", "snmp-server host 10.0.0.7 version 3 priv NMSUSER"),
    ("cisco_nxos", "snmp-server host 10.250.0.21 use-vrf management"),
    ("cisco_ios", "snmp-server group NMSGRP v3 priv"),
    ("arista_eos", "username ops nopassword"),
    ("juniper_junos", "policy-options {\n    community CUST-A members 65000:100;\n}"),
    ("juniper_junos", "set policy-options community CUST-A members 65000:100"),
    ("huawei", "ssh server cipher aes256_ctr aes128_ctr"),
    ("hp_comware", "ssh2 algorithm cipher aes128-ctr"),
    ("huawei", "user-interface vty 0 4\n authentication-mode aaa"),
]


@pytest.mark.parametrize("platform, line, expected", CASES,
                         ids=[f"{p}-{i}" for i, (p, _, _) in enumerate(CASES)])
def test_each_secret_is_masked_and_the_line_kept(platform, line, expected):
    masked = mask_config(line + "\n", platform)
    assert masked == expected + "\n"
    assert mask_config(masked, platform) == masked  # idempotent


@pytest.mark.parametrize("platform, text", UNTOUCHED)
def test_look_alikes_are_left_alone(platform, text):
    assert mask_config(text + "\n", platform) == text + "\n"


def test_all_seven_switch_platforms_are_covered():
    from stormguard.model import SWITCH_PLATFORMS

    assert {p for p, _, _ in CASES} == set(SWITCH_PLATFORMS)


@pytest.mark.parametrize("platform", sorted({p for p, _, _ in CASES}))
def test_a_whole_config_keeps_its_lines_and_line_endings(platform):
    cases = [(line, expected) for p, line, expected in CASES if p == platform]
    text = "".join(f"{line}\r\n" for line, _ in cases)
    masked = mask_config(text, platform)
    assert masked.count("\r\n") == text.count("\r\n")
    assert masked == "".join(f"{expected}\r\n" for _, expected in cases)


def test_unknown_platform_is_detected_from_the_text():
    text = (EXAMPLES / "cisco_nxos-violations.cfg").read_text()
    assert mask_config(text, None) == mask_config(text, "cisco_nxos") != text


def test_vswitch_bundles_are_not_touched():
    for name in ("ovs-violations.json", "linux_bridge-violations.json"):
        text = (EXAMPLES / name).read_text()
        assert mask_config(text, name.split("-")[0]) == text


def _findings(text: str, platform: str) -> list[tuple]:
    from stormguard.engine import audit
    from stormguard.parsers import parse_config
    from stormguard.policy import load_policy

    policy = load_policy([])
    out = []
    for dev in parse_config(text, platform, source="x"):
        for f in audit([dev], policy).findings:
            out.append((f.device, f.rule, f.severity, f.interface, f.line, f.message,
                        f.expected, f.actual, f.remediation))
    return out


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir()
                                           if p.is_file() and not p.name.startswith(".")))
def test_lint_findings_are_unchanged_by_masking(example):
    from stormguard.parsers.detect import detect_platform

    text = (EXAMPLES / example).read_text()
    platform = detect_platform(text, example)
    masked = mask_config(text, platform)
    assert _findings(masked, platform) == _findings(text, platform)


def test_lint_findings_are_unchanged_with_every_case_added():
    """The examples with every secret line of their platform appended, masked and not."""
    from stormguard.parsers.detect import detect_platform

    for example in sorted(EXAMPLES.glob("*-violations.*")):
        text = example.read_text()
        platform = detect_platform(text, example.name)
        extra = [line for p, line, _ in CASES if p == platform and platform != "juniper_junos"]
        if not extra:
            continue
        full = text.rstrip("\n") + "\n" + "\n".join(extra) + "\n"
        masked = mask_config(full, platform)
        assert masked != full
        assert _findings(masked, platform) == _findings(full, platform)


# --------------------------------------------------------------------------- store boundary
SECRET_WORDS = ["Rd0nly-Sw1tch", "0822455D0A16544541", "$9$Zq3w1Xy7AbCdEf", "TrapComm2"]


def _config() -> str:
    return (EXAMPLES / "cisco_ios-violations.cfg").read_text() + \
        "snmp-server host 10.0.0.5 version 2c TrapComm2 udp-port 162\n"


def _raw_db(path: Path) -> bytes:
    """Every byte the database holds, blobs decompressed."""
    import sqlite3

    con = sqlite3.connect(path)
    out = [path.read_bytes()]
    for (data,) in con.execute("SELECT data FROM blobs"):
        out.append(zlib.decompress(data))
    con.close()
    return b"".join(out)


def test_the_store_masks_by_default(tmp_path):
    from stormguard.store import Store

    db = tmp_path / "s.db"
    with Store.open(f"sqlite:///{db}", keep_secrets=False) as s:
        rid = s.start_run("collect")
        sid, _ = s.save_snapshot(rid, "sw1", "cisco_ios", _config())
        s.finish_run(rid, "ok")
        stored = s.config_text(sid)
    assert "snmp-server community <removed> RO SNMP-RO" in stored
    assert len(stored.splitlines()) == len(_config().splitlines())
    raw = _raw_db(db)
    assert not [w for w in SECRET_WORDS if w.encode() in raw]


def test_keep_secrets_keeps_them(tmp_path):
    from stormguard.store import Store

    with Store.open(f"sqlite:///{tmp_path / 's.db'}", keep_secrets=True) as s:
        rid = s.start_run("collect")
        sid, _ = s.save_snapshot(rid, "sw1", "cisco_ios", _config())
        assert s.config_text(sid) == _config()


def test_the_setting_comes_from_stormguard_yaml_and_the_environment(tmp_path, monkeypatch):
    from stormguard.config import load_config
    from stormguard.errors import ConfigError

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STORMGUARD_CONFIG", raising=False)
    monkeypatch.delenv("STORMGUARD_STORE__KEEP_SECRETS", raising=False)
    assert keep_secrets_setting() is False
    (tmp_path / "stormguard.yaml").write_text("store:\n  keep_secrets: true\n")
    assert keep_secrets_setting() is True
    assert load_config().store.keep_secrets is True
    monkeypatch.setenv("STORMGUARD_STORE__KEEP_SECRETS", "false")
    assert keep_secrets_setting() is False
    assert load_config().store.keep_secrets is False
    monkeypatch.delenv("STORMGUARD_STORE__KEEP_SECRETS")
    (tmp_path / "stormguard.yaml").write_text("store:\n  keep_secrets: maybe\n")
    with pytest.raises(ConfigError, match=r"store\.keep_secrets"):
        keep_secrets_setting()
    with pytest.raises(ConfigError, match=r"store\.keep_secrets"):
        load_config()


def test_diff_masks_secrets_kept_in_the_store_unless_asked(tmp_path):
    """Two snapshots written the way `keep_secrets: true` would, then `stormguard diff` (and
    `--show-secrets`) through the CLI; and a masked store never holds the values."""
    import os
    import subprocess
    import sys

    from stormguard.store import Store

    db = tmp_path / "s.db"
    url = f"sqlite:///{db}"
    old = _config()
    new = old.replace("TrapComm2", "TrapComm3") + "vlan 999\n"
    with Store.open(url, keep_secrets=True) as s:
        for text in (old, new):
            rid = s.start_run("collect")
            s.save_snapshot(rid, "sw1", "cisco_ios", text)
            s.finish_run(rid, "ok")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORMGUARD_")}
    env["STORMGUARD_DATABASE_URL"] = url

    def sg(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "stormguard", *args], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=60)

    shown = sg("diff", "sw1")
    assert shown.returncode == 0, shown.stderr
    assert "+vlan 999" in shown.stdout
    assert "TrapComm" not in shown.stdout  # only a secret changed on that line: no diff line
    full = sg("diff", "sw1", "--show-secrets")
    assert "-snmp-server host 10.0.0.5 version 2c TrapComm2 udp-port 162" in full.stdout
    assert "+snmp-server host 10.0.0.5 version 2c TrapComm3 udp-port 162" in full.stdout
