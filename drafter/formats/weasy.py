"""Import WeasyPrint without its slowest start-up step.

WeasyPrint opens Pango, HarfBuzz and friends through cffi, trying names such as
'libpango-1.0-0' before the real soname 'libpango-1.0.so.0'. Each failed name makes cffi call
`ctypes.util.find_library`, which runs gcc and ldconfig in subprocesses: about 0.3 s of a cold
render on Debian. During the import only, find_library answers "not found" at once, so cffi
moves on to the names that dlopen directly; if that leaves a library unloaded, the import is
retried the ordinary way.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager


@contextmanager
def _no_library_search():
    import ctypes.util
    original = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = original


def import_weasyprint():
    """The weasyprint module, imported quickly where the platform allows."""
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    try:
        with _no_library_search():
            import weasyprint
        return weasyprint
    except (OSError, ImportError):
        for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            del sys.modules[name]
        import weasyprint
        return weasyprint
