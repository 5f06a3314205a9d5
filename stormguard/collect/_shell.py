"""Run read-only commands on a vSwitch host: locally (optionally in a netns) or over SSH.

The two vSwitch drivers (:mod:`stormguard.collect.ovs`, :mod:`stormguard.collect.linux_bridge`)
need the same thing: run a handful of ``ovs-vsctl`` / ``ip`` / ``bridge`` commands and get
stdout back, with every failure turned into a :class:`CollectError` of the right class.

* ``transport: local`` runs the command with :mod:`subprocess` (no shell), prefixed with
  ``ip netns exec NS`` when the host names a ``netns``.
* ``transport: ssh`` opens one paramiko session per host and runs each command with
  ``exec_command`` (the same ``ip netns exec`` prefix applies on the far side). Host keys follow
  ``host_key_policy``: ``strict`` (must already be in the known-hosts file), ``tofu`` (the first
  key seen is pinned in the known-hosts file; a different key later is refused as ``host-key``),
  ``ignore``. The known-hosts file is ``host.data["known_hosts"]``, else
  ``$STORMGUARD_KNOWN_HOSTS``, else ``known_hosts`` in the user's stormguard data directory:
  the same pins as the switch collectors (:mod:`stormguard.collect.hostkeys`).

Messages name the host and the command, never a password.
"""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from stormguard.collect.base import CollectError
from stormguard.errors import ConfigError
from stormguard.inventory import Host


@dataclass
class Result:
    command: str
    exit_code: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


class Runner(Protocol):
    def run(self, command: str, timeout: float) -> Result: ...

    def close(self) -> None: ...


def _netns_prefix(host: Host) -> list[str]:
    return ["ip", "netns", "exec", host.netns] if host.netns else []


class LocalRunner:
    def __init__(self, host: Host) -> None:
        self.host = host

    def run(self, command: str, timeout: float) -> Result:
        argv = _netns_prefix(self.host) + shlex.split(command)
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                                  check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise CollectError(self.host.name, "timeout",
                               f"`{command}` did not finish within {timeout:g} s") from None
        except FileNotFoundError:
            return Result(command, 127, "", f"{argv[0]}: command not found")
        except OSError as exc:
            raise CollectError(self.host.name, "protocol",
                               f"`{command}` could not start: {exc.strerror}") from None
        return Result(command, proc.returncode, proc.stdout, proc.stderr)

    def close(self) -> None:
        pass


def known_hosts_path(host: Host) -> Path:
    explicit = host.data.get("known_hosts")
    if explicit:
        return Path(str(explicit))
    from stormguard.collect.hostkeys import default_known_hosts

    return default_known_hosts()


class SshRunner:
    def __init__(self, host: Host) -> None:
        import paramiko

        from stormguard.collect.hostkeys import KnownHosts, check_after_connect

        self.host = host
        self._paramiko = paramiko
        policy = host.host_key_policy
        known = KnownHosts(known_hosts_path(host))
        client = paramiko.SSHClient()
        if policy in ("strict", "tofu") and known.path.is_file():
            client.load_host_keys(str(known.path))  # a changed key fails during key exchange
        if policy == "strict":
            client.set_missing_host_key_policy(paramiko.RejectPolicy())
        else:
            client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        try:
            password = host.credentials.password_value(host.name)
        except ConfigError as exc:
            raise CollectError(host.name, "auth", "credentials unavailable: "
                               + str(exc).removeprefix(f"{host.name}: ")) from None
        kwargs: dict[str, Any] = {
            "hostname": host.hostname, "port": host.port,
            "username": host.credentials.username or "root",
            "timeout": host.timeout, "banner_timeout": host.timeout,
            "auth_timeout": host.timeout, "allow_agent": False,
            "look_for_keys": False,
        }
        if password is not None:
            kwargs["password"] = password
        if host.credentials.ssh_key_file:
            kwargs["key_filename"] = host.credentials.ssh_key_file
        where = f"{host.hostname}:{host.port}"
        try:
            client.connect(**kwargs)
        except paramiko.BadHostKeyException:
            client.close()
            raise CollectError(host.name, "host-key",
                               f"the SSH host key of {where} changed since it was pinned in "
                               f"{known.path}") from None
        except paramiko.AuthenticationException:
            client.close()
            raise CollectError(host.name, "auth", f"authentication to {where} failed") from None
        except paramiko.SSHException as exc:
            client.close()
            text = str(exc)
            if "known_hosts" in text:
                raise CollectError(host.name, "host-key",
                                   f"{where} is not in {known.path} (host_key_policy strict)"
                                   ) from None
            cls = "timeout" if "timed out" in text.lower() else "protocol"
            raise CollectError(host.name, cls, f"SSH to {where}: {text}") from None
        except TimeoutError:
            client.close()
            raise CollectError(host.name, "timeout", f"SSH to {where} timed out") from None
        except OSError as exc:
            client.close()
            raise CollectError(host.name, "unreachable",
                               f"cannot connect to {where}: {exc.strerror or exc}") from None
        refusal = check_after_connect(policy, known, host.hostname, host.port,
                                      client.get_transport())
        if refusal:
            client.close()
            raise CollectError(host.name, "host-key", f"{where}: {refusal}")
        self.client = client

    def run(self, command: str, timeout: float) -> Result:
        full = shlex.join(_netns_prefix(self.host)) + " " + command if self.host.netns else command
        try:
            _, out, err = self.client.exec_command(full, timeout=timeout)
            stdout = out.read().decode("utf-8", "replace")
            stderr = err.read().decode("utf-8", "replace")
            code = out.channel.recv_exit_status()
        except TimeoutError:
            raise CollectError(self.host.name, "timeout",
                               f"`{command}` did not finish within {timeout:g} s") from None
        except (self._paramiko.SSHException, OSError, EOFError) as exc:
            raise CollectError(self.host.name, "protocol",
                               f"`{command}`: SSH channel failed: {exc}") from None
        return Result(command, code, stdout, stderr)

    def close(self) -> None:
        self.client.close()


