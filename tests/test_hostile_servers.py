"""RequestsTransport against real sockets on 127.0.0.1 that misbehave.

Each server here is a plain socket server in a thread, so it can do what no
framework allows: drip bytes, hang mid-headers, lie about Content-Length,
answer garbage.  Every case must end with the right outcome, on time.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from urllib3.exceptions import InsecureRequestWarning

from harness.contract import RetryPolicy, default_contract
from harness.delivery import (
    DeliveryRequest,
    Outcome,
    RequestsTransport,
    TransportResult,
)

MARGIN = 1.0  # loose: proves nothing hangs; the tight figures are in benchmarks/
DEADLINE = 0.3


class RawServer:
    """A TCP server on 127.0.0.1 that runs ``handler(conn, server)`` per connection."""

    def __init__(
        self,
        handler: Callable[[socket.socket, RawServer], None],
        *,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.handler = handler
        self.tls = tls
        self.stop = threading.Event()
        self.connections = 0
        self.sent = 0
        self.requests: list[bytes] = []
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)
        self._accepter.start()

    def url(self, path: str = "/hooks", scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
            worker = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(worker)
            worker.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn.settimeout(2.0)
                conn = self.tls.wrap_socket(conn, server_side=True)
            conn.settimeout(5.0)
            self.handler(conn, self)
        except (OSError, ssl.SSLError):
            pass  # the client hung up or refused our certificate: expected here
        except BaseException as exc:  # surfaced by close(), in the test thread
            self.errors.append(exc)
        finally:
            conn.close()

    def read_request(self, conn: socket.socket) -> bytes:
        """Read one request (head and Content-Length body) and record it."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        with self._lock:
            self.requests.append(head + b"\r\n\r\n" + body)
        return head

    def send(self, conn: socket.socket, data: bytes) -> None:
        conn.sendall(data)
        with self._lock:
            self.sent += len(data)

    def close(self) -> None:
        self.stop.set()
        self._accepter.join(2)
        self._listener.close()
        for worker in self._threads:
            worker.join(5)
        if self.errors:
            raise self.errors[0]


@pytest.fixture
def serve() -> Iterator[Callable[..., RawServer]]:
    servers: list[RawServer] = []

    def start(
        handler: Callable[[socket.socket, RawServer], None],
        tls: ssl.SSLContext | None = None,
    ) -> RawServer:
        server = RawServer(handler, tls=tls)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def policy() -> RetryPolicy:
    return replace(default_contract().retry, timeout=DEADLINE)


@pytest.fixture
def transport(policy: RetryPolicy) -> Iterator[RequestsTransport]:
    with RequestsTransport(policy) as sender:
        yield sender


def post(
    transport: RequestsTransport, url: str, timeout: float = DEADLINE
) -> tuple[TransportResult, float]:
    started = time.monotonic()
    result = transport.send(DeliveryRequest(url, b'{"id":"evt_1"}', {}, timeout))
    return result, time.monotonic() - started


def answer(status: str, headers: str = "", body: bytes = b"") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{headers}\r\n"
    return head.encode() + body


# 1. nothing listening


def test_nothing_listening_is_connection_refused(transport: RequestsTransport) -> None:
    with socket.socket() as bound:  # bound, never listening: connects are refused
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        result, elapsed = post(transport, f"http://127.0.0.1:{port}/hooks")
    assert result.outcome is Outcome.CONNECTION_REFUSED
    assert result.status is None
    assert "refused" in (result.error or "")
    assert elapsed < DEADLINE + MARGIN


# 2. closes right after reading the request


def test_close_after_request_is_connection_closed(
    serve: Callable[..., RawServer], transport: RequestsTransport
) -> None:
    server = serve(lambda conn, srv: srv.read_request(conn))
    result, elapsed = post(transport, server.url())
    assert result.outcome is Outcome.CONNECTION_CLOSED
    assert result.status is None
    assert len(server.requests) == 1
    assert elapsed < DEADLINE + MARGIN


def test_reset_after_request_is_connection_closed(
    serve: Callable[..., RawServer], transport: RequestsTransport
) -> None:
    def reset(conn: socket.socket, srv: RawServer) -> None:
        srv.read_request(conn)
        # Linger 0: close() sends RST instead of FIN.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00" * 2)

    server = serve(reset)
    result, _ = post(transport, server.url())
    assert result.outcome is Outcome.CONNECTION_CLOSED


# 3 and 4. TLS


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl binary is needed to make a self-signed certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )  # fmt: skip
    return cert, key


def tls_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return context


def answer_204(conn: socket.socket, srv: RawServer) -> None:
    srv.read_request(conn)
    srv.send(conn, answer("204 No Content"))


