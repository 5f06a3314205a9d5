"""`detect_platform`'s fast path (bounds on the family scores, one pass over the line starts
for the rivals' anchored signatures) gives exactly what the full scoring gives: the same
platform, or the same error, for every bundled config and fixture, their case and line-ending
variants, random edits of them, and random mixtures of every platform's signature lines."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from stormguard.parsers import detect

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted(
    [p for p in (ROOT / "examples").iterdir() if p.is_file()]
    + [p for p in (ROOT / "tests").glob("*/fixtures/*") if p.is_file()]
)
# Lines that match (or nearly match) the signatures of every platform, and filler.
SIGNATURE_LINES = [
    "version 15.2", "version 16.9", "version 17.3", "version 9.3(8)", "version 20.4R3;",
    "version 1", "license boot level network-advantage", "platform punt-keepalive disable",
    "Building configuration...", "Current configuration : 1234 bytes",
    "interface GigabitEthernet1/0/1", "interface GigabitEthernet 1/0/2", "interface Ethernet1/1",
    "interface Ethernet1", "interface Eth-Trunk1", "interface 10GE1/0/1", "interface Vlanif10",
    "interface Bridge-Aggregation1", "interface Ten-GigabitEthernet1/0/1",
    "interface Vlan-interface1", "interface TenGigE0/0/0/1", "interface HundredGigE0/0/0/1",
    " switchport mode trunk", " switchport", "  switchport", "   switchport",
    " spanning-tree portfast", " storm-control broadcast level 1", "service timestamps",
    "line vty 0 4", "!Command: show running-config", "feature lacp", "vrf context management",
    "system default switchport", " spanning-tree port type edge", "! device: sw1 (DCS-7050, EOS-4)",
    "! boot system flash:/EOS.swi", "transceiver qsfp default-mode 4x10G",
    "management api http-commands", "daemon TerminAttr", "spanning-tree edge-port",
    "spanning-tree mode mstp", "set system host-name a", "system {", "## Last commit: x",
    " family ethernet-switching;", " interface-mode trunk;", " port trunk allow-pass vlan 10",
    "vlan batch 10 20", " port default vlan 10", "!Software Version V200R019",
    " stp edged-port enable", " eth-trunk 1", " storm-control broadcast min-rate 10",
    " port trunk permit vlan 10", " port access vlan 10", " port link-aggregation group 1",
    " version 7.1.070, Release 6728", "stp global enable", " storm-constrain broadcast",
    "!! IOS XR Configuration 7.1", "ASA Version 9.8", " nameif inside", "nv set x",
    "net add bond", "iface swp1", "#TMSH-VERSION: 15", "ltm pool p", "hostname \"a\"",
    "   untagged 1", "#version 8.4", "set spantree x", "set trunk 1/1", ": Saved",
    "RP/0/RSP0/CPU0:router#", "!", "", "hostname sw1", " description x", "banner motd ^C",
    "^C", "end",
]


def _outcome(text: str, source: str) -> str:
    try:
        return detect.detect_platform(text, source)
    except Exception as exc:  # the error is the outcome
        return f"{type(exc).__name__}: {exc}"


def _both(text: str, source: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    fast = _outcome(text, source)
    with monkeypatch.context() as m:
        m.setattr(detect, "_fast_detect", lambda text, hinted: None)
        slow = _outcome(text, source)
    return fast, slow


def _variants(text: str) -> list[str]:
    return [text, text.upper(), text.swapcase(), text.replace("\n", "\r\n")]


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_samples(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    for variant in _variants(text):
        for source in (str(path), "x.cfg", "x.ios", "x.nxos", "x.eos", "x.vrp"):
            fast, slow = _both(variant, source, monkeypatch)
            assert fast == slow, (path.name, source)


def test_random_edits_of_samples(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(2026)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in SAMPLES]
    for _ in range(300):
        lines = rng.choice(texts).split("\n")
        for _ in range(rng.randint(1, 12)):
            k = rng.randrange(len(lines) + 1)
            op = rng.random()
            if op < 0.4:
                lines.insert(k, rng.choice(SIGNATURE_LINES))
            elif op < 0.7 and lines:
                del lines[min(k, len(lines) - 1)]
            elif lines:
                j = rng.randrange(len(lines))
                lines[min(k, len(lines) - 1)], lines[j] = lines[j], lines[min(k, len(lines) - 1)]
        text = "\n".join(lines)
        fast, slow = _both(text, rng.choice(["a.cfg", "a.ios", "a.txt"]), monkeypatch)
        assert fast == slow, text[:200]


def test_random_mixtures_of_signature_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(11)
    for _ in range(1500):
        lines = [rng.choice(SIGNATURE_LINES) for _ in range(rng.randint(1, 25))]
        text = "\n".join(lines) + rng.choice(["", "\n"])
        fast, slow = _both(text, rng.choice(["a.cfg", "a.ios", "a.eos", "a.junos"]),
                           monkeypatch)
        assert fast == slow, text


def test_trie_matches_the_longest_word() -> None:
    import re

    words = {"ab", "abcd", "abce", "b", "version ", "version 1", "a.b"}
    rx = re.compile(f"({detect._trie(words)})")
    for text, want in [("abcdz", "abcd"), ("abcz", "ab"), ("version 15", "version 1"),
                       ("version x", "version "), ("a.b", "a.b"), ("axb", None), ("bq", "b")]:
        m = rx.match(text)
        assert (m.group(1) if m else None) == want, text
