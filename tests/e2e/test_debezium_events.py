"""Changes made in PostgreSQL arrive in Kafka as Debezium events, read through the C++ core's consumer."""

from __future__ import annotations

import json
import uuid

import psycopg

from cdc_pipeline import _core
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import TableRef
from tests.e2e.kafka_helpers import read_topic


def _key_id(message: _core.Message) -> int:
    assert message.key is not None
    return int(json.loads(message.key)["payload"]["id"])


def test_insert_update_delete_arrive_as_c_u_d_and_tombstone(
    stack_settings: Settings, pg: psycopg.Connection[tuple[object, ...]]
) -> None:
    table = f"events_{uuid.uuid4().hex[:8]}"
    settings = stack_settings.model_copy(
        update={"connector_name": f"e2e_{table}", "topic_prefix": f"e2e_{table}"}
    )
    pg.execute(f'CREATE TABLE public."{table}" (id integer PRIMARY KEY, note text)')
    apply_connector(settings, [TableRef("public", table)])

    pg.execute(f"INSERT INTO public.\"{table}\" VALUES (1, 'one'), (2, 'two')")
    pg.execute(f"UPDATE public.\"{table}\" SET note = 'uno' WHERE id = 1")
    pg.execute(f'DELETE FROM public."{table}" WHERE id = 2')

    messages = read_topic(settings.bootstrap_servers, f"{settings.topic_prefix}.public.{table}", count=5)
    headers = [_core.decode_envelope_header(m.value) if m.value is not None else None for m in messages]
    ops = [h.op if h else "tombstone" for h in headers]
    assert ops == ["c", "c", "u", "d", "tombstone"]
    assert [_key_id(m) for m in messages] == [1, 2, 1, 2, 2]
    assert all(h.schema == "public" and h.table == table for h in headers if h)
    lsns = [h.lsn for h in headers if h]
    assert all(lsn is not None for lsn in lsns) and lsns == sorted(lsns)
    update_after = json.loads(messages[2].value or b"{}")["payload"]["after"]
    assert update_after == {"id": 1, "note": "uno"}

    with ConnectClient(settings.connect_url) as client:
        client.delete(settings.connector_name)
    pg.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active")
