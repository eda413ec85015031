"""The extension runs the confluent-kafka wheel's librdkafka (>= 2.2), shipped beside it with its licence."""

from __future__ import annotations

import subprocess
from pathlib import Path

from cdc_pipeline import _core

MODULE_DIR = Path(_core.__file__).parent


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3])


def test_extension_runs_librdkafka_2_2_or_newer() -> None:
    # 2.2 added fetch.queue.backoff.ms, which the read side needs (Debian 12's 2.0.2 stalls its fetches).
    assert _version(_core.librdkafka_version()) >= (2, 2, 0), _core.librdkafka_version()


def test_library_and_licence_travel_with_the_module() -> None:
    libraries = sorted(MODULE_DIR.glob("librdkafka*.so*"))
    assert libraries, f"no librdkafka beside {_core.__file__}"
    licence = (MODULE_DIR / "librdkafka.LICENSE").read_text()
    assert "librdkafka" in licence and "OpenSSL" in licence  # its own and its bundled libraries' terms
    readelf = ["readelf", "-d", _core.__file__]
    dynamic = subprocess.run(readelf, capture_output=True, text=True, check=True).stdout
    assert f"[{libraries[0].name}]" in dynamic  # linked by that file's soname ...
    assert "[$ORIGIN]" in dynamic  # ... and found beside the module, with no LD_PRELOAD or system install
