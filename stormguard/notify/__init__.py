"""Run notifications: the report by e-mail and a short summary to webhooks.

:func:`notify_run` is what the daemon calls after a run. It never raises: each channel is tried
with retries and exponential backoff, every attempt is recorded as a :class:`DeliveryAttempt`,
and the outcome per channel comes back as a :class:`DeliveryResult` for the caller to log.
When a store is given, each channel's outcome is also written to the store's delivery outbox
(``alert_outbox``, channel ``notify:email`` / ``notify:webhook:<kind>``) as a finished row,
``sent`` or ``dead``, with the attempts in its payload: a record of what was delivered, not a
queue (rows are created already scheduled far in the future and closed at once, so the alert
dispatcher never picks them up).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from stormguard.notify.email import DeliveryError
from stormguard.report.data import ReportData

if TYPE_CHECKING:
    from stormguard.config import EmailConfig, NotifyConfig, WebhookConfig

log = logging.getLogger("stormguard.notify")

__all__ = ["DeliveryAttempt", "DeliveryError", "DeliveryResult", "RetryPolicy", "notify_run"]


@dataclass
class RetryPolicy:
    attempts: int = 4  # total tries per channel (first + retries)
    backoff_s: float = 2.0  # wait before the 2nd try; doubles each time
    factor: float = 2.0
    max_backoff_s: float = 60.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        return min(self.max_backoff_s, self.backoff_s * self.factor ** (attempt - 1))


@dataclass
class DeliveryAttempt:
    attempt: int
    at: str
    ok: bool
    duration_s: float
    error: str = ""


@dataclass
class DeliveryResult:
    channel: str  # email | webhook:generic | webhook:slack
    target: str  # smtp://host:port or https://host:port (never credentials, never a token)
    ok: bool
    attempts: list[DeliveryAttempt] = field(default_factory=list)
    outbox_id: int | None = None

    @property
    def error(self) -> str:
        return self.attempts[-1].error if self.attempts and not self.ok else ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def deliver(channel: str, target: str, send: Callable[[], Any], policy: RetryPolicy,
            sleep: Callable[[float], None] = time.sleep) -> DeliveryResult:
    """Call ``send`` until it succeeds, a non-retryable error, or ``policy.attempts`` tries."""
    result = DeliveryResult(channel=channel, target=target, ok=False)
    for n in range(1, max(1, policy.attempts) + 1):
        started = time.monotonic()
        at = _now()
        try:
            send()
        except DeliveryError as exc:
            result.attempts.append(DeliveryAttempt(n, at, False, time.monotonic() - started,
                                                   str(exc)))
            log.warning("notify %s to %s: attempt %d failed: %s", channel, target, n, exc)
            if not exc.retryable or n >= policy.attempts:
                break
            sleep(policy.delay(n))
        except Exception as exc:  # a bug must not fail the run either
            result.attempts.append(DeliveryAttempt(n, at, False, time.monotonic() - started,
                                                   f"{type(exc).__name__}: {exc}"))
            log.error("notify %s to %s: unexpected %s", channel, target, type(exc).__name__)
            break
        else:
            result.attempts.append(DeliveryAttempt(n, at, True, time.monotonic() - started))
            result.ok = True
            log.info("notify %s to %s: delivered (attempt %d)", channel, target, n)
            break
    return result


def _record(store: Any, result: DeliveryResult, run_id: int | None) -> None:
    """Write the finished delivery to the store's outbox; a store problem is only logged."""
    try:
        payload = {"run_id": run_id, **result.to_dict()}
        far = datetime.now(UTC) + timedelta(days=3650)  # never "due": not a queue entry
        key = f"run-{run_id}:{result.target}:{_now()}"
        item_id, _ = store.enqueue(f"notify:{result.channel}", "run-report", payload, key,
                                   not_before=far)
        if result.ok:
            store.mark_sent(item_id)
        else:
            store.mark_failed(item_id, result.error or "not delivered", None)
        result.outbox_id = item_id
    except Exception as exc:
        log.error("notify: cannot record delivery in the store: %s: %s", type(exc).__name__, exc)


def _email(cfg: EmailConfig, data: ReportData, html: str | None, mode: str,
           report_url: str | None, policy: RetryPolicy,
           sleep: Callable[[float], None]) -> DeliveryResult:
    from stormguard.notify import email

    msg = email.build_message(cfg, data, html, mode=mode, report_url=report_url)
    return deliver("email", email.target(cfg), lambda: email.send_message(cfg, msg), policy,
                   sleep)


def _webhook(cfg: WebhookConfig, data: ReportData, report_url: str | None, policy: RetryPolicy,
             sleep: Callable[[float], None]) -> DeliveryResult:
    from stormguard.notify import webhook

    where = webhook.target(cfg.url)
    body = webhook.payload(cfg.kind, data, report_url)

    def send() -> None:
        if not cfg.url.startswith(("http://", "https://")):
            raise DeliveryError(f"{where}: webhook URL must be http:// or https://",
                                retryable=False)
        webhook.post_json(cfg.url, body, cfg.timeout_s)

    return deliver(f"webhook:{cfg.kind}", where, send, policy, sleep)


def notify_run(config: NotifyConfig | None, data: ReportData, *, html: str | None = None,
               store: Any = None, email_mode: str = "attach", report_url: str | None = None,
               policy: RetryPolicy | None = None,
               sleep: Callable[[float], None] = time.sleep) -> list[DeliveryResult]:
    """Send the run's notifications; return one result per channel. Never raises.

    ``html`` is the rendered report for the e-mail (rendered here when None). ``policy``
    defaults to ``config.retries`` retries with a 2 s doubling backoff.
    """
    results: list[DeliveryResult] = []
    if config is None:
        return results
    try:
        if policy is None:
            policy = RetryPolicy(attempts=max(0, int(config.retries)) + 1)
        run_id = data.run.id if data.run else None
        if config.email is not None:
            try:
                if html is None:
                    from stormguard.report.render import render_html

                    html = render_html(data)
                results.append(_email(config.email, data, html, email_mode, report_url, policy,
                                      sleep))
            except Exception as exc:  # building the message failed: record, carry on
                results.append(DeliveryResult("email", f"smtp://{config.email.host}", False, [
                    DeliveryAttempt(1, _now(), False, 0.0, f"{type(exc).__name__}: {exc}")]))
        for hook in config.webhooks:
            try:
                results.append(_webhook(hook, data, report_url, policy, sleep))
            except Exception as exc:
                results.append(DeliveryResult(f"webhook:{hook.kind}", "webhook", False, [
                    DeliveryAttempt(1, _now(), False, 0.0, f"{type(exc).__name__}: {exc}")]))
        if store is not None:
            for result in results:
                _record(store, result, run_id)
    except Exception as exc:  # last line of defence: notification never fails the run
        log.error("notify: %s: %s", type(exc).__name__, exc)
    return results
