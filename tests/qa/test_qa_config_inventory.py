"""Hostile stormguard.yaml and inventory files: one-line errors that never quote a secret."""

from __future__ import annotations

import pytest

SECRET = "Qa-S3cret-Value"

BOMB = "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9) if p else ', '.join(['lol'] * 9)}]\n"
    for p, c in zip(["", "a", "b", "c", "d", "e", "f", "g", "h"], "abcdefghi", strict=True)
)

CHANNEL = "alerts:\n  channels:\n    - {{name: m, type: email, host: h, to: [x], password: {}}}\n"
INVENTORY = "hosts:\n  sw1:\n    hostname: 10.0.0.1\n    platform: cisco_ios\n    password: {}\n"


@pytest.mark.parametrize("value", [f"*{SECRET}", f"!{SECRET}"])
def test_yaml_errors_never_quote_a_password(sg, tmp_path, value):
    """A password starting with * or ! breaks the YAML; PyYAML's message quotes the token."""
    (tmp_path / "stormguard.yaml").write_text(CHANNEL.format(value))
    (tmp_path / "inventory.yaml").write_text(INVENTORY.format(value))
    for args in (["alerts", "list"], ["history", "sw1"], ["inventory", "check"],
                 ["inventory", "list"]):
        res = sg(*args, STORMGUARD_DATABASE_URL="")  # history reads database_url from it
        assert res.rc == 2, (args, res.err)
        assert "Traceback" not in res.err
        assert SECRET not in res.out + res.err, (args, res.err)
        assert ":3: invalid YAML:" in res.err or ":5: invalid YAML:" in res.err, res.err


def test_password_pasted_into_password_env_is_not_echoed(sg, tmp_path):
    (tmp_path / "inventory.yaml").write_text(
        INVENTORY.format("x").replace("password: x", f"password_env: '{SECRET}!'"))
    res = sg("inventory", "check")
    assert res.rc == 2
    assert SECRET not in res.out + res.err
    assert "inventory.yaml:5: hosts.sw1.password_env: expected the name of an environment " \
           "variable" in res.err


@pytest.mark.parametrize(("text", "expected"), [
    ("collect:\n  workers: 5\n  workers: 50\n",
     "stormguard.yaml:3: collect.workers: duplicate key (first at line 2)"),
    ("x: 2027-13-45\n", "stormguard.yaml:1: invalid YAML value: month must be in 1..12"),
    (BOMB, "invalid YAML: expands to more than 1,000,000 values"),
    ("x: " + "[" * 3000 + "]" * 3000 + "\n", "invalid YAML: nested too deep"),
])
def test_bad_stormguard_yaml_is_one_line_error(sg, tmp_path, text, expected):
    (tmp_path / "stormguard.yaml").write_text(text)
    res = sg("alerts", "list", timeout=30)
    assert res.rc == 2
    assert expected in res.one_line_error()
    # the database_url reader of the store commands too (never falls back to the user's DB:
    # every case here is an error first)
    res = sg("history", "sw1", STORMGUARD_DATABASE_URL="", timeout=30)
    assert expected in res.one_line_error()


@pytest.mark.parametrize(("text", "expected"), [
    (BOMB, "invalid YAML: expands to more than 1,000,000 values"),
    ("hosts:\n  sw1: " + "[" * 3000 + "]" * 3000 + "\n", "invalid YAML: nested too deep"),
    ("hosts:\n  sw1: {platform: cisco_ios, site: 2027-02-30}\n",
     "inventory.yaml:2: invalid YAML value: day is out of range for month"),
])
def test_bad_inventory_is_one_line_error(sg, tmp_path, text, expected):
    (tmp_path / "inventory.yaml").write_text(text)
    res = sg("inventory", "list", timeout=30)
    assert res.rc == 2
    assert expected in res.one_line_error()


def test_secret_files_are_relative_to_the_config_file(sg, tmp_path):
    """The daemon is started from anywhere with --config /etc/...: a relative url_file or
    password_file must be found next to the config, not in the current directory."""
    conf = tmp_path / "etc"
    conf.mkdir()
    (conf / "hook.url").write_text("http://127.0.0.1:9/hook\n")
    (conf / "smtp.pw").write_text("pw\n")
    (conf / "stormguard.yaml").write_text(
        "alerts:\n  channels:\n    - {name: h, type: webhook, url_file: hook.url}\n"
        "    - {name: m, type: email, host: 127.0.0.1, port: 9, to: [x@y.z], "
        "username: u, password_file: smtp.pw, timeout_s: 2}\n")
    res = sg("alerts", "test", "--config", str(conf / "stormguard.yaml"))
    assert res.rc == 1, res.err  # both tried (nothing listens on port 9), neither misread
    assert "url_file" not in res.err and "password_file" not in res.out + res.err
    assert res.out.count("FAIL") == 2


def test_alerts_test_with_an_unknown_channel_names_it(sg, tmp_path):
    (tmp_path / "stormguard.yaml").write_text(
        "alerts:\n  channels:\n    - {name: noc-hook, type: webhook, url: 'http://127.0.0.1:9/'}\n")
    res = sg("alerts", "test", "--channel", "noc-hok")
    assert res.rc == 2
    assert res.one_line_error() == ("stormguard alerts: error: no alert channel named "
                                    "'noc-hok' (configured: noc-hook)")


@pytest.mark.parametrize(("text", "expected"), [
    (f"password: *{SECRET}\n", "f.yaml:1: invalid YAML: found undefined alias: a value "
                               "starting with '*' must be quoted"),
    (f"password: !{SECRET}\n", "f.yaml:1: invalid YAML: unknown YAML tag: a value starting "
                               "with '!' must be quoted"),
    (f"password: !<{SECRET}>\n", "f.yaml:1: invalid YAML: unknown YAML tag"),
    (f"password: '{SECRET}'s'\n", "f.yaml:1: invalid YAML: expected <block end>, but found "
                                  "'<scalar>'"),
    (f"password: \"\\q{SECRET}\"\n", "f.yaml:1: invalid YAML: found unknown escape character"),
    (f"password: @{SECRET}\n", "f.yaml:1: invalid YAML: found character '@' that cannot start"),
])
def test_yaml_messages_keep_their_meaning_but_not_the_value(text, expected):
    from stormguard.errors import ConfigError
    from stormguard.yamlsafe import load

    with pytest.raises(ConfigError) as exc:
        load(text, "f.yaml")
    assert str(exc.value).startswith(expected), str(exc.value)
    assert SECRET not in str(exc.value)
