"""`chord-webhooks send` against a real local server, and every way to misuse it."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from harness.cli import main

EVENT = {"id": "evt_cli_1", "type": "order_completed", "data": {"order": {}}}


@pytest.fixture(scope="module")
def local_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(local_server: HTTPServer) -> Iterator[HTTPServer]:
    yield local_server
    local_server.clear()


@pytest.fixture
def payload(tmp_path: Path) -> Path:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(EVENT, indent=2), encoding="utf-8")
    return path


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["send", *argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def fail_twice_then_acknowledge(server: HTTPServer) -> None:
    for status in (500, 503, 200):
        server.expect_ordered_request("/hooks", method="POST").respond_with_data(
            "", status=status
        )


def test_fails_twice_then_200_shows_the_log_and_exits_0(
    server: HTTPServer, payload: Path
) -> None:
    fail_twice_then_acknowledge(server)
    code, out, err = run(
        server.url_for("/hooks"), "--file", str(payload), "--pause-scale", "0"
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"order_completed evt_cli_1 -> {server.url_for('/hooks')}"
    assert [line.split()[2] for line in lines[2:5]] == ["500", "503", "200"]
    assert lines[-1] == "received on attempt 3"
    bodies = {request.get_data() for request, _ in server.log}
    assert bodies == {
        b'{"id":"evt_cli_1","type":"order_completed","data":{"order":{}}}'
    }
    server.check_assertions()


def test_json_output(server: HTTPServer, payload: Path) -> None:
    fail_twice_then_acknowledge(server)
    code, out, _ = run(
        server.url_for("/hooks"), "--file", str(payload), "--pause-scale", "0", "--json"
    )
    data = json.loads(out)
    assert code == 0
    assert (data["received_on"], data["event_id"]) == (3, "evt_cli_1")
    assert [a["status"] for a in data["attempts"]] == [500, 503, 200]


def test_not_received_exits_1_and_says_why(server: HTTPServer, payload: Path) -> None:
    server.expect_request("/hooks").respond_with_data("", status=405)
    code, out, _ = run(
        server.url_for("/hooks"), "--file", str(payload), "--pause-scale", "0"
    )
    assert code == 1
    assert "not received after 6 attempts" in out
    assert "does not take POST" in out
    assert len(server.log) == 6


def test_generated_event_is_deterministic(server: HTTPServer) -> None:
    server.expect_request("/hooks").respond_with_data("", status=204)
    url = server.url_for("/hooks")
    assert run(url, "--event", "order_cancelled", "--seed", "7")[0] == 0
    assert run(url, "--event", "order_canceled", "--seed", "7")[0] == 0
    first, second = (request.get_data() for request, _ in server.log)
    assert first == second
    assert json.loads(first)["type"] == "order_canceled"


def test_headers_are_sent_and_secrets_hidden(server: HTTPServer, payload: Path) -> None:
    server.expect_request(
        "/hooks", headers={"X-Trace": "t-9", "Authorization": "Bearer hunter2"}
    ).respond_with_data("", status=204)
    code, out, err = run(
        server.url_for("/hooks"),
        "--file",
        str(payload),
        "--header",
        "X-Trace: t-9",
        "--secret-header",
        "Authorization: Bearer hunter2",
        "--json",
    )
    assert code == 0, out
    assert "hunter2" not in out + err
    assert json.loads(out)["headers"] == {"X-Trace": "t-9", "Authorization": "***"}


def test_timeout_flag_sets_the_deadline(server: HTTPServer, payload: Path) -> None:
    server.expect_request("/hooks").respond_with_data("", status=204)
    code, out, _ = run(
        server.url_for("/hooks"), "--file", str(payload), "--timeout", "2.5"
    )
    assert code == 0
    assert "received on attempt 1" in out


def test_pauses_are_announced_unless_scaled_to_zero(
    server: HTTPServer, payload: Path
) -> None:
    server.expect_request("/hooks").respond_with_data("", status=204)
    _, _, err = run(server.url_for("/hooks"), "--file", str(payload))
    assert "--pause-scale 0" in err
    _, _, err = run(
        server.url_for("/hooks"), "--file", str(payload), "--pause-scale", "0"
    )
    assert err == ""


URL = "http://127.0.0.1:9/hooks"  # never contacted: every case fails before sending


MISUSE = [
    ("not-a-url", ["not a url", "--file", "{event}"], "not a URL"),
    ("ftp", ["ftp://127.0.0.1/hooks", "--file", "{event}"], "scheme 'ftp'"),
    ("no-host", ["http://", "--file", "{event}"], "no host"),
    ("port-70000", ["http://127.0.0.1:70000/h", "--file", "{event}"], "invalid port"),
    ("unknown-type", [URL, "--event", "order_complted"], "did you mean"),
    ("missing-file", [URL, "--file", "{tmp}/missing.json"], "not found"),
    ("folder", [URL, "--file", "{tmp}"], "is a folder"),
    ("array", [URL, "--file", "{tmp}/list.json"], "JSON array, not an object"),
    ("broken-json", [URL, "--file", "{tmp}/broken.json"], "not valid JSON"),
    ("not-utf8", [URL, "--file", "{tmp}/latin1.json"], "not UTF-8"),
    ("header-colon", [URL, "--file", "{event}", "--header", "NoColon"], "no colon"),
    ("header-crlf", [URL, "--file", "{event}", "--header", "A: 1\r\nB: 2"], "break"),
    ("timeout-0", [URL, "--file", "{event}", "--timeout", "0"], "above 0, not '0'"),
    ("timeout-neg", [URL, "--file", "{event}", "--timeout", "-3"], "not '-3'"),
    ("timeout-nan", [URL, "--file", "{event}", "--timeout", "soon"], "'soon'"),
    ("scale-neg", [URL, "--file", "{event}", "--pause-scale", "-1"], "not '-1'"),
    ("scale-nan", [URL, "--file", "{event}", "--pause-scale", "fast"], "'fast'"),
    ("seed-file", [URL, "--file", "{event}", "--seed", "3"], "--seed applies only"),
    ("ca-missing", [URL, "--file", "{event}", "--ca-file", "{tmp}/no.pem"], "CA file"),
    ("ca-not-pem", [URL, "--file", "{event}", "--ca-file", "{event}"], "no PEM"),
    ("no-source", [URL], "one of the arguments --event --file is required"),
    ("two-sources", [URL, "--event", "order_canceled", "--file", "{event}"], "allowed"),
    ("seed-not-int", [URL, "--event", "order_completed", "--seed", "x"], "invalid int"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "words"),
    [pytest.param(argv, words, id=name) for name, argv, words in MISUSE],
)
def test_misuse_is_one_line_and_exit_2(
    tmp_path: Path, payload: Path, argv: list[str], words: str
) -> None:
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    (tmp_path / "broken.json").write_text('{"id": ', encoding="utf-8")
    (tmp_path / "latin1.json").write_bytes(b'{"name": "Zo\xeb"}')
    argv = [arg.format(tmp=tmp_path, event=payload) for arg in argv]
    code, out, err = run(*argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("chord-webhooks: error: ")
    assert words in err
    assert "Traceback" not in err


def test_a_bad_secret_header_does_not_echo_its_value(payload: Path) -> None:
    code, _, err = run(URL, "--file", str(payload), "--secret-header", "Token hunter2")
    assert code == 2
    assert "hunter2" not in err
    assert "--secret-header" in err
