"""Inventory: hosts, groups and defaults, with Nornir SimpleInventory-style inheritance.

Two layouts are accepted:

* one file (``inventory.yaml``) with top-level ``defaults``, ``groups`` and ``hosts``;
* Nornir's three files in one directory: ``hosts.yaml`` (required), ``groups.yaml`` and
  ``defaults.yaml`` (optional). Pass the directory, or the ``hosts.yaml`` in it.

A host's setting comes from the host itself, else from its groups in the order listed (a group
may itself have groups, searched depth-first), else from ``defaults``. ``data`` dicts are merged
key by key with the same precedence, and ``tags`` are the union of all levels. Each credential
field inherits on its own (a group can carry the username and a host its key file), except
that the password *source* (``password``, ``password_env``, ``password_file``, ``prompt``) is
taken as a unit from the most specific level that sets one.
Credentials may be written at the top level of an entry (Nornir style) or under ``credentials:``.

Every value is validated where it is written, so an error names the file, the line and the key
(``inventory.yaml:14: hosts.sw1.platform: unknown platform 'ciscoo'``). Secrets are never
formatted into messages; a plaintext ``password:`` works but logs a warning naming the host.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stormguard.errors import ConfigError

log = logging.getLogger("stormguard.inventory")

INVENTORY_ENV = "STORMGUARD_INVENTORY"
DEFAULT_INVENTORY = "inventory.yaml"
TRANSPORTS = ("ssh", "local")
DRIVERS = ("netmiko", "napalm", "ovs", "linux_bridge", "esxi")
HOST_KEY_POLICIES = ("strict", "tofu", "ignore")
CREDENTIAL_KEYS = ("username", "password", "password_env", "password_file", "ssh_key_file",
                   "prompt")
PASSWORD_KEYS = ("password", "password_env", "password_file", "prompt")
SETTING_KEYS = ("hostname", "port", "platform", "site", "transport", "driver", "timeout",
                "retries", "host_key_policy", "netns")
ENTRY_KEYS = frozenset(SETTING_KEYS + CREDENTIAL_KEYS + ("groups", "tags", "data",
                                                         "credentials", "name",
                                                         "connection_options"))
#: Levels of group nesting (a group in a group ...); real inventories use 2 to 5.
MAX_GROUP_DEPTH = 50
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class Credentials:
    """References to secrets, never the secrets themselves (except a plaintext `password`,
    which works but warns). Resolve with :meth:`password_value` at connection time only."""

    username: str | None = None
    password_env: str | None = None
    password_file: str | None = None
    ssh_key_file: str | None = None
    password: str | None = None  # plaintext in the inventory: discouraged
    prompt: bool = False  # ask interactively (one-off runs)

    def __repr__(self) -> str:  # never print secrets
        return f"Credentials(username={self.username!r}, password=***)"

    def password_value(self, host: str = "") -> str | None:
        """The password, read from where the inventory points, at connection time only.

        Order: ``password_env``, ``password_file``, plaintext ``password``, interactive prompt.
        None when the host authenticates by key only. Errors name the reference, not the secret.
        """
        who = f"{host}: " if host else ""
        if self.ssh_key_file:  # checked here too: every driver resolves the password first
            check_key_file(self.ssh_key_file, f"{who}ssh_key_file")
        if self.password_env:
            value = os.environ.get(self.password_env)
            if value is None:
                raise ConfigError(f"{who}password_env: environment variable "
                                  f"{self.password_env} is not set")
            return value
        if self.password_file:
            return read_secret_file(self.password_file, f"{who}password_file")
        if self.password is not None:
            return self.password
        if self.prompt:
            import getpass

            return getpass.getpass(f"Password for {host or self.username or 'device'}: ")
        return None


def read_secret_file(path: str, what: str) -> str:
    """The first line of a password (or token) file, read at most a few KiB.

    One-line :class:`ConfigError` naming `what` and the file, never its content: a device path
    (``/dev/zero``), a FIFO nobody writes to, a huge file, a binary or non-UTF-8 file, an empty
    file. Collection turns it into the failure class ``auth: credentials unavailable``."""
    from stormguard.readlimits import MAX_SECRET_BYTES, read_bytes

    try:
        data = read_bytes(path, MAX_SECRET_BYTES, "file", ConfigError)
    except FileNotFoundError:
        raise ConfigError(f"{what}: cannot read {path}: No such file or directory") from None
    except ConfigError as exc:
        raise ConfigError(f"{what}: {exc}") from None
    if b"\x00" in data:
        raise ConfigError(f"{what}: {path} is a binary file, not a password (value not shown)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{what}: {path} is not UTF-8 text (value not shown)") from None
    lines = text.splitlines()
    first = lines[0] if lines else ""
    if not first:
        raise ConfigError(f"{what}: {path} is empty (the password is its first line)")
    if any((ord(c) < 32 and c != "\t") or ord(c) == 127 for c in first):
        raise ConfigError(f"{what}: {path}: the first line holds control characters, not a "
                          "password (value not shown)")
    return first


#: An SSH private key file is a few KiB (RSA 4096 in PEM: ~3.3 KiB).
MAX_KEY_FILE_BYTES = 64 * 1024


def check_key_file(path: str, what: str) -> None:
    """Refuse, before paramiko reads it, an ssh_key_file that is missing, not a regular file
    (``/dev/zero`` would be read for ever, a FIFO block) or absurdly large; one line."""
    import stat

    try:
        st = os.stat(path)
    except OSError as exc:
        raise ConfigError(f"{what}: cannot read {path}: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(f"{what}: {path} is not a regular file")
    if st.st_size > MAX_KEY_FILE_BYTES:
        raise ConfigError(f"{what}: {path} is larger than the {MAX_KEY_FILE_BYTES:,}-byte "
                          "limit of a key file")


@dataclass
class Host:
    name: str  # inventory name, unique
    hostname: str  # IP or DNS name; "local" for a vSwitch read on this machine
    platform: str  # Netmiko device_type, or ovs / linux_bridge
    port: int = 22
    site: str | None = None
    groups: list[str] = field(default_factory=list)  # all groups, in precedence order
    tags: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # role data, free-form
    credentials: Credentials = field(default_factory=Credentials)
    transport: str = "ssh"  # ssh | local
    driver: str | None = None  # netmiko | napalm (None: the recipe's preference)
    timeout: float = 60.0
    retries: int = 2
    host_key_policy: str = "tofu"  # strict | tofu | ignore
    netns: str | None = None  # for local vSwitch reads inside a network namespace


class InventoryError(ConfigError):
    """The inventory is invalid. ``errors`` holds every problem found, one line each."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        first = self.errors[0] if self.errors else "invalid inventory"
        more = len(self.errors) - 1
        tail = f" (and {more} more; see `stormguard inventory check`)" if more > 0 else ""
        super().__init__(first + tail)


