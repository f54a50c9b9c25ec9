"""`dps-preview`: serve an OLX course on 127.0.0.1 for authors, facilitators and evaluators.

Reads the course, binds the port, sets Django up on the state folder, loads the blocks into
the XBlock SDK's runtime, prints one line with the address, and serves until Ctrl-C. Anything
wrong with the input is one line on stderr and exit code 2, before anything is served.

The server handles one request at a time, on purpose (see `bind_server`): learner state is
read and written as whole records, and serial requests cannot lose each other's updates. Keep
it so; several residents sharing a laptop do not need more.
"""

import argparse
import errno
import logging
import signal
import sys
import threading
from pathlib import Path

from dps_xblocks.preview.course import OlxError, read_course
from dps_xblocks.preview.environment import DEFAULT_STATE_DIR, PreviewSetupError

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
DEFAULT_PORT = 8000
COURSES_FOLDER = "courses_olx"
PREFERRED_COURSE = "dps_hanoi_vi"
PROG = "dps-preview"
EXIT_USAGE = 2


class UsageError(Exception):
    """Input the command cannot work with; the message says which value and what is expected."""


class _ArgumentParser(argparse.ArgumentParser):
    """An argument parser that reports errors as one line instead of usage text and exit."""

    def error(self, message):
        raise UsageError(f"{message}; see {PROG} --help")


def build_parser() -> argparse.ArgumentParser:
    """The command's options."""
    parser = _ArgumentParser(
        prog=PROG,
        description="Serve an OLX course on 127.0.0.1 with the XBlock SDK's runtime.",
    )
    parser.add_argument(
        "--course",
        metavar="PATH",
        help=f"course folder holding course.xml (default: the course under ./{COURSES_FOLDER}/; "
        f"{PREFERRED_COURSE} if there are several)",
    )
    parser.add_argument(
        "--port",
        default=str(DEFAULT_PORT),
        help=f"port on {HOST} (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--state-dir",
        metavar="PATH",
        default=str(DEFAULT_STATE_DIR),
        help=f"folder for the learner-state database and the log (default {DEFAULT_STATE_DIR})",
    )
    return parser


def parse_port(value: str) -> int:
    """The port number in `value`, 0 to 65535."""
    try:
        port = int(value)
    except ValueError:
        raise UsageError(
            f"--port {value!r} is not a number; give a port from 1 to 65535, or 0 for any free one"
        ) from None
    if not 0 <= port <= 65535:
        raise UsageError(
            f"--port {port} is out of range; give a port from 1 to 65535, or 0 for any free one"
        )
    return port


def find_course_dir(option: str | None, cwd: Path) -> Path:
    """The course folder: `--course` if given, else the one under `courses_olx/` of `cwd`."""
    if option:
        path = Path(option)
        if not path.is_dir():
            raise UsageError(
                f"--course {option}: no such folder; give the folder that holds course.xml"
            )
        return path

    folder = cwd / COURSES_FOLDER
    if not folder.is_dir():
        raise UsageError(
            f"no --course given and no {COURSES_FOLDER}/ folder in {cwd}; run from the "
            "project folder or pass --course PATH"
        )
    candidates = sorted(
        path.name for path in folder.iterdir()
        if path.is_dir() and not path.name.startswith(".")
    )
    if len(candidates) == 1:
        return folder / candidates[0]
    if PREFERRED_COURSE in candidates:
        return folder / PREFERRED_COURSE
    if not candidates:
        raise UsageError(f"{folder} holds no course folder; pass --course PATH")
    raise UsageError(
        f"{folder} holds several courses ({', '.join(candidates)}); choose one with --course"
    )


