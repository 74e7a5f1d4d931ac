"""The served portal: granian (a Rust HTTP server) running the WSGI application.

    python -m gis_portal.serve --bind 127.0.0.1:8000 --workers 2 --threads 2

What scripts/run.sh, the Dockerfile and the load bench run. Why granian and not gunicorn:
docs/decisions/0009-granian-http-server.md (under the public load of bench/bench_load.py
gunicorn's own request handling, pure Python, was ~12 % of the workers' CPU; on the same
2 workers the portal answered 1.2–1.5× the lookups under granian).

The master process reads the Django settings (for LOGGING) but never sets Django up; each
worker is forked and builds the application (``wsgi_application``). The process prints one line
when it listens; granian's own chatter (each worker spawned) is kept to its warnings.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Callable, Iterable

DEFAULT_WORKERS = 2
# Two request threads per worker: on 2 cores, four answered ~18 % fewer of bench/bench_load.py's
# lookups a second than two (medians of 4 rounds each, taken in turns); the threads of one
# process take turns on the interpreter.
DEFAULT_THREADS = 2
GRACEFUL_STOP_S = 5

log = logging.getLogger("portal")


def served_environment(environ) -> None:
    """Set what the served portal runs with unless told otherwise, before settings are read.

    The production settings, and no parallel plans in its database sessions
    (DATABASE_PARALLEL_WORKERS in gis_portal/settings/base.py says why).
    """
    environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings.prod")
    environ.setdefault("DATABASE_PARALLEL_WORKERS", "0")


# The CGI variables a request itself defines (RFC 3875 §4.1); a process variable of the same
# name is replaced by the request's, never removed.
REQUEST_VARIABLES = frozenset(
    {
        "AUTH_TYPE", "CONTENT_LENGTH", "CONTENT_TYPE", "GATEWAY_INTERFACE", "PATH_INFO",
        "PATH_TRANSLATED", "QUERY_STRING", "REMOTE_ADDR", "REMOTE_HOST", "REMOTE_IDENT",
        "REMOTE_USER", "REQUEST_METHOD", "SCRIPT_NAME", "SERVER_NAME", "SERVER_PORT",
        "SERVER_PROTOCOL", "SERVER_SOFTWARE",
    }
)  # fmt: skip


def without_process_environment(
    app: Callable, process_environ: dict[str, str]
) -> Callable[[dict, Callable], Iterable[bytes]]:
    """Return ``app`` seeing only the request in its environ, not the server's environment.

    Granian starts every request's WSGI environ from a copy of the process environment (as
    CGI did), so DATABASE_URL, the secret key and the rest would sit in every request.META.
    Each process variable still holding the process's value is removed; a request header
    of the same name with another value (``HTTP_…``) and the request's own CGI variables stay.
    """
    own = tuple((k, v) for k, v in process_environ.items() if k not in REQUEST_VARIABLES)

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        for key, value in own:
            if environ.get(key) == value:
                del environ[key]
        return app(environ, start_response)

    return application


def wsgi_application() -> Callable:
    """Return the portal's WSGI application; called in each worker (Django is set up there)."""
    from gis_portal.wsgi import application as django_application

    return without_process_environment(django_application, dict(os.environ))


def _bind(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: expected HOST:PORT")
    return host.strip("[]") or "127.0.0.1", int(port)


def main(argv: list[str] | None = None) -> None:
    served_environment(os.environ)
    from django.conf import settings
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.log import LogLevels

    parser = argparse.ArgumentParser(prog="python -m gis_portal.serve", description=__doc__)
    parser.add_argument("--bind", type=_bind, default=("127.0.0.1", 8000), help="HOST:PORT")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    args = parser.parse_args(argv)
    host, port = args.bind

    server = Granian(
        "gis_portal.serve:wsgi_application",
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        http=HTTPModes.http1,
        workers=args.workers,
        blocking_threads=args.threads,
        log_level=LogLevels.warning,
        log_dictconfig=settings.LOGGING,  # its _granian loggers say warnings only
        respawn_failed_workers=True,
        workers_kill_timeout=GRACEFUL_STOP_S,
    )

    @server.on_startup
    def _started() -> None:
        address = f"[{host}]" if ":" in host else host
        log.info(
            "started at http://%s:%d/ (pid %d, settings %s, DEBUG %s, %d workers × %d threads)",
            address,
            port,
            os.getpid(),
            os.environ["DJANGO_SETTINGS_MODULE"],
            "on" if settings.DEBUG else "off",
            args.workers,
            args.threads,
        )

    server.serve()


if __name__ == "__main__":
    main()
