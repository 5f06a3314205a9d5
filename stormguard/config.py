"""`stormguard.yaml`: one validated config file for the daemon, the sniffer, reports and alerts.

Twelve-factor: every key can be overridden from the environment. ``STORMGUARD_<KEY>`` sets a
top-level key and ``__`` descends into sections, e.g. ``STORMGUARD_COLLECT__WORKERS=32`` or
``STORMGUARD_METRICS__LISTEN=0.0.0.0:9731``. Values are parsed as YAML scalars/flow collections
(``STORMGUARD_POLICIES='[site.yaml, dc2.yaml]'``). ``STORMGUARD_CONFIG`` names the file;
``STORMGUARD_DATABASE_URL`` the database.

Errors are one line with file, line and key: ``stormguard.yaml:14: collect.workers: Input
should be a valid integer`` (:class:`stormguard.errors.ConfigError`). Secrets are referenced
(``password_env``, ``password_file``), never required inline.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from stormguard.errors import ConfigError

ENV_PREFIX = "STORMGUARD_"


def _relative(path: str | None, info: ValidationInfo) -> str | None:
    """A file named in stormguard.yaml is relative to the file's own directory."""
    base = (info.context or {}).get("base_dir") if info is not None else None
    if path and base and not os.path.isabs(path):
        return str(Path(base) / path)
    return path


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SecretRef(_Section):
    """A secret given by reference. `password` inline works but is discouraged."""

    username: str | None = None
    password_env: str | None = None
    password_file: str | None = None
    password: str | None = Field(default=None, repr=False)

    @field_validator("password_file")
    @classmethod
    def _relative_to_config(cls, v: str | None, info: ValidationInfo) -> str | None:
        return _relative(v, info)

    def resolve_password(self, what: str) -> str | None:
        if self.password_env:
            val = os.environ.get(self.password_env)
            if val is None:
                raise ConfigError(f"{what}: environment variable {self.password_env} is not set")
            return val
        if self.password_file:
            from stormguard.inventory import read_secret_file

            return read_secret_file(self.password_file, f"{what}: password_file").strip()
        return self.password


class _UrlByReference(BaseModel):
    """A URL that may itself be a secret (Slack webhook tokens live in the path): give it inline
    as `url`, or by reference as `url_env` / `url_file`; it is resolved when the config loads."""

    url: str | None = None
    url_env: str | None = None
    url_file: str | None = None

    @field_validator("url_file")
    @classmethod
    def _url_file_relative(cls, v: str | None, info: ValidationInfo) -> str | None:
        return _relative(v, info)

    @model_validator(mode="after")
    def _resolve_url(self):  # type: ignore[no-untyped-def]
        if self.url is None and self.url_env:
            val = os.environ.get(self.url_env)
            if not val:
                raise ValueError(f"environment variable {self.url_env} (url_env) is not set")
            self.url = val.strip()
        elif self.url is None and self.url_file:
            from stormguard.inventory import read_secret_file

            try:  # capped and never quoted: /dev/zero, a FIFO or a binary file is one line
                self.url = read_secret_file(self.url_file, "url_file").strip()
            except ConfigError as exc:
                raise ValueError(str(exc)) from None
        if self.url is not None and not self.url.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return self


class JobConfig(_Section):
    name: str
    cron: str = "0 2 * * *"
    pipeline: list[Literal["collect", "audit", "report", "notify"]] = Field(
        default_factory=lambda: ["collect", "audit", "report", "notify"])
    limit: str | None = None  # device glob
    groups: list[str] = Field(default_factory=list)
    misfire_grace_s: int = 6 * 3600
    enabled: bool = True

    @field_validator("cron")
    @classmethod
    def _cron_valid(cls, v: str) -> str:
        from stormguard.daemon.cron import cron_trigger

        cron_trigger(v)  # ValueError -> "stormguard.yaml:LINE: jobs.0.cron: ..."
        return v


class CollectConfig(_Section):
    workers: int = Field(default=20, ge=1, le=512)
    timeout_s: float = Field(default=60.0, gt=0)
    retries: int = Field(default=2, ge=0, le=10)
    known_hosts: str | None = None  # SSH known_hosts (default: in the stormguard data dir)


class ReportConfig(_Section):
    dir: str = "reports-out"
    formats: list[Literal["html", "md", "json"]] = Field(default_factory=lambda: ["html"])
    keep_runs: int = 30


class EmailConfig(SecretRef):
    host: str
    port: int = 25
    starttls: bool = False
    ssl: bool = False
    sender: str = "stormguard@localhost"
    to: list[str] = Field(default_factory=list)
    timeout_s: float = 30.0


class WebhookConfig(_Section, _UrlByReference):
    kind: Literal["generic", "slack"] = "generic"
    timeout_s: float = 10.0

    @model_validator(mode="after")
    def _needs_url(self):  # type: ignore[no-untyped-def]
        if not self.url:
            raise ValueError("a webhook needs url (or url_env / url_file)")
        return self


