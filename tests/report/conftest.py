"""Fixtures for the report tests: hostile report data, a real SQLite store, real Chromium."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stormguard.findings import Finding, Waiver
from stormguard.report.build import DeviceRef, compose_report
from stormguard.report.data import FailureItem, ReportData, RunInfo, TrendPoint

NOW = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)
XSS_SCRIPT = "<script>alert('desc')</script>"
XSS_IMG = '"><img src=x onerror="alert(1)">'
XSS_COMMENT = "<!-- </script><script>alert(2)</script>"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def finding(rule: str, severity: str, device: str, interface: str | None, **kw) -> Finding:
    kw.setdefault("message", f"{rule} violated on {interface or device}")
    return Finding(rule=rule, severity=severity, device=device, platform=kw.pop(
        "platform", "cisco_ios"), interface=interface, line=kw.pop("line", 10), **kw)


@pytest.fixture
def hostile_report() -> ReportData:
    """A small report whose every free-text field carries an XSS payload."""
    devices = [
        DeviceRef("core-1", "cisco_ios", "ams", description=XSS_SCRIPT + " " + XSS_IMG),
        DeviceRef("edge-2", "arista_eos", "fra", description="plain rack 4"),
        DeviceRef("hv-3", "ovs", "fra"),
        DeviceRef("ok-4", "juniper_junos", "ams"),
        DeviceRef(XSS_IMG, "huawei", XSS_SCRIPT),
    ]
    waiver = Waiver(rule="bpdu-guard", device="edge-2", interface="Ethernet7",
                    reason=XSS_COMMENT, owner="netops <ops@example.net>",
                    expires=(NOW + timedelta(days=5)).date().isoformat(), source="p.yaml:3")
    findings = [
        finding("stp-enabled", "critical", "core-1", None, message="STP is off " + XSS_IMG,
                expected="spanning-tree mode rapid-pvst", actual="no spanning-tree " + XSS_SCRIPT,
                remediation="spanning-tree mode rapid-pvst\n" + XSS_COMMENT),
        finding("trunk-allowed-vlans", "high", "core-1", "Gi1/0/1", actual="1-4094",
                expected="10,20", remediation="interface Gi1/0/1\n switchport trunk allowed "
                "vlan 10,20"),
        finding("trunk-allowed-vlans", "high", "edge-2", "Ethernet1"),
        finding("storm-control-broadcast", "medium", "edge-2", "Ethernet2"),
        finding("storm-control-broadcast", "medium", "hv-3", "vnet0", platform="ovs"),
        finding("native-vlan", "info", "hv-3", "vnet1", platform="ovs"),
        finding("bpdu-guard", "low", "edge-2", "Ethernet7", waived=True, waiver=waiver),
        finding("bpdu-guard", "low", XSS_IMG, "Gi0/" + XSS_SCRIPT, message=XSS_SCRIPT),
    ]
    previous = [
        finding("trunk-allowed-vlans", "high", "core-1", "Gi1/0/1"),
        finding("storm-control-broadcast", "medium", "edge-2", "Ethernet2"),
        finding("edge-port-on-hypervisor", "high", "hv-3", "vnet9"),
        finding("stp-enabled", "critical", "sw-down-9", None),  # failed now: not "resolved"
    ]
    failures = [FailureItem("sw-down-9", "lon", "timeout", "sw-down-9: timeout after 60 s "
                            + XSS_SCRIPT)]
    trend = [TrendPoint(run_id=40 + i, at=(NOW - timedelta(days=9 - i)).isoformat(),
                        counts={"info": 1, "low": i % 3, "medium": 2 + i % 2, "high": 3 + i,
                                "critical": 1 if i > 5 else 0}) for i in range(10)]

    class Storm:
        host, iface = "hv-3", "br-" + XSS_SCRIPT
        started_at = NOW - timedelta(hours=3)
        ended_at = NOW - timedelta(hours=3) + timedelta(seconds=95)
        peak_pps, frames, vlans = 48000.0, 2_500_000, [10, 20]

    return compose_report(
        run=RunInfo(id=49, kind="nightly", trigger="schedule", status="partial",
                    started_at=(NOW - timedelta(minutes=5)).isoformat(),
                    finished_at=NOW.isoformat(), duration_s=300.0),
        findings=findings, devices=devices, failures=failures, previous_findings=previous,
        previous_run_id=48, rules=["stp-enabled", "trunk-allowed-vlans", "bpdu-guard",
                                   "storm-control-broadcast", "native-vlan",
                                   "edge-port-on-hypervisor"],
        waivers=[waiver, Waiver(rule="x", expires=(NOW + timedelta(days=40)).date().isoformat())],
        trend=trend, storm_events=[Storm()], now=NOW)


@pytest.fixture
def store(tmp_path: Path):
    from stormguard.store import Store

    with Store.open(f"sqlite:///{tmp_path / 'sg.db'}") as s:
        yield s


@pytest.fixture(scope="session")
def browser_context():
    """One headless system Chromium for the session (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup.sh")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="sg-report-chromium-")
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1300, "height": 900})
        try:
            yield ctx
        finally:
            ctx.close()
            shutil.rmtree(profile, ignore_errors=True)


class PageWatch:
    """A page plus everything that would betray a problem: console errors, dialogs, requests."""

    def __init__(self, page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)
        page.on("request", lambda r: self.requests.append(r.url))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def open_report(browser_context, tmp_path):
    pages = []

    def _open(html: str, name: str = "report.html", fragment: str = "") -> PageWatch:
        path = tmp_path / name
        path.write_text(html, encoding="utf-8")
        watch = PageWatch(browser_context.new_page())
        pages.append(watch.page)
        watch.page.goto(path.as_uri() + fragment)
        watch.page.wait_for_selector("html[data-ready]", timeout=30000)
        return watch

    yield _open
    for p in pages:
        p.close()