@dataclass
class Inventory:
    hosts: dict[str, Host]
    groups: list[str]
    sources: list[Path]
    warnings: list[str] = field(default_factory=list)

    def select(self, limit: str | None = None) -> list[Host]:
        """Hosts matching `limit`: a name glob, or ``site:GLOB``, ``group:NAME``, ``tag:NAME``;
        several separated by commas (any may match). None selects every host."""
        hosts = sorted(self.hosts.values(), key=lambda h: h.name)
        if not limit:
            return hosts
        terms = [t.strip() for t in limit.split(",") if t.strip()]

        def match(h: Host) -> bool:
            for t in terms:
                kind, _, val = t.partition(":") if ":" in t else ("", "", t)
                if kind == "site" and fnmatch.fnmatchcase(h.site or "", val):
                    return True
                if kind == "group" and val in h.groups:
                    return True
                if kind == "tag" and val in h.tags:
                    return True
                if not kind and fnmatch.fnmatchcase(h.name, val):
                    return True
            return False

        return [h for h in hosts if match(h)]


# --------------------------------------------------------------------------- YAML with lines
@dataclass
class _Doc:
    file: Path
    data: Any
    lines: dict[tuple[str, ...], int]
    prefix: tuple[str, ...] = ()  # logical path of this document's root ("hosts",) in 3-file
    duplicates: list[tuple[tuple[str, ...], int]] = field(default_factory=list)

    def line(self, path: tuple[str, ...]) -> int:
        rel = path[len(self.prefix):]
        while rel:
            if rel in self.lines:
                return self.lines[rel]
            rel = rel[:-1]
        return self.lines.get((), 1)

    def where(self, path: tuple[str, ...]) -> str:
        return f"{self.file.name}:{self.line(path)}: {'.'.join(path)}"