class NotifyConfig(_Section):
    email: EmailConfig | None = None
    webhooks: list[WebhookConfig] = Field(default_factory=list)
    retries: int = 3


class AlertChannel(SecretRef, _UrlByReference):
    name: str
    type: Literal["webhook", "slack", "alertmanager", "email", "syslog"]
    # url / url_env / url_file: webhook, slack, alertmanager (base URL)
    host: str | None = None  # email (SMTP), syslog
    port: int | None = None
    protocol: Literal["udp", "tcp"] = "udp"  # syslog
    starttls: bool = False
    ssl: bool = False
    sender: str = "stormguard@localhost"
    to: list[str] = Field(default_factory=list)
    min_severity: Literal["info", "warning", "critical"] = "info"
    timeout_s: float = 10.0

    @model_validator(mode="after")
    def _needs_target(self):  # type: ignore[no-untyped-def]
        if self.type in ("webhook", "slack", "alertmanager") and not self.url:
            raise ValueError(f"a {self.type} channel needs url (or url_env / url_file)")
        if self.type == "email" and (not self.host or not self.to):
            raise ValueError("an email channel needs host and to")
        return self


class AlertsConfig(_Section):
    severity: Literal["info", "warning", "critical"] = "critical"  # of a storm alert
    reminder_minutes: float = 15.0
    channels: list[AlertChannel] = Field(default_factory=list)
    max_attempts: int = 0  # 0: retry forever (with backoff capped at max_backoff_s)
    max_backoff_s: float = 300.0


class StoreConfig(_Section):
    # Switch configs carry SNMP communities, keys and password hashes: they are masked before
    # a config is stored (stormguard.secrets_mask). true keeps them, for full backups.
    keep_secrets: bool = False


class MetricsConfig(_Section):
    enabled: bool = True
    listen: str = "127.0.0.1:9731"


class SyslogConfig(_Section):
    """The switch-syslog listener (`stormguard syslog`, and the daemon when enabled)."""

    enabled: bool = False  # the daemon starts the listener only when this is true
    listen: list[str] = Field(default_factory=lambda: ["udp://0.0.0.0:5514",
                                                       "tcp://0.0.0.0:5514"])
    tls_cert: str | None = None
    tls_key: str | None = None
    max_message: int = Field(default=64 * 1024, ge=512, le=1024 * 1024)


class SnmpConfig(_Section):
    """Polling IF-MIB broadcast/multicast counters of the inventory hosts that have `snmp:`."""

    enabled: bool = False  # the daemon polls only when this is true
    interval_s: float = Field(default=10.0, ge=1.0, le=3600.0)
    timeout_s: float = Field(default=2.0, gt=0, le=60.0)
    retries: int = Field(default=1, ge=0, le=5)
    concurrency: int = Field(default=64, ge=1, le=1024)


class IncidentsConfig(_Section):
    """How storm evidence from every source folds into incidents."""

    window_s: float = Field(default=60.0, gt=0)  # evidence this close joins an open incident
    quiet_s: float = Field(default=120.0, gt=0)  # an incident ends after this long without any


class ChangeWindow(_Section):
    """A recurring window in which configuration changes are expected (``baseline:``)."""

    cron: str  # when the window opens: five crontab fields, local time, as jobs' `cron`
    duration_minutes: int = Field(gt=0, le=7 * 24 * 60)
    name: str | None = None  # shown in the finding ("in change window <name>")

    @field_validator("cron")
    @classmethod
    def _cron_valid(cls, v: str) -> str:
        from stormguard.daemon.cron import cron_trigger

        cron_trigger(v)
        return v

    def label(self) -> str:
        return self.name or f"{self.cron} for {self.duration_minutes} min"


class BaselineConfig(_Section):
    """Approved baselines: drift from them is SG601 (``stormguard baseline approve``)."""

    change_windows: list[ChangeWindow] = Field(default_factory=list)
    alert_severity: Literal["info", "warning", "critical"] = "warning"  # of a drift alert
    max_diff_lines: int = Field(default=400, ge=10, le=100_000)  # kept in a finding


