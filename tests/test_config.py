"""stormguard.yaml: validation with file:line, environment overrides, secrets by reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from stormguard.config import load_config
from stormguard.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "stormguard.yaml"
    p.write_text(text)
    return p


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STORMGUARD_CONFIG", raising=False)
    cfg = load_config(environ={})
    assert cfg.collect.workers == 20 and cfg.collect.timeout_s == 60 and cfg.collect.retries == 2
    assert [j.name for j in cfg.jobs] == ["nightly"] and cfg.jobs[0].cron == "0 2 * * *"
    assert cfg.metrics.listen == "127.0.0.1:9731"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("collect:\n  workers: lots\n", ":2: collect.workers: Input should be a valid integer"),
        ("collect:\n  wokers: 3\n", ":2: collect.wokers: unknown key"),
        ("alerts:\n  channels:\n    - name: a\n      type: pager\n",
         ":4: alerts.channels.0.type: Input should be"),
        ("alerts:\n  channels:\n    - name: a\n      type: webhook\n      url: ftp://x\n",
         ":3: alerts.channels.0: Value error, url must start with http:// or https://"),
        ("jobs: [{name: a}, {name: a}]\n", "jobs: job names must be unique"),
        ("- just\n- a list\n", ":1: expected a mapping"),
        ("collect: {workers: [\n", "invalid YAML"),
    ],
)
def test_errors_are_one_line_with_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(p, environ={})
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(str(p)) and expected in msg, msg


def test_environment_overrides_every_key(tmp_path: Path) -> None:
    p = write(tmp_path, "collect:\n  workers: 4\nmetrics:\n  listen: 127.0.0.1:1\n")
    cfg = load_config(p, environ={"STORMGUARD_COLLECT__WORKERS": "32",
                                  "STORMGUARD_METRICS__LISTEN": "127.0.0.1:9999",
                                  "STORMGUARD_POLICIES": "[a.yaml, b.yaml]",
                                  "STORMGUARD_LOG_FORMAT": "json"})
    assert cfg.collect.workers == 32 and cfg.metrics.listen == "127.0.0.1:9999"
    assert cfg.policies == ["a.yaml", "b.yaml"] and cfg.log_format == "json"
    with pytest.raises(ConfigError, match=r"from \$STORMGUARD_COLLECT__WORKERS"):
        load_config(p, environ={"STORMGUARD_COLLECT__WORKERS": "many"})


def test_webhook_url_by_reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = write(tmp_path, "notify:\n  webhooks:\n    - {url_env: SG_TEST_HOOK, kind: slack}\n")
    monkeypatch.delenv("SG_TEST_HOOK", raising=False)
    with pytest.raises(ConfigError, match="SG_TEST_HOOK"):
        load_config(p, environ={})
    monkeypatch.setenv("SG_TEST_HOOK", "https://hooks.example/T000/B000/token")
    cfg = load_config(p, environ={})
    assert cfg.notify.webhooks[0].url == "https://hooks.example/T000/B000/token"
    f = tmp_path / "hook.url"
    f.write_text("https://hooks.example/from-file\n")
    p = write(tmp_path, f"alerts:\n  channels:\n    - {{name: c, type: slack, url_file: {f}}}\n")
    assert load_config(p, environ={}).alerts.channels[0].url == "https://hooks.example/from-file"


def test_secret_files_are_relative_to_the_config_file(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "smtp.pw").write_text("s3cret\n")
    (etc / "hook.url").write_text("https://hooks.example/x\n")
    p = etc / "stormguard.yaml"
    p.write_text("notify:\n  email: {host: 127.0.0.1, to: [a@b.c], username: u,"
                 " password_file: smtp.pw}\n  webhooks:\n    - {url_file: hook.url}\n")
    monkeypatch.chdir(tmp_path)  # not the config's directory
    cfg = load_config(p, environ={})
    assert cfg.notify.email is not None
    assert cfg.notify.email.resolve_password("test") == "s3cret"
    assert cfg.notify.webhooks[0].url == "https://hooks.example/x"
