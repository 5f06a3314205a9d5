"""One incident, one page: a storm's syslog burst from three switches plus the sniffer's own
storm events become one incident in the store and one firing + one resolved alert, through the
real outbox to a real webhook receiver and a real Alertmanager (labels: site, VLANs, devices)."""

from __future__ import annotations

import time

from stormguard.alerts.dispatcher import Alerter
from stormguard.config import AlertChannel, AlertsConfig
from stormguard.signals.catalogue import E
from stormguard.signals.hub import IncidentHub
from stormguard.signals.incidents import Correlator
from stormguard.signals.receiver import Receiver, SenderMap
from stormguard.signals.store import SignalStore

T0 = time.time() - 120  # recent: Alertmanager ignores alerts that ended long ago
EX = {e.key: e.example for e in E}


class _H:
    def __init__(self, name: str, addr: str, platform: str) -> None:
        self.name, self.hostname, self.platform, self.site = name, addr, platform, "dc1"


def _burst() -> list[tuple[str, str]]:
    """(sender address, message) as three switches log a loop through a hypervisor."""
    lines = []
    for i in range(10):
        lines.append(("192.0.2.1", EX["SW_MATM-MACFLAP_NOTIF"]))
        lines.append(("192.0.2.2", EX["L2FM-L2FM_MAC_MOVE"]))
        lines.append(("192.0.2.3", EX["ETH-HOST_FLAPPING"]))
        if i == 5:
            lines.append(("192.0.2.1", EX["STORM_CONTROL-FILTERED"]))
            lines.append(("192.0.2.3", EX["STORMCONTROL-STORMCONTROL_DROP"]))
    return lines


def _sniffer(kind: str, t: float, pps: float) -> dict:
    return {"event": kind, "id": "sniff-1", "iface": "eth1", "ts": t, "started_at": T0 + 0.3,
            "pps": pps, "peak_pps": pps, "frames": 1000, "vlans": [{"vlan": 10, "frames": 900}],
            "evidence": ["duplicate-frames"]}


def test_syslog_burst_from_three_switches_plus_sniffer_is_one_incident_one_alert(
        store, webhook, alertmanager) -> None:
    cfg = AlertsConfig(channels=[
        AlertChannel(name="hook", type="webhook", url=webhook.url),
        AlertChannel(name="am", type="alertmanager", url=alertmanager.url),
    ], reminder_minutes=60)
    alerter = Alerter(store, cfg, host="collector-dc1")
    senders = SenderMap.from_hosts([_H("core1", "192.0.2.1", "cisco_ios"),
                                    _H("nx1", "192.0.2.2", "cisco_nxos"),
                                    _H("leaf1", "192.0.2.3", "arista_eos")])
    sigstore = SignalStore(store)
    hub = IncidentHub(correlator=Correlator(window_s=60, quiet_s=30, sites=dict(senders.site)),
                      signal_store=sigstore, alerter=alerter, sniffer_device="hv-07")
    hub.correlator.sites["hv-07"] = "dc1"
    receiver = Receiver(senders=senders)

    hub.on_storm_event(_sniffer("storm-start", T0 + 0.3, 25000))
    for i, (addr, line) in enumerate(_burst()):
        sig = receiver.feed(line.encode(), addr, received_at=T0 + 0.5 + i * 0.1)
        assert sig is not None
        hub.on_signal(sig)
    for _ in range(3):
        alerter.deliver_due()
    (active,) = alertmanager.alerts()  # paged once, while the storm runs
    labels = active["labels"]
    assert labels["site"] == "dc1" and labels["vlans"] == "10" and labels["devices"] == "hv-07"
    hub.on_storm_event(_sniffer("storm-update", T0 + 2, 31000))
    hub.on_storm_event(_sniffer("storm-end", T0 + 8, 40))
    hub.tick(T0 + 8 + 31)

    (inc,) = sigstore.incidents()
    assert inc.ended_at is not None
    assert sorted(inc.devices) == ["core1", "hv-07", "leaf1", "nx1"]
    assert inc.sites == ["dc1"] and 10 in inc.vlans and inc.peak_pps == 31000
    assert inc.evidence["syslog"] == {"mac-flap": 30, "storm-control": 2}
    assert inc.evidence["sniffer"] == {"storm": 3}
    signals = sigstore.signals()
    assert len(signals) == 32 and {s.device for s in signals} == {"core1", "nx1", "leaf1"}

    for _ in range(5):
        alerter.deliver_due()
    statuses = [b["status"] for b in webhook.bodies()]
    assert statuses == ["firing", "resolved"]  # 35 pieces of evidence, one page
    firing, resolved = webhook.bodies()
    assert firing["devices"] == ["hv-07"]  # paged on the first evidence, within the second
    assert sorted(resolved["devices"]) == ["core1", "hv-07", "leaf1", "nx1"]
    assert resolved["sites"] == ["dc1"] and len(resolved["ports"]) >= 6
    assert store.storm_events() == []  # incidents are not storm-event rows
    # the resolution carries the labels of the firing alert, so it resolves that one alert
    deadline = time.monotonic() + 10
    while alertmanager.alerts() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert alertmanager.alerts() == []