class StormguardConfig(_Section):
    database_url: str | None = None
    # this daemon's site (one collector host per site, one shared store): it collects and
    # audits only the inventory's hosts with this `site`; runs and job locks are per site
    site: str | None = Field(default=None, min_length=1, max_length=255,
                             pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    inventory: str = "inventory.yaml"
    policies: list[str] = Field(default_factory=list)
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    jobs: list[JobConfig] = Field(default_factory=lambda: [JobConfig(name="nightly")])
    collect: CollectConfig = Field(default_factory=CollectConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    notify: NotifyConfig = Field(default_factory=NotifyConfig)
    # The sniffer engine's settings (interfaces, thresholds, hysteresis, evidence ...): the keys
    # of stormguard.sniffer.config.SnifferConfig, validated by it.
    sniffer: dict[str, Any] = Field(default_factory=dict)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    syslog: SyslogConfig = Field(default_factory=SyslogConfig)
    snmp: SnmpConfig = Field(default_factory=SnmpConfig)
    incidents: IncidentsConfig = Field(default_factory=IncidentsConfig)
    baseline: BaselineConfig = Field(default_factory=BaselineConfig)
    shutdown_timeout_s: float = 30.0

    source: str = Field(default="", exclude=True)  # the file it came from, for messages

    @field_validator("sniffer")
    @classmethod
    def _sniffer_settings(cls, v: dict[str, Any]) -> dict[str, Any]:
        from stormguard.sniffer.config import SnifferConfig as EngineSettings

        try:
            EngineSettings.from_mapping(v, "sniffer")
        except ConfigError as exc:
            raise ValueError(str(exc).removeprefix("sniffer: ")) from None
        return v

    def sniffer_config(self) -> Any:
        """The sniffer engine's settings (:class:`stormguard.sniffer.config.SnifferConfig`)."""
        from stormguard.sniffer.config import SnifferConfig as EngineSettings

        return EngineSettings.from_mapping(self.sniffer, f"{self.source or 'config'}: sniffer")

    def resolved_database_url(self) -> str:
        env = os.environ.get("STORMGUARD_DATABASE_URL", "").strip()
        if env:
            return env
        if self.database_url:
            return self.database_url
        from stormguard.settings import default_database_url

        return default_database_url()

    def relative(self, path: str) -> str:
        """Paths in the file are relative to the file's directory."""
        if not self.source or os.path.isabs(path):
            return path
        return str(Path(self.source).resolve().parent / path)


# -- loading ---------------------------------------------------------------------------------

def _line_index(node: yaml.Node, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """Map each key path to the 1-based line it is on."""
    out = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = (*path, k.value)
            out[key] = k.start_mark.line + 1
            out.update({p: ln for p, ln in _line_index(v, key).items() if p != key})
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out.update(_line_index(v, (*path, i)))
    return out


def _env_overrides(doc: dict[str, Any], environ: dict[str, str]) -> list[str]:
    applied = []
    skip = {"STORMGUARD_CONFIG", "STORMGUARD_DEBUG", "STORMGUARD_DATABASE_URL"}
    for name, raw in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX) or name in skip:
            continue
        keys = [k.lower() for k in name[len(ENV_PREFIX):].split("__") if k]
        if not keys or keys[0] not in StormguardConfig.model_fields:
            continue
        try:
            value = yaml.safe_load(raw) if raw.strip() else raw
        except yaml.YAMLError:
            value = raw
        target = doc
        for k in keys[:-1]:
            nxt = target.get(k)
            if not isinstance(nxt, dict):
                nxt = {}
                target[k] = nxt
            target = nxt
        target[keys[-1]] = value
        applied.append(name)
    return applied


def load_config(path: str | os.PathLike[str] | None = None,
                environ: dict[str, str] | None = None) -> StormguardConfig:
    """Load and validate stormguard.yaml (or defaults when there is none), with env overrides."""
    from stormguard.settings import config_path

    environ = dict(os.environ if environ is None else environ)
    file = config_path(path)
    doc: dict[str, Any] = {}
    lines: dict[tuple[Any, ...], int] = {}
    where = str(file) if file else "stormguard.yaml (defaults)"
    if file is not None:
        from stormguard import yamlsafe

        # One-line errors that never quote a value (an SMTP password may be what broke it).
        loaded, node = yamlsafe.load_settings_file(file)
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{file}:1: expected a mapping of settings at the top level")
        doc = loaded or {}
        if node is not None:
            lines = _line_index(node)
    from_env = _env_overrides(doc, environ)
    try:
        base = {"base_dir": str(file.resolve().parent)} if file is not None else None
        cfg = StormguardConfig.model_validate(doc, context=base)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        dotted = ".".join(str(p) for p in loc)
        line = None
        for n in range(len(loc), -1, -1):
            if loc[:n] in lines:
                line = lines[loc[:n]]
                break
        env_name = ENV_PREFIX + "__".join(str(p).upper() for p in loc)
        origin = f" (from ${env_name})" if env_name in from_env else ""
        at = f"{where}:{line}" if line else where
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        raise ConfigError(f"{at}: {dotted}: {msg}{origin}") from None
    cfg.source = str(file) if file else ""
    names = [j.name for j in cfg.jobs]
    if len(set(names)) != len(names):
        raise ConfigError(f"{where}: jobs: job names must be unique ({', '.join(names)})")
    return cfg
