"""The vSwitch collectors over real SSH (a paramiko SSH server on 127.0.0.1, see exec_sshd)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import paramiko
import pytest
from exec_sshd import ExecSshd

from stormguard.collect import linux_bridge as lb_collect
from stormguard.collect import ovs as ovs_collect
from stormguard.collect.base import CollectError
from stormguard.inventory import Credentials, Host
from stormguard.parsers import parse_config
from stormguard.testing.linuxbridge import BridgeLab
from stormguard.testing.ovs import OvsLab

PASSWORD = "s3cret-vsw!tch-pw"  # a test secret that must never leak
ENV = "SG_VSWITCH_TEST_PW"


@pytest.fixture
def sshd():
    server = ExecSshd("ops", PASSWORD)
    try:
        yield server
    finally:
        server.close()


def ssh_host(base: Host, port: int, known: Path, **kw) -> Host:
    base.transport = "ssh"
    base.hostname = "127.0.0.1"
    base.port = port
    base.timeout = kw.pop("timeout", 10)
    base.credentials = Credentials(username="ops", password_env=ENV)
    base.data["known_hosts"] = str(known)
    for k, v in kw.items():
        setattr(base, k, v)
    return base


@pytest.mark.ovs
@pytest.mark.netns
def test_ovs_over_ssh_matches_local(ovs_lab: OvsLab, sshd: ExecSshd, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, PASSWORD)
    ovs_lab.add_bridge("br-ssh")
    ovs_lab.add_port("br-ssh", "eth1", "vlan_mode=trunk")
    local = parse_config(ovs_collect.collect(ovs_lab.host("hv-ssh")).config)
    got = ovs_collect.collect(ssh_host(ovs_lab.host("hv-ssh"), sshd.port, tmp_path / "kh"))
    remote = parse_config(got.config)
    assert [d.hostname for d in remote] == [d.hostname for d in local]
    assert remote[0].interfaces.keys() == local[0].interfaces.keys()
    assert any("--format=json list Port" in c for c in sshd.executed)
    assert (tmp_path / "kh").read_text().startswith(f"[127.0.0.1]:{sshd.port} ")  # TOFU pin
    assert PASSWORD not in got.config and PASSWORD not in json.dumps(got.state)


@pytest.mark.netns
def test_linux_bridge_over_ssh_in_a_netns(bridge_lab: BridgeLab, sshd: ExecSshd,
                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    monkeypatch.setenv(ENV, PASSWORD)
    bridge_lab.add_bridge("br0")
    bridge_lab.add_uplink("br0", "up1")
    bridge_lab.add_uplink("br0", "up2")
    got = lb_collect.collect(ssh_host(bridge_lab.host("hv-lb"), sshd.port, tmp_path / "kh"))
    (dev,) = parse_config(got.config)
    assert dev.hostname == "hv-lb/br0"
    assert {n for n, i in dev.interfaces.items() if i.physical_uplink} == {"up1", "up2"}
    assert all(c.startswith(f"ip netns exec {bridge_lab.ns} ") for c in sshd.executed)


def test_wrong_password_is_auth_and_never_printed(sshd: ExecSshd, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "wrong-" + PASSWORD)
    host = ssh_host(Host(name="hv-auth", hostname="x", platform="ovs"), sshd.port,
                    tmp_path / "kh")
    with pytest.raises(CollectError) as err:
        ovs_collect.collect(host)
    assert err.value.failure_class == "auth" and not err.value.retryable
    assert PASSWORD not in str(err.value)


def test_unset_password_env_is_auth_naming_the_variable(sshd: ExecSshd, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    host = ssh_host(Host(name="hv-env", hostname="x", platform="ovs"), sshd.port,
                    tmp_path / "kh")
    with pytest.raises(CollectError) as err:
        ovs_collect.collect(host)
    assert err.value.failure_class == "auth" and ENV in str(err.value)


def test_closed_port_is_unreachable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, PASSWORD)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    host = ssh_host(Host(name="hv-closed", hostname="x", platform="linux_bridge"), port,
                    tmp_path / "kh", timeout=3)
    with pytest.raises(CollectError) as err:
        lb_collect.collect(host)
    assert err.value.failure_class == "unreachable" and err.value.retryable


def test_changed_host_key_is_refused_before_login(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, PASSWORD)
    known = tmp_path / "kh"
    first = ExecSshd("ops", PASSWORD)
    try:
        host = ssh_host(Host(name="hv-key", hostname="x", platform="linux_bridge"), first.port,
                        known)
        lb_collect.collect(host)  # pins the key (tofu)
    finally:
        first.close()
    second = ExecSshd("ops", PASSWORD, host_key=paramiko.ECDSAKey.generate())
    try:
        host.port = second.port
        # re-pin the first key under the second server's port: same "device", new key
        line = known.read_text().split(" ", 1)[1]
        known.write_text(f"[127.0.0.1]:{second.port} {line}")
        with pytest.raises(CollectError) as err:
            lb_collect.collect(host)
        assert err.value.failure_class == "host-key" and not err.value.retryable
        assert second.executed == []
        host.host_key_policy = "strict"
        known.write_text("")
        with pytest.raises(CollectError) as err:
            lb_collect.collect(host)
        assert err.value.failure_class == "host-key"
    finally:
        second.close()
