"""Policy packs: loading, merging, strict validation with file:line errors."""

from __future__ import annotations

import pytest
from sgrules_kit import write_pack

from stormguard.errors import ConfigError
from stormguard.policy import default_pack, load_policy


def test_default_pack_loads_with_every_rule() -> None:
    pol = load_policy()
    assert [r.name for r in pol.roles] == ["peer-link", "hypervisor-esxi", "hypervisor",
                                           "inter-switch"]
    assert pol.include_admin_down is False
    assert {"SG101", "SG201", "SG302", "SG401", "SG402"} <= set(pol.rules)
    assert pol.params_for("SG302", {})["max_pps"] == 10000
    assert pol.sources == [str(default_pack())]


def test_example_site_pack_loads() -> None:
    pol = load_policy([default_pack().parent / "example-site.yaml"])
    hv = pol.role_named("hypervisor")
    assert hv is not None and hv.permitted_vlans is not None and hv.description is not None
    assert pol.waivers and all(w.owner and w.reason for w in pol.waivers)


def test_no_defaults() -> None:
    pol = load_policy(defaults=False)
    assert pol.roles == [] and pol.rules == {}


def test_merge_key_by_key(tmp_path) -> None:
    a = write_pack(tmp_path, "rules:\n  SG302: {max_percent: 5}\n", "a.yaml")
    b = write_pack(tmp_path, "rules:\n  SG302: {severity: high}\n", "b.yaml")
    pol = load_policy([a, b])
    assert pol.params_for("SG302", {"max_percent": 10, "max_pps": 1})["max_percent"] == 5
    assert pol.severity_for("SG302", "medium") == "high"


def test_role_merge_keeps_selector_and_can_drop_it(tmp_path) -> None:
    a = write_pack(tmp_path, "roles:\n  hypervisor: {permitted_vlans: '10-20'}\n", "a.yaml")
    hv = load_policy([a]).role_named("hypervisor")
    assert hv.description is not None and hv.description.search("KVM-1")
    assert list(hv.permitted_vlans) == list(range(10, 21))
    b = write_pack(tmp_path, "roles:\n  hypervisor: {description: null, interface: 'Gi*'}\n",
                   "b.yaml")
    hv2 = load_policy([b]).role_named("hypervisor")
    assert hv2.description is None and hv2.interface == ("Gi*",)


def test_rule_disable_shorthand(tmp_path) -> None:
    pack = write_pack(tmp_path, "rules:\n  SG303: false\n  sg101: {enabled: false}\n")
    pol = load_policy([pack])
    assert not pol.rule_enabled("SG303") and not pol.rule_enabled("SG101")
    assert pol.rule_enabled("SG201")


@pytest.mark.parametrize(("text", "where", "what"), [
    ("rules:\n  SG999: {enabled: true}\n", ":2:", "rules.SG999: unknown rule ID"),
    ("rules:\n  SG302:\n    max_percent: ten\n", ":3:",
     "rules.SG302.max_percent: must be a number"),
    ("rules:\n  SG302:\n    max_percnt: 5\n", ":3:",
     "rules.SG302.max_percnt: unknown key for SG302"),
    ("rules:\n  SG101: {severity: urgent}\n", ":2:", "rules.SG101.severity: must be one of"),
    ("rules:\n  SG101: {enabled: 1}\n", ":2:", "rules.SG101.enabled: must be true or false"),
    ("rules:\n  SG101:\n    all_threshold:\n", ":3:",
     "rules.SG101.all_threshold: must not be empty"),
    ("rules:\n  SG202: {roles: 5}\n", ":2:", "rules.SG202.roles: must be a string or a list"),
    ("version: 1\nrulez: {}\n", ":2:", "rulez: unknown key"),
    ("version: 2\n", ":1:", "version: only version 1"),
    ("scope:\n  include_admin_down: maybe\n", ":2:", "scope.include_admin_down: must be true"),
    ("roles:\n  hv:\n    description: '(['\n", ":3:", "roles.hv.description: bad regular"),
    ("roles:\n  hv:\n    selector: x\n", ":3:", "roles.hv.selector: unknown key"),
    ("roles:\n  hv:\n    permitted_vlans: '10,abc'\n", ":3:", "roles.hv.permitted_vlans: bad VLAN"),
    ("roles:\n  hv:\n    permitted_vlans: '5000'\n", ":3:", "roles.hv.permitted_vlans: bad VLAN"),
    ("roles:\n  trunk: {}\n", ":2:", "roles.trunk: 'trunk' is the fallback role"),
    ("role_order: [nope]\n", ":1:", "role_order[0]: unknown role 'nope'"),
    ("rules:\n  SG301:\n    exempt_roles: [interswitch]\n", ":3:",
     "rules.SG301.exempt_roles: unknown role 'interswitch'"),
    ("waivers:\n  - rule: SG101\n    reason: x\n", ":2:", "waivers[0]: a waiver needs 'owner'"),
    ("waivers:\n  - rule: SG777\n    reason: x\n    owner: y\n", ":2:",
     "waivers[0].rule: unknown rule ID"),
    ("waivers:\n  - {rule: SG101, reason: x, owner: y, expires: 31/12/2026}\n", ":2:",
     "waivers[0].expires: must be a date"),
    ("waivers:\n  - {rule: SG101, reason: x, owner: y, when: 1}\n", ":2:",
     "waivers[0].when: unknown key"),
    ("rules:\n  SG101: {}\n  SG101: {}\n", ":3:", "rules.SG101: duplicate key"),
    ("rules: [\n", ":2:", "invalid YAML"),
    ("rules: !!python/object:os.system {}\n", ":1:", "rules: unsupported YAML tag"),
    ("rules:\n  SG101: {all_threshold: !!binary aGVsbG8=}\n", ":2:",
     "rules.SG101.all_threshold: unsupported YAML tag"),
    ("- just\n- a list\n", ":1:", "a policy pack must be a mapping"),
])
def test_validation_errors_name_file_line_and_key(tmp_path, text, where, what) -> None:
    pack = write_pack(tmp_path, text, "policy.yaml")
    with pytest.raises(ConfigError) as exc:
        load_policy([pack])
    msg = str(exc.value)
    assert msg.startswith(f"{pack}{where} "), msg
    assert what in msg, msg
    assert "\n" not in msg


def test_unreadable_files(tmp_path) -> None:
    with pytest.raises(ConfigError, match="policy file not found"):
        load_policy([tmp_path / "missing.yaml"])
    binary = tmp_path / "nul.yaml"
    binary.write_bytes(b"\xff\xfe\x00rules")
    with pytest.raises(ConfigError, match="binary"):
        load_policy([binary])
    bad = tmp_path / "bin.yaml"
    bad.write_bytes(b"rules: \xff\xfe\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_policy([bad])


def test_empty_pack_is_fine(tmp_path) -> None:
    pol = load_policy([write_pack(tmp_path, "# nothing\n")])
    assert len(pol.roles) == 4


def test_cli_reports_policy_error_on_one_line(tmp_path, capsys) -> None:
    from stormguard.cli import main

    pack = write_pack(tmp_path, "rules:\n  SG302:\n    max_percent: ten\n", "policy.yaml")
    assert main(["rules", "--policy", str(pack)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"stormguard rules: error: {pack}:3: rules.SG302.max_percent: "
                   "must be a number")
