"""Port roles: what is behind a switch port (a hypervisor, a switch, a peer-link ...), and why.

One module used by the policy loader (which builds :class:`Role` objects from packs) and by
:mod:`stormguard.effective` (which asks a :class:`RoleResolver` for every port). It imports
neither, so the import order is model -> roles -> policy -> effective -> rules, with no circle.

A resolver answers ``(role, source)`` for a port: ``source`` is a sentence a network engineer
can check, shown with every role-based finding (``description matches word 'esx'``,
``configured as vPC peer-link``, ``LLDP: esx-07 vmnic2``). The order, first answer wins:

1. **Fact sources**: callables ``(device, iface, facts) -> RoleMatch | None``, given to the
   resolver ahead of everything else: what is known to be behind the port. The built-in one
   reads configuration facts (NX-OS ``vpc peer-link``, EOS ``mlag configuration`` /
   ``peer-link``) for roles with a ``config:`` selector; sources reading collected facts
   (LLDP/CDP neighbours, passed as the ``facts`` mapping) go in the same list, in front.
2. **Selectors** of the policy's roles, in role order: ``ports``, else ``description``,
   ``interface`` and ``device`` together.
3. A member of an aggregate without an answer of its own takes its aggregate's (done by the
   caller, which knows the aggregates); else the port is ``trunk`` or ``access`` by mode.

Description selectors match **whole words**: the pattern must match a run of text that is not
preceded or followed by a letter, so ``compute`` matches ``compute-03`` and ``compute03`` but
not ``computer lab``, and ``isl`` does not match ``Islington``. To match inside a word, say so in
the pattern (``esx\\w*``, ``.*esx``).

Matching is linear in the length of the description, whatever the pattern: a pattern that is
a plain list of words (``esx|esxi|vmware``) runs on Python's ``re`` (an alternation of literals
is linear); any other user regex (and every ``re:`` interface selector) runs on RE2
(``google-re2``, imported only then), whose automaton never backtracks. Patterns RE2 cannot run
in linear time (backreferences, lookaround) are refused when the pack is loaded.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stormguard.model import Device, Interface
    from stormguard.vlans import VlanSet

#: Configuration facts a role's ``config:`` selector may name, and what each means.
CONFIG_FACTS: dict[str, str] = {
    "vpc-peer-link": "configured as vPC peer-link",
    "mlag-peer-link": "named as MLAG peer-link in 'mlag configuration'",
}

#: A pattern made only of these (words, spaces, '-', '_', '|') is a literal word list.
_LITERAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-|")


def _is_literal(pattern: str) -> bool:
    return bool(pattern) and _LITERAL_CHARS.issuperset(pattern)
#: Longest matched text quoted in a role source (descriptions can be long; sources stay short).
_QUOTE_MAX = 40


class PatternError(ValueError):
    """A user regex that cannot be run in linear time, or is not a regex at all."""


def _re2() -> Any:
    try:
        import re2  # google-re2: imported only when a pack holds a non-literal regex
    except ImportError as exc:  # pragma: no cover - it is a dependency
        raise PatternError("regular expressions need the google-re2 package "
                           "(pip install google-re2)") from exc
    return re2


def _re2_compile(pattern: str, case_sensitive: bool) -> Any:
    re2 = _re2()
    opts = re2.Options()
    opts.case_sensitive = case_sensitive
    opts.log_errors = False  # RE2 would print parse errors on stderr
    return re2.compile(pattern, opts)


def check_regex(pattern: str) -> None:
    """Raise :class:`PatternError` (one line) unless `pattern` is a regex RE2 runs as written."""
    re2 = _re2()
    try:
        _re2_compile(pattern, True)
        return
    except re2.error as exc:
        why = exc.args[0] if exc.args else exc
        if isinstance(why, bytes):
            why = why.decode("utf-8", "replace")
        why = str(why).split(": ", 1)[0]  # RE2 appends the pattern; the message names the key
    try:  # Python's messages say where a malformed pattern goes wrong (compiled, never run)
        re.compile(pattern)
    except re.error as exc:
        raise PatternError(f"bad regular expression: {exc}") from None
    except (RecursionError, OverflowError, ValueError) as exc:
        raise PatternError(f"bad regular expression: {type(exc).__name__}") from None
    raise PatternError(f"regular expression cannot run in linear time (RE2: {why}; "
                       "backreferences and lookaround are not supported)")


@lru_cache(maxsize=256)
def _compile_re2(pattern: str, case_sensitive: bool) -> Any:
    """A compiled RE2 pattern; :func:`check_regex` has vetted the user's part of it."""
    return _re2_compile(pattern, case_sensitive)


