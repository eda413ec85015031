"""cdc_pipeline: PostgreSQL -> Debezium (Kafka Connect) -> Kafka -> DuckDB."""

__version__ = "0.1.0"
