"""One parser core for the ``#``-separated configs of Huawei VRP and H3C Comware (v5 and v7).

Both come from the same VRP lineage and print ``display current-configuration`` the same way:
top-level commands in column 0, the commands of a view (``interface``, ``vlan``) indented by one
space below it, ``#`` lines between views, ``return`` at the end, and ``undo ...`` for a setting
that differs from a default that is *on*. What differs is mostly vocabulary, kept in
:class:`Dialect` and in a few keyword aliases that simply never occur in the other platform's
text (``port trunk allow-pass`` is Huawei, ``port trunk permit`` is H3C; Huawei joins an
``Eth-Trunk``, H3C a ``Bridge-Aggregation``; Huawei limits storms with ``storm-control``, H3C
with ``storm-constrain``; both know ``broadcast-suppression``).

Platform defaults that matter to the rules (documented here, applied here, marked in ``extra``)
-----------------------------------------------------------------------------------------------
* **A trunk with no allowed list carries VLAN 1 only.** Unlike Cisco (no list = every VLAN), a
  Huawei or H3C trunk starts with VLAN 1 and every ``allow-pass``/``permit`` line *adds* to that;
  ``undo port trunk allow-pass vlan 1`` removes it. So the parser starts every trunk from {1} and
  applies the lines in order; a trunk with no list at all gets ``allowed_vlans = {1}`` with *no*
  source line and ``extra["allowed_vlans_default"] = True``. Leaving it ``None`` would read as
  "all VLANs" downstream and make SG101 fire on a port that carries one VLAN.
* **Hybrid ports** are trunks when they carry tagged VLANs (allowed = tagged + untagged, the
  untagged set starting from VLAN 1), otherwise access ports in their PVID;
  ``extra["link_type"] = "hybrid"`` keeps the difference visible.
* **Layer 2 by default.** Ethernet ports and Eth-Trunk/Bridge-Aggregation interfaces are
  switched unless the config says ``undo portswitch`` (Huawei) or ``port link-mode route`` (H3C).
* **Spanning tree globally**: on by default on Huawei (the config says ``stp disable`` when it is
  off); off by default on H3C, whose configs print ``stp global enable`` (v7) / ``stp enable``
  (v5) when it is on. :class:`Dialect` carries the difference.
* Storm-control units: Huawei ``min-rate``/``max-rate`` are pps unless ``percent`` or ``cir``
  (kbit/s, stored as bps) is given; ``broadcast-suppression N`` is a percentage,
  ``packets``/``pps`` are pps, ``cir``/``kbps`` are kbit/s (stored as bps). The rising
  threshold is ``level``, the lower one ``falling``.
* One value per traffic class: when a port limits broadcast twice (H3C ``broadcast-suppression``
  and ``storm-constrain broadcast``), the later line is the one recorded.
* Actions: ``error-down``/``shutdown`` -> "shutdown", ``block`` -> "block", ``enable trap`` ->
  "trap", ``enable log`` -> "log".

Robustness: banners (``header motd %`` ... ``%``, ``header login information "..."``) and key
or certificate blocks are skipped without being read as commands; commands outside a view are
never applied to a port; a command recognised but unreadable becomes a ``Device.warnings`` entry
with its line number. One pass, ``startswith``/``split`` only, regular expressions only inside
:meth:`VlanSet.parse`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath

from stormguard.errors import InputError
from stormguard.model import PLATFORM_NAMES, Device, Interface, StormControl, Vlan
from stormguard.vlans import VlanSet, VlanSyntaxError

_CLASSES: dict[str, str] = {
    "broadcast": "broadcast",
    "multicast": "multicast",
    "unicast": "unknown-unicast",
    "unknown-unicast": "unknown-unicast",
}
_SUPPRESSION: dict[str, str] = {
    "broadcast-suppression": "broadcast",
    "multicast-suppression": "multicast",
    "unicast-suppression": "unknown-unicast",
    "unknown-unicast-suppression": "unknown-unicast",
}
_ACTIONS: dict[str, str] = {
    "error-down": "shutdown",
    "shutdown": "shutdown",
    "block": "block",
    "trap": "trap",
    "log": "log",
}
# Interface kinds by lower-cased name prefix; first match wins.
_KINDS: tuple[tuple[str, str], ...] = (
    ("eth-trunk", "aggregate"),
    ("bridge-aggregation", "aggregate"),
    ("route-aggregation", "aggregate"),
    ("vlanif", "vlan"),
    ("vlan-interface", "vlan"),
    ("vbdif", "vlan"),
    ("loopback", "loopback"),
    ("inloopback", "loopback"),
    ("meth", "management"),
    ("m-gigabitethernet", "management"),
    ("m-ethernet", "management"),
    ("tunnel", "tunnel"),
    ("nve", "tunnel"),
    ("null", "other"),
    ("register-tunnel", "tunnel"),
)
VLAN1 = VlanSet.of([1])


@dataclass(frozen=True)
class Dialect:
    platform: str
    aggregate_prefix: str  # how a member names its aggregate: Eth-Trunk1 / Bridge-Aggregation1
    stp_on_by_default: bool  # Huawei: yes; H3C: only with `stp global enable` / `stp enable`
    default_link_type: str | None = None  # H3C: a port with no `port link-type` is access


def split_lines(text: str) -> list[str]:
    """Split on LF (CRLF and bare CR too) so line numbers match what an editor shows."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