def bind_server(port: int):
    """A Django WSGI server bound to `HOST:port`, not yet serving.

    Single-threaded on purpose: handlers read and write a learner's state as one JSON record
    in SQLite, and serial requests cannot lose each other's updates.
    """
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

    try:
        return WSGIServer((HOST, port), WSGIRequestHandler, ipv6=False)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"--port {port}: already in use on {HOST}; stop the other server or choose "
                "another port"
            ) from None
        if exc.errno == errno.EACCES:
            raise UsageError(
                f"--port {port}: not allowed to listen on it; choose a port above 1023"
            ) from None
        raise UsageError(f"--port {port}: cannot listen on {HOST} ({exc.strerror})") from None


def main(argv: list[str] | None = None) -> int:
    """Run the preview until Ctrl-C; return 0 when stopped, 2 for bad input."""
    try:
        return _run(argv)
    except KeyboardInterrupt:
        # Ctrl-C during start-up, before serving began.
        print("Preview stopped.", flush=True)
        return 0
    except (UsageError, OlxError, PreviewSetupError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr, flush=True)
        return EXIT_USAGE
    except SystemExit as exc:
        # argparse's --help
        return exc.code if isinstance(exc.code, int) else 0


def _run(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    port = parse_port(args.port)
    course_dir = find_course_dir(args.course, Path.cwd())
    course = read_course(course_dir)

    server = bind_server(port)
    try:
        application = _start_site(course, Path(args.state_dir))
        server.set_app(application)
        stop = _stop_on_signals()
        host, bound_port = server.server_address[:2]
        print(f'Preview of "{course.display_name}": http://{host}:{bound_port}/', flush=True)
        log.info("Serving %s from %s on port %s", course.display_name, course_dir, bound_port)
        _serve_until(server, stop)
    finally:
        server.server_close()
    print("Preview stopped.", flush=True)
    return 0


def _stop_on_signals() -> threading.Event:
    """An event that Ctrl-C (SIGINT) or SIGTERM sets, instead of raising KeyboardInterrupt."""
    stop = threading.Event()

    def request_stop(signum, frame):
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    return stop


def _serve_until(server, stop: threading.Event) -> None:
    """Serve in a worker thread until `stop` is set, then let the current request finish.

    A signal raises in the main thread wherever it happens to be; serving there, a Ctrl-C that
    lands while a response is being written leaves the server half-closed and hanging. The main
    thread only waits here, so the interrupt is always taken at the same safe point.
    """
    worker = threading.Thread(target=server.serve_forever, name="preview-server", daemon=True)
    worker.start()
    while worker.is_alive() and not stop.wait(0.5):
        pass
    server.shutdown()
    worker.join()


def _start_site(course, state_dir: Path):
    """Set Django up, load the course's blocks into the runtime, and return the WSGI app."""
    from dps_xblocks.preview.environment import configure

    configure(state_dir)
    logging.captureWarnings(True)

    from django.core.handlers.wsgi import WSGIHandler

    try:
        # Imported now, not at the first request, so a missing dependency of the workbench's
        # views stops the command with one line instead of failing every page.
        from dps_xblocks.preview import urls  # noqa: F401
    except ImportError as exc:
        raise PreviewSetupError(
            f"the preview's web views cannot be imported ({exc}); install the preview's "
            "dependencies with: pip install -e '.[preview]'"
        ) from None

    from dps_xblocks.preview import site
    from dps_xblocks.preview.blocks import BlockLoadError

    try:
        site.install(course)
    except BlockLoadError as exc:
        raise UsageError(str(exc)) from None
    return _errors_to_log(WSGIHandler())


def _errors_to_log(application):
    """Wrap a WSGI app so an error Django itself could not handle goes to the log, not stderr.

    Without it the standard library's server prints the traceback on the console.
    """
    def guarded(environ, start_response):
        try:
            return application(environ, start_response)
        except Exception:  # last resort; Django handles everything else
            log.exception("Unhandled error for %s", environ.get("PATH_INFO"))
            start_response(
                "500 Internal Server Error",
                [("Content-Type", "text/plain; charset=utf-8")],
                sys.exc_info(),
            )
            return ["Đã xảy ra lỗi. Chi tiết có trong tệp preview.log.".encode()]

    return guarded


if __name__ == "__main__":
    sys.exit(main())
