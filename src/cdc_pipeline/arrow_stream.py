"""What the sink reads rows through: anything exporting the Arrow PyCapsule stream interface.

The core's own ``_core.ArrowStream`` is one; a pyarrow Table (a batch built in a test or a tool) is another.
Its own module, importing nothing, so that the generated ``_core.pyi`` can name it.
"""

from __future__ import annotations

from typing import Any, Protocol


class ArrowStreamLike(Protocol):
    """Exports its rows as a PyCapsule named ``arrow_array_stream``."""

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any: ...
