"""Change windows (``baseline.change_windows`` in stormguard.yaml): when is a change expected?

A window opens at each fire time of its ``cron`` (crontab semantics and local time, exactly as
the jobs' schedules: :mod:`stormguard.daemon.cron`) and lasts ``duration_minutes``. A moment is
inside the window when a fire time ``t`` satisfies ``t <= moment < t + duration``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any


def window_at(moment: datetime, windows: Sequence[Any], tz: tzinfo | None = None) -> Any | None:
    """The first of `windows` (``ChangeWindow``) open at `moment` (aware), else None."""
    from stormguard.daemon.cron import cron_trigger, last_fire_time

    for w in windows:
        trigger = cron_trigger(w.cron, tz)
        if last_fire_time(trigger, moment, timedelta(minutes=w.duration_minutes)) is not None:
            return w
    return None