def _quote(text: str) -> str:
    """'text', shortened; repr() only when it holds control characters (a pattern's
    backslashes stay as the user wrote them)."""
    text = text if len(text) <= _QUOTE_MAX else text[:_QUOTE_MAX - 3] + "..."
    return f"'{text}'" if text.isprintable() else repr(text)


class WordPattern:
    """A description selector: a case-insensitive regex that must match whole words.

    Compares by pattern text (a pack read from YAML and the same pack read from the cache give
    equal roles). A plain class, not a dataclass: it is built on every `stormguard lint` start.
    """

    __slots__ = ("_find", "find_lower", "literal", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        # compiled when the pack is loaded, so a bad pattern is refused then, not at a port
        self._find = _compile_word(pattern)
        # literal word lists also search an already lower-cased text (shared by several roles)
        self.find_lower: Callable[[str], str | None] | None = getattr(self._find, "lower", None)
        self.literal = _is_literal(pattern)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordPattern) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"WordPattern({self.pattern!r})"

    def __reduce__(self) -> tuple[Any, ...]:  # copy / pickle: compile again from the text
        return (WordPattern, (self.pattern,))

    def search(self, text: str) -> str | None:
        """The matched word(s), or None."""
        return self._find(text)

    def explain(self, matched: str) -> str:
        if self.literal:
            return f"description matches word {_quote(matched.lower())}"
        return f"description matches {_quote(self.pattern)} at {_quote(matched)}"


_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


@lru_cache(maxsize=256)
def _compile_word(pattern: str) -> Callable[[str], str | None]:
    """A function: description -> the whole word(s) the pattern matches, or None."""
    if not pattern.strip(" |"):
        raise PatternError("empty pattern: it would match every description")
    if _is_literal(pattern):
        return _literal_words([w.strip() for w in pattern.split("|") if w.strip()])
    check_regex(pattern)
    # RE2 has no lookaround: the boundaries are consumed instead, the word is group 1.
    re2 = _re2()
    try:
        rx = _compile_re2(f"(?:^|[^A-Za-z])({pattern})(?:[^A-Za-z]|$)", False)
    except re2.error:  # e.g. over RE2's memory budget once wrapped
        raise PatternError("regular expression cannot run in linear time (RE2: too large)"
                           ) from None

    def find(text: str) -> str | None:
        m = rx.search(text)
        return None if m is None else m.group(1)

    return find


def _literal_words(words: list[str]) -> Callable[[str], str | None]:
    """Whole-word search for a list of literal words on Python's `re`, linear in the text: an
    alternation of literals with a fixed-width right boundary (which keeps the engine's fast
    first-character scan), the left boundary checked at each candidate. Each candidate moves
    the search start forward, and each search is one pass of a literal alternation."""
    alt = "|".join(re.escape(w.lower()) for w in sorted(words, key=len, reverse=True))
    rx = re.compile(f"({alt})(?![a-z])")
    letters = _ASCII_LETTERS

    def find_lower(low: str) -> str | None:
        pos = 0
        while True:
            m = rx.search(low, pos)
            if m is None:
                return None
            start = m.start()
            if start == 0 or low[start - 1] not in letters:
                return m.group(1)
            pos = start + 1

    def find(text: str) -> str | None:
        return find_lower(text.lower())

    find.lower = find_lower  # type: ignore[attr-defined]
    return find


def check_interface_regex(pattern: str) -> None:
    """Raise :class:`PatternError` unless `pattern` runs on RE2 (an ``re:`` selector)."""
    check_regex(pattern)


def glob_match(name: str, pattern: str) -> bool:
    """Shell-style glob on a whole name (device, interface, waiver). Linear in ``len(name)``:
    Python >= 3.11 translates each ``*`` to an atomic group, so there is no backtracking."""
    return fnmatch.fnmatchcase(name, pattern)


def glob_match_any_case(name: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(name.lower(),
                                                                     pattern.lower())


class RoleMatch:
    """A port's role and the human reason for it; unpacks as ``(role, source)``.

    (A plain slotted class: made for every port, and cheaper to define at start-up than a
    dataclass or a NamedTuple.)
    """

    __slots__ = ("role", "source")

    def __init__(self, role: str, source: str) -> None:
        self.role = role
        self.source = source

    def __iter__(self) -> Iterator[str]:
        return iter((self.role, self.source))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RoleMatch) and (self.role, self.source) == (
            other.role, other.source)

    def __hash__(self) -> int:
        return hash((self.role, self.source))

    def __repr__(self) -> str:
        return f"RoleMatch(role={self.role!r}, source={self.source!r})"


