"""VLAN-set algebra.

A :class:`VlanSet` is an immutable set of 802.1Q VLAN IDs (1-4094) stored as an integer bitmask,
plus a flag that remembers whether the config *said* "all" (or said nothing, which on a trunk
means all). Operations mirror what switch configs do: ``add``, ``remove``, ``except``, ``none``.

Parsing accepts the spellings used across vendors: ``10,20-30`` (Cisco/Arista), ``10 20 to 30``
(Huawei/H3C), ``[ 10 20-30 ]`` (Junos), and ``all``/``none``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

MIN_VLAN = 1
MAX_VLAN = 4094
_FULL_MASK = ((1 << (MAX_VLAN + 1)) - 1) & ~1  # bits 1..4094

_RANGE_TO = re.compile(r"(\d+)\s+to\s+(\d+)", re.IGNORECASE)


class VlanSyntaxError(ValueError):
    """A VLAN list that cannot be read."""


@dataclass(frozen=True, slots=True)
class VlanSet:
    mask: int = 0
    is_all: bool = False  # the config said "all" (or left the list unset on a trunk)

    # -- construction -------------------------------------------------------------------
    @classmethod
    def all(cls) -> VlanSet:
        return _ALL if cls is VlanSet else cls(_FULL_MASK, True)

    @classmethod
    def none(cls) -> VlanSet:
        return _NONE if cls is VlanSet else cls(0, False)

    @classmethod
    def of(cls, ids: Iterable[int]) -> VlanSet:
        mask = 0
        for vid in ids:
            if not MIN_VLAN <= vid <= MAX_VLAN:
                raise VlanSyntaxError(f"VLAN {vid} out of range 1-4094")
            mask |= 1 << vid
        return cls(mask, False)

    @classmethod
    def from_range(cls, lo: int, hi: int) -> VlanSet:
        return cls(_range_mask(lo, hi), False)

    @classmethod
    def parse(cls, text: str) -> VlanSet:
        """Parse a VLAN list in any vendor spelling. Raises :class:`VlanSyntaxError`."""
        s = text.strip()
        if s.isdecimal():  # the common case: one VLAN
            vid = int(s)
            if not MIN_VLAN <= vid <= MAX_VLAN:
                raise VlanSyntaxError(f"VLAN {vid} out of range 1-4094")
            return cls(1 << vid, False)
        s = s.strip("[]").strip()
        low = s.lower()
        if low == "all":
            return cls.all()
        if low in ("none", ""):
            return cls.none()
        if "to" in low:
            s = _RANGE_TO.sub(r"\1-\2", s)
        mask = 0
        for tok in (s.split(",") if " " not in s else re.split(r"[,\s]+", s)):
            if tok.isdecimal():
                vid = int(tok)
                if not MIN_VLAN <= vid <= MAX_VLAN:
                    raise VlanSyntaxError(f"VLAN {vid} out of range 1-4094")
                mask |= 1 << vid
            elif "-" in tok:
                a, _, b = tok.partition("-")
                if not (a.isdecimal() and b.isdecimal()):
                    raise VlanSyntaxError(f"bad VLAN range {tok!r}")
                mask |= _range_mask(int(a), int(b))
            elif tok:
                raise VlanSyntaxError(f"bad VLAN id {tok!r}")
        return cls(mask, False)

    # -- algebra ------------------------------------------------------------------------
    def add(self, other: VlanSet) -> VlanSet:
        return vlan_set(self.mask | other.mask, self.is_all or other.is_all)

    def remove(self, other: VlanSet) -> VlanSet:
        return vlan_set(self.mask & ~other.mask)

    def except_(self, other: VlanSet) -> VlanSet:
        """Cisco ``except``: every VLAN but these."""
        return vlan_set(_FULL_MASK & ~other.mask)

    def __or__(self, other: VlanSet) -> VlanSet:
        return self.add(other)

    def __sub__(self, other: VlanSet) -> VlanSet:
        return self.remove(other)

    def __and__(self, other: VlanSet) -> VlanSet:
        return vlan_set(self.mask & other.mask, self.is_all and other.is_all)

    def __contains__(self, vid: object) -> bool:
        return isinstance(vid, int) and MIN_VLAN <= vid <= MAX_VLAN and bool(self.mask >> vid & 1)

    def __len__(self) -> int:
        return self.mask.bit_count()

    def __iter__(self) -> Iterator[int]:
        m = self.mask
        while m:
            low = m & -m
            yield low.bit_length() - 1
            m ^= low

    def __bool__(self) -> bool:
        return self.mask != 0

    def issubset(self, other: VlanSet) -> bool:
        return self.mask & ~other.mask == 0

    def covers_all(self, threshold: int = 4000) -> bool:
        """True when the set is `all` for storm purposes: said so, or >= `threshold` IDs."""
        return self.is_all or len(self) >= threshold

    # -- display ------------------------------------------------------------------------
    def ranges(self) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        start = prev = None
        for vid in self:
            if start is None:
                start = prev = vid
            elif vid == prev + 1:  # type: ignore[operator]
                prev = vid
            else:
                out.append((start, prev))  # type: ignore[arg-type]
                start = prev = vid
        if start is not None:
            out.append((start, prev))  # type: ignore[arg-type]
        return out

    def to_text(self, sep: str = ",", range_sep: str = "-") -> str:
        """``10,20-30``; Huawei style with ``sep=" ", range_sep=" to "``."""
        if self.is_all:
            return "all"
        if not self.mask:
            return "none"
        return sep.join(str(a) if a == b else f"{a}{range_sep}{b}" for a, b in self.ranges())

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"VlanSet({self.to_text()!r})"


_new_set = object.__new__
_set_mask = VlanSet.mask.__set__  # type: ignore[attr-defined]
_set_is_all = VlanSet.is_all.__set__  # type: ignore[attr-defined]


def vlan_set(mask: int, is_all: bool = False) -> VlanSet:
    """``VlanSet(mask, is_all)``, built without the frozen dataclass's ``__init__`` (two
    ``object.__setattr__`` calls through globals: ~1.6x the cost). The parsers and the set
    algebra make hundreds of sets per config; the value is the same in every respect."""
    s = _new_set(VlanSet)
    _set_mask(s, mask)
    _set_is_all(s, is_all)
    return s


# Immutable, so one instance of each serves every caller (they are asked for once per trunk).
_ALL = VlanSet(_FULL_MASK, True)
_NONE = VlanSet(0, False)


def _check(vid: int) -> None:
    if not MIN_VLAN <= vid <= MAX_VLAN:
        raise VlanSyntaxError(f"VLAN {vid} out of range 1-4094")


def _range_mask(lo: int, hi: int) -> int:
    if lo > hi:
        lo, hi = hi, lo
    _check(lo)
    _check(hi)
    return ((1 << (hi + 1)) - 1) & ~((1 << lo) - 1)
