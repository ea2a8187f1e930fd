"""The pytest plugin end to end, through pytester."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.checks import CHECKS
from harness.receiver import Mode, ReferenceReceiver

PER_TYPE = [check.id for check in CHECKS if check.id != "out-of-order"]


@pytest.fixture
def receiver() -> Iterator[ReferenceReceiver]:
    with ReferenceReceiver() as running:
        yield running


@pytest.fixture
def rejecting() -> Iterator[ReferenceReceiver]:
    with ReferenceReceiver(mode=Mode.REJECT_UNKNOWN) as running:
        yield running


def _label(check_id: str) -> str:
    return "lifecycle" if check_id == "out-of-order" else "order_completed"


def test_dormant_without_an_endpoint(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHORD_WEBHOOK_URL", raising=False)
    pytester.makepyfile("def test_own():\n    assert True\n")

    result = pytester.runpytest()

    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*chord-contract*")


def test_collects_one_item_per_check_and_type_with_readable_ids(
    pytester: pytest.Pytester, receiver: ReferenceReceiver
) -> None:
    result = pytester.runpytest(
        f"--chord-endpoint={receiver.url}", "--chord-events=order_completed", "--co"
    )

    result.stdout.fnmatch_lines(
        ["collected 11 items"]
        + [f"*{check.id}[[]{_label(check.id)}[]]*" for check in CHECKS]
    )
    assert result.ret == 0


def test_suite_passes_against_the_reference_receiver_with_no_test_files(
    pytester: pytest.Pytester, receiver: ReferenceReceiver
) -> None:
    result = pytester.runpytest(
        f"--chord-endpoint={receiver.url}",
        "--chord-events=order_completed,shipment_shipped",
    )

    # processed-once is skipped: no chord_processed_count fixture was given.
    result.assert_outcomes(passed=2 * len(PER_TYPE) - 2 + 1, skipped=2)
    result.stdout.fnmatch_lines(["*chord: verifying*"])


def test_endpoint_comes_from_the_environment(
    pytester: pytest.Pytester,
    receiver: ReferenceReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHORD_WEBHOOK_URL", receiver.url)

    result = pytester.runpytest("--chord-events=order_canceled", "-k", "acknowledged")

    result.assert_outcomes(passed=2, deselected=len(PER_TYPE) - 2 + 1)


def test_a_broken_rule_fails_with_the_verdict(
    pytester: pytest.Pytester, rejecting: ReferenceReceiver
) -> None:
    result = pytester.runpytest(
        f"--chord-endpoint={rejecting.url}", "--chord-events=order_completed"
    )

    assert result.ret == 1
    # out-of-order needs two subscribed types; processed-once an observer.
    result.assert_outcomes(passed=len(PER_TYPE) - 2, failed=1, skipped=2)
    result.stdout.fnmatch_lines(
        [
            "*unknown-event-type[[]order_completed[]]: FAILED*",
            "rule: an event of a type the catalog does not have*",
            "*reproduce with:*",
            "*curl -sS -i -X POST*",
        ]
    )


def test_processed_once_uses_the_users_conftest_fixture(
    pytester: pytest.Pytester,
) -> None:
    with ReferenceReceiver(mode=Mode.NO_DEDUPE) as duplicating:
        pytester.makeconftest(
            f"""
            import json, urllib.request
            import pytest

            @pytest.fixture(scope="session")
            def chord_processed_count():
                def count(event_id):
                    url = "{duplicating.observe_url}" + event_id
                    with urllib.request.urlopen(url, timeout=5) as answer:
                        return json.load(answer)["count"]
                return count
            """
        )
        result = pytester.runpytest(
            f"--chord-endpoint={duplicating.url}",
            "--chord-events=order_completed",
            "-k",
            "processed",
        )

    result.assert_outcomes(failed=1, deselected=len(PER_TYPE))
    result.stdout.fnmatch_lines(["*delivered twice and processed 2 times*"])


def test_junit_xml_through_pytest(
    pytester: pytest.Pytester, receiver: ReferenceReceiver
) -> None:
    result = pytester.runpytest(
        f"--chord-endpoint={receiver.url}",
        "--chord-events=order_completed",
        "--junitxml=report.xml",
    )

    assert result.ret == 0
    xml = (pytester.path / "report.xml").read_text()
    assert 'name="acknowledged[order_completed]"' in xml


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--chord-endpoint=not a url"], "*chord: *not a URL*"),
        (
            ["--chord-endpoint=http://127.0.0.1:9/", "--chord-events=ordr_completed"],
            "*chord: unknown event type 'ordr_completed'*did you mean*",
        ),
        (
            ["--chord-endpoint=http://127.0.0.1:9/", "--chord-timeout=soon"],
            "*chord: --chord-timeout takes a number of seconds, above 0, not 'soon'*",
        ),
        (["--chord-require-endpoint"], "*chord: no endpoint to verify*"),
    ],
    ids=["bad-url", "unknown-event", "bad-timeout", "required-endpoint"],
)
def test_misuse_is_a_usage_error_not_a_failing_test(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.delenv("CHORD_WEBHOOK_URL", raising=False)

    result = pytester.runpytest(*args)

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_ini_keys_configure_the_suite(
    pytester: pytest.Pytester, receiver: ReferenceReceiver
) -> None:
    pytester.makeini(
        f"""
        [pytest]
        chord_endpoint = {receiver.url}
        chord_events = shipment_shipped
        chord_seed = 11
        """
    )

    result = pytester.runpytest("-k", "prompt")

    result.assert_outcomes(passed=1, deselected=len(PER_TYPE) - 1 + 1)
    result.stdout.fnmatch_lines(["*for shipment_shipped (seed 11)*"])


def test_fixtures_make_valid_seeded_events(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_event(chord_event, chord_validator, chord_seed):
            event = chord_event("order_cancelled")
            assert event["type"] == "order_canceled"
            chord_validator.assert_valid(event)
            assert chord_event("order_completed") != chord_event("order_completed")

        def test_scenario(chord_scenario, chord_validator):
            events = chord_scenario("lifecycle")
            assert events[0]["type"] == "order_completed"
            for event in events:
                chord_validator.assert_valid(event)

        def test_fails(chord_event):
            chord_event("order_completed")
            assert False
        """
    )

    result = pytester.runpytest("-p", "no:randomly")

    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*chord seed*", "*this test's chord_seed was *"])


def test_event_fixture_is_reproducible_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import json
        def test_one(chord_event, chord_seed):
            print("EVENT", chord_seed, json.dumps(chord_event("order_completed")))
        """
    )

    first = pytester.runpytest("-s", "--chord-seed=5")
    second = pytester.runpytest("-s", "--chord-seed=5")
    other = pytester.runpytest("-s", "--chord-seed=6")

    def line(result: pytest.RunResult) -> str:
        text = next(text for text in result.outlines if "EVENT " in text)
        return text[text.index("EVENT ") :]

    assert line(first) == line(second)
    assert line(first) != line(other)


def test_deliver_and_check_fixtures(
    pytester: pytest.Pytester, receiver: ReferenceReceiver
) -> None:
    pytester.makepyfile(
        f"""
        URL = "{receiver.url}"

        def test_deliver(chord_deliver, chord_event):
            log = chord_deliver(URL, chord_event("order_completed"))
            assert log.received_on == 1

        def test_check(chord_check):
            verdict = chord_check("unknown-event-type", URL, "shipment_shipped")
            assert verdict.passed, verdict.render()
        """
    )

    pytester.runpytest().assert_outcomes(passed=2)
