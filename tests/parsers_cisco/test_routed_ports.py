"""A port with an IP address and no switchport statement is routed, not a switch port."""

from stormguard.parsers import parse_config

ROUTER = """version 15.2
hostname rtr1
!
interface GigabitEthernet0/0
 description uplink-isp
 ip address 192.0.2.1 255.255.255.0
!
interface GigabitEthernet0/1
 no ip address
 shutdown
!
interface GigabitEthernet0/2
 switchport mode trunk
!
end
"""


def test_ip_address_makes_a_port_routed_with_its_line() -> None:
    (dev,) = parse_config(ROUTER, "cisco_ios")
    gi0 = dev.interfaces["GigabitEthernet0/0"]
    assert gi0.switched is False and gi0.line_of("switched") == 6
    assert dev.interfaces["GigabitEthernet0/1"].switched is None
    assert dev.interfaces["GigabitEthernet0/2"].switched is True


def test_routed_port_draws_no_switchport_findings() -> None:
    from stormguard.engine import audit
    from stormguard.policy import load_policy

    findings = audit(parse_config(ROUTER, "cisco_ios"), load_policy([])).findings
    # (device-wide findings such as SG304, no log host, are not about a port)
    assert {f.interface for f in findings if f.interface} == {"GigabitEthernet0/2"}