@dataclass
class Role:
    """A class of ports (hypervisor-facing, inter-switch, peer-link ...), chosen by selectors."""

    name: str
    description: WordPattern | None = None
    interface: tuple[str, ...] = ()  # globs, or 're:' regexes (RE2)
    device: str | None = None
    ports: tuple[str, ...] = ()  # 'device-glob:interface-glob'
    config: tuple[str, ...] = ()  # CONFIG_FACTS names
    permitted_vlans: VlanSet | None = None
    permitted_vlans_by_device: tuple[tuple[str, VlanSet], ...] = ()
    source: str = ""  # file:line where the role was declared

    @property
    def by_interface(self) -> bool:
        """True when the answer depends on more than the description (and the device)."""
        return bool(self.interface or self.ports or self.config)

    def _iface_match(self, name: str) -> str | None:
        for pat in self.interface:
            if pat.startswith("re:"):
                if _compile_re2(pat[3:], True).search(name):
                    return pat
            elif glob_match_any_case(name, pat):
                return pat
        return None

    def explain(self, hostname: str, iface_name: str, description: str) -> str | None:
        """Why a port belongs to this role by its selectors (``ports``, or ``description`` +
        ``interface`` + ``device`` together), or None when it does not."""
        desc = self.description
        if desc is not None and not self.ports and not self.interface and self.device is None:
            word = desc.search(description)  # the common case: a description selector alone
            return None if word is None else desc.explain(word)
        for spec in self.ports:
            dev_glob, _, if_glob = spec.rpartition(":")
            if glob_match(hostname, dev_glob or "*") and glob_match(iface_name, if_glob):
                return f"listed in ports {_quote(spec)}"
        if self.description is None and not self.interface and self.device is None:
            return None
        why: list[str] = []
        if self.device is not None:
            if not glob_match(hostname, self.device):
                return None
            why.append(f"device matches {_quote(self.device)}")
        if self.interface:
            pat = self._iface_match(iface_name)
            if pat is None:
                return None
            why.append(f"interface matches {_quote(pat)}")
        if self.description is not None:
            word = self.description.search(description)
            if word is None:
                return None
            why.insert(0, self.description.explain(word))
        return " and ".join(why)

    def matches(self, hostname: str, iface_name: str, description: str) -> bool:
        return self.explain(hostname, iface_name, description) is not None

    def permitted_for(self, hostname: str) -> VlanSet | None:
        for glob, vlans in self.permitted_vlans_by_device:
            if glob_match(hostname, glob):
                return vlans
        return self.permitted_vlans


def config_facts(dev: Device, iface: Interface) -> dict[str, str]:
    """The configuration facts (CONFIG_FACTS names) that hold for `iface`, with their reason."""
    out: dict[str, str] = {}
    if iface.extra.get("vpc_peer_link"):
        line = iface.lines.get("vpc_peer_link")
        out["vpc-peer-link"] = "configured as vPC peer-link" + (f" (line {line})" if line else "")
    mlag = dev.extra.get("mlag_peer_link")
    if mlag and str(mlag).lower() == iface.name.lower():
        line = dev.lines.get("mlag_peer_link")
        out["mlag-peer-link"] = ("MLAG peer-link in 'mlag configuration'"
                                 + (f" (line {line})" if line else ""))
    return out


#: A fact source: what is known to be behind a port, from configuration or collected facts.
FactSource = Callable[["Device", "Interface", Mapping[str, Any]], "RoleMatch | None"]


def config_fact_source(roles: Sequence[Role]) -> FactSource | None:
    """The fact source for roles with a ``config:`` selector (None when no role has one)."""
    wanted = [(r.name, r.config) for r in roles if r.config]
    if not wanted:
        return None

    def source(dev: Device, iface: Interface, facts: Mapping[str, Any]) -> RoleMatch | None:
        if not iface.extra.get("vpc_peer_link") and not dev.extra.get("mlag_peer_link"):
            return None  # the common case, answered without building anything
        have = config_facts(dev, iface)
        if not have:
            return None
        for name, names in wanted:
            for fact in names:
                if fact in have:
                    return RoleMatch(name, have[fact])
        return None

    def relevant(dev: Device) -> bool:
        if dev.extra.get("mlag_peer_link"):
            return True
        # a plain loop, not any() over a generator (~2x): it looks at every port of every
        # device
        for iface in dev.interfaces.values():  # noqa: SIM110
            if iface.extra.get("vpc_peer_link"):
                return True
        return False

    source.relevant = relevant  # type: ignore[attr-defined]
    return source


#: Answers of description-only selector plans: plan -> description -> match (RoleMatch is
#: never changed once made, so ports share them).
_SELECTOR_MEMO: dict[tuple[tuple[str, str], ...], dict[str, RoleMatch | None]] = {}
_MEMO_MAX = 100_000


