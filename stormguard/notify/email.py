"""The report by e-mail: SMTP (plain, STARTTLS or implicit TLS), credentials by reference.

The message has a plain-text summary and the HTML report, either attached
(``report-run-N.html``, the default: a browser then runs its sorting and filtering) or inline as
the HTML alternative (readable straight in the mail client; scripts do not run there, which is
why small reports render their device sections server-side).

The password is resolved from ``password_env`` / ``password_file`` at send time only and never
appears in a message, a log line or a delivery record.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING

from stormguard.errors import StormguardError
from stormguard.notify.summary import subject, summary_text
from stormguard.report.data import ReportData

if TYPE_CHECKING:
    from stormguard.config import EmailConfig

MODES = ("attach", "inline")


class DeliveryError(Exception):
    """One delivery attempt failed; ``retryable`` says whether trying again can help."""

    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


def target(cfg: EmailConfig) -> str:
    scheme = "smtps" if cfg.ssl else "smtp"
    return f"{scheme}://{cfg.host}:{port(cfg)}"


def port(cfg: EmailConfig) -> int:
    # 25 is the config default; with implicit TLS and no explicit port, use 465.
    if cfg.ssl and cfg.port == 25:
        return 465
    return cfg.port


def build_message(cfg: EmailConfig, data: ReportData, html: str | None, *,
                  mode: str = "attach", report_url: str | None = None) -> EmailMessage:
    if mode not in MODES:
        raise ValueError(f"unknown e-mail mode {mode!r}")
    msg = EmailMessage()
    msg["Subject"] = subject(data)
    msg["From"] = cfg.sender
    msg["To"] = ", ".join(cfg.to)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain="stormguard.local")
    if data.run and data.run.id is not None:
        msg["X-Stormguard-Run"] = str(data.run.id)
    msg.set_content(summary_text(data, report_url))
    if html is not None:
        if mode == "inline":
            msg.add_alternative(html, subtype="html")
        else:
            name = f"stormguard-report-run-{data.run.id if data.run else 'latest'}.html"
            msg.add_attachment(html.encode("utf-8"), maintype="text", subtype="html",
                               filename=name)
    return msg


def _scrub(text: str, secret: str | None) -> str:
    if secret:
        text = text.replace(secret, "***")
    return " ".join(text.split())


def send_message(cfg: EmailConfig, msg: EmailMessage) -> None:
    """One attempt. Raises :class:`DeliveryError` (one line, no secret)."""
    where = target(cfg)
    if not cfg.to:
        raise DeliveryError(f"{where}: no recipients (notify.email.to is empty)", retryable=False)
    try:
        password = cfg.resolve_password("notify.email")
    except StormguardError as exc:
        raise DeliveryError(str(exc), retryable=False) from None
    if password and not cfg.username:
        raise DeliveryError(f"{where}: a password is set but no username", retryable=False)
    try:
        context = ssl.create_default_context()
        if cfg.ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, port(cfg), timeout=cfg.timeout_s,
                                                 context=context)
        else:
            smtp = smtplib.SMTP(cfg.host, port(cfg), timeout=cfg.timeout_s)
        with smtp:
            smtp.ehlo()
            if cfg.starttls and not cfg.ssl:
                smtp.starttls(context=context)
                smtp.ehlo()
            if cfg.username and password:
                smtp.login(cfg.username, password)
            refused = smtp.send_message(msg)
        if refused:
            raise DeliveryError(f"{where}: recipients refused: {', '.join(sorted(refused))}",
                                retryable=False)
    except smtplib.SMTPAuthenticationError:
        raise DeliveryError(f"{where}: authentication failed for user {cfg.username}",
                            retryable=False) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(f"{where}: {_scrub(str(exc), password)}", retryable=False) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"{where}: recipients refused: {', '.join(sorted(exc.recipients))}",
                            retryable=False) from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(
            exc.smtp_error, bytes) else str(exc.smtp_error)
        raise DeliveryError(f"{where}: SMTP {exc.smtp_code} {_scrub(text, password)}",
                            retryable=400 <= exc.smtp_code < 500) from None
    except ssl.SSLError as exc:
        raise DeliveryError(f"{where}: TLS error: {_scrub(str(exc.reason or exc), password)}",
                            retryable=False) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{where}: {type(exc).__name__}: {_scrub(str(exc), password)}"
                            ) from None
