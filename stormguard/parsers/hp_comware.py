"""H3C (and HPE FlexNetwork) Comware v5 and v7 ``display current-configuration``.

Parsed by the shared core in :mod:`stormguard.parsers._vrp_like`; see its docstring for the
platform defaults applied. Comware facts in short:

* a trunk (``port link-type trunk``) with no ``port trunk permit vlan`` line carries **VLAN 1
  only**: recorded as ``allowed_vlans = {1}`` with no source line and
  ``extra["allowed_vlans_default"] = True`` (the same decision as Huawei, so SG101 does not fire
  on a port that carries one VLAN); ``permit`` lines add in order, ``undo port trunk permit vlan
  1`` removes VLAN 1, ``... vlan all`` allows every VLAN;
* a Layer 2 port with no ``port link-type`` is an access port (the Comware default; recorded
  as ``mode = "access"`` with no source line);
* members join with ``port link-aggregation group 1`` (-> ``channel_group =
  "Bridge-Aggregation1"``); ``port link-mode route`` makes a port routed;
* spanning tree runs only when the config says so: ``stp global enable`` (v7) or ``stp enable``
  (v5) in system view; without either the device's STP is recorded as off (``extra["stp_note"]``).
  Per port: ``undo stp enable`` (STP off), ``stp edged-port`` (v7) / ``stp edged-port enable``
  (v5), ``stp port bpdu-protection enable|disable``, ``stp root-protection``,
  ``stp loop-protection``; ``bpdu-drop any`` (the port neither receives nor sends BPDUs: a BPDU
  filter for stormguard's purposes; ``stp bpdu-filter enable`` is read too);
* storm control: ``broadcast-suppression N|pps N|kbps N`` and ``storm-constrain broadcast
  pps|kbps|ratio UPPER LOWER`` (v5 also ``storm-constrain broadcast UPPER LOWER pps``); actions
  ``storm-constrain control block|shutdown`` and ``storm-constrain enable trap|log``. Trap and
  log are on by default for storm-constrain (added unless undone); without a ``control`` action
  the thresholds limit nothing (``extra["storm_inert"]``, reported by SG301);
* ``port-group manual NAME`` + ``group-member`` (v5), ``interface range ...`` and ``interface
  range name NAME interface ...`` (v7), and ``port A to B`` in a VLAN view run on every member
  port (``extra["inherited"]`` says which fields came from where).

The Comware version (`` version 7.1.070, Release 3208P03``) is kept in ``extra["version"]``;
``extra["variant"]`` is ``comware5`` or ``comware7`` (from the version, else from markers).
"""

from __future__ import annotations

from stormguard.model import Device
from stormguard.parsers._vrp_like import Dialect, parse_vrp_like

PLATFORM = "hp_comware"

DIALECT = Dialect(
    platform=PLATFORM,
    aggregate_prefix="Bridge-Aggregation",
    stp_on_by_default=False,
    default_link_type="access",
    storm_constrain_defaults=True,
    type_aliases=(
        ("xge", "ten-gigabitethernet"),
        ("xgigabitethernet", "ten-gigabitethernet"),
        ("mge", "m-gigabitethernet"),
    ),
)


def parse(text: str, source: str = "") -> list[Device]:
    return [parse_vrp_like(text, DIALECT, source)]
