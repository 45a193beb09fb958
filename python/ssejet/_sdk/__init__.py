"""SDK integration: ``accelerate()`` for the openai and Ark SDKs (``seam``, one module per
SDK, ``streams``), and the bridge that gives chunks the SDK models' ``model_dump()``
(``dump``), which this package installs into the core when it loads.
"""

from .._hooks import install_sdk_dump
from .dump import dump_chunk
from .seam import accelerate

install_sdk_dump(dump_chunk)

__all__ = ["accelerate"]
