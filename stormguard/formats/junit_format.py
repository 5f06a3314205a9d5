"""JUnit XML for CI dashboards (Jenkins, GitLab, Azure): one <testsuite> per device (or per
unreadable file), one failed <testcase> per finding, a passing one per clean device, a skipped one
per waived finding, an <error> per input error."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from stormguard.lint import LintReport, visible


def _lines(text: str) -> str:
    """Multi-line text (a remediation) with each line made safe and real newlines kept."""
    return "\n".join(visible(line) for line in text.split("\n"))


def render(report: LintReport) -> str:
    # Every value from a config or a file name goes through visible(): characters XML 1.0
    # forbids (ElementTree writes them raw: the file would not parse) and terminal escapes are
    # shown escaped (\x1b); a newline in a name cannot start a line of its own.
    root = ET.Element("testsuites", name="stormguard lint")
    total = failures = errors = skipped = 0
    for res in report.results:
        suite_name = visible(f"{res.source}:{res.device}" if res.device else res.source)
        suite = ET.SubElement(root, "testsuite", name=suite_name)
        s_tests = s_fail = s_err = s_skip = 0
        if res.device is not None:
            props = ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name="platform", value=visible(res.platform or ""))
            ET.SubElement(props, "property", name="source", value=visible(res.source))
        for err in res.errors:
            case = ET.SubElement(suite, "testcase", classname=visible(res.source),
                                 name="read and parse")
            ET.SubElement(case, "error", message=visible(err), type="InputError").text = \
                visible(err)
            s_tests += 1
            s_err += 1
        for f in res.findings:
            name = visible(f"{f.rule} {f.interface or '(global)'}")
            case = ET.SubElement(suite, "testcase", classname=visible(res.device), name=name,
                                 file=visible(res.source), line=str(f.line or 0))
            s_tests += 1
            if f.waived:
                reason = f.waiver.reason if f.waiver else "waived"
                ET.SubElement(case, "skipped", message=visible(f"waived: {reason}"))
                s_skip += 1
                continue
            body = [visible(f"{f.source}:{f.line or ''} {f.message}"),
                    visible(f"expected: {f.expected}"), visible(f"actual: {f.actual}")]
            if f.remediation:
                body += ["remediation:", _lines(f.remediation)]
            ET.SubElement(case, "failure", message=visible(f"{f.severity}: {f.message}"),
                          type=f.rule).text = "\n".join(body)
            s_fail += 1
        if res.device is not None and not res.findings:
            ET.SubElement(suite, "testcase", classname=visible(res.device),
                          name="storm-prevention policy", file=visible(res.source))
            s_tests += 1
        suite.set("tests", str(s_tests))
        suite.set("failures", str(s_fail))
        suite.set("errors", str(s_err))
        suite.set("skipped", str(s_skip))
        total, failures, errors, skipped = (total + s_tests, failures + s_fail,
                                            errors + s_err, skipped + s_skip)
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    root.set("skipped", str(skipped))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
