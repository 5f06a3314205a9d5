"""The topology each audit computed, stored with its run; the report reads the newest one.

Why a table of its own rather than the run's summary: ``list_runs`` reads summaries by the
hundred, and a drawing's data (up to a few hundred nodes and their links) would then be parsed
again and again. Here it is one compressed row per audited run, read once per report.
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select

from stormguard.store.models import RunModel, RunTopologyModel

topo_t = RunTopologyModel.__table__
runs_t = RunModel.__table__


def save_topology(store: Any, run_id: int, data: dict[str, Any]) -> None:
    """Store (replace) the topology of `run_id` (:func:`report_topology`'s dict)."""
    from stormguard.store.core import utcnow

    blob = zlib.compress(json.dumps(data, separators=(",", ":")).encode("utf-8"), 6)
    totals = data.get("totals") or {}
    with store._tx() as c:
        c.execute(delete(topo_t).where(topo_t.c.run_id == run_id))
        c.execute(insert(topo_t).values(run_id=run_id, created_at=utcnow(),
                                        nodes=int(totals.get("nodes", 0)),
                                        loops=int(totals.get("loops", 0)), data=blob))


def latest_topology(store: Any, run_id: int) -> tuple[int, dict[str, Any]] | None:
    """(run id, data) of the newest topology stored at or before `run_id`, from a run of the
    same site; None when no audit stored one yet (a store from before revision 0005)."""
    got = latest_topology_at(store, run_id)
    return None if got is None else (got[0], got[2])


def latest_topology_at(store: Any, run_id: int
                       ) -> tuple[int, datetime | None, dict[str, Any]] | None:
    """Like :func:`latest_topology`, with the start time of the run that computed it (in the
    same query): the report across sites labels a site's last known topology with its date
    when the site missed its night."""
    site = select(runs_t.c.site).where(runs_t.c.id == run_id).scalar_subquery()
    q = (select(topo_t.c.run_id, topo_t.c.data, runs_t.c.started_at)
         .join(runs_t, runs_t.c.id == topo_t.c.run_id)
         .where(topo_t.c.run_id <= run_id,
                (runs_t.c.site == site) | (runs_t.c.site.is_(None) & site.is_(None)))
         .order_by(topo_t.c.run_id.desc()).limit(1))
    with store._tx(write=False) as c:
        row = c.execute(q).first()
    if row is None:
        return None
    try:
        data = json.loads(zlib.decompress(row.data).decode("utf-8"))
    except (zlib.error, ValueError, UnicodeDecodeError):
        return None  # a damaged row must not cost the rest of the report
    return int(row.run_id), row.started_at, data if isinstance(data, dict) else {}