def _read_yaml(path: Path, prefix: tuple[str, ...] = ()) -> _Doc:
    from stormguard.readlimits import MAX_SETTINGS_BYTES, read_text

    try:
        text = read_text(path, MAX_SETTINGS_BYTES, "inventory file")
    except FileNotFoundError:
        raise ConfigError(f"{path}: inventory file not found") from None
    from stormguard import yamlsafe

    # One-line errors that never quote a value (a password may be what broke the YAML).
    data, node = yamlsafe.load(text, path.name)
    lines: dict[tuple[str, ...], int] = {}
    dups: list[tuple[tuple[str, ...], int]] = []
    if node is not None:
        lines[()] = node.start_mark.line + 1
        _walk(node, (), lines, dups)
    return _Doc(path, data, lines, prefix, dups)


def _walk(node: Any, path: tuple[str, ...], lines: dict[tuple[str, ...], int],
          dups: list[tuple[tuple[str, ...], int]]) -> None:
    """Record the line of every key; PyYAML silently keeps the last of duplicate keys, which
    for an inventory means a host quietly replaced by another: remember them as errors."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = (*path, str(k.value))
            if key in lines:
                dups.append((key, k.start_mark.line + 1))
            else:
                lines[key] = k.start_mark.line + 1
            _walk(v, key, lines, dups)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            key = (*path, str(i))
            lines[key] = v.start_mark.line + 1
            _walk(v, key, lines, dups)


# --------------------------------------------------------------------------- validation
@dataclass
class _Entry:
    """One validated inventory entry (a host, a group or the defaults), before inheritance."""

    kind: str  # host | group | defaults
    name: str
    path: tuple[str, ...]
    doc: _Doc
    settings: dict[str, Any] = field(default_factory=dict)
    creds: dict[str, Any] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)  # keys with an error already reported


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def err(self, doc: _Doc, path: tuple[str, ...], msg: str) -> None:
        self.errors.append(f"{doc.where(path)}: {msg}")

    def entry(self, kind: str, name: str, raw: Any, doc: _Doc,
              path: tuple[str, ...]) -> _Entry | None:
        e = _Entry(kind, name, path, doc)
        if raw is None:
            return e
        if not isinstance(raw, dict):
            self.err(doc, path, f"expected a mapping, got {_typename(raw)}")
            return None
        creds_raw = raw.get("credentials")
        if creds_raw is not None and not isinstance(creds_raw, dict):
            self.err(doc, (*path, "credentials"), f"expected a mapping, got {_typename(creds_raw)}")
            creds_raw = None
        for key, value in raw.items():
            key = str(key)
            p = (*path, key)
            if key not in ENTRY_KEYS:
                self.err(doc, p, f"unknown key {key!r}")
            elif key in SETTING_KEYS:
                ok = self.setting(doc, p, key, value)
                if ok is not _BAD:
                    e.settings[key] = ok
                elif value is not None:
                    e.bad.add(key)
            elif key in CREDENTIAL_KEYS:
                self.credential(e, doc, p, key, value)
            elif key == "groups":
                e.groups = self.str_list(doc, p, value)
            elif key == "tags":
                e.tags = self.str_list(doc, p, value)
            elif key == "data":
                if value is None:
                    continue
                if not isinstance(value, dict):
                    self.err(doc, p, f"expected a mapping, got {_typename(value)}")
                else:
                    e.data = dict(value)
        for key, value in (creds_raw or {}).items():
            key = str(key)
            p = (*path, "credentials", key)
            if key not in CREDENTIAL_KEYS:
                self.err(doc, p, f"unknown credential key {key!r} "
                                 f"(use one of: {', '.join(CREDENTIAL_KEYS)})")
            else:
                self.credential(e, doc, p, key, value)
        return e

    def credential(self, e: _Entry, doc: _Doc, p: tuple[str, ...], key: str, value: Any) -> None:
        if value is None:
            return
        if key == "prompt":
            if not isinstance(value, bool):
                self.err(doc, p, "expected true or false")
                return
        elif key == "password":
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                self.err(doc, p, "expected a string")  # never echo the value
                return
            value = str(value)
            self.warnings.append(
                f"{doc.where(p)}: plaintext password in the inventory for {e.kind} {e.name!r} "
                "(use password_env or password_file)")
            log.warning("%s: plaintext password in the inventory for %s %r "
                        "(use password_env or password_file)", doc.where(p), e.kind, e.name)
        else:
            if not isinstance(value, str) or not value.strip():
                self.err(doc, p, "expected a non-empty string")
                return
            value = value.strip()
            if key == "password_env" and not _ENV_NAME.match(value):
                # Never echo it: a password pasted here by mistake is the usual cause.
                self.err(doc, p, "expected the name of an environment variable (letters, "
                                 "digits, _), not the password itself (value not shown)")
                return
            if key in ("password_file", "ssh_key_file"):
                path = Path(value).expanduser()
                if not path.is_absolute():
                    path = doc.file.parent / path
                value = str(path)
        e.creds[key] = value

    def setting(self, doc: _Doc, p: tuple[str, ...], key: str, value: Any) -> Any:
        if value is None:
            return _BAD
        if key in ("hostname", "site", "netns"):
            if not isinstance(value, str | int | float) or isinstance(value, bool) \
                    or not str(value).strip():
                self.err(doc, p, "expected a non-empty string")
                return _BAD
            return str(value).strip()
        if key == "platform":
            from stormguard.errors import UnknownPlatformError
            from stormguard.parsers import canonical_platform

            if not isinstance(value, str):
                self.err(doc, p, f"expected a platform name, got {_typename(value)}")
                return _BAD
            try:
                return canonical_platform(value)
            except UnknownPlatformError:
                from stormguard.model import PLATFORMS

                self.err(doc, p, f"unknown platform {value!r} "
                                 f"(supported: {', '.join(PLATFORMS)})")
                return _BAD
        if key == "port":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
                self.err(doc, p, f"expected a TCP port 1-65535, got {value!r}")
                return _BAD
            return value
        if key == "timeout":
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                self.err(doc, p, f"expected a positive number of seconds, got {value!r}")
                return _BAD
            return float(value)
        if key == "retries":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                self.err(doc, p, f"expected a whole number >= 0, got {value!r}")
                return _BAD
            return value
        choices = {"transport": TRANSPORTS, "driver": DRIVERS,
                   "host_key_policy": HOST_KEY_POLICIES}[key]
        if value not in choices:
            self.err(doc, p, f"expected one of {', '.join(choices)}, got {value!r}")
            return _BAD
        return value

    def str_list(self, doc: _Doc, p: tuple[str, ...], value: Any) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.err(doc, p, f"expected a list, got {_typename(value)}")
            return []
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str | int) or isinstance(item, bool):
                self.err(doc, (*p, str(i)), f"expected a name, got {_typename(item)}")
            else:
                out.append(str(item))
        return out


_BAD = object()


def _typename(v: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", int: "a number",
            float: "a number", bool: "true/false", type(None): "nothing"}.get(type(v),
                                                                                type(v).__name__)


# --------------------------------------------------------------------------- loading
def inventory_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The inventory to use: `path`, else $STORMGUARD_INVENTORY, else ./inventory.yaml."""
    if path:
        return Path(path)
    env = os.environ.get(INVENTORY_ENV)
    return Path(env) if env else Path(DEFAULT_INVENTORY)


