"""Build the TLS context on a second core while the main thread imports httpx and parses the config.

Loading the CA bundle takes ~50 ms and CPython releases the GIL while OpenSSL parses it, so the
work overlaps with start-up instead of adding to it (benchmarks/). Same trust as httpx's default:
$SSL_CERT_FILE, else $SSL_CERT_DIR, else certifi's bundle.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from outagecheck.errors import ConfigError
from outagecheck.files import CA_CAP, read_capped

if TYPE_CHECKING:
    import ssl


class ContextLoader:
    """Start loading at construction (or at start()); result() waits and returns the context or raises ConfigError."""

    def __init__(self, *, deferred: bool = False) -> None:
        self._context: ssl.SSLContext | None = None
        self._error: ConfigError | None = None
        self._thread = threading.Thread(target=self._load, name="outagecheck-tls", daemon=True)
        self._begun = threading.Event()  # result() may be called (on another thread) before start()
        if not deferred:  # deferred: start() later (checks/early.py starts its connections first)
            self.start()

    def start(self) -> None:
        self._thread.start()
        self._begun.set()

    def _load(self) -> None:
        cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
        try:
            import ssl  # noqa: PLC0415  # on this thread: the main thread never waits for it

            if cafile:
                self._context = ssl.create_default_context(cadata=_bundle(Path(cafile)))
            elif capath:
                self._context = ssl.create_default_context(capath=capath)
            else:
                self._context = ssl.create_default_context(cafile=_certifi_bundle())
        except ConfigError as e:
            self._error = ConfigError(f"SSL_CERT_FILE: {e}")
        except Exception as e:  # OSError, ssl.SSLError; or an import a Ctrl-C left half done on the main
            # thread: raised here it would print "Exception in thread" and a traceback after the one-line exit.
            where = f"SSL_CERT_FILE={cafile}" if cafile else f"SSL_CERT_DIR={capath}" if capath else "certifi"
            why = e.strerror if isinstance(e, OSError) and e.strerror else e
            self._error = ConfigError(f"cannot load CA certificates from {where}: {why}")

    def result(self) -> ssl.SSLContext:
        self._begun.wait()
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._context is not None
        return self._context


def _certifi_bundle() -> str:
    """certifi's cacert.pem, found without importing certifi (~16 ms of the GIL; finding it takes ~1 ms)."""
    import importlib.util  # noqa: PLC0415  # on the loader's thread

    spec = importlib.util.find_spec("certifi")
    for folder in (spec and spec.submodule_search_locations) or ():
        if (bundle := Path(folder, "cacert.pem")).is_file():
            return str(bundle)
    import certifi  # noqa: PLC0415  # an unusual install (a zip): let certifi say where

    return certifi.where()


def _bundle(path: Path) -> str | bytes:
    """The CA bundle SSL_CERT_FILE names, read under a cap: OpenSSL would block on a FIFO and read
    /dev/zero until memory runs out. PEM as text (non-ASCII comments dropped), anything else as DER."""
    data = read_capped(path, CA_CAP)
    if data is None:
        raise ConfigError(f"{path}: no such file")
    return data.decode("ascii", errors="ignore") if b"-----BEGIN" in data else data
