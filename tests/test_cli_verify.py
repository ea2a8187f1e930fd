"""``chord-webhooks verify``: the demo, reports, exit codes and misuse."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.cli import main
from harness.receiver import Mode, ReferenceReceiver


def verdict_of(out: str, check_id: str, event_type: str) -> str:
    """The verdict column of one row of the summary table."""
    for line in out.splitlines():
        words = line.split()
        if words[:2] == [check_id, event_type]:
            return words[2]
    raise AssertionError(f"no row for {check_id} {event_type} in:\n{out}")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def rejecting() -> Iterator[ReferenceReceiver]:
    with ReferenceReceiver(mode=Mode.REJECT_UNKNOWN) as running:
        yield running


def test_without_url_verifies_the_reference_receiver_and_says_so() -> None:
    code, out, err = run("verify", "--events", "order_completed,shipment_shipped")

    assert code == 0, out
    assert "started the reference receiver (correct) at http://127.0.0.1:" in err
    assert "stopped the reference receiver" in err
    # The built-in receiver can be observed, so processed-once runs too.
    assert verdict_of(out, "processed-once", "shipment_shipped") == "passed"
    assert out.rstrip().splitlines()[-1].startswith("21 passed, 0 failed, 0 skipped")


def test_failing_endpoint_exits_1_with_the_failure_details(
    rejecting: ReferenceReceiver,
) -> None:
    code, out, _ = run("verify", rejecting.url, "--events", "order_canceled")

    assert code == 1
    assert verdict_of(out, "unknown-event-type", "order_canceled") == "failed"
    assert "Failures" in out
    assert "rule: an event of a type the catalog does not have" in out
    assert "reproduce with:" in out


def test_reports_list_every_check(tmp_path: Path, rejecting: ReferenceReceiver) -> None:
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"

    code, _, _ = run(
        "verify",
        rejecting.url,
        "--events",
        "order_completed",
        "--report",
        str(report),
        "--junit",
        str(junit),
    )

    assert code == 1
    data = json.loads(report.read_text())
    assert data["passed"] is False
    failed = [c for c in data["checks"] if c["status"] == "failed"]
    assert [c["id"] for c in failed] == ["unknown-event-type"]
    check = failed[0]
    assert check["event_type"] == "order_completed"
    assert check["rule"]
    assert check["reproduce"].startswith("curl ")
    assert check["attempt_logs"][0]["attempts"][0]["status"] == 400
    assert all(c["latency_ms"] is not None for c in data["checks"] if not c["skipped"])
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite.get("failures") == "1"
    assert suite.get("tests") == str(len(data["checks"]))


def test_receiver_mode_demo_fails_its_check() -> None:
    code, out, _ = run(
        "verify", "--receiver-mode", "no-dedupe", "--events", "order_completed"
    )

    assert code == 1
    assert verdict_of(out, "processed-once", "order_completed") == "failed"


def test_nothing_listening_gives_one_headline_first() -> None:
    receiver = ReferenceReceiver().start()
    url = receiver.url
    receiver.stop()

    code, out, _ = run("verify", url, "--events", "order_completed")

    assert code == 1
    assert out.splitlines()[0] == f"nothing answers at {url}: connection refused"
    assert out.count("reproduce with:") <= 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["verify", "not a url"], "not a URL"),
        (["verify", "ftp://127.0.0.1/hook"], "ftp"),
        (["verify", "http://"], "host"),
        (["verify", "http://127.0.0.1:70000/"], "port"),
        (["verify", "--events", "order_complet"], "did you mean 'order_completed'"),
        (["verify", "--timeout", "0"], "--timeout takes a number of seconds, above 0"),
        (["verify", "--timeout", "soon"], "not 'soon'"),
        (["verify", "--seed", "x"], "--seed takes a whole number, not 'x'"),
        (["verify", "--receiver-mode", "sloww"], "sloww"),
        (["verify", "--report", "/no/such/dir/r.json"], "--report"),
        (["verify", "--processed-url", "http://127.0.0.1:9/count"], "{id}"),
        (["verify", "--contract", "/no/such/contract.toml"], "not found"),
    ],
)
def test_misuse_is_one_line_and_exit_2(argv: list[str], message: str) -> None:
    code, out, err = run(*argv)

    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert message in err
    assert "Traceback" not in err


def test_secret_header_values_never_reach_output_or_reports(
    tmp_path: Path, rejecting: ReferenceReceiver
) -> None:
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"

    code, out, err = run(
        "verify",
        rejecting.url,
        "--events",
        "order_completed",
        "--secret-header",
        "Authorization: Bearer s3cr3t-value",
        "--header",
        "X-Team: payments",
        "--report",
        str(report),
        "--junit",
        str(junit),
    )

    assert code == 1
    for text in (out, err, report.read_text(), junit.read_text()):
        assert "s3cr3t-value" not in text
    assert "Authorization: ***" in out
    assert "X-Team: payments" in out