def _documents(path: Path) -> tuple[_Doc | None, _Doc | None, _Doc | None, list[Path]]:
    """(defaults, groups, hosts) documents, each rooted at its logical prefix."""
    three_dir: Path | None = None
    if path.is_dir():
        three_dir = path
    elif path.name in ("hosts.yaml", "hosts.yml"):
        doc = _read_yaml(path)
        if not (isinstance(doc.data, dict) and set(doc.data) <= {"defaults", "groups", "hosts"}
                and "hosts" in doc.data):
            three_dir = path.parent
    if three_dir is None:
        doc = _read_yaml(path)
        if doc.data is None:
            raise ConfigError(f"{path}: the inventory is empty")
        if not isinstance(doc.data, dict):
            raise ConfigError(f"{path.name}:1: expected a mapping with defaults, groups, hosts")
        for key in doc.data:
            if key not in ("defaults", "groups", "hosts"):
                raise ConfigError(f"{doc.where((str(key),))}: unknown top-level key "
                                  "(expected defaults, groups, hosts)")
        parts = []
        for key in ("defaults", "groups", "hosts"):
            sub = _Doc(doc.file, doc.data.get(key), doc.lines, (),
                       [d for d in doc.duplicates if d[0][0] == key])
            parts.append(sub)
        return parts[0], parts[1], parts[2], [path]
    docs: dict[str, _Doc | None] = {}
    sources = []
    for key in ("defaults", "groups", "hosts"):
        found = None
        for ext in ("yaml", "yml"):
            f = three_dir / f"{key}.{ext}"
            if f.is_file():
                found = f
                break
        if found is None:
            if key == "hosts":
                raise ConfigError(f"{three_dir}: no hosts.yaml (expected an inventory file, or "
                                  "a directory with hosts.yaml, groups.yaml, defaults.yaml)")
            docs[key] = None
            continue
        d = _read_yaml(found, prefix=(key,))
        # Re-root the line map under the logical prefix so paths read like the one-file layout.
        d.lines = {(key, *k): v for k, v in d.lines.items()}
        d.duplicates = [((key, *k), line) for k, line in d.duplicates]
        d.prefix = ()
        docs[key] = d
        sources.append(found)
    return docs["defaults"], docs["groups"], docs["hosts"], sources


