"""Approved baselines: a device's reviewed configuration, and drift from it (rule SG601).

* :mod:`~stormguard.baseline.store` -- approvals (append-only history) and drift rows in the
  store (tables ``baseline_approvals``, ``baseline_drifts``);
* :mod:`~stormguard.baseline.normalize` -- the configuration view of a snapshot (what is
  compared: state, counters and "time of this show" lines left out);
* :mod:`~stormguard.baseline.windows` -- change windows (``baseline.change_windows``);
* :mod:`~stormguard.baseline.drift` -- SG601 findings in the audit, and their pages.

``stormguard baseline approve|list|show`` (:mod:`stormguard.commands.baseline`) is the CLI.
"""
