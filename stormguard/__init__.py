"""stormguard: network-storm prevention and switch audit.

Lint switch and vSwitch configurations against a storm-prevention policy, collect and audit
them on a schedule, and detect broadcast storms in real time.
"""

__version__ = "0.1.0"
