"""``chord-webhooks generate``: output, fixture folders, misuse and Ctrl-C."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.cli import main
from harness.envelope import encode, encode_pretty
from harness.errors import UsageError
from harness.generate import EventFactory
from harness.generate.fixtures import FixtureFolder


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def run(*argv: str, stderr: io.StringIO | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), stderr if stderr is not None else io.StringIO()
    code = main(["generate", *argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_json_lines_on_stdout_are_the_factorys_bytes() -> None:
    code, out, err = run("order_completed", "--count", "3", "--seed", "7")
    assert code == 0
    assert err == ""
    lines = out.splitlines()
    expected = [encode(e) for e in EventFactory(7).events("order_completed", 3)]
    assert [line.encode() for line in lines] == expected


def test_defaults_are_one_event_and_seed_zero() -> None:
    code, out, _ = run("shipment_shipped")
    assert code == 0
    assert out.encode() == encode(EventFactory(0).event("shipment_shipped")) + b"\n"


def test_an_alias_writes_the_canonical_type() -> None:
    code, out, _ = run("order_cancelled", "--seed", "2")
    assert code == 0
    assert json.loads(out)["type"] == "order_canceled"


def test_a_scenario_on_stdout() -> None:
    code, out, _ = run("--scenario", "lifecycle", "--seed", "3")
    assert code == 0
    expected = [encode(e) for e in EventFactory(3).scenario("lifecycle")]
    assert [line.encode() for line in out.splitlines()] == expected


def test_a_scenario_filtered_by_type_and_repeated() -> None:
    code, out, _ = run(
        "shipping_delivery_status_updated", "--scenario", "canceled", "--count", "2"
    )
    assert code == 0
    assert out == ""
    code, out, _ = run("order_canceled", "--scenario", "canceled", "--count", "3")
    events = [json.loads(line) for line in out.splitlines()]
    assert [e["type"] for e in events] == ["order_canceled"] * 3
    assert len({e["data"]["order"]["number"] for e in events}) == 3


def test_out_writes_one_pretty_file_per_event(tmp_path: Path) -> None:
    folder = tmp_path / "fixtures" / "orders"
    code, out, err = run(
        "order_completed", "--count", "4", "--seed", "5", "--out", str(folder)
    )
    assert code == 0
    assert out == ""
    assert err.strip() == f"wrote 4 files to {folder}"
    names = [f"order_completed-00000{i}.json" for i in range(1, 5)]
    assert listing(folder) == names
    for name, event in zip(
        names, EventFactory(5).events("order_completed", 4), strict=True
    ):
        assert (folder / name).read_bytes() == encode_pretty(event)


def test_out_names_scenario_files_so_they_sort_in_order(tmp_path: Path) -> None:
    code, _, _ = run(
        "--scenario", "return_to_sender", "--seed", "1", "--out", str(tmp_path / "s")
    )
    assert code == 0
    story = EventFactory(1).scenario("return_to_sender")
    names = listing(tmp_path / "s")
    assert names == [f"{i:06d}-{e['type']}.json" for i, e in enumerate(story, start=1)]
    loaded = [json.loads((tmp_path / "s" / name).read_text("utf-8")) for name in names]
    assert loaded == story


def test_an_occupied_folder_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "keep.json").write_text("mine", encoding="utf-8")
    code, out, err = run("order_completed", "--count", "2", "--out", str(tmp_path))
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert "already holds files" in err
    assert "--force" in err
    assert listing(tmp_path) == ["keep.json"]
    assert (tmp_path / "keep.json").read_text(encoding="utf-8") == "mine"


def test_force_replaces_same_named_files_only(tmp_path: Path) -> None:
    (tmp_path / "order_completed-000001.json").write_text("old", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("keep", encoding="utf-8")
    code, _, _ = run(
        "order_completed", "--count", "2", "--out", str(tmp_path), "--force"
    )
    assert code == 0
    first = EventFactory(0).event("order_completed")
    assert (tmp_path / "order_completed-000001.json").read_bytes() == encode_pretty(
        first
    )
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep"
    assert len(listing(tmp_path)) == 3


def test_a_regular_file_is_not_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "events.json"
    target.write_text("[]", encoding="utf-8")
    code, _, err = run("order_completed", "--out", str(target))
    assert code == 2
    assert "is a file, not a folder" in err
    assert target.read_text(encoding="utf-8") == "[]"


def test_a_folder_under_a_file_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    code, _, err = run("order_completed", "--out", str(tmp_path / "file" / "sub"))
    assert code == 2
    assert "cannot be created" in err
    assert listing(tmp_path) == ["file"]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root writes into any folder; permissions cannot make it fail",
)
def test_an_unwritable_folder(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, _, err = run("order_completed", "--out", str(locked))
    finally:
        locked.chmod(0o700)
    assert code == 2
    assert "cannot be written" in err
    assert listing(locked) == []


def test_a_failed_write_probe_removes_the_folders_it_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stands in for a read-only file system, which tests cannot mount."""
    real_open = os.open

    def refuse_probe(path: str | os.PathLike[str], *args: int) -> int:
        if ".chord-webhooks-probe." in os.fspath(path):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args)

    monkeypatch.setattr(os, "open", refuse_probe)
    folder = FixtureFolder(tmp_path / "a" / "b")
    with pytest.raises(UsageError, match="cannot be written"):
        folder.prepare()
    assert listing(tmp_path) == []