@lru_cache(maxsize=2048)
def parse_vlans(spec: str) -> VlanSet:
    """:meth:`VlanSet.parse`, memoised: switch configs repeat the same lists port after port
    (a VlanSet is immutable, so sharing one is safe). Raises :class:`VlanSyntaxError`."""
    return VlanSet.parse(spec)


def interface_kind(name: str) -> str:
    if not any(c.isdigit() for c in name):
        return "other"
    return _kind_of_type(name.rstrip("0123456789/:.").lower())


@lru_cache(maxsize=256)
def _kind_of_type(low: str) -> str:
    """Kind from the type part of a name (``gigabitethernet``, ``eth-trunk``, ``10ge``)."""
    for prefix, kind in _KINDS:
        if low.startswith(prefix):
            return kind
    return "physical"


def _number(tok: str) -> float | None:
    try:
        val = float(tok)
    except ValueError:
        return None
    return val if val >= 0 and val == val and val != float("inf") else None


def _vid(tok: str) -> int | None:
    if tok.isdigit() and len(tok) <= 4 and 1 <= int(tok) <= 4094:
        return int(tok)
    return None


class _PortState:
    """Per-port facts that are only final after the last line (VLAN lists, hybrid sets)."""

    __slots__ = ("hybrid_tagged", "hybrid_untagged", "link_type", "trunk")

    def __init__(self) -> None:
        self.trunk: VlanSet | None = None  # explicit allow-pass/permit result (from {1})
        self.hybrid_tagged: VlanSet | None = None
        self.hybrid_untagged: VlanSet | None = None
        self.link_type: str | None = None


