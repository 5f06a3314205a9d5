"""The alerter: storm events in, outbox rows out, delivery with retry and backoff.

``on_event`` is the sniffer's event callback. It accepts the sniffer's event object (anything
with ``to_dict()``) or the JSON-line dict (``{"event": "storm-start"|"storm-update"|"storm-end",
"id", "iface", "ts", "pps", "peak_pps", "frames", "vlans", "classes", "top_sources",
"evidence", "coverage"}``). One storm is one ``firing`` alert, a ``reminder`` every
``reminder_minutes`` while it lasts, and one ``resolved`` alert. Each goes into the store's outbox
once per routed channel with a dedupe key (``<storm>:firing``, ``<storm>:reminder:<n>``,
``<storm>:resolved``): replaying an event, or two sniffers sharing a store, never pages twice.

``deliver_due`` sends what is due; failures are retried with exponential backoff (1 s, 2 s, 4 s
... capped at ``max_backoff_s``) forever by default, so a receiver that is down gets everything
once it is back, including across a restart (the outbox is in the store).
"""

from __future__ import annotations

import logging
import socket
import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from stormguard.alerts.channels import DeliveryError, send
from stormguard.alerts.model import SEVERITY_ORDER, Alert

if TYPE_CHECKING:
    from stormguard.config import AlertChannel, AlertsConfig
    from stormguard.store import Store

log = logging.getLogger("stormguard.alerts")


def _event_dict(event: Any) -> dict[str, Any]:
    if isinstance(event, dict):
        return event
    if hasattr(event, "to_dict"):
        return event.to_dict()
    raise TypeError(f"not a storm event: {event!r}")


def _ts(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), UTC)
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return datetime.now(UTC)


def backoff(attempts: int, cap: float) -> float:
    return min(cap, 2.0 ** max(0, attempts - 1))