def test_self_signed_certificate_is_tls_failure_naming_ca_file(
    serve: Callable[..., RawServer],
    transport: RequestsTransport,
    certificate: tuple[Path, Path],
) -> None:
    server = serve(answer_204, tls=tls_context(certificate))
    result, elapsed = post(transport, server.url(scheme="https"))
    assert result.outcome is Outcome.TLS_FAILURE
    assert "--ca-file" in (result.error or "")
    assert "--ca-file" in result.outcome.description
    assert server.requests == []
    assert elapsed < DEADLINE + MARGIN


def test_ca_file_trusts_the_self_signed_certificate(
    serve: Callable[..., RawServer],
    policy: RetryPolicy,
    certificate: tuple[Path, Path],
) -> None:
    server = serve(answer_204, tls=tls_context(certificate))
    with RequestsTransport(policy, ca_file=str(certificate[0])) as sender:
        result, _ = post(sender, server.url(scheme="https"))
    assert result.outcome is Outcome.ACKNOWLEDGED
    assert len(server.requests) == 1


def test_plain_http_on_an_https_url_is_tls_failure(
    serve: Callable[..., RawServer], transport: RequestsTransport
) -> None:
    def plain_http(conn: socket.socket, srv: RawServer) -> None:
        conn.recv(65536)  # a TLS ClientHello, which plain HTTP cannot parse
        srv.send(conn, answer("400 Bad Request", body=b"not HTTP"))

    server = serve(plain_http)
    result, elapsed = post(transport, server.url(scheme="https"))
    assert result.outcome is Outcome.TLS_FAILURE
    assert elapsed < DEADLINE + MARGIN


def test_http_url_on_a_tls_server_is_not_received(
    serve: Callable[..., RawServer],
    transport: RequestsTransport,
    certificate: tuple[Path, Path],
) -> None:
    server = serve(answer_204, tls=tls_context(certificate))
    result, elapsed = post(transport, server.url(scheme="http"))
    assert result.outcome is Outcome.CONNECTION_CLOSED
    assert elapsed < DEADLINE + MARGIN


def test_a_tls_handshake_that_never_ends_times_out_at_the_deadline(
    serve: Callable[..., RawServer], transport: RequestsTransport
) -> None:
    server = serve(lambda conn, srv: srv.stop.wait(30))  # accepts, never speaks TLS
    result, elapsed = post(transport, server.url(scheme="https"))
    assert result.outcome is Outcome.TIMEOUT
    assert DEADLINE <= elapsed < DEADLINE + MARGIN


# 9, 10, 11. deadlines


def late_answer(conn: socket.socket, srv: RawServer) -> None:
    srv.read_request(conn)
    if not srv.stop.wait(DEADLINE + 0.4):
        srv.send(conn, answer("204 No Content"))


def drip_status_line(conn: socket.socket, srv: RawServer) -> None:
    srv.read_request(conn)
    for byte in answer("200 OK", body=b"ok" * 100):
        if srv.stop.wait(0.05):
            return
        srv.send(conn, bytes([byte]))


