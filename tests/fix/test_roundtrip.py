"""The fix round trip, over every example, lint and parser fixture, and fuzzed configs of
every switch platform: the fixed config re-lints with none of the fixed findings and no new
finding, and parses without new warnings. A finding the fixer leaves alone must say why, and
the reason must be one of the documented ones (:data:`ALLOWED_SKIPS`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fixconfigs import PLATFORM_CONFIGS
from hypothesis import HealthCheck, given, settings

from stormguard.engine import audit
from stormguard.errors import InputError
from stormguard.fix import audit_full, fix_config
from stormguard.parsers import parse_config
from stormguard.policy import load_policy

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    [p for p in (ROOT / "examples").iterdir() if p.is_file()]
    + list((ROOT / "tests" / "lint" / "fixtures").glob("*.cfg"))
    + [p for d in (ROOT / "tests").glob("parsers_*/fixtures") for p in d.iterdir()
       if p.is_file()]
)
#: Why a finding may be left unfixed: each is a case where guessing would be unsafe.
ALLOWED_SKIPS = (
    # vSwitch state is collected from the host, not a file: the fix is shell commands
    re.compile(r"^vSwitch state is not a file to edit"),
    # SG101 on a device whose VLAN database is (nearly) every VLAN, or empty: the VLANs the
    # far end needs cannot be derived from the config
    re.compile(r"^the device defines \d+ VLANs, as good as all"),
    re.compile(r"^the VLANs this trunk needs are not known"),
    # a value inherited from a Junos group: the group's stanza is where it must change
    re.compile(r"^the value is inherited from Junos group"),
    # a threshold unit the platform cannot express / no policy maximum in that unit
    re.compile(r"storm-control has no .* level"),
    re.compile(r"^the policy sets no maximum in"),
    # Junos ELS: a trunk carrying more VLANs than VSTP runs: MSTP or pruning is a design choice
    re.compile(r"VLANs: more than VSTP runs on most EX/QFX models"),
    # SG304 with no log_host in the policy: the collector's address cannot be guessed
    re.compile(r"^the policy names no syslog collector"),
)
POLICY = load_policy([])


def _keys(findings) -> set[tuple[str, str, str]]:
    return {(f.rule, f.device, f.interface or "") for f in findings if not f.waived}


def _warnings(devices) -> set[str]:
    return {re.sub(r"^line \d+: ", "", w) for d in devices for w in d.warnings}


def check_round_trip(text: str, platform: str | None = None, source: str = "") -> None:
    devices = parse_config(text, platform, source=source)
    before = audit_full(devices, POLICY, audit)
    res = fix_config(text, platform=platform, policy=POLICY, source=source)
    # the fixer applied every snippet it was given (a failure is a gap in stormguard)
    assert not res.failed, res.failed
    for f, why in res.skipped:
        # left alone only where the snippet says why (or on a vSwitch); the reasons of the
        # rules in this tree are listed, so a new kind of "cannot fix" is a reviewed change
        assert why and any(rx.search(why) for rx in ALLOWED_SKIPS), (f.rule, f.interface, why)
    plat = devices[0].platform
    again = parse_config(res.text, plat, source=source)
    after = audit_full(again, POLICY, audit)
    fixed = _keys(res.applied)
    assert not fixed & _keys(after), f"still there after the fix:\n{res.text}"
    assert not _keys(after) - _keys(before), f"new findings after the fix:\n{res.text}"
    assert not _warnings(again) - _warnings(devices), f"new parser warnings:\n{res.text}"
    # every finding was either fixed or left with a reason
    assert {(f.rule, f.interface) for f in before if not f.waived} <= {
        (f.rule, f.interface) for f in res.applied} | {
        (f.rule, f.interface) for f, _ in res.skipped}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_example_and_fixture_round_trips(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        parse_config(text, None, source=str(path))
    except InputError as exc:  # a fixture of what lint refuses: fix refuses it the same way
        with pytest.raises(InputError) as refused:
            fix_config(text, policy=POLICY, source=str(path))
        assert str(refused.value) == str(exc)
        return
    check_round_trip(text, source=str(path))


def test_the_corpus_has_every_switch_platform() -> None:
    platforms = set()
    for path in FILES:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            platforms |= {d.platform for d in parse_config(text, None, source=str(path))}
        except InputError:
            continue  # a fixture of a refused file (checked above)
    assert {"cisco_ios", "cisco_nxos", "arista_eos", "huawei", "hp_comware",
            "juniper_junos"} <= platforms


_PLATFORM = {"huawei-ce": "huawei", "hp_comware-v5": "hp_comware",
             "juniper_junos-curly": "juniper_junos"}


@pytest.mark.parametrize("kind", sorted(PLATFORM_CONFIGS))
def test_fuzzed_configs_round_trip(kind: str) -> None:
    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(PLATFORM_CONFIGS[kind])
    def prop(text: str) -> None:
        check_round_trip(text, _PLATFORM.get(kind, kind))

    prop()
