"""The delivery contract file: the shipped numbers, aliases, and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.contract import (
    CheckSettings,
    EnvelopeKeys,
    data_dir,
    default_contract,
    load_contract,
)
from harness.errors import ContractFileError, UnknownEventTypeError

SHIPPED = data_dir("contracts") / "chord-oms.toml"


def test_the_shipped_contract_carries_the_documented_numbers() -> None:
    retry = default_contract().retry

    assert retry.success_codes == frozenset({200, 201, 202, 204})
    assert retry.max_attempts == 6
    assert retry.follow_redirects is False
    assert retry.timeout == 10.0
    assert retry.pauses == (5.0, 300.0, 1800.0, 7200.0, 18000.0)
    assert (retry.body_cap_bytes, retry.body_log_bytes) == (65536, 512)
    assert (retry.method, retry.content_type) == ("POST", "application/json")


@pytest.mark.parametrize(
    ("status", "acknowledged"),
    [(200, True), (201, True), (202, True), (204, True), (203, False),
     (205, False), (206, False), (301, False), (304, False), (404, False),
     (500, False), (None, False)],
)  # fmt: skip
def test_only_the_four_codes_acknowledge(
    status: int | None, acknowledged: bool
) -> None:
    assert default_contract().retry.acknowledges(status) is acknowledged


@pytest.mark.parametrize(
    ("attempt", "pause"),
    [(1, 0.0), (2, 5.0), (3, 300.0), (4, 1800.0), (5, 7200.0), (6, 18000.0),
     (7, 18000.0)],
)  # fmt: skip
def test_pauses_follow_the_schedule(attempt: int, pause: float) -> None:
    assert default_contract().retry.pause_before(attempt) == pause


def test_envelope_checks_and_events_of_the_shipped_contract() -> None:
    contract = default_contract()

    assert contract.envelope == EnvelopeKeys("id", "type", "created_at", "data")
    assert contract.checks == CheckSettings(2.0, 24, 8, 6, 120)
    assert contract.event_names == (
        "order_completed",
        "order_canceled",
        "shipment_shipped",
        "shipping_delivery_status_updated",
    )
    assert contract.event("shipping_delivery_status_updated").provenance == (
        "chord-page"
    )
    assert contract.signing_scheme == "none"
    assert contract.path == SHIPPED
    assert all(contract.schema_path(name).is_file() for name in contract.event_names)


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("order_cancelled", "order_canceled"),
        ("order_complete", "order_completed"),
        ("order_finalized", "order_completed"),
        ("shipment_ship", "shipment_shipped"),
        ("order_canceled", "order_canceled"),
    ],
)
def test_aliases_resolve_to_their_event_type(alias: str, name: str) -> None:
    contract = default_contract()
    assert contract.canonical_type(alias) == name
    assert contract.event(alias).name == name


def test_an_unknown_type_suggests_the_nearest() -> None:
    with pytest.raises(UnknownEventTypeError) as caught:
        default_contract().event("shipment_shiped")
    assert caught.value.suggestion == "shipment_shipped"
    assert caught.value.exit_code == 2


def test_the_default_is_loaded_once_and_none_means_the_default() -> None:
    assert default_contract() is default_contract()
    assert load_contract(None) is default_contract()
    assert load_contract(SHIPPED) == default_contract()


def test_a_copy_with_schemas_dir_reads_schemas_beside_it(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    for name in ("a", "b"):
        (tmp_path / "mine" / f"{name}.json").write_text("{}")
    text = SHIPPED.read_text().replace(
        'name = "Chord OMS webhooks"', 'name = "mine"\nschemas_dir = "mine"'
    )
    for spec in default_contract().events:
        text = text.replace(f'"{spec.schema}"', '"a.json"', 1)
    (tmp_path / "c.toml").write_text(text)

    contract = load_contract(tmp_path / "c.toml")

    assert contract.schemas_dir == (tmp_path / "mine").resolve()
    assert contract.schema_path("order_cancelled") == contract.schemas_dir / "a.json"


def _shipped(old: str, new: str) -> str:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in the shipped contract"
    return text.replace(old, new, 1)


BAD_CONTRACTS = [
    pytest.param(None, "not found", id="missing-file"),
    pytest.param("[delivery\nmax_attempts = 6", "is not valid TOML", id="bad-toml"),
    pytest.param(
        _shipped("[200, 201, 202, 204]", "[200, 999]"),
        "at delivery/success_codes/1",
        id="success-code-999",
    ),
    pytest.param(
        _shipped("max_attempts = 6", "max_attempts = 0"),
        "at delivery/max_attempts",
        id="zero-attempts",
    ),
    pytest.param(
        _shipped("timeout_seconds = 10.0", "timeout_seconds = -1.0"),
        "at delivery/timeout_seconds",
        id="negative-timeout",
    ),
    pytest.param(
        _shipped("follow_redirects = false", "follow_redirects = true"),
        "at delivery/follow_redirects",
        id="follows-redirects",
    ),
    pytest.param(
        _shipped('schema = "order_canceled.schema.json"', 'schema = "nope.json"'),
        "schema 'nope.json' of event type 'order_canceled' not found",
        id="missing-schema-file",
    ),
    pytest.param(
        _shipped('aliases = ["order_cancelled"]', 'aliases = ["order_complete"]'),
        "names event type 'order_complete' twice",
        id="duplicate-alias",
    ),
    pytest.param(_shipped("format = 1", "format = 2"), "at format", id="format-2"),
    pytest.param(
        _shipped("[5.0, 300.0, 1800.0, 7200.0, 18000.0]", "[]"),
        "repeats deliveries but has no pauses_seconds",
        id="no-pauses",
    ),
    pytest.param(
        _shipped('provenance = "chord-page"', 'provenance = "rumour"'),
        "at events/3/provenance",
        id="bad-provenance",
    ),
    pytest.param(
        _shipped("[checks]", "[checks]\nretries = 3"),
        "at checks",
        id="unknown-key",
    ),
    pytest.param(b"\xff\xfe\x00bad", "cannot be read", id="not-utf8"),
]


@pytest.mark.parametrize(("content", "words"), BAD_CONTRACTS)
def test_bad_contract_files_raise_contract_file_error(
    tmp_path: Path, content: str | bytes | None, words: str
) -> None:
    path = tmp_path / "contract.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")

    with pytest.raises(ContractFileError) as caught:
        load_contract(path)

    message = str(caught.value)
    assert words in message
    assert "\n" not in message
    assert caught.value.remedy
    assert caught.value.exit_code == 2


def test_a_folder_is_not_a_contract_file(tmp_path: Path) -> None:
    with pytest.raises(ContractFileError, match="is a folder"):
        load_contract(tmp_path)