def _check_inventory(path: Path) -> tuple[Inventory | None, list[str], list[str]]:
    chk = _Checker()
    d_doc, g_doc, h_doc, sources = _documents(path)
    for doc in (d_doc, g_doc, h_doc):
        for dup_path, line in (doc.duplicates if doc is not None else []):
            chk.errors.append(f"{doc.file.name}:{line}: {'.'.join(dup_path)}: duplicate key "
                              f"(first at line {doc.lines[dup_path]})")

    defaults = _Entry("defaults", "defaults", ("defaults",), d_doc or h_doc)  # type: ignore[arg-type]
    if d_doc is not None and d_doc.data is not None:
        defaults = chk.entry("defaults", "defaults", d_doc.data, d_doc, ("defaults",)) or defaults
        if defaults.groups:
            chk.err(d_doc, ("defaults", "groups"), "defaults cannot belong to groups")

    groups: dict[str, _Entry] = {}
    if g_doc is not None and g_doc.data is not None:
        if not isinstance(g_doc.data, dict):
            chk.err(g_doc, ("groups",), f"expected a mapping, got {_typename(g_doc.data)}")
        else:
            for name, raw in g_doc.data.items():
                e = chk.entry("group", str(name), raw, g_doc, ("groups", str(name)))
                if e is not None:
                    groups[str(name)] = e

    hosts_raw = h_doc.data if h_doc is not None else None
    if hosts_raw is None:
        hosts_raw = {}
    hosts: dict[str, _Entry] = {}
    if not isinstance(hosts_raw, dict):
        assert h_doc is not None
        chk.err(h_doc, ("hosts",), f"expected a mapping, got {_typename(hosts_raw)}")
        hosts_raw = {}
    for name, raw in hosts_raw.items():
        assert h_doc is not None
        e = chk.entry("host", str(name), raw, h_doc, ("hosts", str(name)))
        if e is not None:
            hosts[str(name)] = e

    # group references and cycles
    for e in [*groups.values(), *hosts.values()]:
        for i, g in enumerate(e.groups):
            if g not in groups:
                chk.err(e.doc, (*e.path, "groups", str(i)), f"unknown group {g!r}")
    order = _GroupOrder(groups)
    if order.cycle:
        e = groups[order.cycle[0]]
        chk.err(e.doc, (*e.path, "groups"), f"group cycle: {' -> '.join(order.cycle)}")
    elif order.too_deep:
        e = groups[order.too_deep[0]]
        chain = order.too_deep
        shown = chain if len(chain) <= 6 else [*chain[:3], "...", *chain[-2:]]
        chk.err(e.doc, (*e.path, "groups"),
                f"groups nested {len(chain)} levels deep, more than the limit of "
                f"{MAX_GROUP_DEPTH} ({' -> '.join(shown)})")

    result: dict[str, Host] = {}
    for name, e in hosts.items():
        host = _resolve(e, groups, order, defaults, chk)
        if host is not None:
            result[name] = host
    if not hosts and not chk.errors:
        where = h_doc.where(("hosts",)) if h_doc is not None else str(path)
        chk.errors.append(f"{where}: no hosts defined")
    if chk.errors:
        return None, chk.errors, chk.warnings
    inv = Inventory(hosts=result, groups=sorted(groups), sources=sources, warnings=chk.warnings)
    return inv, [], chk.warnings


