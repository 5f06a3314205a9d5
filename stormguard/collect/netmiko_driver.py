"""The universal switch collector: Netmiko over SSH, driven by the platform's recipe.

One session per device: check the host key, read the running config, reject it when it is cut
off (the recipe says what a complete config ends with), then run the storm-evidence commands and
parse each with ntc-templates where the recipe asks for it. Every exception becomes a
:class:`CollectError` with a failure class; messages name the host, never the password.
"""

from __future__ import annotations

import contextlib
import re
import time
from typing import Any

from stormguard.collect.base import Collected, CollectError
from stormguard.collect.hostkeys import (
    KnownHosts,
    classify_host_key_error,
    netmiko_host_key_args,
    verify_session_key,
)
from stormguard.collect.recipes import Recipe, load_recipe
from stormguard.collect.registry import CollectContext
from stormguard.errors import ConfigError
from stormguard.inventory import Host

#: Netmiko device_type -> the platform name ntc-templates files its templates under
NTC_PLATFORM = {"cisco_xe": "cisco_ios", "huawei": "huawei_vrp"}


def recipe_for(host: Host, ctx: CollectContext) -> Recipe:
    try:
        return load_recipe(host.platform, ctx.recipes_dir)
    except FileNotFoundError:
        raise CollectError(host.name, "unsupported",
                           f"no collection recipe for platform {host.platform!r}") from None
    except ConfigError as exc:
        raise CollectError(host.name, "unsupported", f"bad recipe: {exc}") from None


def password_for(host: Host) -> str | None:
    """Resolved here, at connect time, and kept only in this call's frame."""
    creds = host.credentials
    try:
        return creds.password_value(host.name)
    except ConfigError as exc:
        raise CollectError(host.name, "auth", f"credentials unavailable: {exc}") from None


def scrub(text: str, secret: str | None) -> str:
    first = " ".join(str(text).split())[:240]
    return first.replace(secret, "***") if secret else first


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in out and len(out) < 8:
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out


def classify(exc: BaseException, host: Host, known: KnownHosts, *, connected: bool,
             aborted: bool = False, secret: str | None = None) -> CollectError:
    """Map whatever Netmiko / NAPALM / paramiko raised to one failure class."""
    import paramiko
    from netmiko.exceptions import (
        NetmikoAuthenticationException,
        NetmikoTimeoutException,
        ReadTimeout,
    )

    if isinstance(exc, CollectError):
        return exc
    name = host.name
    if aborted:
        return CollectError(name, "timeout", "no answer within the device timeout; session "
                                             "closed by the watchdog")
    chain = _chain(exc)
    for e in chain:
        msg = classify_host_key_error(e, known)
        if msg:
            return CollectError(name, "host-key", msg)
    for e in chain:
        if isinstance(e, NetmikoAuthenticationException | paramiko.AuthenticationException):
            return CollectError(name, "auth", f"authentication failed for user "
                                              f"{host.credentials.username!r}")
    for e in chain:
        if isinstance(e, ReadTimeout | TimeoutError):
            return CollectError(name, "timeout", "device stopped answering: "
                                + scrub(str(e).splitlines()[0] if str(e) else "read timeout",
                                        secret))
    for e in chain:
        if isinstance(e, ConnectionRefusedError):
            return CollectError(name, "unreachable",
                                f"connection refused on {host.hostname}:{host.port}")
        if isinstance(e, NetmikoTimeoutException):
            text = str(e)
            if "TCP connection to device failed" in text or "DNS failure" in text:
                return CollectError(name, "unreachable",
                                    f"no SSH service at {host.hostname}:{host.port}")
            if "timed-out" in text or "timed out" in text.lower():
                what = "timeout" if connected else "unreachable"
                return CollectError(name, what, scrub(text, secret))
    for e in chain:
        if isinstance(e, OSError) and not connected:
            return CollectError(name, "unreachable", scrub(f"{type(e).__name__}: {e}", secret))
    for e in chain:
        if isinstance(e, NetmikoTimeoutException) and connected:
            return CollectError(name, "timeout", scrub(str(e), secret))
    return CollectError(name, "protocol", scrub(f"{type(exc).__name__}: {exc}", secret))


