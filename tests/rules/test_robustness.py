"""Property test: any combination of port settings the model allows audits without an error."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sgrules_kit import run

from stormguard.model import PLATFORMS, Device, StormControl
from stormguard.vlans import VlanSet

tri = st.sampled_from([None, True, False])
vlan_sets = st.one_of(
    st.none(), st.just(VlanSet.all()), st.just(VlanSet.none()),
    st.lists(st.integers(1, 4094), max_size=6).map(VlanSet.of),
    st.tuples(st.integers(1, 4094), st.integers(1, 4094)).map(lambda t: VlanSet.from_range(*t)),
)
storm = st.one_of(st.none(), st.builds(
    lambda lvl, unit, ln: StormControl("broadcast", lvl, unit, line=ln, lines={"level": ln}),
    st.one_of(st.none(), st.floats(0, 1e10, allow_nan=False)),
    st.sampled_from(["percent", "pps", "bps"]), st.one_of(st.none(), st.integers(1, 999))))


@st.composite
def devices(draw) -> Device:
    dev = Device(hostname=draw(st.text(min_size=1, max_size=8)), platform=draw(
        st.sampled_from(PLATFORMS)))
    stp = dev.stp
    stp.enabled = draw(st.booleans())
    stp.edge_default = draw(st.booleans())
    stp.edge_default_trunk = draw(st.booleans())
    stp.bpdu_guard_default = draw(st.booleans())
    stp.bpdu_filter_default = draw(st.booleans())
    stp.disabled_vlans = draw(vlan_sets) or VlanSet.none()
    n = draw(st.integers(0, 6))
    for i in range(n):
        iface = dev.interface(f"Eth{i}", draw(st.one_of(st.none(), st.integers(1, 500))))
        iface.kind = draw(st.sampled_from(["physical", "aggregate", "vlan", "other"]))
        iface.description = draw(st.sampled_from(["", "esx-1 uplink", "core", "printer"]))
        iface.shutdown = draw(st.booleans())
        iface.switched = draw(tri)
        iface.mode = draw(st.sampled_from([None, "access", "trunk"]))
        iface.access_vlan = draw(st.one_of(st.none(), st.integers(1, 4094)))
        iface.allowed_vlans = draw(vlan_sets)
        iface.edge = draw(tri)
        iface.edge_trunk = draw(st.booleans())
        iface.bpdu_guard = draw(tri)
        iface.bpdu_filter = draw(tri)
        iface.stp_disabled = draw(st.booleans())
        if i and draw(st.booleans()):
            iface.channel_group = draw(st.sampled_from(["Eth0", "Po9"]))
        sc = draw(storm)
        if sc is not None:
            iface.storm_control["broadcast"] = sc
        iface.storm_actions = set(draw(st.lists(st.sampled_from(["trap", "shutdown", "block"]),
                                                max_size=2)))
    return dev


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(devices())
def test_audit_never_fails_on_any_model(dev: Device) -> None:
    res = run(dev)
    assert res.errors == []
    for f in res.findings:
        assert f.rule.startswith("SG") and f.message and f.device == dev.hostname
        assert f.interface is None or f.interface in dev.interfaces
