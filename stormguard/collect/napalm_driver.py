"""The NAPALM path, for platforms whose NAPALM driver speaks SSH (``ios``, ``nxos_ssh``).

Why both paths: NAPALM getters give vendor-neutral facts and interfaces for free, and the
NAPALM drivers are what many shops already trust; Netmiko covers every platform. The recipe's
``napalm.getters`` run first (``get_config`` supplies the running config), then the recipe's
storm-evidence commands go through the same SSH session NAPALM opened.
"""

from __future__ import annotations

import time
from typing import Any

from stormguard.collect.base import Collected, CollectError
from stormguard.collect.hostkeys import netmiko_host_key_args, verify_session_key
from stormguard.collect.netmiko_driver import (
    check_config,
    classify,
    hard_close,
    password_for,
    recipe_for,
    run_commands,
    send,
    session_prompt,
)
from stormguard.collect.registry import CollectContext
from stormguard.inventory import Host


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def collect(host: Host, ctx: CollectContext) -> Collected:
    from napalm import get_network_driver

    recipe = recipe_for(host, ctx)
    if not recipe.napalm_driver:
        raise CollectError(host.name, "unsupported",
                           f"no SSH NAPALM driver for platform {host.platform!r}; use netmiko")
    password = password_for(host)
    t0 = time.monotonic()
    optional_args: dict[str, Any] = {
        "port": host.port, "conn_timeout": min(10.0, ctx.remaining()),
        "auth_timeout": min(10.0, ctx.remaining()), "allow_agent": False,
    }
    if host.credentials.ssh_key_file:
        optional_args.update(use_keys=True, key_file=host.credentials.ssh_key_file)
    driver_cls = get_network_driver(recipe.napalm_driver)
    opened = False
    device: Any = None
    try:
        try:
            with netmiko_host_key_args(host.host_key_policy, ctx.known_hosts, host.hostname,
                                       host.port) as key_args:
                device = driver_cls(hostname=host.hostname,
                                    username=host.credentials.username or "",
                                    password=password or "", timeout=int(ctx.remaining()),
                                    optional_args={**optional_args, **key_args})
                device.open()
            opened = True
        except Exception as exc:
            raise classify(exc, host, ctx.known_hosts, connected=False, aborted=ctx.aborted,
                           secret=password) from None
        conn = device.device  # the Netmiko session NAPALM drives
        ctx.on_abort(lambda: hard_close(conn))
        try:
            verify_session_key(host, ctx.known_hosts, conn)
            getters: dict[str, Any] = {}
            config = None
            for getter in recipe.getters:
                if getter == "get_config":
                    config = device.get_config(retrieve="running")["running"]
                    continue
                getters[getter] = _jsonable(getattr(device, getter)())
            prompt = session_prompt(conn)
            if config is None:
                config = send(conn, recipe.config_command, prompt, ctx)
                source = recipe.config_command
            else:
                source = "get_config"
            check_config(host, recipe, config, source)
            state: dict[str, Any] = {"napalm": getters}
            state.update(run_commands(conn, host, recipe, ctx, prompt))
        except Exception as exc:
            raise classify(exc, host, ctx.known_hosts, connected=True, aborted=ctx.aborted,
                           secret=password) from None
    finally:
        if opened:
            if ctx.aborted:
                hard_close(device.device)
            else:
                try:
                    device.close()
                except Exception:
                    if device.device is not None:
                        hard_close(device.device)
        password = None
    return Collected(host=host.name, platform=host.platform, config=config, driver="napalm",
                     state=state, duration_s=time.monotonic() - t0)