def parse_textfsm(platform: str, command: str, raw: str) -> list[dict[str, Any]] | None:
    """Structured rows from ntc-templates, or None when there is no template / no match."""
    try:
        from ntc_templates.parse import parse_output

        rows = parse_output(platform=NTC_PLATFORM.get(platform, platform), command=command,
                            data=raw)
    except Exception:
        return None
    return rows if isinstance(rows, list) and rows else None


def session_prompt(conn: Any) -> str:
    """The device's full prompt (``<sw1>``, ``sw1#``, ``netops@sw1>``), as an end-of-output
    pattern. Netmiko's default for some platforms is the bare hostname, which also occurs
    inside the config (``sysname sw1``) and would end the read early on a slow line."""
    return re.escape(conn.find_prompt().strip())


def send(conn: Any, command: str, prompt: str | None, ctx: CollectContext) -> str:
    return conn.send_command(command, expect_string=prompt, read_timeout=ctx.remaining())


def run_commands(conn: Any, host: Host, recipe: Recipe, ctx: CollectContext,
                 prompt: str | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for cmd in recipe.commands:
        raw = send(conn, cmd.command, prompt, ctx)
        entry: dict[str, Any] = {"command": cmd.command, "raw": raw}
        if cmd.textfsm:
            entry["parsed"] = parse_textfsm(host.platform, cmd.command, raw)
        state[cmd.name] = entry
    return state


def check_config(host: Host, recipe: Recipe, config: str, source: str) -> str:
    problem = recipe.check_complete(config)
    if problem:
        raise CollectError(host.name, "parse",
                           f"configuration from `{source}` is incomplete ({problem})")
    return config


def hard_close(conn: Any) -> None:
    """Drop the SSH transport without the polite logout (used by the watchdog)."""
    for attr in ("remote_conn", "remote_conn_pre"):
        obj = getattr(conn, attr, None)
        if obj is not None:
            with contextlib.suppress(Exception):
                obj.close()


def connect_args(host: Host, password: str | None, ctx: CollectContext) -> dict[str, Any]:
    t = ctx.remaining()
    creds = host.credentials
    args: dict[str, Any] = {
        "host": host.hostname, "port": host.port, "username": creds.username or "",
        "password": password or "", "conn_timeout": min(10.0, t), "auth_timeout": min(10.0, t),
        "banner_timeout": min(10.0, t),
        "allow_agent": False, "fast_cli": True,
    }
    if creds.ssh_key_file:
        args.update(use_keys=True, key_file=creds.ssh_key_file)
    else:
        args["use_keys"] = False
    if host.platform == "hp_comware":
        # Netmiko turns command-echo verification off for Comware (long commands wrap: no
        # terminal width setting). Without it a stray prompt left in the buffer ends the next
        # read at once and the output shifts by one command. Recipe commands are short.
        args["global_cmd_verify"] = True
    return args


def collect(host: Host, ctx: CollectContext) -> Collected:
    from netmiko import ConnectHandler

    recipe = recipe_for(host, ctx)
    password = password_for(host)
    t0 = time.monotonic()
    conn = None
    try:
        try:
            with netmiko_host_key_args(host.host_key_policy, ctx.known_hosts, host.hostname,
                                       host.port) as key_args:
                conn = ConnectHandler(device_type=host.platform,
                                      **connect_args(host, password, ctx), **key_args)
        except Exception as exc:
            raise classify(exc, host, ctx.known_hosts, connected=False,
                           aborted=ctx.aborted, secret=password) from None
        ctx.on_abort(lambda: hard_close(conn))
        try:
            verify_session_key(host, ctx.known_hosts, conn)
            prompt = session_prompt(conn)
            config = send(conn, recipe.config_command, prompt, ctx)
            check_config(host, recipe, config, recipe.config_command)
            state = run_commands(conn, host, recipe, ctx, prompt)
        except Exception as exc:
            raise classify(exc, host, ctx.known_hosts, connected=True, aborted=ctx.aborted,
                           secret=password) from None
    finally:
        if conn is not None:
            if ctx.aborted:
                hard_close(conn)
            else:
                try:
                    conn.disconnect()
                except Exception:
                    hard_close(conn)
        password = None
    return Collected(host=host.name, platform=host.platform, config=config, driver="netmiko",
                     state=state, duration_s=time.monotonic() - t0)
