"""A fake switch network on loopback: real SSH servers (``fakenos``) that answer like switches.

Used by the collector tests, the reliability test, the benchmark, the demo and the daemon tests.
Every fake listens on 127.0.0.1 on its own port, accepts one username/password, shows the prompt
of its platform, answers the session-preparation commands Netmiko sends, the commands of its
recipe (``collectors/<platform>.yaml``) and those NAPALM's ``ios`` / ``nxos_ssh`` getters send.
Running configs and show outputs come from ``stormguard/testing/configs/`` and contain both
compliant and non-compliant ports.

Fault injectors (``FakeDevice.fault``), each standing for a class of real trouble:

=============  ========================================================  =================
fault          what the fake does                                        expected class
=============  ========================================================  =================
``auth``       rejects the inventory's password                          ``auth``
``closed``     nothing listens on its port                               ``unreachable``
``hang``       logs in, then never answers the config command            ``timeout``
``truncated``  sends the running config cut off at 60 %                  ``parse``
``hostkey``    presents a host key other than the one pinned before      ``host-key``
=============  ========================================================  =================

Use :class:`FakeNetwork` as a context manager: servers always stop, hung sessions are released.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

CONFIG_DIR = Path(__file__).resolve().parent / "configs"

#: the switch platforms the fakes emulate (Netmiko device_type names)
PLATFORMS: tuple[str, ...] = (
    "cisco_ios", "cisco_xe", "cisco_nxos", "arista_eos", "juniper_junos", "huawei", "hp_comware",
)
FAULTS: tuple[str, ...] = ("auth", "closed", "hang", "truncated", "hostkey")
#: the failure class each fault must be reported as
EXPECTED_CLASS: dict[str, str] = {
    "auth": "auth", "closed": "unreachable", "hang": "timeout", "truncated": "parse",
    "hostkey": "host-key",
}

_PROMPT = {
    "cisco_ios": "{base_prompt}#", "cisco_xe": "{base_prompt}#", "cisco_nxos": "{base_prompt}#",
    "arista_eos": "{base_prompt}#", "juniper_junos": "netops@{base_prompt}> ",
    "huawei": "<{base_prompt}>", "hp_comware": "<{base_prompt}>",
    "esxi": "[root@{base_prompt}:~] ",
}
_CONFIG_FILE = {
    "cisco_ios": "cisco_ios.cfg", "cisco_xe": "cisco_xe.cfg", "cisco_nxos": "cisco_nxos.cfg",
    "arista_eos": "arista_eos.cfg", "juniper_junos": "juniper_junos.conf",
    "huawei": "huawei.cfg", "hp_comware": "hp_comware.cfg",
}
_CONFIG_COMMAND = {
    "cisco_ios": "show running-config", "cisco_xe": "show running-config",
    "cisco_nxos": "show running-config", "arista_eos": "show running-config",
    "juniper_junos": "show configuration | display inheritance no-comments",
    "huawei": "display current-configuration",
    "hp_comware": "display current-configuration",
    "esxi": "esxcli network vswitch standard list",
}
_SHOW_FILE = {
    "cisco_ios": "cisco_ios", "cisco_xe": "cisco_ios", "cisco_nxos": "cisco_nxos",
    "arista_eos": "arista_eos", "juniper_junos": "juniper_junos", "huawei": "huawei",
    "hp_comware": "hp_comware", "esxi": "esxi",
}
#: what Netmiko sends while preparing the session, and what the real boxes answer
_SESSION = {
    "cisco_ios": {"terminal width 511": "", "terminal length 0": ""},
    "cisco_nxos": {"terminal width 511": "", "terminal length 0": ""},
    "arista_eos": {"terminal width 511": "Width set to 511 columns.",
                   "terminal length 0": "Pagination disabled."},
    "juniper_junos": {"set cli screen-width 511": "Screen width set to 511",
                      "set cli complete-on-space off": "Disabling complete-on-space",
                      "set cli screen-length 0": "Screen length set to 0"},
    "huawei": {"screen-length 0 temporary":
               "Info: The configuration takes effect on the current user terminal interface only."},
    "hp_comware": {"screen-length disable": ""},
}
_SESSION["cisco_xe"] = _SESSION["cisco_ios"]
_SESSION["esxi"] = {}  # the ESXi shell needs no session preparation
_UNKNOWN = {
    "cisco_ios": "                ^\n% Invalid input detected at '^' marker.",
    "cisco_xe": "                ^\n% Invalid input detected at '^' marker.",
    "cisco_nxos": "                ^\n% Invalid command at '^' marker.",
    "arista_eos": "% Invalid input",
    "juniper_junos": "                ^\nsyntax error, expecting <command>.",
    "huawei": "              ^\nError: Unrecognized command found at '^' position.",
    "hp_comware": "              ^\n % Unrecognized command found at '^' position.",
    "esxi": "Error: Unknown command or namespace",
}


@cache
def config_template(platform: str) -> str:
    if platform == "esxi":  # no config file: the vSwitch list is where its collector starts
        return show_outputs(platform)[_CONFIG_COMMAND[platform]].replace(
            "{base_prompt}", "__HOSTNAME__")
    return (CONFIG_DIR / _CONFIG_FILE[platform]).read_text(encoding="utf-8")


def render_config(platform: str, hostname: str, revision: int = 0) -> str:
    """The running config a fake of `platform` serves (hostname and revision filled in)."""
    return (config_template(platform).replace("__HOSTNAME__", hostname)
            .replace("__REVISION__", str(revision)))


@cache
def show_outputs(platform: str) -> dict[str, str]:
    data = yaml.safe_load((CONFIG_DIR / f"{_SHOW_FILE[platform]}.show.yaml").read_text())
    return {cmd: text.replace("__HOSTNAME__", "{base_prompt}").rstrip("\n")
            for cmd, text in data.items()}


def config_command(platform: str) -> str:
    return _CONFIG_COMMAND[platform]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class FakeDevice:
    name: str
    platform: str
    port: int
    username: str
    password: str  # what the inventory will use (the fake rejects it when fault == "auth")
    fault: str | None = None
    revision: int = 0
    host_key_file: str | None = None  # None: fakenos's built-in key
    #: command -> output served instead of the platform's (e.g. the demo's own cabling: LLDP /
    #: CDP tables that name its hypervisors' NICs); ``{base_prompt}`` is the device name
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def config(self) -> str:
        return render_config(self.platform, self.name, self.revision)

    @property
    def expected_class(self) -> str | None:
        return EXPECTED_CLASS.get(self.fault) if self.fault else None


@lru_cache(maxsize=64)
def _host_key(path: str | None) -> Any:
    import paramiko
    from fakenos.plugins.servers.ssh_server_paramiko import DEFAULT_SSH_KEY

    if path:
        return paramiko.RSAKey.from_private_key_file(path)
    return paramiko.RSAKey(file_obj=io.StringIO(DEFAULT_SSH_KEY))


def _keyboard_to_shell(channel_stdio: Any, shell_stdin: Any, shell_replied: threading.Event,
                       running: threading.Event) -> None:
    """What a session types, echoed back and handed to the fake's shell line by line.

    fakenos's own loop does the same but sleeps 10 ms after every byte it receives, so a
    90-character ``esxcli`` command took 0.9 s to reach the shell and one ESXi host 12 s to
    collect (a real device echoes at once). This one waits only where the protocol needs it:
    for the shell to answer the previous line before the next one is read.
    """
    line = bytearray()
    while running.is_set():
        try:
            byte = channel_stdio.read(1)
        except (OSError, EOFError):
            break
        shell_replied.wait(10)
        if not channel_stdio.channel.active or not byte:
            break
        try:
            if byte in (b"\r", b"\n"):
                channel_stdio.write(b"\r\n")
                line += byte
                shell_stdin.write(line.decode("utf-8", "replace"))
                line.clear()
                shell_replied.clear()
            else:
                channel_stdio.write(byte)
                if byte != b"\x00":
                    line += byte
        except (OSError, EOFError):
            break


def _server_class() -> type:
    """fakenos's Paramiko server, minus two costs: it decodes its RSA host key for every host
    (~70 ms each, 14 s for 200 fakes), and it sleeps 10 ms per typed byte (see
    :func:`_keyboard_to_shell`). Same server, key decoded once per key file, typing at once."""
    from fakenos.core.servers import TCPServerBase
    from fakenos.plugins.servers import ssh_server_paramiko
    from fakenos.plugins.servers.ssh_server_paramiko import ParamikoSshServer

    # the server starts this function (looked up by name) for every session
    ssh_server_paramiko.channel_to_shell_tap = _keyboard_to_shell

    class CachedKeySshServer(ParamikoSshServer):
        def __init__(self, shell: type, nos: Any, nos_inventory_config: dict, port: int,
                     username: str, password: str, ssh_key_file: str | None = None,
                     ssh_key_file_password: str | None = None,
                     ssh_banner: str = "FakeNOS Paramiko SSH Server",
                     shell_configuration: dict | None = None, address: str = "127.0.0.1",
                     timeout: int = 1, watchdog_interval: float = 1) -> None:
            TCPServerBase.__init__(self)
            self.nos = nos
            self.nos_inventory_config = nos_inventory_config
            self.shell = shell
            self.shell_configuration = shell_configuration or {}
            self.ssh_banner = ssh_banner
            self.username = username
            self.password = password
            self.port = port
            self.address = address
            self.timeout = timeout
            self.watchdog_interval = watchdog_interval
            self._active_sessions = set()
            self._active_sessions_lock = threading.Lock()
            self._ssh_server_key = _host_key(ssh_key_file)

    return CachedKeySshServer


def _nos_plugin(platform: str) -> dict[str, Any]:
    commands: dict[str, Any] = {}
    for cmd, out in {**_SESSION[platform], **show_outputs(platform)}.items():
        commands[cmd] = {"output": out, "help": f"execute {cmd!r}"}
    commands["_default_"] = {"output": _UNKNOWN[platform], "help": "unknown command"}
    commands["quit"] = {"output": True, "help": "leave the session"}  # VRP / Comware logout
    commands["logout"] = {"output": True, "help": "leave the session"}
    return {"name": f"stormguard_{platform}", "initial_prompt": _PROMPT[platform],
            "commands": commands}


class FakeNetwork:
    """N fake switches on loopback. Start/stop them with ``with FakeNetwork(...) as net:``.

    ``devices`` may be given explicitly, or built with :meth:`build` (round-robin platforms,
    faults assigned by name). ``hang_s`` bounds how long a hung fake stays silent.
    """

    def __init__(self, devices: Iterable[FakeDevice], *, hang_s: float = 600.0,
                 workdir: str | os.PathLike[str] | None = None) -> None:
        self.devices: dict[str, FakeDevice] = {d.name: d for d in devices}
        self.hang_s = hang_s
        self._release = threading.Event()  # set on stop: hung sessions return
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.workdir = Path(workdir) if workdir else None
        self._net: Any = None
        self.started = False
        self._quieted = False
        self.start_s = 0.0

    # -- building ----------------------------------------------------------------------------
    @classmethod
    def build(cls, count: int, *, platforms: Iterable[str] = PLATFORMS,
              faults: dict[str, str] | None = None, prefix: str = "sw",
              username: str = "netops", password: str = "Fake-Pass-1",
              **kwargs: Any) -> FakeNetwork:
        """`count` devices named ``{prefix}{i:03d}``, platforms round-robin; `faults` maps a
        device name to one of :data:`FAULTS`."""
        plats = list(platforms)
        faults = faults or {}
        devices = []
        for i in range(count):
            name = f"{prefix}{i:03d}"
            fault = faults.get(name)
            if fault is not None and fault not in FAULTS:
                raise ValueError(f"unknown fault {fault!r} for {name}")
            devices.append(FakeDevice(name=name, platform=plats[i % len(plats)], port=0,
                                      username=username, password=password, fault=fault))
        return cls(devices, **kwargs)

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> FakeNetwork:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _dir(self) -> Path:
        if self.workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="sg-fakenet-")
            self.workdir = Path(self._tmp.name)
        self.workdir.mkdir(parents=True, exist_ok=True)
        return self.workdir

    def _host_inventory(self, dev: FakeDevice) -> dict[str, Any]:
        text = dev.config
        cmd = config_command(dev.platform)
        if dev.fault == "truncated":
            text = text[: int(len(text) * 0.6)]
        output: Any = text
        if dev.fault == "hang":
            release, hang_s = self._release, self.hang_s

            def output(*_a: Any, **_k: Any) -> str:  # blocks this session's shell thread
                release.wait(hang_s)
                return ""

        server_cfg: dict[str, Any] = {"address": "127.0.0.1", "timeout": 1}
        if dev.fault == "hostkey" and dev.host_key_file is None:
            dev.host_key_file = str(self.new_host_key())
        if dev.host_key_file:
            server_cfg["ssh_key_file"] = dev.host_key_file
        password = dev.password if dev.fault != "auth" else "not-" + dev.password
        return {
            "username": dev.username, "password": password, "port": dev.port,
            "server": {"plugin": "ParamikoSshServer", "configuration": server_cfg},
            "nos": {"plugin": f"stormguard_{dev.platform}",
                    "configuration": {"commands": {
                        **{c: {"output": out, "help": c} for c, out in dev.outputs.items()},
                        cmd: {"output": output, "help": cmd}}}},
        }

    def new_host_key(self) -> Path:
        """Write a fresh RSA host key (as a re-installed switch would have) and return its path."""
        import paramiko

        key = paramiko.RSAKey.generate(2048)
        path = self._dir() / f"hostkey-{time.monotonic_ns()}.pem"
        key.write_private_key_file(str(path))
        return path

    def start(self) -> None:
        from fakenos import FakeNOS

        t0 = time.monotonic()
        if not self._quieted:
            _quiet(True)
            self._quieted = True
        self._dir()
        self._release.clear()
        used: set[int] = set()
        for dev in self.devices.values():
            while dev.port == 0 or dev.port in used:
                dev.port = free_port()
            used.add(dev.port)
        platforms = sorted({d.platform for d in self.devices.values()})
        hosts = {d.name: self._host_inventory(d) for d in self.devices.values()
                 if d.fault != "closed"}
        inventory = {"hosts": hosts}
        self._net = FakeNOS(inventory=inventory, plugins=[_nos_plugin(p) for p in platforms])
        self._net.servers_plugins = {**self._net.servers_plugins,
                                     "ParamikoSshServer": _server_class()}
        try:
            _in_daemon_thread(lambda: [self._net.hosts[name].start() for name in hosts])
        except BaseException:
            self.stop()
            raise
        self.started = True
        self.start_s = time.monotonic() - t0

    def stop(self) -> None:
        """Stop every server (in parallel: each waits up to a second for its listener)."""
        self._release.set()
        net, self._net = self._net, None
        if net is not None:
            running = [h for h in net.hosts.values() if h.running]
            if running:
                with ThreadPoolExecutor(max_workers=min(64, len(running))) as ex:
                    list(ex.map(_stop_quietly, running))
        if self._quieted:
            _quiet(False)
            self._quieted = False
        self.started = False
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
            self.workdir = None

    # -- fault injection between runs -------------------------------------------------------
    def restart(self, name: str) -> None:
        """Restart one fake with its current settings (new config revision, host key...)."""
        dev = self.devices[name]
        host = self._net.hosts.get(name) if self._net else None
        if host is None:
            raise KeyError(f"{name} is not a running fake")
        host.stop()
        time.sleep(1.1)  # let the old listener's accept() time out and its socket go
        inv = self._host_inventory(dev)
        host.password = inv["password"]
        host.server_inventory = inv["server"]
        host.nos_inventory = inv["nos"]
        _in_daemon_thread(host.start)

    def rotate_host_key(self, name: str) -> None:
        """The switch now presents a new SSH host key (re-install, or a man in the middle)."""
        self.devices[name].host_key_file = str(self.new_host_key())
        self.restart(name)

    def bump_revision(self, name: str) -> None:
        """Change the device's running config (its description carries the revision).

        No restart: every new session copies its commands from this dict, so swapping it
        is atomic for the next login (restarting a listener on the same port races with the
        old socket under SO_REUSEPORT)."""
        dev = self.devices[name]
        dev.revision += 1
        host = self._net.hosts.get(name) if self._net else None
        if host is None:
            raise KeyError(f"{name} is not a running fake")
        new = self._host_inventory(dev)["nos"]["configuration"]["commands"]
        host.nos_inventory["configuration"]["commands"] = new

    # -- what the collector needs -----------------------------------------------------------
    def inventory(self, *, password_env: str = "SG_FAKE_PASSWORD",
                  host_key_policy: str = "tofu", timeout: float = 20.0,
                  retries: int = 0, driver: str | None = None,
                  names: Iterable[str] | None = None) -> dict[str, Any]:
        """An inventory document (the YAML shape) for these fakes; the password is referenced
        through `password_env`, never written."""
        hosts = {}
        for dev in self.devices.values():
            if names is not None and dev.name not in set(names):
                continue
            entry: dict[str, Any] = {"hostname": "127.0.0.1", "port": dev.port,
                                     "platform": dev.platform, "site": "lab"}
            if driver:
                entry["driver"] = driver
            hosts[dev.name] = entry
        return {
            "defaults": {"username": next(iter(self.devices.values())).username,
                         "password_env": password_env, "host_key_policy": host_key_policy,
                         "timeout": timeout, "retries": retries},
            "hosts": hosts,
        }

    def hosts(self, *, password_env: str = "SG_FAKE_PASSWORD", host_key_policy: str = "tofu",
              timeout: float = 20.0, retries: int = 0, driver: str | None = None,
              names: Iterable[str] | None = None) -> list[Any]:
        """The same as :meth:`inventory`, as :class:`stormguard.inventory.Host` objects."""
        from stormguard.inventory import Credentials, Host

        wanted = set(names) if names is not None else None
        return [
            Host(name=d.name, hostname="127.0.0.1", platform=d.platform, port=d.port, site="lab",
                 credentials=Credentials(username=d.username, password_env=password_env),
                 driver=driver, timeout=timeout, retries=retries,
                 host_key_policy=host_key_policy)
            for d in self.devices.values() if wanted is None or d.name in wanted
        ]

    def write_inventory(self, path: str | os.PathLike[str], **kwargs: Any) -> Path:
        path = Path(path)
        path.write_text(yaml.safe_dump(self.inventory(**kwargs), sort_keys=False))
        return path

    def pin_all_host_keys(self, known_hosts: str | os.PathLike[str]) -> None:
        """Write a known_hosts file pinning fakenos's default key for every fake, as if an
        earlier night had collected them all (so a `hostkey` fake is a *changed* key)."""
        import paramiko
        from fakenos.plugins.servers.ssh_server_paramiko import DEFAULT_SSH_KEY

        key = paramiko.RSAKey(file_obj=io.StringIO(DEFAULT_SSH_KEY))
        lines = [f"[127.0.0.1]:{d.port} {key.get_name()} {key.get_base64()}"
                 for d in self.devices.values()]
        Path(known_hosts).parent.mkdir(parents=True, exist_ok=True)
        Path(known_hosts).write_text("\n".join(lines) + "\n")


_HOOK_LOCK = threading.Lock()
_HOOK_USERS = 0
_PREVIOUS_HOOK = threading.excepthook


def _quiet_fake_threads(args: Any) -> None:
    """fakenos's server threads die noisily when a client disconnects during login (wrong
    password, refused host key); that is the fault under test, not news."""
    if "connection_function" in (args.thread.name if args.thread else ""):
        return
    _PREVIOUS_HOOK(args)


def _quiet(on: bool) -> None:
    global _HOOK_USERS, _PREVIOUS_HOOK
    with _HOOK_LOCK:
        if on:
            if _HOOK_USERS == 0:
                _PREVIOUS_HOOK = threading.excepthook
                threading.excepthook = _quiet_fake_threads
                for name in ("fakenos", "paramiko.transport"):
                    logging.getLogger(name).setLevel(logging.CRITICAL)
            _HOOK_USERS += 1
        else:
            _HOOK_USERS = max(0, _HOOK_USERS - 1)
            if _HOOK_USERS == 0 and threading.excepthook is _quiet_fake_threads:
                threading.excepthook = _PREVIOUS_HOOK


def _stop_quietly(host: Any) -> None:
    with contextlib.suppress(Exception):
        host.stop()


@contextlib.contextmanager
def fake_network(count: int, **kwargs: Any) -> Iterator[FakeNetwork]:
    """``with fake_network(12, faults={"sw003": "hang"}) as net: ...``"""
    net = FakeNetwork.build(count, **{k: v for k, v in kwargs.items()
                                      if k in ("platforms", "faults", "prefix", "username",
                                               "password")},
                            **{k: v for k, v in kwargs.items()
                               if k in ("hang_s", "workdir")})
    with net:
        yield net


def main(argv: list[str] | None = None) -> int:
    """Serve a fake network until interrupted and print its inventory (for the demo)."""
    import argparse
    import sys

    p = argparse.ArgumentParser(prog="python -m stormguard.testing.fakenet")
    p.add_argument("--count", type=int, default=12)
    p.add_argument("--inventory", help="write the inventory YAML here")
    p.add_argument("--password", default="Fake-Pass-1")
    args = p.parse_args(argv)
    with FakeNetwork.build(args.count, password=args.password) as net:
        if args.inventory:
            net.write_inventory(args.inventory)
            print(f"inventory written to {args.inventory} (password in $SG_FAKE_PASSWORD)")
        else:
            sys.stdout.write(yaml.safe_dump(net.inventory(), sort_keys=False))
        sys.stdout.flush()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def _in_daemon_thread(fn: Callable[[], object]) -> None:
    """Run `fn` in a daemon thread and wait for it, re-raising what it raised.

    fakenos starts a listener thread per fake and a thread per SSH connection, none of them
    daemon threads; a connection whose client went away before opening a channel (the auth and
    host-key faults) then blocks forever in paramiko's ``Transport.accept()`` and Python waits
    for it at exit. Threads inherit the daemon flag from the thread that creates them, so
    starting the servers from a daemon thread makes every thread they spawn a daemon too."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            fn()
        except BaseException as exc:
            errors.append(exc)

    t = threading.Thread(target=run, name="fakenet-start", daemon=True)
    t.start()
    t.join()
    if errors:
        raise errors[0]
