"""Documented error paths keep their exit code and stay one line: malformed baselines, YAML
merge keys in policies, damaged pcapng blocks. (Binary password files: test_qa_bounded_inputs;
read-only stores: tests/store/test_store_private.py.)"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CFG = str(EXAMPLES / "cisco_ios-violations.cfg")


@pytest.mark.parametrize("content, says", [
    ("", "not a stormguard JSON baseline (Expecting value"),
    ("[]", "not a stormguard JSON baseline (version 1)"),
    ('{"version": 2, "results": []}', "not a stormguard JSON baseline (version 1)"),
    ('{"version": 1, "results": {}}', "not a stormguard JSON baseline (version 1)"),
    ('{"version": 1, "results": [1]}', "(results[0] is not an object)"),
    ('{"version": 1, "results": [{"findings": 5}]}', "(results[0].findings is not a list)"),
    ('{"version": 1, "results": [{"findings": [{"rule": ["SG101"]}]}]}',
     "(results[0].findings[0] is not a finding)"),
    ('{"version": 1, "results": [{"findings": [{"rule": "SG101", "interface": {}}]}]}',
     "(results[0].findings[0] is not a finding)"),
    ('{"version": 1, "results": [' * 100_000, "not a stormguard JSON baseline"),
    ("\udcff", "baseline is not UTF-8 text"),
])
def test_malformed_baselines_are_one_line_exit_2(sg, tmp_path, content, says):
    (tmp_path / "base.json").write_text(content, encoding="utf-8", errors="surrogateescape")
    res = sg("lint", CFG, "--baseline", "base.json")
    line = res.one_line_error()
    assert res.rc == 2
    assert line.startswith("stormguard lint: error: base.json") and says in line, line


def test_a_good_baseline_still_works(sg, tmp_path):
    assert sg("lint", CFG, "--format", "json", "-o", "base.json").rc == 1
    res = sg("lint", CFG, "--baseline", "base.json", "--format", "json")
    assert res.rc == 0, res.err
    assert json.loads(res.out)["summary"]["findings"] == 0


@pytest.mark.parametrize("text, line, where", [
    ("version: 1\nbase: &b {severity: high}\nrules:\n  SG301:\n    <<: *b\n", 5, "rules.SG301"),
    ("rules:\n  <<: {SG301: {severity: low}}\n", 2, "rules"),
    ("x: &r {SG301: {severity: low}}\nrules: {<<: *r}\n", 2, "rules"),
])
def test_yaml_merge_keys_in_policies_are_one_line_exit_2(sg, tmp_path, text, line, where):
    (tmp_path / "merge.yaml").write_text(text)
    res = sg("lint", CFG, "--policy", "merge.yaml")
    assert res.rc == 2
    assert res.one_line_error() == (f"stormguard lint: error: merge.yaml:{line}: {where}: "
                                    "YAML merge keys are not supported")


# --------------------------------------------------------------------------- pcapng
def _shb() -> bytes:
    return (b"\x0a\x0d\x0d\x0a" + struct.pack("<I", 28) + b"\x4d\x3c\x2b\x1a"
            + struct.pack("<HHq", 1, 0, -1) + struct.pack("<I", 28))


def _block(btype: int, body: bytes) -> bytes:
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


_IDB = _block(1, struct.pack("<HHI", 1, 0, 65535))


@pytest.mark.parametrize("blocks, says", [
    ([_block(1, b"")], "interface block at byte 28 is too short"),
    ([_IDB, _block(3, b"")], "packet block at byte 48 is too short"),
    ([_IDB, _block(6, struct.pack("<IIIII", 0, 0, 0, 5000, 5000) + b"\x01" * 60)],
     "packet block at byte 48 claims 5000 bytes but holds 60; the file is damaged"),
    ([_IDB, _block(6, b"\0" * 8)], "packet block at byte 48 is too short"),
])
def test_damaged_pcapng_blocks_are_one_line_exit_2(sg, tmp_path, blocks, says):
    (tmp_path / "bad.pcapng").write_bytes(_shb() + b"".join(blocks))
    res = sg("sniff", "--pcap", "bad.pcapng", "--format", "json")
    assert res.rc == 2, (res.out, res.err)
    line = res.one_line_error()
    assert "bad.pcapng" in line and says in line, line
