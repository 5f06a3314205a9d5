"""stormguard.sniffer: real-time broadcast-storm detection (``stormguard sniff``).

Pipeline, one module per job:

* :mod:`~stormguard.sniffer.capture` — AF_PACKET socket per interface, TPACKET_V3 ring (or
  ``recv_into``), kernel BPF filter for broadcast+multicast, PACKET_STATISTICS, sysfs counters;
* :mod:`~stormguard.sniffer.frames` — ``struct`` header parsing, classes, VLAN, frame hash;
* :mod:`~stormguard.sniffer.window` — 100 ms buckets per interface;
* :mod:`~stormguard.sniffer.detector` — thresholds, EWMA baseline, N windows, hysteresis,
  loop evidence;
* :mod:`~stormguard.sniffer.events` — :class:`StormEvent` (start / update / end, JSON);
* :mod:`~stormguard.sniffer.evidence` — first frames of each storm as a pcap;
* :mod:`~stormguard.sniffer.pcapfile` — pcap / pcapng readers for offline analysis;
* :mod:`~stormguard.sniffer.link` — link state by name and rtnetlink notifications, so an
  interface that goes down, disappears or is re-created is paused and re-opened;
* :mod:`~stormguard.sniffer.engine` — the glue, calling ``on_event(event)``; per-interface
  state (watching / link-down / missing / error) in ``engine.states()``.

Embedding (the daemon, the alert outbox, the store)::

    from stormguard.sniffer.config import SnifferConfig
    from stormguard.sniffer.engine import Engine

    engine = Engine(SnifferConfig(interfaces=["eth1"]), on_event=my_sink)
    engine.open_live(["eth1"])      # PermissionProblem without CAP_NET_RAW; wait=True:
                                    # nothing raises, missing / down interfaces are waited for
    engine.start()                  # background thread; my_sink(StormEvent) per event
    ...
    engine.stop(); engine.close()   # open storms end with reason "stopped"

Nothing here imports Scapy, the store or the alerting code.
"""
