"""Cron parsing, next fire times in local time, and the start-up catch-up decision."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from stormguard.daemon.cron import cron_trigger, fire_times, last_fire_time, next_fire_time
from stormguard.daemon.scheduler import holder_dead, make_holder, missed_fire

BERLIN = ZoneInfo("Europe/Berlin")


def test_nightly_default_fires_at_two_local_time() -> None:
    trig = cron_trigger("0 2 * * *", BERLIN)
    now = datetime(2026, 11, 25, 14, 30, tzinfo=BERLIN)
    nxt = next_fire_time(trig, now)
    assert nxt == datetime(2026, 11, 26, 2, 0, tzinfo=BERLIN)
    assert nxt.utcoffset() == timedelta(hours=1)  # CET, local wall clock


def test_next_fire_times_sequence_and_weekdays() -> None:
    # crontab weekdays: 1-5 = Monday..Friday, 0 and 7 = Sunday
    trig = cron_trigger("30 3 * * 1-5", BERLIN)
    start = datetime(2026, 11, 27, 12, 0, tzinfo=BERLIN)  # a Friday
    times = list(fire_times(trig, start, start + timedelta(days=7)))
    assert [t.strftime("%a %H:%M") for t in times] == [
        "Mon 03:30", "Tue 03:30", "Wed 03:30", "Thu 03:30", "Fri 03:30"]
    sundays = list(fire_times(cron_trigger("0 4 * * 0", BERLIN), start,
                              start + timedelta(days=14)))
    assert [t.strftime("%a %d") for t in sundays] == ["Sun 29", "Sun 06"]
    assert list(fire_times(cron_trigger("0 4 * * 7", BERLIN), start,
                           start + timedelta(days=14))) == sundays


def test_dst_spring_forward_runs_once() -> None:
    # 2026-03-29 02:30 does not exist in Berlin: the job still runs that night, once
    trig = cron_trigger("30 2 * * *", BERLIN)
    start = datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN)
    times = list(fire_times(trig, start, start + timedelta(days=2)))
    assert len(times) == 2
    assert times[0].date().isoformat() == "2026-03-29"


def test_six_fields_put_seconds_first() -> None:
    trig = cron_trigger("*/20 * * * * *", BERLIN)
    start = datetime(2026, 1, 1, 0, 0, 1, tzinfo=BERLIN)
    times = list(fire_times(trig, start, start + timedelta(minutes=1)))
    assert [t.second for t in times] == [20, 40, 0]


@pytest.mark.parametrize("expr, why", [
    ("0 2 * *", "expected 5 fields"),
    ("61 2 * * *", "61"),
    ("0 25 * * *", "25"),
    ("every night", "expected 5 fields"),
    ("0 2 * * funday", "funday"),
])
def test_invalid_cron_says_why(expr: str, why: str) -> None:
    with pytest.raises(ValueError) as exc:
        cron_trigger(expr, BERLIN)
    assert why in str(exc.value)
    assert expr in str(exc.value)


def test_missed_night_within_grace_is_caught_up_once() -> None:
    trig = cron_trigger("0 2 * * *", BERLIN)
    now = datetime(2026, 11, 25, 5, 0, tzinfo=BERLIN)  # host came back at 05:00
    last = datetime(2026, 11, 24, 2, 0, 1, tzinfo=BERLIN)  # yesterday's run
    assert missed_fire(trig, last, now, 6 * 3600) == datetime(2026, 11, 25, 2, 0, tzinfo=BERLIN)
    # outside the grace period: wait for tonight instead
    assert missed_fire(trig, last, now, 2 * 3600) is None
    # tonight's run happened: nothing missed
    assert missed_fire(trig, datetime(2026, 11, 25, 2, 0, 0, 200, tzinfo=BERLIN), now,
                       6 * 3600) is None
    # a fresh install never ran the job: nothing to catch up
    assert missed_fire(trig, None, now, 6 * 3600) is None


def test_many_missed_fire_times_coalesce_to_the_newest() -> None:
    trig = cron_trigger("*/10 * * * *", BERLIN)
    now = datetime(2026, 11, 25, 5, 3, tzinfo=BERLIN)
    last = now - timedelta(hours=2)
    assert last_fire_time(trig, now, timedelta(hours=3)) == datetime(2026, 11, 25, 5, 0,
                                                                     tzinfo=BERLIN)
    assert missed_fire(trig, last, now, 3 * 3600) == datetime(2026, 11, 25, 5, 0, tzinfo=BERLIN)


def test_lock_holder_of_a_dead_process_is_recognised() -> None:
    import subprocess
    import sys

    me = make_holder()
    assert not holder_dead(me)
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    host, _pid, start, token = me.split(":")
    assert holder_dead(f"{host}:{proc.pid}:{start}:{token}")
    assert not holder_dead(f"other-host:{proc.pid}:1:abc")  # cannot judge other hosts


def test_day_of_month_and_weekday_both_set_match_either_as_in_crontab() -> None:
    # crontab(5): "0 2 1,15 * 5" runs on the 1st, the 15th AND every Friday
    trig = cron_trigger("0 2 1,15 * 5", BERLIN)
    start = datetime(2026, 12, 1, 12, 0, tzinfo=BERLIN)  # Tuesday 1 December
    times = list(fire_times(trig, start, datetime(2027, 1, 2, 12, 0, tzinfo=BERLIN)))
    assert [t.strftime("%a %d %b") for t in times] == [
        "Fri 04 Dec", "Fri 11 Dec", "Tue 15 Dec", "Fri 18 Dec", "Fri 25 Dec", "Fri 01 Jan"]
    assert all(t.hour == 2 and t.minute == 0 for t in times)
    assert next_fire_time(trig, start) == datetime(2026, 12, 4, 2, 0, tzinfo=BERLIN)
    assert last_fire_time(trig, datetime(2026, 12, 15, 9, 0, tzinfo=BERLIN),
                          timedelta(days=2)) == datetime(2026, 12, 15, 2, 0, tzinfo=BERLIN)


@pytest.mark.parametrize("expr", ["0 2 */2 * 5", "0 2 1 * *", "0 2 * * 1-5", "0 2 */10 * */2"])
def test_a_star_day_field_keeps_and_semantics(expr: str) -> None:
    """A day field starting with '*' counts as unrestricted (cron's own rule): both fields
    must then match, which for a plain '*' is just the other field."""
    trig = cron_trigger(expr, BERLIN)
    start = datetime(2026, 12, 1, 12, 0, tzinfo=BERLIN)
    dom, dow = expr.split()[2], expr.split()[4]
    for t in fire_times(trig, start, start + timedelta(days=62)):
        if dom == "1":
            assert t.day == 1
        if dom.startswith("*/"):
            assert (t.day - 1) % int(dom[2:]) == 0
        if dow == "5":
            assert t.weekday() == 4
        if dow == "1-5":
            assert t.weekday() < 5


def test_either_day_rule_works_in_the_scheduler_too() -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    sched = BackgroundScheduler(timezone=BERLIN)
    job = sched.add_job(lambda: None, trigger=cron_trigger("0 2 13 * 5", BERLIN))
    sched.start(paused=True)
    try:
        # from Thursday 10 Dec 2026: Friday the 11th comes before the 13th
        nxt = job.trigger.get_next_fire_time(None, datetime(2026, 12, 10, 12, tzinfo=BERLIN))
        assert nxt == datetime(2026, 12, 11, 2, 0, tzinfo=BERLIN)
    finally:
        sched.shutdown(wait=False)
