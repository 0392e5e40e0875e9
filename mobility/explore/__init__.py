"""Interactive bundle explorer: a local web app to tick initiatives on a map and see the
bundle's effects, costs and appraisal update in seconds, and compare two bundles.

Public API
----------
- :func:`create_app`: the FastAPI app (``mobility explore`` serves it with uvicorn).
- :func:`serve`: run the app on ``host:port`` (127.0.0.1 unless told otherwise).
- :class:`Explorer`: the engine behind it (shared scenario evaluations, jobs, exports).

The page and the API are described in ``docs/explorer.md``; the API's own documentation is
served at ``/docs``.
"""

from __future__ import annotations

from .engine import MAX_IDS, Explorer, ExplorerConflict, ExplorerError, bundle_file_stem

__all__ = ["MAX_IDS", "Explorer", "ExplorerConflict", "ExplorerError", "bundle_file_stem",
           "create_app", "serve"]


def create_app(*args, **kwargs):  # type: ignore[no-untyped-def]
    """The explorer's FastAPI app (see :func:`mobility.explore.app.create_app`)."""
    from .app import create_app as _create

    return _create(*args, **kwargs)


def serve(*, host: str = "127.0.0.1", port: int = 8765, catalogue_dir: str | None = None,
          bundles_dir: str | None = None, open_browser: bool = False,
          workers: int = 2) -> None:
    """Serve the explorer with uvicorn until interrupted.

    Parameters
    ----------
    host : str
        Address to bind; the default 127.0.0.1 keeps the explorer local to this machine.
    port : int
        TCP port (0: any free port).
    catalogue_dir, bundles_dir : path, optional
        Catalogue folder (default the shipped one) and where bundle files are saved (default
        its ``bundles/`` folder).
    open_browser : bool
        Open the page in the default web browser once the server is up.
    workers : int
        Threads of the evaluation pool.
    """
    import threading
    import webbrowser

    import uvicorn

    from .app import create_app as _create

    explorer = Explorer(catalogue_dir, bundles_dir=bundles_dir, workers=workers)
    hosts = ["127.0.0.1", "localhost", "[::1]"]
    if host not in ("127.0.0.1", "localhost", "::1"):
        hosts = ["*"]  # bound to another interface on purpose: accept its host names
    app = _create(explorer, allowed_hosts=hosts)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    if open_browser:
        def _open() -> None:
            import time

            while not server.started:
                time.sleep(0.05)
            sock = server.servers[0].sockets[0].getsockname() if server.servers else (host, port)
            webbrowser.open(f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}"
                            f":{sock[1]}/")

        threading.Thread(target=_open, daemon=True).start()
    try:
        server.run()
    finally:
        explorer.close()
