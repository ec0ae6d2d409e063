"""Bounds: the import's hard caps, files that succeed or fail on their own, memory on a huge
file of junk, OS errors (file-size limit, read-only folder, full disk, permissions) as one line and exit 2."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from qbtui.documents.importer import (
    MAX_DEPTH,
    MAX_FIELD_BYTES,
    MAX_JSON_FILE_BYTES,
    MAX_PROBLEMS,
    MIB,
)
from tests.documents.test_import_cli import GOOD, profile_files

ROOT = Path(__file__).resolve().parents[2]


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_100000_levels_of_nesting_is_a_clear_problem_not_a_traceback(qbtui, example_file, tmp_path):
    assert qbtui("import", str(example_file)).exit_code == 0
    before = profile_files(qbtui)
    nested = tmp_path / "nested.json"
    nested.write_text(deep(100_000))
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text('{"documents": [' + json.dumps(GOOD) + ", " + deep(100_000) + "]}")
    lines = tmp_path / "nested.jsonl"
    lines.write_text(json.dumps(GOOD) + "\n" + '{"type": "customer", "ref": "X", "name": "A", "extra": '
                     + "{\"a\": " * 100_000 + "1" + "}" * 100_000 + "}\n")
    for path, where in ((nested, "/0"), (wrapped, "/documents/1"), (lines, "line 2")):
        result = qbtui("import", str(path))
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert f"{path.name}: {where}: nested deeper than {MAX_DEPTH} levels" in result.stderr, result.stderr
    assert profile_files(qbtui) == before


def test_caps_on_depth_and_field_size_are_exact(qbtui, tmp_path):
    def extra_of_depth(levels: int) -> dict:
        node: dict = {}
        for _ in range(levels - 2):  # the document is level 1, extra level 2
            node = {"a": node}
        return node

    ok = [dict(GOOD, ref="C-1", extra=extra_of_depth(MAX_DEPTH)), dict(GOOD, ref="C-2", name="n" * MAX_FIELD_BYTES)]
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(ok))
    assert qbtui("import", str(path)).exit_code == 0
    too_deep = tmp_path / "deep.json"
    too_deep.write_text(json.dumps([dict(GOOD, ref="C-3", extra=extra_of_depth(MAX_DEPTH + 1))]))
    result = qbtui("import", str(too_deep))
    assert result.exit_code == 1 and f"/0: nested deeper than {MAX_DEPTH} levels" in result.stderr
    too_long = tmp_path / "long.jsonl"
    too_long.write_text(json.dumps(dict(GOOD, ref="C-4", name="\u00e9" * (MAX_FIELD_BYTES // 2 + 1))) + "\n")
    result = qbtui("import", str(too_long))
    # the field is named, as the import format's limits promise ("the document is rejected, naming the field")
    assert result.exit_code == 1 and "line 1, /name: a value is 65,538 bytes long; a field may hold at most 64 KiB" \
        in result.stderr
    long_sku = tmp_path / "long.json"
    long_sku.write_text(json.dumps([{"type": "sale_invoice", "ref": "SO-1", "customer": "C-1", "lines": [
        {"sku": "MUG-01", "quantity": 1, "unit_price": "1"}, {"sku": "x" * (10 * 1024 * 1024), "quantity": 1,
                                                              "unit_price": "1"}]}]))
    result = qbtui("import", str(long_sku))
    assert result.exit_code == 1 and "/0/lines/1/sku: a value is 10,485,760 bytes long" in result.stderr
    csv_path = tmp_path / "customer.csv"
    csv_path.write_text("ref,name\nC-5," + "x" * (MAX_FIELD_BYTES + 1) + "\n")
    result = qbtui("import", str(csv_path))
    assert result.exit_code == 1 and "line 2: field name: the cell is longer than 64 KiB" in result.stderr


def test_a_json_file_over_the_cap_is_refused_before_it_is_read(qbtui, tmp_path):
    path = tmp_path / "huge.json"
    with path.open("wb") as f:  # sparse: nothing is written, but the size says 1 byte too many
        f.truncate(MAX_JSON_FILE_BYTES + 1)
    result = qbtui("import", str(path))
    assert result.exit_code == 1
    assert "a .json file is read whole and may be at most 128 MiB: export .jsonl instead" in result.stderr


def test_each_file_succeeds_or_fails_on_its_own(qbtui, example_file, tmp_path):
    bad = [tmp_path / "deep.json", tmp_path / "credit_note_refund.csv"]
    bad[0].write_text(deep(50_000))
    bad[1].write_text("credit_note,credit_note.x,ref,date,amount\nCN-1,2,RF-1,2026-11-06,5.00\n")  # conflicting columns
    good = tmp_path / "more.jsonl"
    good.write_text(json.dumps(dict(GOOD, ref="C-9")) + "\n")
    result = qbtui("import", "--json", str(bad[0]), str(example_file), str(bad[1]), str(good))
    assert result.exit_code == 1, result.output
    assert [f["imported"] for f in json.loads(result.stdout)["files"]] == [False, True, False, True]
    counts = qbtui.json("status")["documents"]
    assert counts["customer"]["pending"] + counts["customer"]["blocked"] == 2


#: run as root without the capabilities that let root write anywhere: folder permissions bind again
NO_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search",
               "--"]


def child(args: list[str], data_dir: Path, *, limit: tuple[int, int] | None = None, prefix: list[str] = ()):
    """``qbtui ARGS`` in a child process, optionally under a resource limit or behind a ``prefix`` command."""
    def setup() -> None:
        if limit is not None:
            resource.setrlimit(limit[0], (limit[1], limit[1]))

    env = dict(os.environ, QBTUI_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT))
    return subprocess.run([*prefix, sys.executable, "-m", "qbtui", *args], env=env, capture_output=True, text=True,
                          preexec_fn=setup, timeout=120)


def test_200_mb_of_non_documents_is_rejected_in_little_memory(tmp_path):
    junk = tmp_path / "junk.jsonl"
    with junk.open("wb") as f:
        chunk = b"[1, 2, 3]\n" * 1_000_000
        for _ in range(20):
            f.write(chunk)
    assert junk.stat().st_size >= 200 * 1000 * 1000
    csv_junk = tmp_path / "customer.csv"
    with csv_junk.open("wb") as f:
        f.write(b"ref,name,emial\n")
        for _ in range(20):
            f.write(b"C,N,x\n" * 1_000_000)
    for path in (junk, csv_junk):
        # 600 MB of address space: the old reader held the file, its text and 20 million lines at once
        result = child(["import", str(path)], tmp_path / "data", limit=(resource.RLIMIT_AS, 600 * MIB))
        assert result.returncode == 1, result.stderr[-2000:]
        assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
        assert f"{MAX_PROBLEMS} or more problems; reading stopped there" in result.stderr


def fill(qbtui, example_file) -> dict[str, bytes]:
    assert qbtui("import", str(example_file)).exit_code == 0
    return profile_files(qbtui)


def bigger_file(tmp_path: Path) -> Path:
    path = tmp_path / "many.json"
    path.write_text(json.dumps([dict(GOOD, ref=f"C-{i}", name=f"Customer {i}") for i in range(3000)]))
    return path


def assert_one_line(result, path_part: str, words: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert path_part in lines[0] and words in lines[0], lines[0]


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if ".tmp-" in p.name]


def test_file_size_limit_is_one_line_exit_2_nothing_half_written(qbtui, example_file, tmp_path):
    before = fill(qbtui, example_file)
    size = (qbtui.data_dir / "profiles" / "default" / "documents.sqlite").stat().st_size
    result = child(["import", str(bigger_file(tmp_path))], qbtui.data_dir, limit=(resource.RLIMIT_FSIZE, size + 4096))
    assert_one_line(result, "documents.sqlite", "File too large")
    assert profile_files(qbtui) == before
    assert leftovers(qbtui.data_dir) == []


def test_a_folder_qbtui_may_not_write_is_one_line_exit_2(qbtui, example_file, tmp_path):
    before = fill(qbtui, example_file)
    profile = qbtui.data_dir / "profiles" / "default"
    profile.chmod(0o500)  # read, not write
    try:
        prefix = NO_OVERRIDE if os.geteuid() == 0 else []
        if prefix and subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
            pytest.skip("root here cannot drop its capabilities (setpriv)")
        result = child(["import", str(bigger_file(tmp_path))], qbtui.data_dir, prefix=prefix)
    finally:
        profile.chmod(0o700)
    assert_one_line(result, str(profile), "Permission denied")
    assert profile_files(qbtui) == before


def mount_tmpfs(where: Path, options: str) -> bool:
    where.mkdir()
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True).returncode == 0


@pytest.mark.parametrize("options,words", [("size=256k", "No space left on device"), ("ro,size=64k", "Read-only")])
def test_full_disk_and_read_only_file_system(tmp_path, options, words):
    where = tmp_path / "fs"
    if not mount_tmpfs(where, options):
        pytest.skip("cannot mount a tmpfs here")
    try:
        result = child(["import", str(bigger_file(tmp_path))], where / "data")
        assert_one_line(result, str(where / "data"), words)
        assert leftovers(where) == []
    finally:
        subprocess.run(["umount", str(where)], capture_output=True)


def test_brackets_inside_texts_do_not_make_a_shallow_record_deep_and_a_deep_one_is_still_caught(tmp_path):
    """A record is walked for its depth only when its text has more ``{``/``[`` than the cap allows levels:
    brackets in a name count but do not nest; the depth itself still decides."""
    from qbtui.documents import ImportFileError, read_file

    def extra_of_depth(levels: int) -> dict:
        node: dict = {}
        for _ in range(levels - 2):
            node = {"a": node}
        return node

    shallow = dict(GOOD, ref="C-B", name="[{" * MAX_DEPTH)  # 2 x MAX_DEPTH brackets, depth 1
    for suffix, dump in ((".json", lambda docs: json.dumps(docs)),
                         (".jsonl", lambda docs: "\n".join(json.dumps(d) for d in docs) + "\n")):
        path = tmp_path / f"ok{suffix}"
        path.write_text(dump([shallow]))
        assert [d["name"] for d in read_file(path)] == ["[{" * MAX_DEPTH]
        path = tmp_path / f"deep{suffix}"
        path.write_text(dump([dict(GOOD, ref="C-D", extra=extra_of_depth(MAX_DEPTH + 1))]))
        with pytest.raises(ImportFileError) as exc:
            read_file(path)
        assert any(f"nested deeper than {MAX_DEPTH} levels" in p.reason for p in exc.value.problems)
