"""Alerts: in the app (an inbox kept in the profile, shown by the dashboard) and by e-mail (SMTP).

Settings: ``alerts.email`` (recipients), ``alerts.smtp_host``, ``alerts.smtp_port``,
``alerts.smtp_security`` (starttls | ssl | plain), ``alerts.smtp_from``, ``alerts.smtp_user`` and
``alerts.smtp_password_env`` (the NAME of an environment variable holding the password: the
password is never stored, logged or printed).
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import uuid
from email.message import EmailMessage
from typing import Any

from qbtui.cache import Cache, StateReader
from qbtui.maintenance.audit import now_iso
from qbtui.settings import Settings

INBOX = "alerts"  # the cache's reference kind holding the in-app alerts
INBOX_MAX = 200


class AlertError(Exception):
    pass


def inbox(cache: Cache | StateReader) -> list[dict[str, Any]]:
    """In-app alerts, oldest first: {"id", "at", "title", "message", "run", "severity", "read", "email"}."""
    return list(cache.reference(INBOX, []) or [])


def unread(cache: Cache | StateReader) -> list[dict[str, Any]]:
    return [a for a in inbox(cache) if not a.get("read")]


def alert_rows(cache: Cache | StateReader) -> list[dict[str, Any]]:
    """The in-app alerts as the dashboard's alerts screen lists them: newest first, each with ``run_record``, the
    run log's record of its run (who ran it, when, its counts), or None when it made no run (a scheduled sync the
    preflight refused sends nothing and records no run)."""
    runs = {r.get("id"): r for r in cache.runs()}
    return [{**a, "run_record": runs.get(a.get("run"))} for a in reversed(inbox(cache))]


def mark_read(cache: Cache, ids: list[str] | None = None) -> None:
    """Mark alerts (all when ``ids`` is None) as read; needs the writer."""
    items = inbox(cache)
    for a in items:
        if ids is None or a.get("id") in ids:
            a["read"] = True
    cache.put_reference(INBOX, items)


def send_email(settings: Settings, subject: str, body: str, *, timeout: float = 20.0) -> list[str]:
    """Send one e-mail to ``alerts.email``; returns the recipients. AlertError (safe to show) when it
    cannot be sent or the settings are incomplete."""
    if not settings.alerts_email:
        raise AlertError("no alert recipients: qbtui settings set alerts.email you@example.com")
    if not settings.alerts_smtp_host:
        raise AlertError("no SMTP server: qbtui settings set alerts.smtp_host smtp.example.com")
    recipients = [r.strip() for r in settings.alerts_email.split(",") if r.strip()]
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = settings.alerts_smtp_from or f"qbtui@{socket.gethostname()}"
    msg["To"] = ", ".join(recipients)
    msg.set_content(body)
    password = None
    if settings.alerts_smtp_user:
        var = settings.alerts_smtp_password_env
        password = os.environ.get(var) if var else None
        if not password:
            raise AlertError(f"SMTP login needs a password in the environment variable "
                             f"{var or '(set alerts.smtp_password_env)'}")
    host, port, security = settings.alerts_smtp_host, int(settings.alerts_smtp_port), settings.alerts_smtp_security
    try:
        if security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                                    context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        with server:
            if security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if settings.alerts_smtp_user and password:
                server.login(settings.alerts_smtp_user, password)
            server.send_message(msg, to_addrs=recipients)
    except (OSError, smtplib.SMTPException) as exc:
        text = str(exc)
        if password:
            text = text.replace(password, "***")
        raise AlertError(f"the alert e-mail could not be sent through {host}:{port}: {text}") from None
    return recipients


def raise_alert(cache: Cache, title: str, message: str, *, run: str | None = None, severity: str = "error",
                email: bool = True) -> dict[str, Any]:
    """Put an alert in the in-app inbox and, when recipients are set, e-mail it. Needs the writer.
    An e-mail that fails is noted on the alert (never raised: the alert itself must not be lost)."""
    alert: dict[str, Any] = {"id": uuid.uuid4().hex[:12], "at": now_iso(), "title": title, "message": message,
                             "run": run, "severity": severity, "read": False, "email": None}
    settings = Settings.from_stored(cache.settings())
    if email and settings.alerts_email:
        profile = getattr(cache, "profile_dir", None)
        body = (f"{message}\n\nprofile: {getattr(profile, 'name', '?')}\nrun: {run or '-'}\nat: {alert['at']}\n\n"
                "See `qbtui runs` and `qbtui errors` for the details.\n")
        try:
            sent_to = send_email(settings, f"qbtui: {title}", body)
            alert["email"] = {"sent": True, "to": sent_to}
        except AlertError as exc:
            alert["email"] = {"sent": False, "error": str(exc)}
    items = inbox(cache) + [alert]
    cache.put_reference(INBOX, items[-INBOX_MAX:])
    return alert