class RoleResolver:
    """Resolves the role of each port of a device: fact sources first, then selectors."""

    def __init__(self, roles: Sequence[Role], fact_sources: Sequence[FactSource] = ()) -> None:
        self.roles = roles
        self.fact_sources = list(fact_sources)
        # roles that have selectors at all (a `config:`-only role is answered by a fact source),
        # each with the fast path of a role selected by a word list alone (the default pack's)
        self._plan: list[tuple[Role, Callable[[str], str | None] | None]] = []
        for r in self.roles:
            if r.description is None and not r.interface and r.device is None and not r.ports:
                continue
            alone = not r.interface and r.device is None and not r.ports
            fast = r.description.find_lower if alone and r.description is not None else None
            self._plan.append((r, fast))  # type: ignore[arg-type]
        # When every selector is a literal word list on the description alone (the default
        # pack's roles), the answer depends on the description only: remember it across ports
        # and devices (a fleet repeats its descriptions), per plan.
        self._memo: dict[str, RoleMatch | None] | None = None
        if all(fast is not None for _, fast in self._plan):
            key = tuple((r.name, r.description.pattern) for r, _ in self._plan)  # type: ignore[union-attr]
            memo = _SELECTOR_MEMO.get(key)
            if memo is None:
                if len(_SELECTOR_MEMO) >= 64:
                    _SELECTOR_MEMO.clear()
                memo = _SELECTOR_MEMO[key] = {}
            self._memo = memo

    @classmethod
    def for_roles(cls, roles: Sequence[Role], extra_sources: Sequence[FactSource] = ()
                  ) -> RoleResolver:
        """`extra_sources` (collected facts: LLDP/CDP ...) go ahead of configuration facts."""
        sources = list(extra_sources)
        cfg = config_fact_source(roles)
        if cfg is not None:
            sources.append(cfg)
        return cls(roles=roles, fact_sources=sources)

    def sources_for(self, dev: Device) -> list[FactSource]:
        """The fact sources worth asking about `dev`'s ports, in order. A source may carry a
        ``relevant(dev)`` attribute to say, once per device, that it has nothing to say there
        (the configuration-fact source on a device without a peer-link)."""
        return [s for s in self.fact_sources
                if getattr(s, "relevant", None) is None or s.relevant(dev)]  # type: ignore[attr-defined]

    @property
    def description_memo(self) -> dict[str, RoleMatch | None] | None:
        """The resolver's own memory of selector answers by description (shared across
        devices), when its selectors depend on the description alone; else None. A caller
        that looks an answer up here first gets what :meth:`from_selectors` would return,
        without the call (a config has hundreds of ports, mostly with descriptions seen on
        earlier devices)."""
        return self._memo

    @property
    def by_description(self) -> bool:
        """True when selectors depend on the description (and hostname) only, so a caller
        may remember one answer per description within a device."""
        return not any(r.by_interface for r in self.roles)

    def from_facts(self, dev: Device, iface: Interface, facts: Mapping[str, Any] | None = None,
                   sources: Sequence[FactSource] | None = None) -> RoleMatch | None:
        """The first fact source's answer for `iface` (`sources`: from :meth:`sources_for`)."""
        for src in self.fact_sources if sources is None else sources:
            found = src(dev, iface, facts or {})
            if found is not None:
                return found
        return None

    def from_selectors(self, hostname: str, iface_name: str, description: str
                       ) -> RoleMatch | None:
        memo = self._memo
        if memo is not None:
            try:
                return memo[description]
            except KeyError:
                found = self._from_selectors(hostname, iface_name, description)
                if len(memo) >= _MEMO_MAX:
                    memo.clear()
                memo[description] = found
                return found
        return self._from_selectors(hostname, iface_name, description)

    def _from_selectors(self, hostname: str, iface_name: str, description: str
                        ) -> RoleMatch | None:
        low: str | None = None
        for role, fast in self._plan:
            if fast is not None:
                if low is None:
                    low = description.lower()
                word = fast(low)
                if word is not None:
                    return RoleMatch(role.name, role.description.explain(word))  # type: ignore[union-attr]
                continue
            why = role.explain(hostname, iface_name, description)
            if why is not None:
                return RoleMatch(role.name, why)
        return None

    def resolve(self, dev: Device, iface: Interface, facts: Mapping[str, Any] | None = None
                ) -> RoleMatch | None:
        """The role of `iface` on `dev` and why, or None (the caller falls back by mode)."""
        return self.from_facts(dev, iface, facts) or self.from_selectors(
            dev.hostname, iface.name, iface.description)
