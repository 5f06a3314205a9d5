"""Where stormguard's settings come from (for now: the database URL).

Order, twelve-factor style: the environment (``STORMGUARD_DATABASE_URL``) beats the config
file (``database_url`` in ``stormguard.yaml``: the path in ``STORMGUARD_CONFIG``, else
``./stormguard.yaml`` when it exists), which beats the default: a SQLite file under the user's
data directory, so a first ``stormguard collect`` needs no set-up at all.
The daemon's config loader extends this module; keep it small and free of heavy imports.
"""

from __future__ import annotations

import os
from pathlib import Path

from stormguard.errors import ConfigError

CONFIG_ENV = "STORMGUARD_CONFIG"
DATABASE_URL_ENV = "STORMGUARD_DATABASE_URL"
DEFAULT_CONFIG_NAME = "stormguard.yaml"


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The stormguard.yaml in effect, or None when there is none."""
    if explicit:
        return _named(Path(explicit), "")
    env = os.environ.get(CONFIG_ENV)
    if env:
        return _named(Path(env), f" (from ${CONFIG_ENV})")
    local = Path(DEFAULT_CONFIG_NAME)
    return local if local.is_file() else None


def _named(path: Path, origin: str) -> Path:
    """A config file the user named: it must exist and not be a directory. A device or a FIFO
    is accepted here and refused, quickly and in one line, by the capped read."""
    if path.is_dir():
        raise ConfigError(f"{path}: config file is a directory{origin}")
    if not path.exists():
        raise ConfigError(f"{path}: config file not found{origin}")
    return path


def default_database_url() -> str:
    import platformdirs

    data = Path(platformdirs.user_data_dir("stormguard"))
    data.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data / 'stormguard.db'}"


def _from_config_file(path: Path) -> str | None:
    from stormguard import yamlsafe

    doc, _node = yamlsafe.load_settings_file(path)
    if doc is None:
        return None
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    url = doc.get("database_url")
    if url is None:
        return None
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(f"{path}: database_url: expected a non-empty string")
    return url.strip()


def database_url(config: str | os.PathLike[str] | None = None) -> str:
    """The database URL: $STORMGUARD_DATABASE_URL, else stormguard.yaml, else local SQLite."""
    env = os.environ.get(DATABASE_URL_ENV, "").strip()
    if env:
        return env
    path = config_path(config)
    if path is not None:
        url = _from_config_file(path)
        if url:
            return url
    return default_database_url()