def open_runner(host: Host) -> Runner:
    if host.transport == "local" or host.hostname == "local":
        return LocalRunner(host)
    if host.transport == "ssh":
        return SshRunner(host)
    raise CollectError(host.name, "unsupported", f"unknown transport {host.transport!r}")


def lldpcli_command(host: Host) -> str:
    """``lldpcli`` talking to the host's lldpd: with ``-u PATH`` when host data ``lldpd_socket``
    names its control socket. The default socket (``/run/lldpd.socket``) is one per machine, so
    a second lldpd (one per network namespace, a container, a lab) must be given its own with
    ``lldpd -u PATH``, and its neighbours are read through that socket."""
    argv = ["lldpcli"]
    sock = host.data.get("lldpd_socket")
    if sock:
        argv += ["-u", str(sock)]
    return shlex.join(argv)


def fill_in(template: str, values: dict[str, str]) -> str:
    """Replace ``{name}`` placeholders; other braces (JSON, shell) are left alone."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def must(host: Host, res: Result, what: str) -> str:
    """stdout of a command the bundle cannot do without; else a classified CollectError."""
    if res.ok:
        return res.stdout
    err = (res.stderr.strip().splitlines() or [""])[-1][:200]
    if "database connection failed" in err or "Cannot open network namespace" in err:
        raise CollectError(host.name, "unreachable", f"{what}: {err}")
    if res.exit_code == 127 or "command not found" in err or (
        err.startswith("exec of") and "No such file or directory" in err  # ip netns exec
    ):
        raise CollectError(host.name, "unsupported", f"{what}: `{res.command}` is not available "
                           f"on the host ({err})")
    raise CollectError(host.name, "protocol",
                       f"{what}: `{res.command}` exited {res.exit_code}: {err}")


def load_vswitch_recipe(host: Host, platform: str, recipe: dict[str, Any] | None) -> dict[str, Any]:
    """The recipe dict: the one given, else ``collectors/<platform>.yaml``; checked for shape."""
    where = f"collectors/{platform}.yaml"
    if recipe is None:
        import yaml

        from stormguard.resources import data_file

        path = data_file("collectors", f"{platform}.yaml")
        where = str(path)
        try:
            recipe = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError:
            raise CollectError(host.name, "unsupported", f"no collection recipe {path}") from None
        except yaml.YAMLError:
            raise ConfigError(f"{path}: invalid YAML") from None
    if not isinstance(recipe, dict) or not isinstance(recipe.get("config"), dict):
        raise ConfigError(f"{where}: config: missing or not a mapping")
    if not isinstance(recipe["config"].get("command"), str):
        raise ConfigError(f"{where}: config.command: missing or not a string")
    commands = recipe.get("commands") or []
    if not isinstance(commands, list) or not all(
        isinstance(c, dict) and isinstance(c.get("command"), str) for c in commands
    ):
        raise ConfigError(f"{where}: commands: each item needs a `command` string")
    return recipe


def run_extras(runner: Runner, host: Host, recipe: dict[str, Any], fill: dict[str, str],
               timeout: float) -> dict[str, Any]:
    """Run the recipe's evidence commands into ``{name: {"command", "raw"}}`` (the shape the
    switch drivers use); a failing one gets ``{"command", "error"}`` instead, never fatal."""
    state: dict[str, Any] = {}
    for item in recipe.get("commands") or []:
        name = str(item.get("name") or item["command"])
        command = fill_in(item["command"], fill)
        res = runner.run(command, timeout)
        if res.ok:
            state[name] = {"command": command, "raw": res.stdout}
        else:
            last = (res.stderr.strip().splitlines() or [""])[-1][:200]
            state[name] = {"command": command, "error": f"exit {res.exit_code}: {last}"}
    return state
