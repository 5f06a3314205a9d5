"""`stormguard lint --format json` writes each file's result as soon as it is audited and lets
its findings go (:class:`stormguard.formats.json_format.JsonStream`, ``lint_paths(on_result=)``).
The streamed document, summary and exit code must be exactly those of the whole report
rendered at the end, whatever the files (errors, several devices per file, none at all) and
the options; and the output guards (an output that is an input, an unwritable output, a full
disk, a closed pipe) must hold as before."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stormguard.formats.json_format import JsonStream, render_bytes, to_dict
from stormguard.lint import LintResult, lint_paths
from stormguard.resources import data_dir

EXAMPLES = data_dir("examples")
FIX = Path(__file__).parent / "fixtures"


def _tree(tmp_path: Path) -> Path:
    """Every example (six switch platforms, OVS and Linux bridge bundles with several
    devices per file), a garbled file, a file no parser claims, and an empty file."""
    root = tmp_path / "configs"
    root.mkdir()
    for p in EXAMPLES.iterdir():
        if p.is_file() and not p.name.startswith((".", "_")) and p.suffix != ".py":
            shutil.copy(p, root / p.name)
    (root / "garbled.cfg").write_bytes(b"\x00\xff\xfe binary \x00 garbage\n" * 20)
    (root / "unknown.cfg").write_text("this is not\na switch configuration\n")
    (root / "empty.cfg").write_text("")
    return root


def _cli(*args: str, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("STORMGUARD_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "stormguard", "lint", *args], env=env,
                          stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120)


OPTIONS = [
    [],
    ["--fail-on", "low"],
    ["--fail-on", "never", "--strict"],
    ["--policy", str(FIX / "waivers.yaml"), "--fail-on", "critical"],
]


@pytest.mark.parametrize("options", OPTIONS)
def test_streamed_cli_output_is_the_whole_report(tmp_path: Path, options: list[str]) -> None:
    root = _tree(tmp_path)
    fail_on = options[options.index("--fail-on") + 1] if "--fail-on" in options else "medium"
    policies = [options[options.index("--policy") + 1]] if "--policy" in options else []
    report = lint_paths([str(root)], policy_files=policies,
                        fail_on=None if fail_on == "never" else fail_on)
    report.strict = "--strict" in options
    expected = json.dumps(to_dict(report), indent=2) + "\n"
    assert report.errors and report.findings  # the tree has both

    out = tmp_path / "out.json"
    to_file = _cli(str(root), "--format", "json", "-o", str(out), *options)
    to_stdout = _cli(str(root), "--format", "json", *options)
    assert out.read_text() == expected
    assert to_stdout.stdout == expected
    for proc in (to_file, to_stdout):
        assert proc.returncode == report.exit_code()
        assert proc.stderr.splitlines() == [f"stormguard lint: error: {e}"
                                            for e in report.errors]


def test_on_result_hands_each_result_in_order_and_releases_its_findings(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    whole = lint_paths([str(root)], fail_on="medium")
    seen: list[tuple[str, str | None, int]] = []

    def on_result(r: LintResult) -> None:
        seen.append((r.source, r.device, len(r.findings)))

    streamed = lint_paths([str(root)], fail_on="medium", on_result=on_result)
    assert seen == [(r.source, r.device, len(r.findings)) for r in whole.results]
    assert all(not r.findings for r in streamed.results)  # let go once written
    assert sum(streamed.released.values()) == len(whole.findings) > 0
    assert streamed.summary() == whole.summary()
    for fail_on in ("info", "low", "medium", "high", "critical", None):
        whole.fail_on = streamed.fail_on = fail_on
        assert streamed.exit_code() == whole.exit_code()
        assert streamed.summary() == whole.summary()


def test_stream_writer_makes_render_bytes_pieces(tmp_path: Path) -> None:
    report = lint_paths([str(_tree(tmp_path))], fail_on="medium")
    pieces: list[bytes | memoryview] = []
    stream = JsonStream(pieces.append, count=True)
    for r in report.results:
        stream.result(r)
    stream.finish(report)
    assert b"".join(pieces) == b"".join(render_bytes(report))


def test_a_run_without_results_writes_an_empty_list(tmp_path: Path) -> None:
    # an OVS state bundle with no bridge in it parses to no device: no result at all
    bundle = json.loads((EXAMPLES / "ovs-compliant.json").read_text())
    for table in bundle["tables"].values():
        table["data"] = []
    cfg = tmp_path / "none.json"
    cfg.write_text(json.dumps(bundle))
    report = lint_paths([str(cfg)], platform="ovs", fail_on="medium")
    assert report.results == []
    out = tmp_path / "out.json"
    proc = _cli(str(cfg), "--platform", "ovs", "--format", "json", "-o", str(out))
    assert out.read_text() == json.dumps(to_dict(report), indent=2) + "\n"
    assert proc.returncode == report.exit_code()


def test_on_result_with_a_baseline_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="baseline"):
        lint_paths([str(EXAMPLES / "cisco_ios-violations.cfg")], baseline="b.json",
                   on_result=lambda r: None)


def test_streamed_output_over_an_input_is_refused_and_the_input_kept(tmp_path: Path) -> None:
    cfg = tmp_path / "sw1.cfg"
    original = (EXAMPLES / "cisco_ios-violations.cfg").read_text()
    cfg.write_text(original)
    proc = _cli(str(cfg), "--format", "json", "-o", str(cfg))
    assert proc.returncode == 2
    assert "the output file is also an input" in proc.stderr
    assert cfg.read_text() == original


def test_streamed_unwritable_output_is_one_line_error(tmp_path: Path) -> None:
    cfg = str(EXAMPLES / "cisco_ios-violations.cfg")
    proc = _cli(cfg, "--format", "json", "-o", str(tmp_path / "no" / "dir" / "out.json"))
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"stormguard lint: error: {tmp_path / 'no' / 'dir' / 'out.json'}: cannot write the "
        "output: No such file or directory"]
    proc = _cli(cfg, "--format", "json", "-o", "/dev/full")
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "stormguard lint: error: /dev/full: cannot write the output: No space left on device"]


def test_streamed_stdout_to_a_closed_pipe_or_full_disk_is_one_line_exit_2() -> None:
    cfg = str(EXAMPLES / "cisco_ios-violations.cfg")
    with open("/dev/full", "w") as full:
        proc = _cli(cfg, "--format", "json", stdout=full)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "stormguard lint: error: cannot write to standard output: No space left on device"]
    r, w = os.pipe()
    os.close(r)
    try:
        proc = _cli(cfg, "--format", "json", stdout=w)
    finally:
        os.close(w)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "stormguard lint: error: cannot write to standard output: Broken pipe"]
