"""SMTP e-mail (plain, STARTTLS or implicit TLS), credentials by reference."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from stormguard.alerts.channels import DeliveryError
from stormguard.alerts.model import Alert
from stormguard.config import AlertChannel


def message(channel: AlertChannel, alert: Alert) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = alert.title
    msg["From"] = channel.sender
    msg["To"] = ", ".join(channel.to)
    msg["X-Stormguard-Storm"] = alert.key
    msg.set_content(alert.text() + "\n")
    return msg


def send(channel: AlertChannel, alert: Alert) -> None:
    if not channel.host or not channel.to:
        raise DeliveryError(f"channel {channel.name}: email needs host and to")
    port = channel.port or (465 if channel.ssl else 25)
    where = f"smtp://{channel.host}:{port}"
    try:
        cls = smtplib.SMTP_SSL if channel.ssl else smtplib.SMTP
        kwargs = {"context": ssl.create_default_context()} if channel.ssl else {}
        with cls(channel.host, port, timeout=channel.timeout_s, **kwargs) as smtp:
            if channel.starttls:
                smtp.starttls(context=ssl.create_default_context())
            password = channel.resolve_password(f"alert channel {channel.name}")
            if channel.username and password:
                smtp.login(channel.username, password)
            smtp.send_message(message(channel, alert))
    except smtplib.SMTPAuthenticationError:
        raise DeliveryError(f"{where}: authentication failed for {channel.username}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{where}: {type(exc).__name__}: {exc}") from None
