"""Collect a VMware ESXi host over SSH: read-only ``esxcli`` output in, an esxi bundle out.

``collect(host, recipe)`` follows ``collectors/esxi.yaml``: the vSwitch list first (the
``config.command``; without it there is nothing to audit), then the per-host commands
(port groups, NICs, ``/Net/BlockGuestBPDU``, distributed switches), then per vSwitch and per
port group the security and teaming (failover) policies, each command's output stored verbatim
in the bundle :mod:`stormguard.parsers.esxi` reads. The recipe's ``commands`` (the vmnics' CDP /
LLDP view, ``vim-cmd hostsvc/net/query_networkhint``) go to the snapshot's state, where
:mod:`stormguard.topology` finds the neighbours.

ESXi's SSH service hands out a shell (``[root@esx-07:~]``), so the commands run one after the
other in one interactive session: the output of each is what the shell prints between the
echoed command and the next prompt. Connection, authentication and host-key checks are those of
every SSH collector (:class:`stormguard.collect._shell.SshRunner`); a command that prints an
esxcli error is recorded as failed (an optional one) or fails the host (the vSwitch list).
Everything it runs is read-only (``list``, ``get``, ``query_networkhint``).
"""

from __future__ import annotations

import re
import shlex
import time
from typing import Any

from stormguard.collect._shell import Result, SshRunner, load_vswitch_recipe, must
from stormguard.collect.base import Collected, CollectError
from stormguard.inventory import Host
from stormguard.parsers.esxi import Section, _blocks, _table, bundle

PLATFORM = "esxi"
DRIVER = "esxi"
#: ESXi's default shell prompt: ``[root@esx-07:~] `` (user, host, working directory).
PROMPT = re.compile(r"\[[^\[\]\r\n@]+@[^\[\]\r\n]+\] ?$")
_ERROR = re.compile(r"^(Error:|-sh: .*not found|Unknown command)", re.M)


class EsxiShell(SshRunner):
    """One interactive shell on the host; ``run`` sends a command and reads to the prompt."""

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        try:
            self.chan = self.client.invoke_shell(width=511, height=1000)
            self._read_to_prompt(host.timeout, "login")
        except CollectError:
            self.client.close()
            raise
        except (self._paramiko.SSHException, OSError, EOFError) as exc:
            self.client.close()
            raise CollectError(host.name, "protocol", f"no shell on the host: {exc}") from None

    def _read_to_prompt(self, timeout: float, what: str) -> str:
        buf = ""
        deadline = time.monotonic() + timeout
        self.chan.settimeout(0.2)
        while True:
            tail = buf.rstrip("\r\n")[-200:]
            if PROMPT.search(tail.split("\n")[-1]):
                return buf
            if time.monotonic() > deadline:
                raise CollectError(self.host.name, "timeout",
                                   f"`{what}`: no prompt within {timeout:g} s")
            try:
                data = self.chan.recv(65536)
            except TimeoutError:
                continue
            except OSError as exc:
                if "timed out" in str(exc):
                    continue
                raise
            if not data:
                raise CollectError(self.host.name, "protocol",
                                   f"`{what}`: the host closed the session")
            buf += data.decode("utf-8", "replace")

    def run(self, command: str, timeout: float) -> Result:
        try:
            self.chan.send(command + "\n")
            raw = self._read_to_prompt(timeout, command)
        except CollectError:
            raise
        except (self._paramiko.SSHException, OSError, EOFError) as exc:
            raise CollectError(self.host.name, "protocol",
                               f"`{command}`: SSH channel failed: {exc}") from None
        lines = raw.replace("\r\n", "\n").replace("\r", "").split("\n")
        if lines and lines[0].strip() == command.strip():
            lines = lines[1:]  # the shell's echo of the command
        if lines and PROMPT.search(lines[-1]):
            lines = lines[:-1]
        text = "\n".join(lines)
        if _ERROR.search(text):
            return Result(command, 1, "", text.strip().splitlines()[0][:200])
        return Result(command, 0, text + ("\n" if text else ""), "")


def _quote(name: str) -> str:
    return shlex.quote(name)


def collect(host: Host, recipe: dict[str, Any] | None = None) -> Collected:
    """Read the standard and distributed vSwitches of the ESXi `host` into an esxi bundle."""
    started = time.monotonic()
    recipe = load_vswitch_recipe(host, PLATFORM, recipe)
    cfg = recipe["config"]
    if host.transport != "ssh":
        raise CollectError(host.name, "unsupported", "ESXi is collected over SSH only "
                                                    "(transport: ssh)")
    runner = EsxiShell(host)
    outputs: dict[str, str] = {}
    state: dict[str, Any] = {}
    try:
        first = str(cfg["command"])
        outputs[first] = must(host, runner.run(first, host.timeout), "vSwitch list")
        vswitches = [name for name, _, _ in _blocks(Section(first, 1, outputs[first].split(
            "\n")))]
        portgroups: list[str] = []
        for command in cfg.get("per_host") or []:
            res = runner.run(str(command), host.timeout)
            if res.ok:
                outputs[str(command)] = res.stdout
                if "portgroup list" in str(command):
                    rows = _table(Section(str(command), 1, res.stdout.split("\n")), [])
                    portgroups = [r["Name"] for r, _ in rows if r.get("Name")]
            else:
                state[f"failed: {command}"] = {"command": str(command), "error": res.stderr}
        for names, key, field in ((vswitches, "per_vswitch", "{vswitch}"),
                                  (portgroups, "per_portgroup", "{portgroup}")):
            for name in names:
                for template in cfg.get(key) or []:
                    command = str(template).replace(field, _quote(name))
                    res = runner.run(command, host.timeout)
                    if res.ok:
                        outputs[command] = res.stdout
                    else:
                        state[f"failed: {command}"] = {"command": command, "error": res.stderr}
        for item in recipe.get("commands") or []:
            name = str(item.get("name") or item["command"])
            res = runner.run(str(item["command"]), host.timeout)
            state[name] = ({"command": item["command"], "raw": res.stdout} if res.ok
                           else {"command": item["command"], "error": res.stderr})
    finally:
        runner.close()
    return Collected(host=host.name, platform=PLATFORM, config=bundle(host.name, outputs),
                     driver=DRIVER, state=state, duration_s=time.monotonic() - started)