class _GroupOrder:
    """Group inheritance, worked out once for the whole group graph, iteratively.

    One depth-first pass over the groups (an explicit stack, never Python recursion) gives each
    group its lineage (itself, then its groups depth-first in the order listed, each group once),
    the first cycle, and the longest chain of nesting. Every group is finished once and its
    lineage reused by all who inherit it, so diamond-shaped graphs (groups reached along many
    paths) cost time in proportion to the graph, not to the number of paths through it.
    """

    def __init__(self, groups: dict[str, _Entry]) -> None:
        self.lineage: dict[str, list[str]] = {}
        self.cycle: list[str] | None = None
        self.too_deep: list[str] | None = None
        height: dict[str, int] = {}
        longest_child: dict[str, str | None] = {}
        on_path: set[str] = set()
        for root in groups:
            if root in self.lineage:
                continue
            path = [root]
            on_path.add(root)
            stack = [iter(groups[root].groups)]
            while stack:
                child = next(stack[-1], None)
                if child is not None:
                    if child not in groups or child in self.lineage:
                        continue
                    if child in on_path:
                        if self.cycle is None:
                            self.cycle = [*path[path.index(child):], child]
                        continue
                    path.append(child)
                    on_path.add(child)
                    stack.append(iter(groups[child].groups))
                    continue
                stack.pop()
                name = path.pop()
                on_path.discard(name)
                out, seen = [name], {name}
                best, best_child = 0, None
                for c in groups[name].groups:
                    if c not in self.lineage:  # unknown, or on a cycle: reported elsewhere
                        continue
                    for g in self.lineage[c]:
                        if g not in seen:
                            seen.add(g)
                            out.append(g)
                    if height[c] > best:
                        best, best_child = height[c], c
                self.lineage[name] = out
                height[name] = best + 1
                longest_child[name] = best_child
        deepest = max(groups, key=lambda g: height.get(g, 0), default=None)
        if deepest is not None and height.get(deepest, 0) > MAX_GROUP_DEPTH:
            chain: list[str] = []
            cur: str | None = deepest
            while cur is not None:
                chain.append(cur)
                cur = longest_child[cur]
            self.too_deep = chain

    def of(self, e: _Entry, groups: dict[str, _Entry]) -> list[_Entry]:
        """The entry, then its groups in precedence order (each once)."""
        out, seen = [e], set()
        for g in e.groups:
            for name in self.lineage.get(g, ()):
                if name not in seen:
                    seen.add(name)
                    out.append(groups[name])
        return out


