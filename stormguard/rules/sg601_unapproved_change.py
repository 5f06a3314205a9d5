"""A switch or vSwitch configuration changed since it was approved.

Why it matters for storms: the loops that take a data centre down are rarely in the design that
was reviewed; they arrive with a change nobody reviewed: a second uplink added to a hypervisor
bridge by hand, spanning tree turned off on a vSwitch "for a test", a trunk opened to every VLAN
during an incident and never closed. Once a device's configuration is approved
(``stormguard baseline approve DEVICE``), every later snapshot whose configuration differs from
the approved one is a finding carrying the unified diff (approved -> current, secrets masked),
and one alert through the alert channels (once per change, not every night). Approving the new
state closes it (and sends a resolution); so does reverting. A change whose first snapshot was
collected inside a change window (``baseline.change_windows`` in stormguard.yaml) is expected:
it is reported at severity low, marked "in change window", and not paged. Compared is the
configuration, not the state: counters, link states, spanning-tree timers and the "time of this
show" banner lines are left out, so an unchanged vSwitch never drifts by itself.

This rule needs the store (the approved snapshot is stored, not in the file being read), so it
runs in the nightly audit and ``stormguard audit``; ``check`` below yields nothing, and
``stormguard lint`` never reports it.

Bad (Open vSwitch)::

    # approved: br0 with the bond bond0 (eth5, eth6) as its only uplink; then, by hand:
    ovs-vsctl del-port br0 bond0 -- add-port br0 eth5 -- add-port br0 eth6

Good (Open vSwitch)::

    # the change is made through the sanctioned pipeline, reviewed, and then approved:
    stormguard baseline approve hv-07 --reason "CHG-1234: bond0 to LACP"

Bad (Linux bridge)::

    ip link set eth6 master br0      # a second uplink, outside any change

Good (Linux bridge)::

    # inside the Saturday change window (baseline.change_windows), then:
    stormguard baseline approve hv-09 --reason "CHG-1240"

Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    interface GigabitEthernet1/0/1
     spanning-tree bpdufilter enable     ! typed during an incident, never reviewed

Good (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    ! the approved configuration is restored, or the change is reviewed and approved
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stormguard.rules.base import Hit, RuleContext

ID = "SG601"
NAME = "unapproved-change"
SEVERITY = "high"
#: Runs once per audit, never per device in `stormguard lint`: the findings come from
#: stormguard.baseline.drift, which has the store.
SCOPE = "fleet"
PARAMS: dict[str, Any] = {}


def check(fleet: Any, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    """No-op: drift needs the approved snapshot from the store (see the module doc)."""
    return iter(())
