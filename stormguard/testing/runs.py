"""Back-date a stored run, for tests that need nights before this one."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any


def set_run_times(store: Any, run_id: int, started: datetime, duration: timedelta) -> None:
    """Move run `run_id` to `started`, finished `duration` later (heartbeat at the start)."""
    from sqlalchemy import update

    from stormguard.store.models import RunModel

    with store.engine.begin() as c:
        t = RunModel.__table__
        c.execute(update(t).where(t.c.id == run_id).values(
            started_at=started, finished_at=started + duration, heartbeat_at=started))
