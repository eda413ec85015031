"""Runtime cache key and Maven invocation of stack/runtime.py (no Maven is run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.errors import StackError
from cdc_pipeline.stack import runtime
from cdc_pipeline.stack.runtime import cache_key, kafka_version, logging_backend, maven_command, pom_text


def test_packaged_pom_pins_the_versions() -> None:
    pom = pom_text()
    assert kafka_version(pom) == "4.3.1"
    assert "<debezium.version>3.7.0.Final</debezium.version>" in pom
    assert "<slf4j.version>1.7.36</slf4j.version>" in pom
    assert "<dependency.plugin.version>3.8.1</dependency.plugin.version>" in pom
    assert "<classifier>plugin</classifier>" in pom and "<type>tar.gz</type>" in pom
    assert "http" not in pom.replace("http://maven.apache.org/POM/4.0.0", "")  # no registry host hard-coded


def test_cache_key_follows_the_pom_content() -> None:
    pom = pom_text()
    assert cache_key(pom) == cache_key(pom)
    assert cache_key(pom).startswith("kafka-4.3.1-")
    changed = pom.replace("<kafka.version>4.3.1<", "<kafka.version>3.9.1<")
    assert cache_key(changed).startswith("kafka-3.9.1-")
    assert cache_key(pom + "\n") != cache_key(pom)


def test_kafka_version_is_required() -> None:
    with pytest.raises(StackError, match=r"kafka\.version"):
        kafka_version("<project/>")


@pytest.mark.parametrize(
    ("version", "backend"), [("4.3.1", "log4j2"), ("3.9.1", "reload4j"), ("10.0.0", "log4j2")]
)
def test_logging_backend(version: str, backend: str) -> None:
    assert logging_backend(version) == backend


def test_maven_command_is_batch_quiet_and_pins_the_plugin(tmp_path: Path) -> None:
    argv = maven_command(tmp_path / "pom.xml", tmp_path, "log4j2")
    assert argv[:3] == ["mvn", "-B", "-q"]
    assert "-Plog4j2" in argv and f"-Druntime.dir={tmp_path}" in argv
    goals = [a for a in argv if "@" in a]
    assert all(g.startswith("org.apache.maven.plugins:maven-dependency-plugin:3.8.1:") for g in goals)


def test_complete_cache_is_reused_without_maven(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(state_dir=tmp_path / "state", runtime_cache=tmp_path / "cache")
    root = tmp_path / "cache" / cache_key(pom_text())
    root.mkdir(parents=True)
    (root / runtime.MARKER).write_text("done")
    monkeypatch.setattr("shutil.which", lambda tool: None if tool == "mvn" else "/usr/bin/java")
    paths = runtime.ensure_runtime(settings, lambda _: None)
    assert paths.lib_dir == root / "lib" and paths.plugin_dir == root / "plugins"
    assert paths.classpath == f"{root / 'lib'}/*"


def test_missing_maven_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(state_dir=tmp_path / "state", runtime_cache=tmp_path / "cache")
    monkeypatch.setattr("shutil.which", lambda tool: None if tool == "mvn" else "/usr/bin/java")
    with pytest.raises(StackError, match="mvn"):
        runtime.ensure_runtime(settings, lambda _: None)