class Alerter:
    def __init__(self, store: Store, config: AlertsConfig, *, host: str | None = None,
                 severity: str = "critical") -> None:
        self.store = store
        self.config = config
        self.host = host or socket.gethostname()
        self.severity = severity
        self._events: dict[str, tuple[int, int, datetime]] = {}  # key -> (row id, n, last)
        self._scopes: dict[str, dict[str, str]] = {}  # key -> labels as first paged
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- events -> store + outbox ---------------------------------------------------------
    def channels_for(self, severity: str) -> list[AlertChannel]:
        rank = SEVERITY_ORDER.get(severity, 2)
        return [c for c in self.config.channels if SEVERITY_ORDER[c.min_severity] <= rank]

    def on_event(self, event: Any, *, record: bool = True, page: bool = True) -> None:
        """A storm event (or an incident event with ``record=False``: incidents live in their
        own table, so no storm-event row is written for them, but they page the same way).
        ``page=False`` records a storm without paging: when incidents are on, the sniffer's
        storms page through their incident, once, with the switches' evidence."""
        d = _event_dict(event)
        if not page:
            d = {**d, "_no_page": True}
        kind = d.get("event")
        key = str(d.get("id"))
        iface = str(d.get("iface", "?"))
        ts = _ts(d.get("ts"))
        severity = str(d.get("severity") or self.severity)
        fields = {k: d[k] for k in ("pps", "peak_pps", "frames", "vlans", "classes",
                                    "top_sources", "evidence", "coverage") if k in d}
        if isinstance(fields.get("coverage"), int | float):
            fields["coverage"] = {"ratio": fields["coverage"]}
        with self._lock:
            state = self._events.get(key)
            if state is None:
                row = self.store.storm_event_by_key(key) if record else None
                if not record:
                    row_id = 0
                elif row is None:
                    started = _ts(d.get("started_at") or d.get("ts"))
                    row_id = self.store.create_storm_event(
                        iface, self.host, started, key=key, updated_at=ts, **fields)
                else:
                    row_id = row.id
                state = (row_id, 0, ts)
                self._events[key] = state
                self._scopes[key] = scope_labels(d)
                if d.get("devices"):  # an incident: its iface label stays as first paged
                    self._scopes[key]["_iface"] = iface
                if kind != "storm-end":
                    self._enqueue("firing", key, severity, iface, ts, d, fields)
            iface = self._scopes.get(key, {}).get("_iface", iface)
            row_id, n, last = state
            if kind == "storm-update":
                if record:
                    self.store.update_storm_event(row_id, updated_at=ts, **fields)
                if ts - last >= timedelta(minutes=self.config.reminder_minutes):
                    n += 1
                    self._enqueue(f"reminder:{n}", key, severity, iface, ts, d, fields)
                    last = ts
                self._events[key] = (row_id, n, last)
            elif kind == "storm-end":
                if d.get("pcap"):
                    fields["pcap_path"] = d["pcap"]
                if record:
                    self.store.end_storm_event(row_id, _ts(d.get("ended_at") or ts), **fields)
                self._enqueue("resolved", key, severity, iface, ts, d, fields)
                self._events.pop(key, None)
                self._scopes.pop(key, None)
        self._wake.set()

    def _enqueue(self, what: str, key: str, severity: str, iface: str, ts: datetime,
                 d: dict[str, Any], fields: dict[str, Any]) -> None:
        if d.get("_no_page"):
            return
        status = what.split(":", 1)[0]
        row = self.store.storm_event_by_key(key)
        started = row.started_at if row else _ts(d.get("started_at") or ts)
        alert = Alert(
            key=key, status=status, severity=severity, host=self.host, iface=iface,  # type: ignore[arg-type]
            summary=_summary(status, iface, d),
            started_at=started, ended_at=ts if status == "resolved" else None,
            pps=float(d.get("pps") or 0), peak_pps=float(d.get("peak_pps") or 0),
            frames=int(d.get("frames") or 0), vlans=list(d.get("vlans") or []),
            classes=dict(d.get("classes") or {}), top_sources=list(d.get("top_sources") or []),
            evidence=list(d.get("evidence") or []), coverage=fields.get("coverage"), sent_at=ts,
            devices=list(d.get("devices") or []), ports=list(d.get("ports") or []),
            sites=list(d.get("sites") or []),
            scope_labels={k: v for k, v in (self._scopes.get(key) or scope_labels(d)).items()
                          if not k.startswith("_")},
        )
        for ch in self.channels_for(severity):
            self.store.enqueue(ch.name, status, alert.to_payload(), f"{key}:{what}")

    # -- delivery -------------------------------------------------------------------------
    def deliver_due(self, now: datetime | None = None, limit: int = 50) -> tuple[int, int]:
        """Send what is due. Returns (sent, failed)."""
        by_name = {c.name: c for c in self.config.channels}
        sent = failed = 0
        held: dict[str, tuple[datetime, str]] = {}  # channel -> (retry time, error) of a failure
        # only this daemon's channels: another site's daemon on the same store delivers its own
        for item in self.store.claim_due(now, limit, channels=list(by_name)):
            if item.channel in held:
                # keep each channel's alerts in event order: wait behind the failed one
                retry_at, error = held[item.channel]
                self.store.mark_failed(item.id, f"held behind an earlier alert: {error}",
                                       retry_at)
                failed += 1
                continue
            ch = by_name.get(item.channel)
            if ch is None:
                self.store.mark_failed(item.id, f"channel {item.channel!r} is not configured",
                                       None)
                failed += 1
                continue
            try:
                send(ch, Alert.from_payload(item.payload))
            except DeliveryError as exc:
                failed += 1
                give_up = self.config.max_attempts and item.attempts >= self.config.max_attempts
                nxt = None if give_up else datetime.now(UTC) + timedelta(
                    seconds=backoff(item.attempts, self.config.max_backoff_s))
                self.store.mark_failed(item.id, str(exc), nxt)
                if nxt is not None:
                    held[item.channel] = (nxt, str(exc))
                log.warning("alert %s via %s failed (attempt %d): %s", item.dedupe_key,
                            item.channel, item.attempts, exc)
            else:
                sent += 1
                self.store.mark_sent(item.id)
                log.info("alert %s sent via %s", item.dedupe_key, item.channel)
        return sent, failed

    def start(self, interval_s: float = 0.5) -> None:
        """Deliver in a background thread: on every new event, and every `interval_s`."""
        if self._thread is not None:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self.deliver_due()
                except Exception as exc:  # the store may be briefly locked; keep going
                    log.error("alert delivery loop: %s: %s", type(exc).__name__, exc)
                self._wake.wait(interval_s)
                self._wake.clear()

        self._thread = threading.Thread(target=loop, name="stormguard-alerts", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


def scope_labels(d: dict[str, Any]) -> dict[str, str]:
    """An incident's site, VLANs and devices as Alertmanager labels (empty for a plain storm)."""
    out: dict[str, str] = {}
    if d.get("sites"):
        out["site"] = ",".join(d["sites"])
    if d.get("devices"):
        out["devices"] = ",".join(d["devices"][:20])
    vids = [str(v.get("vlan") if isinstance(v, dict) else v) for v in d.get("vlans") or []
            if (v.get("vlan") if isinstance(v, dict) else v) is not None]
    if vids and d.get("devices"):
        out["vlans"] = ",".join(vids[:50])
    return out


def _summary(status: str, iface: str, d: dict[str, Any]) -> str:
    pps = float(d.get("pps") or 0)
    peak = float(d.get("peak_pps") or 0)
    ev = ", ".join(d.get("evidence") or []) or "no loop evidence yet"
    if d.get("devices"):  # an incident: every source folded
        scope = (f"{len(d['devices'])} device(s), {len(d.get('ports') or [])} port(s)"
                 + (f", site {', '.join(d['sites'])}" if d.get("sites") else ""))
        srcs = ", ".join(f"{src}: {sum(n.values())}" for src, n in (d.get("sources") or {}).items())
        if status == "resolved":
            return f"storm incident over: {scope}; peak {peak:,.0f} fps; {srcs}"
        rate = f"{pps:,.0f} fps (peak {peak:,.0f}); " if peak else ""
        return f"storm incident: {scope}; {rate}evidence: {ev} ({srcs})"
    if status == "resolved":
        return f"broadcast/multicast rate on {iface} back to normal (peak {peak:,.0f} fps)"
    return f"{pps:,.0f} broadcast/multicast frames/s on {iface} (peak {peak:,.0f}); {ev}"


def send_test(channel: AlertChannel, host: str | None = None) -> None:
    """Send one test alert straight down `channel` (no outbox). Raises DeliveryError."""
    now = datetime.now(UTC)
    alert = Alert(key=f"test-{int(now.timestamp())}", status="test", severity="info",
                  host=host or socket.gethostname(), iface="-",
                  summary="stormguard test alert: this channel works", started_at=now,
                  sent_at=now)
    send(channel, alert)