class VrpParser:
    """One pass over the lines of a Huawei or H3C configuration."""

    def __init__(self, dialect: Dialect, source: str) -> None:
        self.d = dialect
        fallback = PurePath(source).stem if source else "unknown"
        self.dev = Device(hostname=fallback or "unknown", platform=dialect.platform, source=source)
        self.recognised = 0
        self.ports: dict[str, _PortState] = {}
        self.stp_seen = False

    def warn(self, ln: int, what: str, body: str) -> None:
        snippet = body if len(body) <= 120 else body[:117] + "..."
        self.dev.warnings.append(f"line {ln}: {what}: {snippet}")

    # -- the main loop -----------------------------------------------------------------------
    def run(self, text: str) -> Device:
        """Views: an ``interface``/``vlan`` line in column 0 opens one, its commands follow
        indented by a space; ``#`` or the next column-0 line closes it. Outside a view, commands
        are global whether indented (H3C prints ` sysname X`) or not (Huawei: `sysname X`);
        other column-0 views (``aaa``, ``user-interface``, ``line vty``) are skipped whole."""
        lines = split_lines(text)
        n = len(lines)
        iface: Interface | None = None
        vlans: list[Vlan] | None = None
        other = False  # inside a view we do not read
        i = 0
        while i < n:
            raw = lines[i]
            i += 1  # `i` is now the 1-based number of `raw`
            if not raw:
                continue
            c0 = raw[0]
            if c0 == "#":
                iface = vlans = None
                other = False
                continue
            body = raw.strip()
            if not body:
                continue
            if body.startswith("-----BEGIN"):
                i = self._skip_until(lines, i, "-----END")
                continue
            if body.startswith("public-key-code begin"):
                i = self._skip_until(lines, i, "public-key-code end")
                continue
            if c0 == " " or c0 == "\t":
                if iface is not None:
                    self.recognised += 1
                    self.interface_line(iface, body, i)
                elif vlans is not None:
                    w = body.split(None, 1)
                    named = len(w) == 2 and (
                        w[0] == "name" or (w[0] == "description" and vlans[0].name is None)
                    )
                    if named:
                        for v in vlans:
                            v.set("name", w[1], i)
                elif not other:
                    i = max(i, self.global_line(lines, i, body))
                continue
            # column 0: a new view or a global command; either way the current view ends
            iface = vlans = None
            other = False
            if c0 == "!":
                if body.startswith("!Software Version"):
                    self.dev.extra["version"] = body[len("!Software Version"):].strip()
                continue
            if body.startswith("interface "):
                name = body[10:].strip()
                if name:
                    self.recognised += 1
                    iface = self.dev.interface(name, i)
                    if iface.kind == "physical":
                        iface.kind = interface_kind(name)  # type: ignore[assignment]
                continue
            if body.startswith("vlan "):
                vlans = self.vlan_line(body.split(), body, i)
                other = vlans is None  # `vlan batch` has no view; `vlan 10` has
                continue
            j = self.global_line(lines, i, body)
            if j < 0:
                other = True  # `aaa`, `user-interface vty 0 4`, ...: its lines are not ours
            else:
                i = j
        self.finish()
        return self.dev

    def global_line(self, lines: list[str], i: int, body: str) -> int:
        """A system-view command; returns the next line index, or -1 if not one of ours."""
        w = body.split()
        w0 = w[0]
        if w0 == "sysname" and len(w) >= 2:
            self.recognised += 1
            self.dev.set("hostname", body.split(None, 1)[1].strip(), i)
        elif w0 == "stp":
            self.recognised += 1
            self.global_stp(w, body, i)
        elif w0 == "undo" and len(w) >= 2 and w[1] == "stp":
            self.recognised += 1
            self.global_stp(w[1:], body, i, undo=True)
        elif w0 == "header":
            return self._skip_banner(lines, i, w)
        elif w0 == "version" and len(w) >= 2:
            self.dev.extra.setdefault("version", body[8:].strip())  # H3C ` version 7.1.070, ...`
        elif w0 == "vlan" and w[1:2] == ["batch"]:
            self.vlan_line(w, body, i)
        else:
            return -1
        return i

    @staticmethod
    def _skip_until(lines: list[str], i: int, end: str) -> int:
        n = len(lines)
        while i < n:
            i += 1
            if end in lines[i - 1]:
                break
        return i

    @staticmethod
    def _skip_banner(lines: list[str], i: int, w: list[str]) -> int:
        """``header motd %`` ... ``%``; ``header login information "..."``: the first character of
        the text is the delimiter, the banner ends at the next line holding it again."""
        rest = w[2:]
        if rest and rest[0] == "information":
            rest = rest[1:]
        elif rest and rest[0] == "file":
            return i  # `header login file flash:/banner.txt`: the text is elsewhere
        text = " ".join(rest)
        if not text:
            return i
        delim = text[0]
        if delim in text[1:]:
            return i  # one-line banner
        n = len(lines)
        while i < n:
            i += 1
            if delim in lines[i - 1]:
                break
        return i

    # -- top-level views -----------------------------------------------------------------
    def vlan_line(self, w: list[str], body: str, ln: int) -> list[Vlan] | None:
        if len(w) < 2:
            return None
        spec = body.split(None, 2)[2] if w[1] == "batch" and len(w) > 2 else body.split(None, 1)[1]
        if w[1] == "batch" and len(w) == 2:
            return None
        if not (spec[:1].isdigit()):
            return None  # `vlan mapping ...`, `vlan-type`, ...
        try:
            vids = parse_vlans(spec)
        except VlanSyntaxError as exc:
            self.warn(ln, f"cannot read VLAN list ({exc})", body)
            return None
        self.recognised += 1
        out = []
        for vid in vids:
            vlan = self.dev.vlans.get(vid)
            if vlan is None:
                vlan = Vlan(vid=vid, line=ln)
                vlan.lines["vid"] = ln
                self.dev.vlans[vid] = vlan
            out.append(vlan)
        return out if w[1] != "batch" and out else None

    def global_stp(self, w: list[str], body: str, ln: int, undo: bool = False) -> None:
        stp = self.dev.stp
        rest = w[1:]
        if not rest:
            return
        r0 = rest[0]
        # H3C v7 `stp global enable`; Huawei and H3C v5 `stp enable`
        if (r0 == "global" and rest[1:] == ["enable"]) or (r0 == "enable" and len(rest) == 1):
            stp.set("enabled", not undo, ln)
            self.stp_seen = True
        elif r0 == "disable" and len(rest) == 1:
            stp.set("enabled", undo, ln)
            self.stp_seen = True
        elif r0 == "mode" and len(rest) >= 2 and not undo:
            stp.set("mode", rest[1].lower(), ln)
        elif r0 == "edged-port" and rest[1:2] == ["default"]:
            stp.set("edge_default", not undo, ln)
            stp.set("edge_default_trunk", not undo, ln)  # it names every port, trunks too
        elif r0 == "bpdu-protection" and len(rest) == 1:
            stp.set("bpdu_guard_default", not undo, ln)
        elif r0 == "bpdu-filter" and rest[1:2] == ["default"]:
            stp.set("bpdu_filter_default", not undo, ln)
        elif r0 == "vlan" and len(rest) >= 3 and rest[-1] in ("enable", "disable"):
            # H3C PVST `undo stp vlan 10 to 20 enable`; `stp vlan 10 disable` where it exists
            off = undo if rest[-1] == "enable" else not undo
            try:
                vids = VlanSet.parse(" ".join(rest[1:-1]))
            except VlanSyntaxError as exc:
                self.warn(ln, f"cannot read VLAN list ({exc})", body)
                return
            if off:
                stp.set("disabled_vlans", stp.disabled_vlans | vids, ln)
            else:
                stp.set("disabled_vlans", stp.disabled_vlans - vids, ln)

    # -- interface view ------------------------------------------------------------------
    def port(self, iface: Interface) -> _PortState:
        st = self.ports.get(iface.name)
        if st is None:
            st = self.ports[iface.name] = _PortState()
        return st

    def interface_line(self, iface: Interface, body: str, ln: int) -> None:
        w = body.split()
        w0 = w[0]
        undo = w0 == "undo"
        if undo:
            w = w[1:]
            if not w:
                return
            w0 = w[0]
        if w0 == "description":
            if not undo:
                iface.set("description", body.split(None, 1)[1] if len(w) > 1 else "", ln)
        elif w0 == "shutdown":
            iface.set("shutdown", not undo, ln)
        elif w0 == "portswitch":
            iface.set("switched", not undo, ln)
        elif w0 == "port":
            self.port_cmd(iface, w, body, ln, undo)
        elif w0 == "stp":
            self.port_stp(iface, w, body, ln, undo)
        elif w0 == "eth-trunk" and not undo:
            if len(w) == 2 and w[1].isdigit():
                iface.set("channel_group", f"{self.d.aggregate_prefix}{w[1]}", ln)
            else:
                self.warn(ln, "cannot read Eth-Trunk membership", body)
        elif w0 == "storm-control" or w0 == "storm-constrain":
            self.storm(iface, w, body, ln, undo)
        elif w0 == "bpdu-drop" and w[1:] == ["any"]:  # H3C: the port drops every BPDU
            iface.set("bpdu_filter", not undo, ln)
        elif w0 in _SUPPRESSION:
            self.suppression(iface, _SUPPRESSION[w0], w[1:], body, ln, undo)
        elif w0 == "storm" and len(w) >= 3 and w[1] == "suppression":  # Huawei CE
            self.suppression(iface, _CLASSES.get(w[2], ""), w[3:], body, ln, undo)

    def _vlans(self, spec: list[str], body: str, ln: int) -> VlanSet | None:
        try:
            return parse_vlans(" ".join(spec))
        except VlanSyntaxError as exc:
            self.warn(ln, f"cannot read VLAN list ({exc})", body)
            return None

    def port_cmd(self, iface: Interface, w: list[str], body: str, ln: int, undo: bool) -> None:
        if len(w) < 2:
            return
        w1 = w[1]
        if w1 == "link-type" and len(w) >= 3:
            if undo:
                iface.set("mode", None, ln)
                self.port(iface).link_type = None
                return
            lt = w[2]
            st = self.port(iface)
            st.link_type = lt
            if lt == "access":
                iface.set("mode", "access", ln)
            elif lt in ("trunk", "hybrid"):
                iface.set("mode", "trunk", ln)  # hybrid settled in finish()
            else:
                iface.set("mode", None, ln)
                iface.extra["link_type"] = lt  # dot1q-tunnel, negotiation-*: not a plain port
            iface.set("switched", True, ln)
        elif w1 == "link-mode" and len(w) >= 3:  # H3C
            iface.set("switched", w[2] == "bridge" if not undo else True, ln)
        elif w1 in ("default", "access") and w[2:3] == ["vlan"]:
            # Huawei `port default vlan 10`, H3C `port access vlan 10`
            if undo:
                iface.set("access_vlan", None, ln)
                return
            vid = _vid(w[3]) if len(w) == 4 else None
            if vid is None:
                self.warn(ln, "cannot read access VLAN", body)
                return
            iface.set("access_vlan", vid, ln)
            iface.set("switched", True, ln)
        elif w1 == "trunk" and len(w) >= 4 and w[2] in ("allow-pass", "permit") and w[3] == "vlan":
            vids = self._vlans(w[4:], body, ln)
            if vids is None:
                return
            st = self.port(iface)
            base = st.trunk if st.trunk is not None else VLAN1
            if undo:
                st.trunk = VlanSet.none() if vids.is_all else base - vids
            else:
                st.trunk = base | vids
            iface.set("allowed_vlans", st.trunk, ln)
        elif w1 == "trunk" and len(w) >= 4 and w[2] == "pvid" and w[3] == "vlan":
            if undo:
                iface.set("native_vlan", None, ln)
                return
            vid = _vid(w[4]) if len(w) == 5 else None
            if vid is None:
                self.warn(ln, "cannot read trunk PVID", body)
                return
            iface.set("native_vlan", vid, ln)
        elif w1 == "hybrid":
            self.hybrid(iface, w[2:], body, ln, undo)
        elif w1 == "link-aggregation" and len(w) >= 4 and w[2] == "group" and not undo:
            if w[3].isdigit():
                iface.set("channel_group", f"{self.d.aggregate_prefix}{w[3]}", ln)
            else:
                self.warn(ln, "cannot read aggregation group", body)

    def hybrid(self, iface: Interface, w: list[str], body: str, ln: int, undo: bool) -> None:
        """Huawei ``port hybrid tagged vlan 10 20``; H3C ``port hybrid vlan 10 20 tagged``;
        both ``port hybrid pvid vlan 10``."""
        st = self.port(iface)
        if len(w) >= 2 and w[0] == "pvid" and w[1] == "vlan":
            vid = _vid(w[2]) if len(w) == 3 else None
            if undo:
                iface.set("native_vlan", None, ln)
            elif vid is None:
                self.warn(ln, "cannot read hybrid PVID", body)
            else:
                iface.set("native_vlan", vid, ln)
            return
        if len(w) >= 2 and w[0] in ("tagged", "untagged") and w[1] == "vlan":
            how, spec = w[0], w[2:]
        elif len(w) >= 2 and w[0] == "vlan" and w[-1] in ("tagged", "untagged"):
            how, spec = w[-1], w[1:-1]
        elif len(w) >= 2 and w[0] == "vlan" and undo:
            how, spec = "both", w[1:]
        else:
            return
        vids = self._vlans(spec, body, ln)
        if vids is None:
            return
        for kind in ("tagged", "untagged") if how == "both" else (how,):
            attr = "hybrid_" + kind
            base = getattr(st, attr)
            if base is None:
                base = VLAN1 if kind == "untagged" else VlanSet.none()
            setattr(st, attr, base - vids if undo else base | vids)
        if not undo and how == "untagged" and st.hybrid_tagged is not None:
            st.hybrid_tagged = st.hybrid_tagged - vids  # a VLAN is tagged or untagged, not both
        elif not undo and how == "tagged" and st.hybrid_untagged is not None:
            st.hybrid_untagged = st.hybrid_untagged - vids
        iface.lines["allowed_vlans"] = ln

    def port_stp(self, iface: Interface, w: list[str], body: str, ln: int, undo: bool) -> None:
        rest = w[1:]
        if not rest:
            return
        r0 = rest[0]
        arg = rest[1] if len(rest) > 1 else None
        if r0 == "port" and arg is not None:  # H3C `stp port bpdu-protection enable`
            r0, arg = arg, rest[2] if len(rest) > 2 else None
        on = not undo
        if arg == "disable":
            on = not on
        elif arg not in (None, "enable"):
            if r0 in ("edged-port", "bpdu-filter", "bpdu-protection"):
                self.warn(ln, "cannot read spanning-tree port setting", body)
            return
        if r0 == "edged-port":
            iface.set("edge", on, ln)
            iface.set("edge_trunk", on, ln)  # Huawei/H3C edge settings apply to trunks as well
        elif r0 == "enable" and arg is None:
            iface.set("stp_disabled", undo, ln)
        elif r0 == "disable" and arg is None:
            iface.set("stp_disabled", not undo, ln)
        elif r0 == "bpdu-filter":
            iface.set("bpdu_filter", on, ln)
        elif r0 == "bpdu-protection":
            iface.set("bpdu_guard", on, ln)
        elif r0 == "root-protection":
            iface.set("root_guard", not undo, ln)
        elif r0 == "loop-protection":
            iface.set("loop_guard", not undo, ln)

    # -- storm control -------------------------------------------------------------------
    def _action(self, iface: Interface, action: str, ln: int, undo: bool) -> None:
        if undo:
            iface.storm_actions.discard(action)
            return
        if not iface.storm_actions:
            iface.lines["storm_actions"] = ln
        iface.storm_actions.add(action)
        iface.lines[f"storm_action_{action}"] = ln

    def storm(self, iface: Interface, w: list[str], body: str, ln: int, undo: bool) -> None:
        """Huawei ``storm-control ...`` and H3C ``storm-constrain ...``."""
        if len(w) < 2:
            return
        w1 = w[1]
        if w1 in ("action", "control"):
            act = _ACTIONS.get(w[2]) if len(w) == 3 else None
            if undo and len(w) == 2:
                iface.storm_actions.difference_update({"shutdown", "block"})
            elif act is None or act in ("trap", "log"):
                self.warn(ln, "cannot read storm-control action", body)
            else:
                self._action(iface, act, ln, undo)
            return
        if w1 == "enable":
            acts = [_ACTIONS.get(t) for t in w[2:]]
            if not acts or None in acts or not set(acts) <= {"trap", "log"}:
                self.warn(ln, "cannot read storm-control notification", body)
                return
            for act in acts:
                self._action(iface, act, ln, undo)  # type: ignore[arg-type]
            return
        traffic = _CLASSES.get(w1)
        if traffic is None:
            if w1 == "all-packets" and undo:
                iface.storm_control.clear()
            return  # `storm-control interval 5`, `storm-constrain interval`, ...
        if undo:
            iface.storm_control.pop(traffic, None)
            return
        rest = w[2:]
        if rest and rest[0] in ("pps", "kbps", "ratio"):  # H3C storm-constrain UNIT UPPER LOWER
            unit, mult = {"pps": ("pps", 1), "kbps": ("bps", 1000), "ratio": ("percent", 1)}[
                rest[0]
            ]
            nums = [_number(t) for t in rest[1:]]
            if len(nums) != 2 or None in nums:
                self.warn(ln, "cannot read storm-constrain thresholds", body)
                return
            self._set_storm(iface, traffic, unit, nums[0] * mult, nums[1] * mult, ln)  # type: ignore[operator]
            return
        # Huawei: min-rate [percent|cir] A max-rate [percent|cir] B (either may come alone)
        vals: dict[str, float] = {}
        unit = "pps"
        mult = 1.0
        j = 0
        ok = True
        while j < len(rest):
            key = rest[j]
            if key not in ("min-rate", "max-rate"):
                ok = False
                break
            j += 1
            if j < len(rest) and rest[j] in ("percent", "cir"):
                unit, mult = ("percent", 1.0) if rest[j] == "percent" else ("bps", 1000.0)
                j += 1
            num = _number(rest[j]) if j < len(rest) else None
            if num is None:
                ok = False
                break
            vals[key] = num * mult
            j += 1
        if not ok or not vals:
            self.warn(ln, "cannot read storm-control thresholds", body)
            return
        level = vals.get("max-rate", vals.get("min-rate"))
        self._set_storm(iface, traffic, unit, level, vals.get("min-rate"), ln)  # type: ignore[arg-type]

    def suppression(
        self, iface: Interface, traffic: str, w: list[str], body: str, ln: int, undo: bool
    ) -> None:
        """``broadcast-suppression 10`` (%), ``... packets|pps N``, ``... cir|kbps N``."""
        if not traffic:
            return
        if undo:
            iface.storm_control.pop(traffic, None)
            return
        unit, mult = "percent", 1.0
        if w and w[0] in ("packets", "pps"):
            unit, w = "pps", w[1:]
        elif w and w[0] in ("cir", "kbps"):
            unit, mult, w = "bps", 1000.0, w[1:]
        elif w and w[0] in ("percent", "ratio"):
            w = w[1:]
        num = _number(w[0]) if w else None
        if len(w) >= 2 and w[1] in ("kbps", "mbps", "gbps") and unit == "bps":
            mult = {"kbps": 1e3, "mbps": 1e6, "gbps": 1e9}[w[1]]
        if num is None or (unit == "percent" and num > 100):
            self.warn(ln, "cannot read storm suppression level", body)
            return
        self._set_storm(iface, traffic, unit, num * mult, None, ln)

    @staticmethod
    def _set_storm(
        iface: Interface, traffic: str, unit: str, level: float, falling: float | None, ln: int
    ) -> None:
        sc = StormControl(traffic=traffic, unit=unit, line=ln)  # type: ignore[arg-type]
        sc.set("level", level, ln)
        sc.lines["unit"] = ln
        if falling is not None:
            sc.set("falling", falling, ln)
        iface.storm_control[traffic] = sc

    # -- after the last line -------------------------------------------------------------
    def finish(self) -> None:
        dev = self.dev
        if not self.recognised:
            raise InputError(
                f"{dev.source or 'input'}: no {PLATFORM_NAMES[self.d.platform]} configuration "
                "statements found (no sysname, interface, vlan or stp lines)"
            )
        if not self.d.stp_on_by_default and not self.stp_seen:
            dev.stp.enabled = False
            dev.extra["stp_note"] = "spanning tree is off unless the config enables it globally"
        aggregates = {n.lower(): n for n, i in dev.interfaces.items() if i.kind == "aggregate"}
        for iface in dev.interfaces.values():
            st = self.ports.get(iface.name)
            if st is not None and st.link_type == "hybrid":
                self._settle_hybrid(iface, st)
            if iface.switched is None:
                if iface.kind in ("physical", "aggregate") and "." not in iface.name:
                    iface.switched = not iface.name.lower().startswith("route-aggregation")
                elif iface.kind in ("vlan", "loopback", "management", "tunnel"):
                    iface.switched = False
            if iface.mode is None and iface.switched and "link_type" not in iface.extra:
                if iface.access_vlan is not None:  # `port default|access vlan N`: an access port
                    iface.set("mode", "access", iface.lines.get("access_vlan"))
                elif self.d.default_link_type and iface.kind in ("physical", "aggregate"):
                    iface.mode = self.d.default_link_type  # type: ignore[assignment]
            if iface.mode == "trunk" and iface.allowed_vlans is None:
                iface.allowed_vlans = VLAN1  # platform default: VLAN 1 only (no source line)
                iface.extra["allowed_vlans_default"] = True
            if iface.channel_group:
                name = aggregates.get(iface.channel_group.lower(), iface.channel_group)
                iface.channel_group = name
                agg = dev.interfaces.get(name)
                if agg is not None:
                    agg.extra.setdefault("members", []).append(iface.name)

    @staticmethod
    def _settle_hybrid(iface: Interface, st: _PortState) -> None:
        iface.extra["link_type"] = "hybrid"
        tagged = st.hybrid_tagged or VlanSet.none()
        untagged = st.hybrid_untagged if st.hybrid_untagged is not None else VLAN1
        line = iface.lines.get("allowed_vlans")
        if tagged:
            iface.set("allowed_vlans", tagged | untagged, line)
            if line is None:
                iface.extra["allowed_vlans_default"] = True
        else:
            iface.mode = "access"
            pvid = iface.native_vlan or 1
            iface.set("access_vlan", pvid, iface.lines.get("native_vlan"))


def parse_vrp_like(text: str, dialect: Dialect, source: str = "") -> Device:
    return VrpParser(dialect, source).run(text)
