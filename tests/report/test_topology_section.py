"""The report's topology section: the L2 graph as an inline SVG (risky loops in red, VLAN sets
on hover), the risky loops listed first with their hops; the same as data in Markdown / JSON.
Drawn in real headless Chromium under the report's CSP."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from stormguard.report.render import render_html, render_json, render_markdown
from stormguard.topology.graph import build_graph, find_cycles
from stormguard.topology.neighbors import Neighbor
from stormguard.topology.render import RED, report_svg, report_topology

from .conftest import XSS_IMG, XSS_SCRIPT
from .topology_kit import topology

LOOP_HOPS = {"hv01/br-loop:eth5 → sw1/GigabitEthernet1/0/1",
             "sw1/GigabitEthernet1/0/48 → sw2/GigabitEthernet1/0/48",
             "sw2/GigabitEthernet1/0/1 → hv01/br-loop:eth6"}


def _reversed(hops: set[str]) -> set[str]:
    return {" → ".join(reversed(h.split(" → "))) for h in hops}


def test_report_topology_data_one_loop_both_rules_compliant_host_not_red() -> None:
    t = topology()
    assert t["totals"] == {"nodes": 5, "links": 5, "loops": 1, "unknown": 0}
    [loop] = t["loops"]
    assert loop["rules"] == ["SG501", "SG502"] and loop["vlans"] == "10,20"
    assert set(loop["hops"]) in (LOOP_HOPS, _reversed(LOOP_HOPS))
    red = {(k["a"], k["b"]) for k in t["links"] if k["risky"]}
    assert len(red) == 3 and all("hv02" not in a + b for a, b in red)
    nodes = {n["name"]: n for n in t["nodes"]}
    assert nodes["hv01/br-loop"]["risky"] and not nodes["hv02/br-vm"]["risky"]
    assert not nodes["hv01/br-trunk"]["risky"]
    assert not t["partial"] and t["note"] == ""
    json.dumps(t)  # plain data: stored as JSON with the run


def test_markdown_and_json_carry_the_topology(hostile_report) -> None:
    data = replace(hostile_report, topology={**topology(), "run_id": 47})
    md = render_markdown(data)
    assert "## Topology" in md and "(as computed by run #47)" in md
    assert "**1 risky loop(s)**" in md and "SG501 + SG502" in md
    assert "sw1/GigabitEthernet1/0/48 — sw2/GigabitEthernet1/0/48 | all |" in md
    doc = json.loads(render_json(data))
    assert doc["topology"]["run_id"] == 47
    assert doc["topology"]["loops"][0]["rules"] == ["SG501", "SG502"]
    assert sum(k["risky"] for k in doc["topology"]["links"]) == 3


def test_svg_escapes_names_and_holds_no_script() -> None:
    t = {"nodes": [{"name": XSS_IMG, "kind": "switch", "platform": XSS_SCRIPT, "host": "x",
                    "stp": "", "risky": True},
                   {"name": "b", "kind": "vswitch", "platform": "ovs", "host": "b", "stp": "",
                    "risky": False}],
         "links": [{"a": XSS_SCRIPT, "b": "b:eth0", "a_node": XSS_IMG, "b_node": "b",
                    "vlans": "<10>", "seen_by": [], "weak": "", "down": False, "risky": True}]}
    svg = report_svg(t)
    assert "<img" not in svg and "<script" not in svg and "&lt;script&gt;" in svg
    assert 'data-vlans="&lt;10&gt;"' in svg


def _chain(n: int) -> tuple[list, list[Neighbor]]:
    """`n` switches in a chain (STP on), sw001 with STP off, sw000 also cabled to sw002."""
    from stormguard.effective import effective_device
    from stormguard.model import Device
    from stormguard.policy import load_policy
    from stormguard.vlans import VlanSet

    devs, nbs = [], []
    for i in range(n):
        dev = Device(hostname=f"sw{i:03d}", platform="cisco_ios", source="t")
        dev.stp.set("enabled", i != 1, 2)
        for port in ("Gi1/0/1", "Gi1/0/2", "Gi1/0/3"):
            iface = dev.interface(port, line=10)
            iface.switched, iface.mode, iface.allowed_vlans = True, "trunk", VlanSet.of([10])
        devs.append(effective_device(dev, load_policy()))
        if i:
            nbs.append(Neighbor(f"sw{i:03d}", "Gi1/0/1", f"sw{i - 1:03d}", "Gi1/0/2", "lldp"))
    nbs.append(Neighbor("sw000", "Gi1/0/3", "sw002", "Gi1/0/3", "lldp"))
    return devs, nbs


def test_large_fleet_draws_the_risky_part_and_says_so() -> None:
    devs, nbs = _chain(320)
    graph = build_graph(devs, nbs)
    t = report_topology(graph, find_cycles(graph))
    assert t["totals"]["nodes"] == 320 and t["totals"]["loops"] == 1
    assert t["partial"] and "320 nodes are too many to draw" in t["note"]
    assert sorted(n["name"] for n in t["nodes"]) == ["sw000", "sw001", "sw002", "sw003"]
    assert sorted(n["name"] for n in t["nodes"] if n["risky"]) == ["sw000", "sw001", "sw002"]
    assert sum(k["risky"] for k in t["links"]) == 3 and len(t["links"]) == 4
    small = report_topology(graph, find_cycles(graph), max_nodes=1000)
    assert not small["partial"] and len(small["nodes"]) == 320


@pytest.mark.chromium
def test_topology_section_in_chromium(hostile_report, open_report, tmp_path) -> None:
    data = replace(hostile_report, topology={**topology(), "run_id": 49})
    html = render_html(data)
    watch = open_report(html)
    page = watch.page
    assert watch.errors == [] and watch.dialogs == []
    assert all(u.startswith(("file://", "data:", "about:")) for u in watch.requests)
    assert page.is_visible("#topology svg.topology")
    # the risky loop is listed before the drawing, hop by hop
    order = page.evaluate("""() => {
        const l = document.querySelector('#topology-loops');
        const s = document.querySelector('#topology svg');
        return !!(l.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING); }""")
    assert order
    loops = page.eval_on_selector_all("#topology-loops > li",
                                      "ls => ls.map(l => l.getAttribute('data-rules'))")
    assert loops == ["SG501 SG502"]
    hops = set(page.eval_on_selector_all("#topology-loops > li .hops li",
                                         "ls => ls.map(l => l.innerText)"))
    assert hops in (LOOP_HOPS, _reversed(LOOP_HOPS))
    # drawn in red: three links and the three nodes of the loop, nothing else
    red = page.eval_on_selector_all(
        "#topology svg g.link.risky line:last-child",
        "ls => ls.map(l => getComputedStyle(l).stroke)")
    assert red == ["rgb(198, 40, 40)"] * 3 and RED == "#c62828"
    others = page.eval_on_selector_all(
        "#topology svg g.link:not(.risky) line:last-child",
        "ls => ls.map(l => getComputedStyle(l).stroke)")
    assert len(others) == 2 and "rgb(198, 40, 40)" not in others
    risky_nodes = page.eval_on_selector_all("#topology svg g.node.risky",
                                            "gs => gs.map(g => g.getAttribute('data-node'))")
    assert sorted(risky_nodes) == ["hv01/br-loop", "sw1", "sw2"]
    assert page.eval_on_selector(
        '#topology svg g.node[data-node="hv02/br-vm"] rect',
        "r => getComputedStyle(r).stroke") != "rgb(198, 40, 40)"
    # each link's VLAN set in its <title> (what the browser shows on hover)
    titles = page.eval_on_selector_all("#topology svg g.link.risky > title",
                                       "ts => ts.map(t => t.textContent)")
    assert any("VLANs 10,20" in t for t in titles) and any("VLANs all" in t for t in titles)
    # what the pointer hits over the middle of each red link is that link (its title shows)
    page.locator("#topology svg").scroll_into_view_if_needed()
    hits = page.evaluate("""() => Array.from(
        document.querySelectorAll('#topology svg g.link.risky'), g => {
          const b = g.querySelector('line').getBoundingClientRect();
          const hit = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
          return hit && hit.closest('g.link') === g; })""")
    assert hits == [True, True, True]
    path = tmp_path / "topology.png"
    page.locator("#topology").screenshot(path=str(path))
    assert path.stat().st_size > 5_000


def _clean_topology() -> dict:
    """The same fleet with only the inter-switch link known: nothing risky to draw in red."""
    from stormguard.engine import audit_fleet
    from stormguard.policy import load_policy

    from .topology_kit import TODAY, devices, neighbors

    isl = [n for n in neighbors() if n.protocol == "cdp"]
    res = audit_fleet(devices(), load_policy(), isl, today=TODAY)
    return report_topology(res.fleet.graph, res.fleet.cycles)


@pytest.mark.chromium
def test_sites_topology_in_chromium(hostile_report, open_report) -> None:
    """A report across sites: each site's own drawing; the red loop only in its site's block;
    a site that missed its night shows its last known topology, labelled with its date."""
    from stormguard.report.data import SiteRun

    stale_note = ("missed its night: last known topology from run #31 of 2026-12-01T02:00:00Z")
    data = replace(hostile_report, sites=[
        SiteRun(site="ams", state="ok", run_id=49, reported_run_id=49,
                topology={**topology(), "run_id": 49, "at": "2026-12-04T02:00:00Z"}),
        SiteRun(site="fra", state="ok", run_id=50, reported_run_id=50,
                topology={**_clean_topology(), "run_id": 50, "at": "2026-12-04T02:01:00Z"}),
        SiteRun(site=XSS_SCRIPT, state="missed", run_id=31, reported_run_id=31,
                topology={**_clean_topology(), "run_id": 31, "at": "2026-12-01T02:00:00Z"},
                topology_note=stale_note),
    ])
    watch = open_report(render_html(data), name="sites.html")
    page = watch.page
    assert watch.errors == [] and watch.dialogs == []
    assert all(u.startswith(("file://", "data:", "about:")) for u in watch.requests)
    blocks = page.eval_on_selector_all(
        "#topology .site-topology", "ds => ds.map(d => [d.dataset.site, d.dataset.current])")
    assert blocks == [["ams", "true"], ["fra", "true"], [XSS_SCRIPT, "false"]]
    for site in ("ams", "fra"):
        assert page.is_visible(f'#topology .site-topology[data-site="{site}"] svg.topology')
    # every red link is in ams's drawing, three of them; fra's and the stale one have none
    red = page.evaluate("""() => Array.from(
        document.querySelectorAll('#topology svg g.link.risky line:last-child'), l => [
          l.closest('.site-topology').dataset.site, getComputedStyle(l).stroke])""")
    assert red == [["ams", "rgb(198, 40, 40)"]] * 3
    grey = page.eval_on_selector_all(
        '#topology .site-topology[data-site="fra"] svg g.link line:last-child',
        "ls => ls.map(l => getComputedStyle(l).stroke)")
    assert grey and "rgb(198, 40, 40)" not in grey
    loops = page.eval_on_selector_all(
        "#topology ol.loops > li", "ls => ls.map(l => [l.closest('.site-topology')"
        ".dataset.site, l.getAttribute('data-rules')])")
    assert loops == [["ams", "SG501 SG502"]]
    # the stale site: its note is shown, with the date, and its name was escaped, not run
    stale = page.locator("#topology .site-topology.stale")
    assert stale.count() == 1
    assert stale_note in stale.locator(".site-topology-note").inner_text()
    assert XSS_SCRIPT in stale.locator("h3").inner_text()
    assert page.eval_on_selector_all("#topology script", "s => s.length") == 0
