"""Cron expressions for the jobs in ``stormguard.yaml``, in the host's local time.

Five fields, as in crontab (``minute hour day-of-month month day-of-week``), e.g. ``0 2 * * *``
for 02:00 every night. When both day-of-month and day-of-week are restricted, a day matches
when either does, as in crontab (``0 2 1,15 * 5``: the 1st, the 15th and every Friday). Six
fields put a *seconds* field first (``*/20 * * * * *``), which is handy for labs and tests;
production schedules rarely need it.

Local time, because "the nightly run at 02:00" means 02:00 on the wall clock of the people who
read the report; APScheduler handles the DST transitions (a 02:30 job on a spring-forward night
runs once, at the first valid time).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, tzinfo
from typing import Any

_FIELDS5 = ("minute", "hour", "day", "month", "day_of_week")


def local_timezone() -> tzinfo:
    from tzlocal import get_localzone

    return get_localzone()


def cron_trigger(expr: str, tz: tzinfo | None = None) -> Any:
    """An APScheduler ``CronTrigger`` for `expr`; ValueError with the reason when invalid."""
    from apscheduler.triggers.cron import CronTrigger

    parts = expr.split()
    if len(parts) == 5:
        fields = dict(zip(_FIELDS5, parts, strict=True))
    elif len(parts) == 6:
        fields = {"second": parts[0], **dict(zip(_FIELDS5, parts[1:], strict=True))}
    else:
        raise ValueError(f"cron {expr!r}: expected 5 fields (minute hour day month weekday) "
                         f"or 6 (seconds first), got {len(parts)}")
    # crontab semantics: day_of_week 0 and 7 are Sunday (APScheduler counts from Monday)
    if "day_of_week" in fields:
        fields["day_of_week"] = _crontab_weekdays(fields["day_of_week"])
    tz = tz or local_timezone()
    try:
        if _restricted(fields.get("day", "*")) and _restricted(fields.get("day_of_week", "*")):
            # crontab(5): when both day-of-month and day-of-week are restricted, a time
            # matches when EITHER matches ("0 2 1 * 1": the 1st of the month and every
            # Monday). APScheduler alone would require both.
            from apscheduler.triggers.combining import OrTrigger

            return OrTrigger([CronTrigger(timezone=tz, **{**fields, "day_of_week": "*"}),
                              CronTrigger(timezone=tz, **{**fields, "day": "*"})])
        return CronTrigger(timezone=tz, **fields)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"cron {expr!r}: {exc}") from None


def _restricted(field: str) -> bool:
    """A day field counts as unrestricted when it starts with ``*`` (``*``, ``*/2``): the rule
    cron itself applies before choosing between AND and OR."""
    return not field.startswith("*")


_DOW_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _crontab_weekdays(field: str) -> str:
    """Numeric crontab weekdays (0/7 = Sunday) to names, which APScheduler reads unambiguously."""
    def one(tok: str) -> str:
        return _DOW_NAMES[int(tok)] if tok.isdigit() and int(tok) <= 7 else tok

    out = []
    for part in field.split(","):
        step = ""
        if "/" in part:
            part, step = part.split("/", 1)
            step = "/" + step
        if "-" in part:
            a, b = part.split("-", 1)
            out.append(f"{one(a)}-{one(b)}{step}")
        else:
            out.append(one(part) + step)
    return ",".join(out)


def fire_times(trigger: Any, start: datetime, end: datetime) -> Iterator[datetime]:
    """Fire times of `trigger` in ``(start, end]``, oldest first."""
    prev = None
    t = trigger.get_next_fire_time(None, start + timedelta(microseconds=1))
    while t is not None and t <= end:
        yield t
        prev = t
        t = trigger.get_next_fire_time(prev, t + timedelta(microseconds=1))


def last_fire_time(trigger: Any, now: datetime, window: timedelta) -> datetime | None:
    """The newest fire time within ``(now - window, now]``, or None."""
    last = None
    for t in fire_times(trigger, now - window, now):
        last = t
    return last


def next_fire_time(trigger: Any, now: datetime) -> datetime | None:
    return trigger.get_next_fire_time(None, now)
