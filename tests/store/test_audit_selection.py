"""A job's audit covers the job's devices only (its groups / limit), not the whole store."""

from __future__ import annotations

from pathlib import Path

from stormguard.policy import load_policy
from stormguard.store import Store
from stormguard.store.audit import audit_snapshots

CFG = """version 15.2
hostname {name}
!
interface GigabitEthernet1/0/1
 description esx-01 vmnic0
 switchport mode trunk
!
end
"""


def test_audit_restricted_to_selected_devices(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        run = store.start_run("collect")
        for name in ("dc1-sw1", "dc1-sw2", "dc2-sw1"):
            store.save_snapshot(run, name, "cisco_ios", CFG.format(name=name))
        store.finish_run(run, "ok")
        audit_run = store.start_run("nightly")
        res = audit_snapshots(store, audit_run, load_policy([]), devices=["dc1-sw1", "dc1-sw2"])
        assert res.devices == 2
        assert {f.device for f in store.findings(audit_run)} == {"dc1-sw1", "dc1-sw2"}
        everything = audit_snapshots(store, store.start_run("audit"), load_policy([]))
        assert everything.devices == 3
