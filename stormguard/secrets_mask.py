"""Mask the secrets a switch configuration carries before it is stored or shown.

A running config holds SNMP communities, local user passwords and hashes, enable secrets,
TACACS+/RADIUS keys, BGP/OSPF/NTP/HSRP keys, Huawei/H3C ``cipher`` strings and Junos ``$9$``
secrets. Like the backup tools network teams already run (Oxidized's ``remove_secret``, RANCID's
``filter_pwds``), stormguard replaces each secret *value* with :data:`MASK` and keeps everything
else: the line stays where it was (diffs and line numbers still work), its keywords stay (the
parsers read the same statements), and quotes around a value stay (``key 7 "<removed>"``).

Patterns are per platform family and anchored on the keyword that introduces the secret, so a
VLAN name or an interface description that happens to contain "password" is left alone, and
``ssh server cipher aes256_ctr`` (an algorithm, not a secret) is not touched. Masking is
idempotent: a masked config masks to itself.

``store: keep_secrets: true`` in stormguard.yaml (or ``STORMGUARD_STORE__KEEP_SECRETS=true``)
keeps them, for teams that want full backups; :func:`keep_secrets_setting` reads it.
Pure functions, no imports beyond the standard library.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MASK = "<removed>"

#: A secret value: a quoted string (kept quoted) or one token.
_V = r'(?P<{name}>"[^"]*"|\S+)'


def _v(name: str = "s") -> str:
    return _V.format(name=name)


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    #: the line must also match this (context keyword), when given
    needs: re.Pattern[str] | None = None
    #: the block the line is in (the last unindented line) must match this, when given
    block: re.Pattern[str] | None = None


def _r(pattern: str, needs: str | None = None, block: str | None = None) -> _Rule:
    return _Rule(re.compile(pattern, re.IGNORECASE),
                 re.compile(needs, re.IGNORECASE) if needs else None,
                 re.compile(block, re.IGNORECASE) if block else None)


# --------------------------------------------------------------------------- Cisco-like
# IOS / IOS-XE, NX-OS, EOS: "keyword [type digit | hash name] value". The optional type is
# 0 (clear), 5/8/9 (hashes), 6/7 (reversible), 3 (NX-OS 3DES); EOS writes sha512.
_TYPE = r"(?:(?:[0-9]|sha512|sha256|md5)\s+)?"
_CISCO = (
    _r(r"^\s*enable\s+(?:secret|password)\s+(?:level\s+\d+\s+)?" + _TYPE + _v()),
    _r(r"^\s*username\s+\S+\b.*?\s(?:secret|password)\s+" + _TYPE + _v()),
    _r(r"^\s*snmp-server\s+community\s+" + _v()),
    # v1/v2c trap receivers carry the community in place (v3: a user name, left alone)
    _r(r"^\s*snmp-server\s+host\s+\S+\s+(?:(?:traps|informs)\s+)?(?:vrf\s+\S+\s+)?"
       r"(?:version\s+(?:1|2c)\s+)?"
       r"(?!(?:version|traps|informs|vrf|use-vrf|filter-vrf|source-interface)\b)" + _v()),
    _r(r"\s(?:auth)\s+(?:md5|sha\S*)\s+(?!localizedkey\b)" + _v(),
       needs=r"^\s*snmp-server\s+user\b"),
    _r(r"\spriv\s+(?:(?:3des|des|aes(?:-?\d+)?)\s+(?:\d+\s+)?)?(?!localizedkey\b)" + _v(),
       needs=r"^\s*snmp-server\s+user\b"),
    _r(r"\bkey\s+" + _TYPE + _v(), needs=r"^\s*(?:tacacs|radius)-server\b"),
    # under "tacacs server X" / "radius server X" / "aaa server radius dynamic-author"
    _r(r"^\s+(?:pac\s+)?key\s+" + _TYPE + _v(), block=r"^(?:tacacs|radius)\s+server\b"),
    _r(r"\bserver-key\s+" + _TYPE + _v()),
    _r(r"^\s*(?:server-private\s+\S+\s+.*?)\bkey\s+" + _TYPE + _v()),
    _r(r"\bkey-string\s+" + _TYPE + _v()),
    _r(r"\bip\s+ospf\s+authentication-key\s+" + _TYPE + _v()),
    _r(r"\bip\s+ospf\s+message-digest-key\s+\d+\s+(?:md5|sha\S*)\s+" + _TYPE + _v()),
    _r(r"^\s*(?:neighbor\s+\S+\s+)?password\s+(?!(?:encryption|strength-check)\b)" + _TYPE
       + _v(),
       needs=r"^\s*(?:neighbor\s+\S+\s+password|password\s)"),
    _r(r"^\s*ntp\s+authentication-key\s+\d+\s+\S+\s+" + _TYPE + _v()),
    _r(r"\b(?:area|domain)-password\s+" + _v()),
    _r(r"^\s*isis\s+password\s+" + _v()),
    _r(r"\bauthentication\s+(?:text|md5\s+key-string)\s+" + _TYPE + _v(),
       needs=r"^\s*(?:standby|vrrp)\b"),
    _r(r"^\s*crypto\s+isakmp\s+key\s+" + _TYPE + _v()),
    _r(r"\bpre-shared-key\s+(?:(?:local|remote|address\s+\S+(?:\s+\S+)?)\s+)?" + _TYPE + _v()),
)

# --------------------------------------------------------------------------- Huawei / H3C
# VRP and Comware: "... cipher VALUE", "... irreversible-cipher VALUE", "... simple VALUE",
# "password hash VALUE", SNMP communities and USM keys; only where a secret keyword leads.
_VRP_KEYWORDS = (r"\b(?:password|key|community|authentication-mode|privacy-mode|shared-key|"
                 r"securityname|super|pre-shared-key|authentication)\b")
_VRP_KEYWORD_VALUES = r"(?!(?:cipher|irreversible-cipher|simple|plain|hash|authentication-mode|" \
                      r"privacy-mode)\b)"
_VRP = (
    _r(r"\b(?:irreversible-cipher|cipher)\s+" + _VRP_KEYWORD_VALUES + _v(), needs=_VRP_KEYWORDS),
    _r(r"\b(?:simple|plain)\s+" + _VRP_KEYWORD_VALUES + _v(), needs=_VRP_KEYWORDS),
    _r(r"\bhash\s+" + _v(), needs=r"\bpassword\b"),  # Comware: password [role R] hash V
    _r(r"^\s*snmp-agent\s+community\s+(?:read|write)\s+" + _VRP_KEYWORD_VALUES + _v()),
    _r(r"\bsecurityname\s+" + _VRP_KEYWORD_VALUES + _v(), needs=r"^\s*snmp-agent\s+target-host"),
    _r(r"\bauthentication-mode\s+(?:md5|sha\S*)\s+" + _VRP_KEYWORD_VALUES + _v(),
       needs=r"^\s*snmp-agent\s+usm-user\b"),
    _r(r"\bprivacy-mode\s+(?:des\d*|3des|aes\d*)\s+" + _VRP_KEYWORD_VALUES + _v(),
       needs=r"^\s*snmp-agent\s+usm-user\b"),
    _r(r"^\s*(?:ospf\s+)?authentication-mode\s+(?:md5|hmac-md5|hmac-sha256)\s+\d+\s+"
       + _VRP_KEYWORD_VALUES + _v()),
)

# --------------------------------------------------------------------------- Junos
_JUNOS = (
    _r(r"\b(?:encrypted-password|secret|authentication-key|simple-password|"
       r"plain-text-password-value)\s+" + _v()),
    _r(r"\bpre-shared-key\s+(?:ascii-text|hexadecimal)\s+" + _v()),
    _r(r"\bmd5\s+\d+\s+key\s+" + _v()),
    _r(r"^\s*set\s+snmp\s+community\s+" + _v()),
    _r(r"(?P<s>\"\$9\$[^\"]*\")"),  # any reversible $9$ secret, whatever introduces it
)
_JUNOS_SNMP_COMMUNITY = re.compile(r"^\s*community\s+(?P<s>\"[^\"]*\"|[^\s;{]+)")

#: Every rule of a family needs one of these words on the line: lines without any (most of a
#: config: interfaces, VLANs) skip the rules, which makes masking ~5x faster.
_CISCO_WORDS = r"secret|password|community|key|snmp-server|authentication"
_VRP_WORDS = r"cipher|simple|plain|hash|community|securityname|authentication-mode|privacy-mode"
_JUNOS_WORDS = r"password|secret|key|community|\$9\$"
_PREFILTER = {
    _CISCO: re.compile(_CISCO_WORDS, re.IGNORECASE),
    _VRP: re.compile(_VRP_WORDS, re.IGNORECASE),
    _JUNOS: re.compile(_JUNOS_WORDS, re.IGNORECASE),
}
_ALL_WORDS = re.compile("|".join((_CISCO_WORDS, _VRP_WORDS, _JUNOS_WORDS)), re.IGNORECASE)

_FAMILY = {
    "cisco_ios": _CISCO, "cisco_xe": _CISCO, "cisco_nxos": _CISCO, "arista_eos": _CISCO,
    "huawei": _VRP, "hp_comware": _VRP, "juniper_junos": _JUNOS,
}
#: Platforms whose configs are JSON state bundles: nothing to mask.
_NO_SECRETS = frozenset({"ovs", "linux_bridge"})


def _masked_value(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return f'"{MASK}"'
    if value.endswith(";") and len(value) > 1:  # Junos: `secret abc;` unquoted
        return MASK + ";"
    return MASK


def _mask_spans(line: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return line
    spans.sort()
    out, pos = [], 0
    for start, end in spans:
        if start < pos:  # overlapping matches of two rules: the first one wins
            continue
        out.append(line[pos:start])
        out.append(_masked_value(line[start:end]))
        pos = end
    out.append(line[pos:])
    return "".join(out)


def _spans(line: str, rules: Iterable[_Rule], block: str = "") -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for rule in rules:
        if rule.needs is not None and not rule.needs.search(line):
            continue
        if rule.block is not None and not rule.block.search(block):
            continue
        for m in rule.pattern.finditer(line):
            start, end = m.span("s")
            if start >= 0 and line[start:end] not in (MASK, f'"{MASK}"', MASK + ";"):
                spans.append((start, end))
    return spans


def _rules_for(platform: str | None) -> tuple[_Rule, ...]:
    if platform in _NO_SECRETS:
        return ()
    if platform in _FAMILY:
        return _FAMILY[platform]
    return _CISCO + _VRP + _JUNOS  # unknown platform: every family's patterns


def mask_config(text: str, platform: str | None) -> str:
    """`text` with every secret value replaced by :data:`MASK`, line for line (same number
    of lines, same line endings, same keywords). `platform` picks the patterns (None: all)."""
    if platform is None:
        platform = _detect(text)
    rules = _rules_for(platform)
    if not rules:
        return text
    words = _PREFILTER.get(rules, _ALL_WORDS)
    junos = platform in (None, "juniper_junos")
    lines = text.splitlines(keepends=True)
    out = []
    blocks: list[str] = []  # Junos brace hierarchy, to know an snmp { community X } apart
    header = ""  # Cisco-like and VRP: the unindented line that opened the current block
    for raw in lines:
        body = raw.rstrip("\r\n")
        if body[:1] not in (" ", "\t", ""):
            header = body
        if not words.search(body):
            if junos:
                _track_blocks(body, blocks)
            out.append(raw)
            continue
        spans = _spans(body, rules, header)
        if junos and "snmp" in blocks:
            m = _JUNOS_SNMP_COMMUNITY.match(body)
            if m and m.group("s") not in (MASK, f'"{MASK}"'):
                spans.append(m.span("s"))
        if junos:
            _track_blocks(body, blocks)
        out.append(_mask_spans(body, spans) + raw[len(body):])
    return "".join(out)


def _detect(text: str) -> str | None:
    """The platform of `text` when the parsers can tell, else None (every family's rules)."""
    try:
        from stormguard.parsers.detect import detect_platform

        return detect_platform(text, "")
    except Exception:  # not recognisable: mask with all patterns rather than none
        return None


def _track_blocks(line: str, blocks: list[str]) -> None:
    code = re.sub(r'"[^"]*"', '""', line)  # braces in a description are not blocks
    code = code.split("#", 1)[0] if not code.lstrip().startswith("/*") else ""
    for m in re.finditer(r"(\S+)?\s*\{|\}", code):
        if m.group() == "}":
            if blocks:
                blocks.pop()
        else:
            first = code[:m.start()].split()
            blocks.append((m.group(1) or (first[0] if first else "")).lower())


# --------------------------------------------------------------------------- the setting
KEEP_SECRETS_ENV = "STORMGUARD_STORE__KEEP_SECRETS"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def keep_secrets_setting(config: str | os.PathLike[str] | None = None) -> bool:
    """``store.keep_secrets`` in effect: $STORMGUARD_STORE__KEEP_SECRETS, else the
    stormguard.yaml in effect (`config`, $STORMGUARD_CONFIG, ./stormguard.yaml), else False.
    A value that is not true/false is a one-line ConfigError."""
    from stormguard.errors import ConfigError

    env = os.environ.get(KEEP_SECRETS_ENV)
    if env is not None:
        val = env.strip().lower()
        if val in _TRUE | _FALSE:
            return val in _TRUE
        raise ConfigError(f"${KEEP_SECRETS_ENV}: expected true or false")
    from stormguard.settings import config_path

    path: Path | None = config_path(config)
    if path is None:
        return False
    from stormguard import yamlsafe

    doc, _node = yamlsafe.load_settings_file(path)
    store = doc.get("store") if isinstance(doc, dict) else None
    if store is None:
        return False
    if not isinstance(store, dict):
        raise ConfigError(f"{path}: store: expected a mapping")
    value = store.get("keep_secrets", False)
    if not isinstance(value, bool):
        raise ConfigError(f"{path}: store.keep_secrets: expected true or false")
    return value
