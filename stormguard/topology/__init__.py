"""The layer-2 topology across switches and hypervisors: neighbour facts, the graph, its loops.

* :mod:`stormguard.topology.neighbors` - LLDP/CDP neighbours (switch snapshots, lldpd JSON).
* :mod:`stormguard.topology.graph` - the L2 graph (pure) and the per-VLAN loops STP cannot break.
* :mod:`stormguard.topology.render` - text, JSON, DOT and SVG renderings.
* :mod:`stormguard.topology.load` - the graph from the latest snapshots in the store (I/O).
"""
