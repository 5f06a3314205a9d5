"""Collection end to end over real SSH (fakenos): the running config of every switch platform
is stored with its secrets masked, line for line; `STORMGUARD_STORE__KEEP_SECRETS=true`
stores it as served."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stormguard.secrets_mask import MASK, mask_config
from stormguard.testing.fakenet import FakeNetwork

pytestmark = pytest.mark.slow


def _collect(net: FakeNetwork, tmp_path: Path, password_env: str, name: str,
             **extra_env: str) -> str:
    inv = net.write_inventory(tmp_path / f"{name}.yaml", password_env=password_env, timeout=30)
    url = f"sqlite:///{tmp_path / f'{name}.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORMGUARD_")}
    env.update(STORMGUARD_DATABASE_URL=url,
               STORMGUARD_KNOWN_HOSTS=str(tmp_path / f"{name}.known_hosts"), **extra_env)
    proc = subprocess.run([sys.executable, "-m", "stormguard", "collect", "--inventory",
                           str(inv), "--no-progress"], env=env, capture_output=True, text=True,
                          timeout=240, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return url


def test_collected_configs_are_stored_masked_unless_kept(healthy_net, tmp_path, password_env):
    from stormguard.store import Store

    served = {d.name: (d.platform, d.config) for d in healthy_net.devices.values()}
    masked_url = _collect(healthy_net, tmp_path, password_env, "masked")
    kept_url = _collect(healthy_net, tmp_path, password_env, "kept",
                        STORMGUARD_STORE__KEEP_SECRETS="true")
    with Store.open(masked_url, keep_secrets=True) as masked, \
            Store.open(kept_url, keep_secrets=True) as kept:
        got = {s.device: s.text for s in masked.latest_snapshots()}
        full = {s.device: s.text for s in kept.latest_snapshots()}
    assert set(got) == set(served)
    with_secrets = 0
    for name, (platform, config) in served.items():
        stored = got[name]
        assert stored is not None and full[name] is not None
        assert full[name].strip() == config.strip()  # kept: as served
        assert stored.strip() == mask_config(config, platform).strip()
        assert len(stored.splitlines()) == len(full[name].splitlines())
        if platform in ("ovs", "linux_bridge"):
            continue
        assert MASK in stored, (platform, "no secret masked in the served config")
        with_secrets += 1
        removed = {w for a, b in zip(full[name].splitlines(), stored.splitlines(), strict=True)
                   if a != b for w in a.split() if w not in b.split()}
        assert removed, platform
        for secret in removed:
            assert secret.strip('";') not in stored, (platform, secret)
    assert with_secrets == 7
