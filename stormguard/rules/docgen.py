"""Generate ``docs/rules.md`` from the rule modules' docstrings.

Run ``python -m stormguard.rules.docgen > docs/rules.md``. The docstring is the single source of
a rule's documentation (title, why it matters for storms, Bad/Good examples per platform
family); this renders it as Markdown together with the rule's ID, name, default severity,
parameters and platforms. A test checks that the committed file matches this output.
"""

from __future__ import annotations

import json
import re

from stormguard.rules import Rule, all_rules

_BLOCK_HEAD = re.compile(r"^(.*)::\s*$")


def _body_markdown(doc: str) -> str:
    """reST-ish docstring body -> Markdown: ``Heading::`` + indented block -> fenced code."""
    lines = doc.strip().splitlines()[1:]
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _BLOCK_HEAD.match(line)
        if m and m.group(1).strip():
            out.append(_inline(m.group(1).rstrip()) + ":")
            out.append("")
            i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1
            block: list[str] = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
                block.append(lines[i][4:])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            out.append("```")
            out.extend(block)
            out.append("```")
            out.append("")
            continue
        out.append(_inline(line))
        i += 1
    text = "\n".join(out).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def _inline(text: str) -> str:
    return text.replace("``", "`")


def rule_markdown(rule: Rule) -> str:
    params = ", ".join(f"`{k}` = `{json.dumps(v)}`" for k, v in rule.params.items()) or "none"
    platforms = ", ".join(f"`{p}`" for p in rule.platforms) or "all"
    head = [
        f"## {rule.id} `{rule.name}` — {_inline(rule.title).rstrip('.')}",
        "",
        f"- Default severity: **{rule.severity}**",
        f"- Parameters (defaults): {params}",
        f"- Platforms: {platforms}",
        "",
    ]
    return "\n".join(head) + "\n" + _body_markdown(rule.doc) + "\n"


def render() -> str:
    rules = all_rules()
    parts = [
        "# stormguard rules",
        "",
        "Generated from the rule modules' docstrings by "
        "`python -m stormguard.rules.docgen > docs/rules.md`; do not edit by hand.",
        "",
        "Every rule can be disabled, given another severity, or have its parameters changed in a "
        "policy pack (`rules: {SG302: {severity: high, max_percent: 5}}`); findings can be "
        "waived per device and interface glob with an owner, a reason and an expiry date.",
        "",
        "| ID | name | severity | title |",
        "|---|---|---|---|",
    ]
    parts += [f"| [{r.id}](#{r.id.lower()}-{r.name}) | `{r.name}` | {r.severity} | "
              f"{_inline(r.title)} |" for r in rules]
    parts.append("")
    from stormguard.remediation import CONTRACT_MARKDOWN

    parts.append(CONTRACT_MARKDOWN.strip() + "\n")
    for r in rules:
        parts.append(rule_markdown(r))
    return "\n".join(parts).rstrip() + "\n"


def main() -> int:
    import sys

    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
