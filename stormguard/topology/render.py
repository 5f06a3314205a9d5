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
