"""Huawei VRP ``display current-configuration`` (S-series campus and CloudEngine switches).

Parsed by the shared core in :mod:`stormguard.parsers._vrp_like`; see its docstring for the
platform defaults applied. Huawei facts in short:

* a trunk (``port link-type trunk``) with no ``port trunk allow-pass vlan`` line carries **VLAN 1
  only**: the parser records ``allowed_vlans = {1}`` with no source line and
  ``extra["allowed_vlans_default"] = True`` (never ``None``, which would read as "all VLANs" and
  make SG101 misfire); ``allow-pass`` lines add to that set in order, ``undo port trunk allow-pass
  vlan 1`` removes VLAN 1, ``... vlan all`` allows every VLAN;
* members join an aggregate with ``eth-trunk 1`` (-> ``channel_group = "Eth-Trunk1"``);
* spanning tree is on unless ``stp disable`` / ``undo stp enable`` says otherwise;
  ``stp edged-port default`` makes every port an edge port (trunks too), ``stp bpdu-protection``
  is the global BPDU guard for edge ports, ``stp bpdu-filter default`` the global filter;
* storm control: ``storm-control broadcast min-rate A max-rate B`` (pps; ``percent``/``cir``
  variants), older ``broadcast-suppression N|packets N|cir N``; actions ``storm-control action
  block|error-down`` (error-down -> "shutdown") and ``storm-control enable trap|log``;
  CloudEngine spells them ``storm control ...`` (``percent``/``kbps`` variants, action
  ``suppress`` too) and ``storm suppression ...``;
* ``port-group NAME`` + ``group-member``, ``port-group group-member ...`` and CloudEngine
  ``interface range ...`` run their lines on every member (``extra["inherited"]`` says which
  fields came from the group);
* LNP ``port link-type negotiation-auto|negotiation-desirable`` -> ``Interface.negotiation``;
  VBST ``stp vlan 10 to 20 disable`` -> ``stp.disabled_vlans``;
* ``extra["variant"]``: ``huawei-ce`` (CloudEngine syntax: ``storm control``, ``10GE1/0/1``) or
  ``huawei-s`` (S-series: ``storm-control``, ``GigabitEthernet0/0/1``).
"""

from __future__ import annotations

from stormguard.model import Device
from stormguard.parsers._vrp_like import Dialect, parse_vrp_like

PLATFORM = "huawei"

DIALECT = Dialect(
    platform=PLATFORM,
    aggregate_prefix="Eth-Trunk",
    stp_on_by_default=True,
    type_aliases=(("xge", "xgigabitethernet"), ("mge", "multige")),
)


def parse(text: str, source: str = "") -> list[Device]:
    return [parse_vrp_like(text, DIALECT, source)]