def _resolve(e: _Entry, groups: dict[str, _Entry], order: _GroupOrder, defaults: _Entry,
             chk: _Checker) -> Host | None:
    lineage = order.of(e, groups)
    chain = [*lineage, defaults]

    def pick(bucket: str, key: str) -> Any:
        for level in chain:
            values = getattr(level, bucket)
            if key in values:
                return values[key]
        return None

    platform = pick("settings", "platform")
    if platform is None:
        if any("platform" in level.bad for level in chain):
            return None  # already reported where the bad platform is written
        chk.err(e.doc, e.path, "no platform (set it on the host, one of its groups, or defaults)")
        return None
    transport = pick("settings", "transport") or "ssh"
    from stormguard.model import VSWITCH_PLATFORMS

    if transport == "local" and platform not in VSWITCH_PLATFORMS:
        chk.err(e.doc, (*e.path, "transport"),
                f"transport local reads a vSwitch on this machine; {platform} is a switch")
        return None
    data: dict[str, Any] = {}
    for level in reversed(chain):
        data.update(level.data)
    tags: list[str] = []
    for level in chain:
        tags.extend(t for t in level.tags if t not in tags)
    cred_values = {k: pick("creds", k) for k in ("username", "ssh_key_file")}
    # The password *source* is inherited as a unit: a host's password_file must not lose to a
    # password_env set in defaults just because the env var comes first in resolution order.
    source = next((lvl.creds for lvl in chain if any(k in lvl.creds for k in PASSWORD_KEYS)), {})
    cred_values.update({k: source.get(k) for k in PASSWORD_KEYS})
    creds = Credentials(
        username=cred_values["username"], password_env=cred_values["password_env"],
        password_file=cred_values["password_file"], ssh_key_file=cred_values["ssh_key_file"],
        password=cred_values["password"], prompt=bool(cred_values["prompt"]))
    hostname = pick("settings", "hostname") or ("local" if transport == "local" else e.name)
    expanded_groups = [g.name for g in lineage[1:]]
    return Host(
        name=e.name, hostname=hostname, platform=platform,
        port=pick("settings", "port") or 22, site=pick("settings", "site"),
        groups=expanded_groups, tags=tags, data=data, credentials=creds, transport=transport,
        driver=pick("settings", "driver"),
        timeout=pick("settings", "timeout") or 60.0,
        retries=pick("settings", "retries") if pick("settings", "retries") is not None else 2,
        host_key_policy=pick("settings", "host_key_policy") or "tofu",
        netns=pick("settings", "netns"),
    )


def check_inventory(path: str | os.PathLike[str] | None = None
                    ) -> tuple[Inventory | None, list[str], list[str]]:
    """Validate without raising: (inventory or None, errors, warnings), one line each.
    A file that cannot be read at all gives one error."""
    try:
        return _check_inventory(inventory_path(path))
    except ConfigError as exc:
        return None, [str(exc)], []


def load_inventory(path: str | os.PathLike[str] | None = None) -> Inventory:
    """Load and validate the inventory; raises :class:`InventoryError` listing every problem."""
    inv, errors, _warnings = check_inventory(path)
    if errors or inv is None:
        raise InventoryError(errors)
    return inv
