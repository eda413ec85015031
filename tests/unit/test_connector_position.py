"""Resume or re-snapshot: the decision from Connect's stored offset and the replication slot's position."""

from __future__ import annotations

import httpx
import pytest

from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.position import (
    SlotPosition,
    StoredOffset,
    decide,
    format_lsn,
    parse_lsn,
    parse_offsets,
)

SLOT = "cdc_orders"


def offset(lsn_commit: int | None = 1000, lsn: int = 1010) -> StoredOffset:
    return StoredOffset(lsn=lsn, lsn_commit=lsn_commit, lsn_proc=lsn, tx_id=7)


def slot(confirmed: int | None) -> SlotPosition:
    return SlotPosition(SLOT, confirmed, restart_lsn=None if confirmed is None else confirmed - 100)


def test_a_slot_at_or_behind_the_stored_offset_resumes_exactly() -> None:
    for confirmed in (1000, 900):
        decision = decide(offset(), slot(confirmed), SLOT)
        assert decision.kind == "resume" and decision.lsn == 1000
        assert not decision.clear_offsets and not decision.drop_slot
        assert decision.line().startswith("resumed at LSN 0/3E8")


def test_a_slot_one_byte_ahead_of_the_stored_offset_re_snapshots_and_drops_it() -> None:
    decision = decide(offset(), slot(1001), SLOT)
    assert (decision.kind, decision.clear_offsets, decision.drop_slot) == ("resnapshot", True, True)
    assert "after the stored offset" in decision.reason


def test_the_comparison_uses_lsn_commit_which_debezium_confirms_to_the_slot() -> None:
    # The slot is past lsn_commit but not past lsn: a transaction committed after lsn_commit may be lost.
    assert decide(offset(lsn_commit=1000, lsn=2000), slot(1500), SLOT).kind == "resnapshot"
    # Without lsn_commit (no commit seen yet), lsn_proc is what Debezium confirms.
    assert decide(offset(lsn_commit=None, lsn=2000), slot(1500), SLOT).kind == "resume"


def test_a_dropped_slot_with_a_stored_offset_re_snapshots_and_clears_the_offset() -> None:
    decision = decide(offset(), None, SLOT)
    assert (decision.kind, decision.clear_offsets, decision.drop_slot) == ("resnapshot", True, False)
    assert decision.line() == (
        "re-snapshot: slot cdc_orders was dropped: no slot keeps the WAL after the stored offset "
        "(LSN 0/3E8); cleared the offset"
    )


def test_no_offset_snapshots_and_a_leftover_slot_is_dropped_first() -> None:
    fresh = decide(None, None, SLOT)
    assert (fresh.kind, fresh.clear_offsets, fresh.drop_slot) == ("snapshot", False, False)
    leftover = decide(None, slot(500), SLOT)
    assert (leftover.kind, leftover.clear_offsets, leftover.drop_slot) == ("resnapshot", False, True)


def test_an_interrupted_snapshot_resumes_and_says_debezium_restarts_it() -> None:
    stored = StoredOffset(lsn=1000, snapshot_in_progress=True)
    decision = decide(stored, slot(1000), SLOT)
    assert decision.kind == "resume" and "interrupted snapshot" in decision.reason


def test_lsn_text_round_trips() -> None:
    assert parse_lsn("16/B374D848") == (0x16 << 32) | 0xB374D848
    assert format_lsn(parse_lsn("16/B374D848")) == "16/B374D848"
    assert format_lsn(None) == "unknown"


def test_offsets_answer_is_read_for_this_topic_prefix_only() -> None:
    answer = {
        "offsets": [
            {"partition": {"server": "other"}, "offset": {"lsn": 1}},
            {
                "partition": {"server": "cdc"},
                "offset": {"lsn": 30, "lsn_proc": 30, "lsn_commit": 20, "txId": 9, "ts_usec": 1},
            },
        ]
    }
    assert parse_offsets(answer, "cdc") == StoredOffset(lsn=30, lsn_commit=20, lsn_proc=30, tx_id=9)
    assert parse_offsets({"offsets": []}, "cdc") is None
    snapshotting = {"offsets": [{"partition": {"server": "cdc"}, "offset": {"lsn": 5, "snapshot": True}}]}
    assert parse_offsets(snapshotting, "cdc") == StoredOffset(lsn=5, snapshot_in_progress=True)
    done = {
        "offsets": [
            {
                "partition": {"server": "cdc"},
                "offset": {"lsn": 5, "snapshot": True, "last_snapshot_record": True},
            }
        ]
    }
    assert parse_offsets(done, "cdc") == StoredOffset(lsn=5)


