"""Sniffer settings: defaults, and the ``sniffer:`` section of ``stormguard.yaml``.

Defaults are chosen for an access/distribution LAN: ordinary broadcast + multicast runs at tens
to a few hundred frames/s, a loop at tens of thousands or more. A storm opens after
``open_windows`` consecutive decisions (one per 100 ms bucket, each over the trailing 1 s) above
any threshold, and ends after ``close_windows`` decisions below ``close_ratio`` times the
threshold that opened it (hysteresis, like storm-control's rising/falling levels).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from stormguard.errors import ConfigError


@dataclass
class SnifferConfig:
    interfaces: list[str] = field(default_factory=list)
    bucket_ms: int = 100
    window_s: float = 1.0
    threshold_pps: float = 2000.0  # absolute: broadcast+multicast frames/s
    link_pct: float | None = 1.0  # % of link speed (bits/s), when the speed is known
    ewma_alpha: float = 0.01  # per decision (100 ms): a ~10 s memory
    ewma_multiplier: float = 8.0
    ewma_floor_pps: float = 500.0  # the baseline rule never fires below this rate
    ewma_warmup: int = 30  # decisions before the baseline rule is trusted
    open_windows: int = 3
    close_ratio: float = 0.5
    close_windows: int = 3
    dup_min: int = 20  # the same frame this many times within 1 s = duplicate-frames
    tcn_min: int = 5  # topology-change BPDUs within 1 s = tcn-burst
    update_interval_s: float = 5.0
    top_sources: int = 5
    evidence_frames: int = 300
    evidence_dir: str | None = None
    capture_mode: str = "ring"  # ring (TPACKET_V3) | recv
    ring_mb: int = 32  # ~250k small frames: seconds of storm if the process is starved
    #: a missing / down interface is looked at again after 0.5 s, 1 s, 2 s ... up to this
    #: (a link change announced by the kernel is noticed at once anyway)
    retry_max_s: float = 10.0
    #: the daemon alerts when an interface has not been watched for this long (0: never)
    down_alert_after_s: float = 60.0

    @property
    def bucket_s(self) -> float:
        return self.bucket_ms / 1000.0

    @property
    def window_buckets(self) -> int:
        return max(1, round(self.window_s / self.bucket_s))

    def validate(self, source: str = "sniffer settings") -> SnifferConfig:
        def need(ok: bool, what: str) -> None:
            if not ok:
                raise ConfigError(f"{source}: {what}")

        need(10 <= self.bucket_ms <= 1000, f"bucket_ms must be 10..1000, not {self.bucket_ms}")
        need(self.bucket_s <= self.window_s <= 60, "window_s must be >= one bucket and <= 60")
        need(self.threshold_pps > 0, "threshold_pps must be > 0")
        need(self.link_pct is None or 0 < self.link_pct <= 100, "link_pct must be in (0, 100]")
        need(0 < self.ewma_alpha <= 1, "ewma_alpha must be in (0, 1]")
        need(self.ewma_multiplier > 1, "ewma_multiplier must be > 1")
        need(self.ewma_floor_pps >= 0, "ewma_floor_pps must be >= 0")
        need(self.open_windows >= 1 and self.close_windows >= 1,
             "open_windows and close_windows must be >= 1")
        need(0 < self.close_ratio <= 1, "close_ratio must be in (0, 1]")
        need(self.dup_min >= 2 and self.tcn_min >= 1, "dup_min must be >= 2, tcn_min >= 1")
        need(self.update_interval_s > 0, "update_interval_s must be > 0")
        need(self.evidence_frames >= 0, "evidence_frames must be >= 0")
        need(self.capture_mode in ("ring", "recv"), "capture_mode must be ring or recv")
        need(1 <= self.ring_mb <= 1024, "ring_mb must be 1..1024")
        need(0.5 <= self.retry_max_s <= 3600, "retry_max_s must be 0.5..3600")
        need(self.down_alert_after_s >= 0, "down_alert_after_s must be >= 0")
        return self

    @classmethod
    def from_mapping(cls, data: dict[str, Any], source: str) -> SnifferConfig:
        known = {f.name: f for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                raise ConfigError(f"{source}: unknown sniffer setting {key!r} "
                                  f"(known: {', '.join(sorted(known))})")
            default = getattr(cls(), key)
            if key == "interfaces":
                if isinstance(value, str):
                    value = [value]
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ConfigError(f"{source}: sniffer.interfaces must be a list of names")
            elif isinstance(default, bool) or value is None:
                pass
            elif isinstance(default, int) and not isinstance(default, bool):
                if not isinstance(value, int) or isinstance(value, bool):
                    raise ConfigError(f"{source}: sniffer.{key} must be an integer, "
                                      f"not {value!r}")
            elif isinstance(default, float):
                if not isinstance(value, int | float) or isinstance(value, bool):
                    raise ConfigError(f"{source}: sniffer.{key} must be a number, not {value!r}")
                value = float(value)
            elif isinstance(default, str) and not isinstance(value, str):
                raise ConfigError(f"{source}: sniffer.{key} must be a string, not {value!r}")
            kwargs[key] = value
        return cls(**kwargs).validate(source)


def load_config(path: str | Path) -> SnifferConfig:
    """The ``sniffer:`` section of a stormguard.yaml (a missing section gives the defaults)."""
    import yaml

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read: {exc}") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{p}:{where} not valid YAML") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ConfigError(f"{p}: top level must be a mapping")
    section = doc.get("sniffer") or {}
    if not isinstance(section, dict):
        raise ConfigError(f"{p}: 'sniffer' must be a mapping")
    return SnifferConfig.from_mapping(section, str(p))
