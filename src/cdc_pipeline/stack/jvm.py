"""What the broker and the Connect worker share: the java command line and the logging config.

Logs go to stdout, which ``Processes.spawn`` appends to ``<state_dir>/logs/<name>.log``; no rolling file
appenders, so the jars need nothing beyond log4j-core (4.x) or reload4j (3.9).
"""

from __future__ import annotations

from pathlib import Path

from cdc_pipeline.stack.runtime import RuntimePaths

# %X{connector.context} is Connect's "[connector|task-0] " on a connector's threads (empty elsewhere), so
# a line names its connector (`cdc status` reads a task's retries and last error from them).
LOG_PATTERN = "[%d] %p %X{connector.context}%m (%c)%n"

# Quiet Kafka's chatty INFO, keep Debezium's progress (snapshot, streaming) visible in connect.log.
LOGGER_LEVELS = {
    "kafka": "WARN",
    "org.apache.kafka": "WARN",
    "org.apache.kafka.connect.runtime.rest": "WARN",
    "kafka.server.KafkaRaftServer": "INFO",
    "state.change.logger": "WARN",
    "org.apache.kafka.connect.runtime.Worker": "INFO",
    "io.debezium": "INFO",
}


def log4j2_properties() -> str:
    """A log4j2 ``.properties`` config: log4j-core parses it natively (YAML needs jackson-dataformat-yaml)."""
    lines = [
        "status = warn",
        "appender.out.type = Console",
        "appender.out.name = STDOUT",
        "appender.out.layout.type = PatternLayout",
        f"appender.out.layout.pattern = {LOG_PATTERN}",
        "rootLogger.level = INFO",
        "rootLogger.appenderRef.out.ref = STDOUT",
    ]
    for index, (name, level) in enumerate(LOGGER_LEVELS.items()):
        lines += [f"logger.l{index}.name = {name}", f"logger.l{index}.level = {level}"]
    return "\n".join(lines) + "\n"


def log4j1_properties() -> str:
    """The same config for reload4j (Kafka 3.9.x)."""
    lines = [
        "log4j.rootLogger=INFO, stdout",
        "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
        "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
        f"log4j.appender.stdout.layout.ConversionPattern={LOG_PATTERN}",
    ]
    lines += [f"log4j.logger.{name}={level}" for name, level in LOGGER_LEVELS.items()]
    return "\n".join(lines) + "\n"


def write_log_config(runtime: RuntimePaths, conf_dir: Path) -> list[str]:
    """Write the logging config for the runtime's backend; return the JVM flags that select it."""
    conf_dir.mkdir(parents=True, exist_ok=True)
    if runtime.logging == "reload4j":
        path = conf_dir / "log4j.properties"
        path.write_text(log4j1_properties(), encoding="utf-8")
        return [f"-Dlog4j.configuration=file:{path}"]
    path = conf_dir / "log4j2.properties"
    path.write_text(log4j2_properties(), encoding="utf-8")
    return [f"-Dlog4j2.configurationFile={path}"]


def properties_text(values: dict[str, str]) -> str:
    """Java ``.properties`` text, one ``key=value`` per line in the given order."""
    return "".join(f"{key}={value}\n" for key, value in values.items())


def java_command(
    runtime: RuntimePaths, *, heap: str, token: str, log_flags: list[str], logs_dir: Path, main: list[str]
) -> list[str]:
    """The java argv; ``-Dcdc.stack=<token>`` marks the process as ours (see process.py)."""
    return [
        "java",
        f"-Xms{_min_heap(heap)}",
        f"-Xmx{heap}",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:+ExplicitGCInvokesConcurrent",
        "-Djava.awt.headless=true",
        f"-Dcdc.stack={token}",
        f"-Dkafka.logs.dir={logs_dir}",
        *log_flags,
        "-cp",
        runtime.classpath,
        *main,
    ]


def _min_heap(heap: str) -> str:
    """Start small (at most 256m) so an idle stack does not reserve its whole heap up front."""
    amount, unit = int(heap[:-1]), heap[-1]
    megabytes = amount * 1024 if unit == "g" else amount
    return f"{min(megabytes, 256)}m"
