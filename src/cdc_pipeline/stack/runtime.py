"""The JVM runtime of the local stack: Kafka, Kafka Connect and Debezium jars from Maven Central, cached.

The packaged ``runtime/pom.xml`` is the single list of what runs. Its content hash names the cache directory,
so editing a version downloads a fresh set once and every later ``cdc up`` reuses it without calling Maven.
The ``.complete`` marker is written last: an interrupted download leaves no marker and is redone from scratch.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.errors import StackError

DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
MARKER = ".complete"
DEBEZIUM_PLUGIN_DIR = "debezium-connector-postgres"


@dataclass(frozen=True)
class RuntimePaths:
    """Where the jars are: ``lib_dir`` is the broker and worker classpath, ``plugin_dir`` the plugin.path."""

    lib_dir: Path
    plugin_dir: Path
    kafka_version: str

    @property
    def classpath(self) -> str:
        # java expands a trailing `dir/*` to every jar in dir, as kafka-run-class.sh relies on
        return f"{self.lib_dir}/*"

    @property
    def logging(self) -> str:
        """'reload4j' for Kafka 3.x (log4j 1.x config), 'log4j2' for 4.x."""
        return logging_backend(self.kafka_version)


def pom_text() -> str:
    return resources.files("cdc_pipeline.stack").joinpath("runtime/pom.xml").read_text(encoding="utf-8")


def cache_key(pom: str) -> str:
    """Directory name for one pom: readable Kafka version plus a hash of the exact content."""
    digest = hashlib.sha256(pom.encode("utf-8")).hexdigest()[:16]
    return f"kafka-{kafka_version(pom)}-{digest}"


def kafka_version(pom: str) -> str:
    match = re.search(r"<kafka\.version>\s*([^<\s]+)\s*</kafka\.version>", pom)
    if match is None:
        raise StackError("runtime/pom.xml has no <kafka.version> property", "restore the packaged pom")
    return match.group(1)


def logging_backend(version: str) -> str:
    return "reload4j" if int(version.split(".", maxsplit=1)[0]) < 4 else "log4j2"


def maven_command(pom_file: Path, runtime_dir: Path, backend: str) -> list[str]:
    """One quiet, non-interactive Maven run that fills ``lib/`` and unpacks the Debezium plugin archive."""
    return [
        "mvn",
        "-B",
        "-q",
        "-Dstyle.color=never",
        "-f",
        str(pom_file),
        f"-P{backend}",
        f"-Druntime.dir={runtime_dir}",
        f"{DEPENDENCY_PLUGIN}:copy-dependencies@lib",
        f"{DEPENDENCY_PLUGIN}:unpack@plugins",
    ]


def ensure_runtime(settings: Settings, progress: Callable[[str], None]) -> RuntimePaths:
    """Return the cached runtime for the packaged pom, downloading it first if needed (once, under a lock)."""
    pom = pom_text()
    root = settings.runtime_cache / cache_key(pom)
    paths = RuntimePaths(root / "lib", root / "plugins", kafka_version(pom))
    _require_tool("java", "openjdk-17-jre-headless")
    if (root / MARKER).is_file():
        return paths
    _require_tool("mvn", "maven")
    settings.runtime_cache.mkdir(parents=True, exist_ok=True)
    with (settings.runtime_cache / f"{root.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a concurrent `cdc up` waits here, then sees the marker
        if not (root / MARKER).is_file():
            progress(f"downloading Kafka {paths.kafka_version}, Connect and Debezium jars into {root} (once)")
            _download(pom, root, paths)
    return paths


def _require_tool(tool: str, package: str) -> None:
    if shutil.which(tool) is None:
        raise StackError(
            f"`{tool}` is not on PATH; the local stack needs it to run Kafka and Kafka Connect",
            f"install it (Debian: apt-get install {package})",
        )


def _download(pom: str, root: Path, paths: RuntimePaths) -> None:
    shutil.rmtree(root, ignore_errors=True)  # leftovers of an interrupted run
    root.mkdir(parents=True)
    pom_file = root / "pom.xml"
    pom_file.write_text(pom, encoding="utf-8")  # mvn writes target/ next to the pom: keep that in the cache
    log_file = root / "mvn.log"
    with log_file.open("wb") as log:
        result = subprocess.run(
            maven_command(pom_file, root, paths.logging),
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode != 0:
        raise StackError(
            f"downloading the stack runtime (Kafka {paths.kafka_version} via kafka_2.13/connect-runtime, "
            f"Debezium plugin per {pom_file}) failed with mvn exit code {result.returncode}: "
            f"{_last_error(log_file)}",
            f"see {log_file}; check Maven's access to the package registry, then rerun `cdc up`",
        )
    _check_layout(paths, log_file)
    shutil.rmtree(root / "target", ignore_errors=True)
    (root / MARKER).write_text(f"kafka {paths.kafka_version}\n", encoding="utf-8")


def _check_layout(paths: RuntimePaths, log_file: Path) -> None:
    jars = {path.name for path in paths.lib_dir.glob("*.jar")}
    if (
        f"kafka_2.13-{paths.kafka_version}.jar" not in jars
        or f"connect-runtime-{paths.kafka_version}.jar" not in jars
    ):
        raise StackError(f"Maven finished but {paths.lib_dir} lacks the Kafka jars", f"see {log_file}")
    if not any((paths.plugin_dir / DEBEZIUM_PLUGIN_DIR).glob("debezium-connector-postgres-*.jar")):
        raise StackError(
            f"Maven finished but {paths.plugin_dir / DEBEZIUM_PLUGIN_DIR} lacks the Debezium connector jar",
            f"see {log_file}",
        )


def _last_error(log_file: Path) -> str:
    lines = log_file.read_text(encoding="utf-8", errors="replace").splitlines()
    errors = [line.strip() for line in lines if "[ERROR]" in line or "ERROR" in line]
    return (errors[0] if errors else (lines[-1] if lines else "no output"))[:300]