def drip_body(conn: socket.socket, srv: RawServer) -> None:
    srv.read_request(conn)
    srv.send(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
    for _ in range(1000):
        if srv.stop.wait(0.05):
            return
        srv.send(conn, b".")


def hang_mid_headers(conn: socket.socket, srv: RawServer) -> None:
    srv.read_request(conn)
    srv.send(conn, b"HTTP/1.1 200 OK\r\nContent-Le")
    srv.stop.wait(30)


def never_answer(conn: socket.socket, srv: RawServer) -> None:
    srv.read_request(conn)
    srv.stop.wait(30)


@pytest.mark.parametrize(
    "handler",
    [late_answer, drip_status_line, drip_body, hang_mid_headers, never_answer],
)
def test_slow_servers_time_out_at_the_deadline(
    serve: Callable[..., RawServer],
    transport: RequestsTransport,
    handler: Callable[[socket.socket, RawServer], None],
) -> None:
    server = serve(handler)
    result, elapsed = post(transport, server.url())
    assert result.outcome is Outcome.TIMEOUT
    assert DEADLINE <= elapsed < DEADLINE + MARGIN
    assert result.latency >= DEADLINE


def test_a_dripping_server_cannot_stretch_a_long_per_read_timeout(
    serve: Callable[..., RawServer], transport: RequestsTransport
) -> None:
    # Each byte comes well inside the deadline, so only a total deadline stops it.
    server = serve(drip_body)
    result, elapsed = post(transport, server.url(), timeout=0.5)
    assert result.outcome is Outcome.TIMEOUT
    assert result.status == 200
    assert elapsed < 0.5 + MARGIN


def test_timeout_leaves_the_transport_usable(
    serve: Callable[..., RawServer], transport: RequestsTransport
) -> None:
    slow = serve(never_answer)
    fast = serve(answer_204)
    assert post(transport, slow.url())[0].outcome is Outcome.TIMEOUT
    assert post(transport, fast.url())[0].outcome is Outcome.ACKNOWLEDGED


# 12. a huge body


ONE_GB = 1 << 30


def endless_body(status: str) -> Callable[[socket.socket, RawServer], None]:
    def handler(conn: socket.socket, srv: RawServer) -> None:
        srv.read_request(conn)
        srv.send(
            conn, f"HTTP/1.1 {status}\r\nContent-Length: {ONE_GB}\r\n\r\n".encode()
        )
        block = b"x" * 65536
        for _ in range(ONE_GB // len(block)):  # made lazily; never held whole
            if srv.stop.is_set():
                return
            srv.send(conn, block)

    return handler


@pytest.mark.parametrize(("status", "outcome"), [
    ("204 No Content", Outcome.ACKNOWLEDGED),
    ("200 OK", Outcome.ACKNOWLEDGED),
    ("500 Internal Server Error", Outcome.SERVER_ERROR),
])  # fmt: skip
def test_a_one_gigabyte_body_is_read_no_further_than_the_cap(
    serve: Callable[..., RawServer],
    policy: RetryPolicy,
    status: str,
    outcome: Outcome,
) -> None:
    server = serve(endless_body(status))
    tracemalloc.start()
    try:
        with RequestsTransport(replace(policy, timeout=5.0)) as sender:
            result, elapsed = post(sender, server.url(), timeout=5.0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.outcome is outcome
    assert result.body_read <= policy.body_cap_bytes
    assert len(result.body_prefix) <= policy.body_log_bytes
    assert peak < 8 * policy.body_cap_bytes + (4 << 20)
    assert elapsed < 5.0
    server.stop.set()
    time.sleep(0.05)
    assert server.sent < ONE_GB // 16  # the sender stopped long before the end


# 13. a body shorter than its Content-Length


def test_a_body_cut_short_is_connection_closed(
    serve: Callable[..., RawServer], transport: RequestsTransport
) -> None:
    def short(conn: socket.socket, srv: RawServer) -> None:
        srv.read_request(conn)
        srv.send(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this")

    server = serve(short)
    result, elapsed = post(transport, server.url())
    assert result.outcome is Outcome.CONNECTION_CLOSED
    assert result.status == 200
    assert result.body_prefix == b"only this"
    assert elapsed < DEADLINE + MARGIN


# 14. garbage instead of a status line


@pytest.mark.parametrize(
    "garbage",
    [
        b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
        b"HTTP/1.1 abc Nope\r\n\r\n",
        b"\x00\x01\x02binary\r\n\r\n",
    ],
)
def test_garbage_instead_of_a_status_line_is_malformed(
    serve: Callable[..., RawServer], transport: RequestsTransport, garbage: bytes
) -> None:
    def handler(conn: socket.socket, srv: RawServer) -> None:
        srv.read_request(conn)
        srv.send(conn, garbage)

    server = serve(handler)
    result, elapsed = post(transport, server.url())
    assert result.outcome is Outcome.MALFORMED_ANSWER
    assert result.status is None
    assert elapsed < DEADLINE + MARGIN


def test_a_status_beyond_599_is_malformed(
    serve: Callable[..., RawServer], transport: RequestsTransport
) -> None:
    server = serve(
        lambda conn, srv: (srv.read_request(conn), srv.send(conn, answer("700 Odd")))
    )
    result, _ = post(transport, server.url())
    assert result.outcome is Outcome.MALFORMED_ANSWER
    assert result.status == 700


def test_what_the_server_receives(
    serve: Callable[..., RawServer], transport: RequestsTransport
) -> None:
    server = serve(answer_204)
    body = '{"id":"evt_1","name":"Zoë"}'.encode()
    result = transport.send(
        DeliveryRequest(server.url(), body, {"X-Trace": "t-1"}, DEADLINE)
    )
    assert result.outcome is Outcome.ACKNOWLEDGED
    (raw,) = server.requests
    head, _, sent_body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {
        k.lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])
    }
    assert lines[0] == "POST /hooks HTTP/1.1"
    assert sent_body == body
    assert headers["content-type"] == "application/json"
    assert headers["content-length"] == str(len(body))
    assert headers["user-agent"].startswith("chord-webhooks-harness/")
    assert headers["x-trace"] == "t-1"


def test_keep_alive_connections_are_reused(
    serve: Callable[..., RawServer], transport: RequestsTransport
) -> None:
    def keep_alive(conn: socket.socket, srv: RawServer) -> None:
        while srv.read_request(conn):
            srv.send(conn, answer("204 No Content"))

    server = serve(keep_alive)
    for _ in range(3):
        assert post(transport, server.url())[0].outcome is Outcome.ACKNOWLEDGED
    assert server.connections == 1


def test_verify_false_accepts_any_certificate_with_urllib3s_warning(
    serve: Callable[..., RawServer],
    policy: RetryPolicy,
    certificate: tuple[Path, Path],
) -> None:
    server = serve(answer_204, tls=tls_context(certificate))
    with (
        RequestsTransport(policy, verify=False) as sender,
        pytest.warns(InsecureRequestWarning),
    ):
        result, _ = post(sender, server.url(scheme="https"))
    assert result.outcome is Outcome.ACKNOWLEDGED
