"""The block benchmark's page server: both blocks and a bare page, on 127.0.0.1.

    python benchmarks/bench_blocks_server.py --state-dir DIR [--port 0]

Prints the address on its first line and serves until SIGINT or SIGTERM. It is the preview's
Django site and XBlock runtime over a course built here, because the preview itself shows
Drag-and-Drop v2 as a "runs only on Open edX" notice (`PLATFORM_ONLY_BLOCKS` in
`dps_xblocks.preview.course`) and has no bare page; see `bench_blocks_settings` for the other
differences (gzip, the bare page's URL).
"""

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from bench_blocks_common import (
    BARE_UNIT,
    DND_UNIT,
    DND_XML,
    OUR_UNIT,
    OUR_UNIT_FILE,
    our_block_xml,
    url_name_of,
)

HOST = "127.0.0.1"
SETTINGS_MODULE = "bench_blocks_settings"


def bench_course(root: Path):
    """A course of one section, one subsection and three units: bare, ours, Drag-and-Drop v2."""
    from dps_xblocks.preview.course import (
        Chapter,
        Course,
        Sequential,
        Unit,
        XBlockComponent,
    )

    ours = our_block_xml()
    units = (
        Unit(BARE_UNIT, "Bare page", (), root),
        Unit(OUR_UNIT, "dps_practice", (XBlockComponent(
            "dps_practice", url_name_of(ours), "", ours, OUR_UNIT_FILE, 1),), OUR_UNIT_FILE),
        Unit(DND_UNIT, "drag-and-drop-v2", (XBlockComponent(
            "drag-and-drop-v2", url_name_of(DND_XML), "", DND_XML, root, 1),), root),
    )
    sequential = Sequential("bench_seq", "Benchmark", units)
    return Course(root, "bench", "blocks", "run", "Block benchmark",
                  (Chapter("bench_chapter", "Benchmark", (sequential,)),))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", required=True, type=Path)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    from dps_xblocks.preview.environment import STATE_DIR_ENV, prepare_state_dir

    state_dir = prepare_state_dir(args.state_dir)
    os.environ[STATE_DIR_ENV] = str(state_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

    from dps_xblocks.preview import site
    from dps_xblocks.preview.environment import create_tables

    create_tables()
    site.install(bench_course(state_dir))
    application = WSGIHandler()

    server = WSGIServer((HOST, args.port), WSGIRequestHandler, ipv6=False)
    server.set_app(application)
    print(f"http://{HOST}:{server.server_address[1]}/", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    worker = threading.Thread(target=server.serve_forever, daemon=True)
    worker.start()
    while worker.is_alive() and not stop.wait(0.2):
        pass
    server.shutdown()
    worker.join()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