def test_client_creates_stopped_and_reads_and_resets_offsets() -> None:
    seen: list[tuple[str, str, bytes]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path, request.content))
        if request.method == "POST":
            return httpx.Response(201, json={})
        if request.method == "GET":
            return httpx.Response(200, json={"offsets": []})
        return httpx.Response(200, json={"message": "reset"})

    with ConnectClient("http://connect", transport=httpx.MockTransport(handler)) as client:
        client.create_stopped("c", {"a": "1"})
        assert client.offsets("c") == {"offsets": []}
        client.delete_offsets("c")
    assert [(m, p) for m, p, _ in seen] == [
        ("POST", "/connectors"),
        ("GET", "/connectors/c/offsets"),
        ("DELETE", "/connectors/c/offsets"),
    ]
    assert b'"initial_state": "STOPPED"' in seen[0][2] or b'"initial_state":"STOPPED"' in seen[0][2]


def test_apply_and_restart_print_which_happened_and_why(capsys: pytest.CaptureFixture[str]) -> None:
    from cdc_pipeline.cli.connectors import _render_apply, _render_restart  # noqa: PLC0415
    from cdc_pipeline.connectors.apply import ApplyReport  # noqa: PLC0415
    from cdc_pipeline.connectors.connect_client import ConnectorState, TaskState  # noqa: PLC0415
    from cdc_pipeline.connectors.lifecycle import RestartReport  # noqa: PLC0415

    running = ConnectorState("c", "RUNNING", [TaskState(0, "RUNNING")])
    _render_apply(ApplyReport("c", "created", running, position=decide(offset(), slot(900), SLOT)))
    _render_restart(RestartReport("c", ["connector", "task 0"], running, decide(offset(), None, SLOT)))
    printed = " ".join(capsys.readouterr().out.split())
    assert "c resumed at LSN 0/3E8: slot cdc_orders still holds every change after it" in printed
    assert "c re-snapshot: slot cdc_orders was dropped" in printed


def test_a_slot_whose_restart_lsn_is_after_the_offset_re_snapshots_as_debezium_would_refuse_it() -> None:
    stored = StoredOffset(lsn=1010, lsn_commit=1000, lsn_proc=1010)
    decision = decide(stored, SlotPosition(SLOT, 1000, restart_lsn=1011), SLOT)
    assert (decision.kind, decision.clear_offsets, decision.drop_slot) == ("resnapshot", True, True)
    assert "keeps WAL only from LSN 0/3F3" in decision.reason
    assert decide(stored, SlotPosition(SLOT, 1000, restart_lsn=1010), SLOT).kind == "resume"


def test_status_of_a_failed_task_names_restart_as_the_fix(capsys: pytest.CaptureFixture[str]) -> None:
    from cdc_pipeline.cli.connectors import _render_status  # noqa: PLC0415
    from cdc_pipeline.connectors.connect_client import ConnectorState, TaskState  # noqa: PLC0415
    from cdc_pipeline.connectors.lifecycle import ConnectorStatus  # noqa: PLC0415

    state = ConnectorState("c", "RUNNING", [TaskState(0, "FAILED", "DebeziumException: no longer available")])
    _render_status(ConnectorStatus("c", state))
    printed = " ".join(capsys.readouterr().out.split())
    assert "then `cdc connectors restart`: it resumes at the stored offset, or re-snapshots" in printed


def test_the_preview_says_what_apply_would_do_before_anything_changes() -> None:
    assert decide(offset(), None, SLOT).preview() == (
        "re-snapshot: slot cdc_orders was dropped: no slot keeps the WAL after the stored offset (LSN 0/3E8) "
        "(it would clear the offset)"
    )
    assert (
        decide(offset(), slot(2000), SLOT).preview().endswith("(it would drop the slot and clear the offset)")
    )
    assert decide(offset(), slot(900), SLOT).preview().startswith("resume at LSN 0/3E8: ")