def test_an_interrupted_write_leaves_neither_file_nor_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = FixtureFolder(tmp_path)
    folder.prepare()
    folder.write("one.json", b"{}\n")

    def interrupted(source: str, target: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        folder.write("two.json", b'{"a": 1}\n')
    assert listing(tmp_path) == ["one.json"]


def test_a_failing_write_is_one_line_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace
    calls = []

    def disk_full_on_third(source: str, target: str) -> None:
        calls.append(target)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", disk_full_on_third)
    folder = tmp_path / "full"
    code, _, err = run("order_completed", "--count", "5", "--out", str(folder))
    assert code == 2
    assert err.count("\n") == 1
    assert "No space left on device" in err
    assert listing(folder) == [
        "order_completed-000001.json",
        "order_completed-000002.json",
    ]


def test_a_folder_in_the_way_of_a_file(tmp_path: Path) -> None:
    (tmp_path / "order_completed-000001.json").mkdir()
    code, _, err = run("order_completed", "--out", str(tmp_path), "--force")
    assert code == 2
    assert "cannot write" in err
    assert listing(tmp_path) == ["order_completed-000001.json"]


MISUSE = [
    (["ordr_completed"], "did you mean 'order_completed'"),
    (["order_completed", "--count", "0"], "--count"),
    (["order_completed", "--count", "-5"], "--count"),
    (["order_completed", "--count", "many"], "--count"),
    (["order_completed", "--seed", "x"], "--seed"),
    (["--scenario", "lifecyle"], "did you mean 'lifecycle'"),
    ([], "TYPE or --scenario"),
    (["order_completed", "--contract", "missing.toml"], "not found"),
]


@pytest.mark.parametrize(("argv", "hint"), MISUSE)
def test_misuse_is_one_line_exit_two_and_no_files(
    tmp_path: Path, argv: list[str], hint: str
) -> None:
    folder = tmp_path / "never"
    code, out, err = run(*argv, "--out", str(folder))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("chord-webhooks: error: ")
    assert hint in err
    assert "Traceback" not in err
    assert not folder.exists()


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    terminal = Terminal()
    code, _, err = run(
        "order_completed", "--count", "5", "--out", str(tmp_path / "t"), stderr=terminal
    )
    assert code == 0
    assert "5/5" in err
    assert "[" in err
    code, _, err = run("order_completed", "--count", "5", "--out", str(tmp_path / "p"))
    assert code == 0
    assert "/5" not in err


def test_ctrl_c_leaves_only_whole_files(tmp_path: Path) -> None:
    """A real process interrupted by SIGINT: whole files, no temp file, exit 130."""
    folder = tmp_path / "big"
    # The explicit handler makes SIGINT raise KeyboardInterrupt even when this
    # test runs where SIGINT is ignored (as in some CI shells).
    script = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler);"
        "from harness.cli import entry; sys.argv[0] = 'chord-webhooks'; entry()"
    )
    argv = ["generate", "order_completed", "--count", "1000000", "--out", str(folder)]
    process = subprocess.Popen(
        [sys.executable, "-c", script, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if folder.is_dir() and len(os.listdir(folder)) >= 20:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the generator wrote fewer than 20 files in 60 s")
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert process.returncode == 130
    assert b"Traceback" not in err
    assert err.strip().endswith(b"interrupted")
    names = listing(folder)
    assert not [name for name in names if not name.endswith(".json")]
    assert not [name for name in names if name.startswith(".")]
    numbers = sorted(int(name.split("-")[1].split(".")[0]) for name in names)
    assert numbers == list(range(1, len(numbers) + 1))
    assert 20 <= len(numbers) < 1_000_000
    for name in names:
        event = json.loads((folder / name).read_text(encoding="utf-8"))
        assert event["type"] == "order_completed"
