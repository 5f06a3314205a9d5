"""Renderings of the topology: text, JSON, Graphviz DOT, and a self-contained SVG. Pure.

The SVG needs no Graphviz: switches on one row, vSwitches on the row below (a layered layout is
what a network engineer draws anyway), links as straight lines. Links on a loop spanning tree
cannot break are red; each link's ``<title>`` carries its VLAN set and who saw it, so a browser
shows them on hover. No scripts, no external references.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from html import escape
from typing import Any

from stormguard.topology.graph import Cycle, Edge, Graph, Node, Unknown
from stormguard.vlans import VlanSet


@dataclass
class View:
    """What to show: the nodes, links, unknown far ends and loops selected."""

    nodes: list[Node]
    edges: list[tuple[int, Edge]]
    unknown: list[Unknown]
    cycles: list[Cycle]
    warnings: list[str] = field(default_factory=list)

    @property
    def red(self) -> set[int]:
        return {h.edge for c in self.cycles for h in c.hops}


def select(graph: Graph, cycles: list[Cycle], *, vlan: int | None = None,
           device: str | None = None) -> View:
    """Restrict to links carrying `vlan` and to nodes matching the `device` glob (with their
    links and the loops through them)."""
    def node_ok(name: str) -> bool:
        return device is None or fnmatch.fnmatchcase(name, device) or fnmatch.fnmatchcase(
            graph.nodes[name].host, device)

    edges = [(i, e) for i, e in enumerate(graph.edges)
             if (vlan is None or vlan in e.vlans) and (node_ok(e.a.node) or node_ok(e.b.node))]
    names = {n for _, e in edges for n in (e.a.node, e.b.node)}
    names |= {n for n in graph.nodes if node_ok(n)} if device is not None else set(graph.nodes)
    cyc = [c for c in cycles if (vlan is None or vlan in c.vlans)
           and any(node_ok(n) for n in c.nodes)]
    if vlan is not None:
        cyc = [Cycle(c.hops, VlanSet.of([vlan]), c.reasons, c.weak_nodes, c.weak_edges)
               for c in cyc]
    unknown = [u for u in graph.unknown if node_ok(u.node)]
    return View([graph.nodes[n] for n in graph.nodes if n in names], edges, unknown, cyc,
                list(graph.warnings))


def _vlans(vs: VlanSet) -> str:
    if vs.covers_all():
        return "all"
    return vs.to_text() or "none"


def to_text(view: View) -> str:
    out = [f"topology: {len(view.nodes)} switch(es) and vSwitch(es), {len(view.edges)} "
           f"link(s), {len(view.unknown)} unknown far end(s), {len(view.cycles)} loop(s) "
           "spanning tree cannot break"]
    if view.cycles:
        out += ["", "LOOPS SPANNING TREE CANNOT BREAK (risky first)"]
        for n, cyc in enumerate(view.cycles, 1):
            down = "  (a link on it is admin down)" if cyc.down else ""
            out.append(f"  [{n}] VLANs {_vlans(cyc.vlans)}: {cyc.text()}{down}")
            for why in cyc.reasons:
                out.append(f"      why: {why}")
    if view.edges:
        out += ["", "LINKS"]
        red = view.red
        for i, e in view.edges:
            mark = "!" if i in red else " "
            out.append(f" {mark} {e.a.label} — {e.b.label}  VLANs {_vlans(e.vlans)}"
                       f"  ({', '.join(e.seen_by)})" + (f"  [{e.weak_why}]" if e.weak_why
                                                        else ""))
    if view.unknown:
        out += ["", "UNKNOWN FAR ENDS (not guessed)"]
        for u in view.unknown:
            far = f"{u.remote_name or '?'} {u.remote_port}".strip()
            out.append(f"  {u.node}/{u.port}: {u.protocol.upper()} neighbour {far}: {u.why}")
    if view.warnings:
        out += ["", "WARNINGS"] + [f"  {w}" for w in view.warnings]
    return "\n".join(out) + "\n"


def to_dict(view: View) -> dict[str, Any]:
    red = view.red
    return {
        "nodes": [n.to_dict() for n in view.nodes],
        "links": [{**e.to_dict(), "on_loop": i in red} for i, e in view.edges],
        "loops": [c.to_dict() for c in view.cycles],
        "unknown": [u.to_dict() for u in view.unknown],
        "warnings": list(view.warnings),
    }


def to_json(view: View) -> str:
    return json.dumps(to_dict(view), indent=2) + "\n"


def _dot_id(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(view: View) -> str:
    red = view.red
    out = ["graph stormguard {", "  node [shape=box, fontname=Helvetica];"]
    for n in view.nodes:
        shape = "box" if n.kind == "switch" else "ellipse"
        style = ', color=red' if any(n.name in c.nodes for c in view.cycles) else ""
        out.append(f"  {_dot_id(n.name)} [shape={shape}{style}];")
    for i, e in view.edges:
        attrs = [f"label={_dot_id(_vlans(e.vlans))}",
                 f"taillabel={_dot_id(e.a.port)}", f"headlabel={_dot_id(e.b.port)}"]
        if i in red:
            attrs.append("color=red, penwidth=2")
        out.append(f"  {_dot_id(e.a.node)} -- {_dot_id(e.b.node)} [{', '.join(attrs)}];")
    out.append("}")
    return "\n".join(out) + "\n"


def to_svg(view: View) -> str:
    """A layered drawing: switches on top, vSwitches below; loops in red."""
    rows = [[n for n in view.nodes if n.kind == "switch"],
            [n for n in view.nodes if n.kind != "switch"]]
    rows = [r for r in rows if r] or [[]]
    step, box_w, box_h, gap = 170, 150, 36, 160
    width = max(1, max(len(r) for r in rows)) * step + 40
    height = len(rows) * gap + 40
    pos: dict[str, tuple[float, float]] = {}
    for y, row in enumerate(rows):
        offset = (width - len(row) * step) / 2
        for x, node in enumerate(row):
            pos[node.name] = (offset + x * step + step / 2, 40 + y * gap + box_h / 2)
    red = view.red
    on_loop = {n for c in view.cycles for n in c.nodes}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica,Arial,sans-serif" '
           'font-size="11" role="img" aria-label="layer-2 topology">']
    for i, e in view.edges:
        if e.a.node not in pos or e.b.node not in pos:
            continue
        (x1, y1), (x2, y2) = pos[e.a.node], pos[e.b.node]
        colour, w = ("#c62828", 3) if i in red else ("#78909c", 1.5)
        title = (f"{e.a.label} — {e.b.label}: VLANs {_vlans(e.vlans)}"
                 f" ({', '.join(e.seen_by)})" + (f"; {e.weak_why}" if e.weak_why else ""))
        dash = ' stroke-dasharray="5,4"' if e.down else ""
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                   f'stroke="{colour}" stroke-width="{w}"{dash}><title>{escape(title)}</title>'
                   '</line>')
    for node in view.nodes:
        x, y = pos[node.name]
        stroke = "#c62828" if node.name in on_loop else "#37474f"
        fill = "#eceff1" if node.kind == "switch" else "#e3f2fd"
        rx = 4 if node.kind == "switch" else 16
        label = node.name if len(node.name) <= 24 else node.name[:22] + "…"
        title = f"{node.name} ({node.platform})" + (f": {node.stp_why}" if node.stp_why else "")
        out.append(f'<g><title>{escape(title)}</title><rect x="{x - box_w / 2:.1f}" '
                   f'y="{y - box_h / 2:.1f}" width="{box_w}" height="{box_h}" rx="{rx}" '
                   f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
                   f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle">{escape(label)}'
                   '</text></g>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


RENDERERS = {"text": to_text, "json": to_json, "dot": to_dot, "svg": to_svg}


# -- the report's topology section -------------------------------------------------------------
#
# The nightly report cannot afford to parse every snapshot again, so the store audit computes
# the topology once (:func:`report_topology`), stores that plain dict with the run, and the
# report draws it (:func:`report_svg`) from the dict alone: nothing here needs the graph back.

#: Above this many nodes the report draws only the nodes on risky loops and their neighbours.
REPORT_MAX_NODES = 300
#: At most this many risky loops are listed (risky first; the count says how many there are).
REPORT_MAX_LOOPS = 200
REPORT_VERSION = 1
RED = "#c62828"


def _link_text(vs: VlanSet) -> str:
    return _vlans(vs)


def report_topology(graph: Graph, cycles: list[Cycle], *,
                    bridged: list[tuple[str, list[str], str]] | None = None,
                    loop_rule: str | None = "SG501",
                    max_nodes: int = REPORT_MAX_NODES,
                    max_loops: int = REPORT_MAX_LOOPS) -> dict[str, Any]:
    """What the report shows of the fleet's L2 graph, as plain JSON-able data.

    `cycles`: the loops SG501 reports (risky first, as :func:`find_cycles` orders them);
    `bridged`: SG502's hypervisor bridges as (node, its loose uplink ports, shared VLANs). A
    bridge whose uplinks all lie on a loop through it is that loop (one red cycle, both rules),
    else it is listed on its own. Above `max_nodes` nodes only the nodes on risky items and
    their direct neighbours are kept, and ``partial`` / ``note`` say so."""
    risky: list[dict[str, Any]] = []
    for cyc in cycles:
        risky.append({"rules": [loop_rule] if loop_rule else [], "kind": "loop",
                      "vlans": _vlans(cyc.vlans), "hops": [h.text() for h in cyc.hops],
                      "reasons": list(cyc.reasons), "nodes": cyc.nodes, "down": cyc.down,
                      "edges": sorted({h.edge for h in cyc.hops})})
    for node, ports, shared in bridged or ():
        edges = []
        hops = []
        for i, e in enumerate(graph.edges):
            here, there = (e.a, e.b) if e.a.node == node else (e.b, e.a)
            if here.node == node and here.port in ports:
                edges.append(i)
                hops.append(f"{here.label} → {there.label}")
        if not edges:
            continue
        merged = next((r for r in risky if r["kind"] == "loop" and node in r["nodes"]
                       and set(edges) <= set(r["edges"])), None)
        if merged is not None:
            merged["rules"].append("SG502")
            continue
        risky.append({"rules": ["SG502"], "kind": "bridged", "vlans": shared or "",
                      "hops": hops, "reasons": [f"{node} bridges {len(edges)} uplinks that "
                                                "are not one bond into different switch ports"],
                      "nodes": [node], "down": any(graph.edges[i].down for i in edges),
                      "edges": edges})
    total_loops = len(risky)
    risky = risky[:max_loops]
    names = list(graph.nodes)
    partial = len(names) > max_nodes
    note = ""
    if partial:
        keep: dict[str, None] = {}
        for item in risky:
            ring = [*item["nodes"]]
            for eid in item["edges"]:
                ring += [graph.edges[eid].a.node, graph.edges[eid].b.node]
            if len(keep) + len(ring) > max_nodes and keep:
                break
            for n in ring:
                keep.setdefault(n, None)
        core = list(keep)
        for n in core:  # and their neighbours, while there is room
            for e in graph.edges_of(n):
                for m in (e.a.node, e.b.node):
                    if len(keep) < max_nodes:
                        keep.setdefault(m, None)
        names = [n for n in graph.nodes if n in keep]
        note = (f"{len(graph.nodes)} nodes are too many to draw: only the {len(core)} on risky "
                f"loops and their neighbours are shown ({len(names)} of {len(graph.nodes)})")
    shown = set(names)
    index: dict[int, int] = {}
    links = []
    for i, e in enumerate(graph.edges):
        if e.a.node in shown and e.b.node in shown:
            index[i] = len(links)
            links.append({"a": e.a.label, "b": e.b.label, "a_node": e.a.node,
                          "b_node": e.b.node, "vlans": _link_text(e.vlans),
                          "seen_by": list(e.seen_by), "weak": e.weak_why, "down": e.down,
                          "risky": False})
    for item in risky:
        item["links"] = [index[i] for i in item.pop("edges") if i in index]
        for li in item["links"]:
            links[li]["risky"] = True
    on_risky = {n for item in risky for n in item["nodes"]}
    nodes = [{"name": n.name, "kind": n.kind, "platform": n.platform, "host": n.host,
              "stp": n.stp_why, "risky": n.name in on_risky}
             for n in (graph.nodes[x] for x in names)]
    return {"version": REPORT_VERSION,
            "totals": {"nodes": len(graph.nodes), "links": len(graph.edges),
                       "loops": total_loops, "unknown": len(graph.unknown)},
            "partial": partial, "note": note, "nodes": nodes, "links": links, "loops": risky,
            "warnings": list(graph.warnings)[:50]}


def _layout(nodes: list[dict[str, Any]], links: list[dict[str, Any]], cols: int
            ) -> list[list[str]]:
    """Rows of at most `cols` nodes: switches first, in breadth-first order of their links
    (linked switches side by side), then vSwitches, each under the switches it is linked to."""
    adj: dict[str, list[str]] = {}
    for link in links:
        adj.setdefault(link["a_node"], []).append(link["b_node"])
        adj.setdefault(link["b_node"], []).append(link["a_node"])
    switches = [n["name"] for n in nodes if n["kind"] == "switch"]
    is_switch = set(switches)
    order: list[str] = []
    seen: set[str] = set()
    for start in sorted(switches, key=lambda s: (-len(adj.get(s, ())), s)):
        if start in seen:
            continue
        queue = [start]
        seen.add(start)
        while queue:
            cur = queue.pop(0)
            order.append(cur)
            for nxt in sorted(adj.get(cur, ())):
                if nxt in is_switch and nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
    slot = {name: i for i, name in enumerate(order)}

    def centre(name: str) -> float:
        near = [slot[m] for m in adj.get(name, ()) if m in slot]
        return sum(near) / len(near) if near else float(len(order))

    vswitches = sorted((n for n in nodes if n["kind"] != "switch"),
                       key=lambda n: (centre(n["name"]), n["host"], n["name"]))
    rows = [order[i:i + cols] for i in range(0, len(order), cols)]
    names = [n["name"] for n in vswitches]
    rows += [names[i:i + cols] for i in range(0, len(names), cols)]
    return [r for r in rows if r]


def report_svg(topo: dict[str, Any], *, cols: int = 8) -> str:
    """The report's drawing of :func:`report_topology`'s data: switches in rows on top,
    vSwitches below; links and nodes on risky loops in red (class ``risky``). Each link's
    ``<title>`` (shown on hover) names its ends, its VLAN set and who saw it. No script, no
    external reference, every text escaped."""
    nodes = list(topo.get("nodes") or [])
    links = list(topo.get("links") or [])
    rows = _layout(nodes, links, cols)
    step, box_w, box_h, gap = 200, 150, 36, 110
    width = max(1, max((len(r) for r in rows), default=1)) * step + 40
    height = max(1, len(rows)) * gap + 30
    pos: dict[str, tuple[float, float]] = {}
    for y, row in enumerate(rows):
        offset = (width - len(row) * step) / 2
        for x, name in enumerate(row):
            pos[name] = (offset + x * step + step / 2, 30 + y * gap + box_h / 2)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="topology" width="{width:.0f}" '
           f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
           'style="max-width: 100%; height: auto" '
           'font-family="Helvetica,Arial,sans-serif" font-size="11" role="img" '
           'aria-label="layer-2 topology: loops spanning tree cannot break in red">']
    # parallel links between two nodes (two uplinks into one switch) side by side, not on top
    pairs: dict[frozenset[str], list[int]] = {}
    for li, link in enumerate(links):
        pairs.setdefault(frozenset((link["a_node"], link["b_node"])), []).append(li)
    shift = {li: k - (len(group) - 1) / 2 for group in pairs.values()
             for k, li in enumerate(group)}
    # risky links last, so they are drawn over the others
    for li, link in sorted(enumerate(links), key=lambda x: x[1].get("risky", False)):
        a, b = pos.get(link["a_node"]), pos.get(link["b_node"])
        if a is None or b is None:
            continue
        if shift.get(li):
            dx, dy = b[0] - a[0], b[1] - a[1]
            norm = max(1.0, (dx * dx + dy * dy) ** 0.5)
            ox, oy = -dy / norm * 9 * shift[li], dx / norm * 9 * shift[li]
            a, b = (a[0] + ox, a[1] + oy), (b[0] + ox, b[1] + oy)
        risky = bool(link.get("risky"))
        colour, w = (RED, 3) if risky else ("#78909c", 1.5)
        title = (f"{link['a']} — {link['b']}: VLANs {link['vlans']}"
                 + (f" (seen by {', '.join(link['seen_by'])})" if link.get("seen_by") else "")
                 + (f"; {link['weak']}" if link.get("weak") else "")
                 + ("; administratively down" if link.get("down") else "")
                 + ("; on a loop spanning tree cannot break" if risky else ""))
        dash = ' stroke-dasharray="5,4"' if link.get("down") else ""
        coords = f'x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{b[0]:.1f}" y2="{b[1]:.1f}"'
        out.append(f'<g class="link{" risky" if risky else ""}" data-link="{li}" '
                   f'data-vlans="{escape(str(link["vlans"]))}"><title>{escape(title)}</title>'
                   f'<line {coords} stroke="transparent" stroke-width="10"/>'
                   f'<line {coords} stroke="{colour}" stroke-width="{w}"{dash}/></g>')
    for node in nodes:
        if node["name"] not in pos:
            continue
        x, y = pos[node["name"]]
        risky = bool(node.get("risky"))
        stroke, sw = (RED, 2.5) if risky else ("#37474f", 1.2)
        fill = "#eceff1" if node["kind"] == "switch" else "#e3f2fd"
        rx = 4 if node["kind"] == "switch" else 16
        name = str(node["name"])
        label = name if len(name) <= 24 else name[:22] + "…"
        title = f"{name} ({node.get('platform', '')})" + (
            f": {node['stp']}" if node.get("stp") else "")
        out.append(f'<g class="node{" risky" if risky else ""}" data-node="{escape(name)}">'
                   f'<title>{escape(title)}</title><rect x="{x - box_w / 2:.1f}" '
                   f'y="{y - box_h / 2:.1f}" width="{box_w}" height="{box_h}" rx="{rx}" '
                   f'fill="{fill}" stroke="{stroke}" stroke-width="{sw}"/>'
                   f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle"'
                   f'{" fill=" + chr(34) + RED + chr(34) if risky else ""}>{escape(label)}'
                   '</text></g>')
    out.append("</svg>")
    return "\n".join(out)
