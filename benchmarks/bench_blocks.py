"""Our practice block against Drag-and-Drop v2, measured in one run on this machine.

    python benchmarks/bench_blocks.py [--iterations 300] [--runs 5] [--no-browser]

For both blocks, in the same process and the same XBlock runtime: the fragment's bytes (body
HTML, CSS and JS, raw and gzipped), `student_view` render time and one handler call's time
(median and p95). Then, in Debian's Chromium with the CPU slowed 4x and a 400 kbit/s link of
400 ms latency: the time until the block's first screen is usable, counted from when the bare
page (same page shell and runtime scripts, no block) has loaded, and the bytes each page moved.

Prints one markdown table and writes `var/bench/blocks.json`. Drag-and-Drop v2 5.1.2 needs
Python 3.12 or later; see benchmarks/README.md for the environment `make bench` builds.
"""

import argparse
import gc
import gzip
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from bench_blocks_common import (
    BARE_UNIT,
    DND_DISTRIBUTION,
    DND_UNIT,
    DND_VERSION,
    DND_XML,
    OUR_UNIT,
    PROJECT,
    our_block_xml,
)

OUTPUT = PROJECT / "var" / "bench" / "blocks.json"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]

# The conditions: a cheap phone on a slow mobile link.
CPU_SLOWDOWN = 4
LATENCY_MS = 400
LINK_BYTES_PER_SECOND = 400_000 // 8
VIEWPORT = {"width": 360, "height": 640}

# The targets.
MAX_FRAGMENT_GZIP_BYTES = 20_000
MAX_TIME_RATIO = 0.5
MAX_USABLE_AFTER_BARE_S = 0.5

# Our handler request: a wrong button on the first screen of the e-ID practice. The learner stays
# on the screen, so every call does the same work; only the revision moves on.
OUR_HANDLER = "submit"
OUR_SCREEN = "start"
OUR_WRONG_ACTION = "login"
# Theirs: an item dropped on a wrong zone in standard mode, which leaves the item state as it is.
DND_HANDLER = "drop_item"
DND_WRONG_DROP = {"val": 0, "zone": "bottom"}

# What "usable" means in the page, checked in the page itself from its first script on, so the
# time is the page's own clock (performance.now(), zero at navigation start).
# - ours: the first `.dps-action` button of the first screen is visible and the block's init
#   function has run (its event handlers are attached): `data-ready="true"` on `.dps-practice`
#   if the block sets it, else the moment the runtime's call to `DpsPractice` returns.
# - Drag-and-Drop v2: the first item in its item bank is rendered as draggable; its script renders
#   the items and binds the drag and keyboard handlers in the same task.
# Both also need every stylesheet of the page loaded, so the button is drawn as styled.
USABLE_PROBE = r"""
(kind) => {
  const bench = window.__bench = {kind: kind, usable: null, initReturned: null};
  const sheetsLoaded = () => Array.from(
    document.querySelectorAll('link[rel="stylesheet"]')).every((link) => link.sheet);
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const ready = {
    ours: () => {
      const root = document.querySelector('.dps-practice');
      const button = root && root.querySelector('.dps-screen .dps-action');
      const initDone = root && (root.dataset.ready === 'true' || bench.initReturned !== null);
      return Boolean(button && initDone && visible(button));
    },
    dnd: () => {
      const item = document.querySelector(
        '.xblock--drag-and-drop .item-bank .option[draggable="true"]');
      return Boolean(item && visible(item));
    },
    bare: () => false,
  }[kind];
  let observer = null;
  let timer = null;
  const check = () => {
    if (bench.usable !== null || !document.body || !sheetsLoaded() || !ready()) { return; }
    bench.usable = performance.now();
    if (observer) { observer.disconnect(); }
    clearInterval(timer);
  };
  bench.check = check;
  if (kind === 'bare') { return; }
  // The runtime looks the init function up by name when the document is ready (jQuery's ready
  // handler, registered after this one), so wrapping it here sees the call return.
  document.addEventListener('DOMContentLoaded', () => {
    const original = window.DpsPractice;
    if (kind === 'ours' && typeof original === 'function') {
      window.DpsPractice = function (runtime, element, args) {
        const result = original.call(this, runtime, element, args);
        bench.initReturned = performance.now();
        check();
        return result;
      };
    }
  }, true);
  observer = new MutationObserver(check);
  observer.observe(document, {childList: true, subtree: true, attributes: true});
  document.addEventListener('load', check, true);
  timer = setInterval(check, 10);
}
"""


# ---------------------------------------------------------------------------------------------
# In-process measures


@dataclass
class Timing:
    """Wall-clock samples of one operation, in milliseconds."""

    samples_ms: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[math.ceil(0.95 * len(ordered)) - 1]

    def summary(self) -> dict:
        return {"n": len(self.samples_ms), "median_ms": round(self.median, 4),
                "p95_ms": round(self.p95, 4), "min_ms": round(min(self.samples_ms), 4),
                "max_ms": round(max(self.samples_ms), 4)}


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def setup_django(state_dir: Path) -> None:
    """Django as the preview configures it (Drag-and-Drop v2 renders a Django template)."""
    from dps_xblocks.preview.environment import configure

    configure(state_dir)
    from django.utils import translation

    translation.activate("vi")


def make_runtime():
    """One XBlock runtime for both blocks, with the services Drag-and-Drop v2 asks for.

    It is the tests' runtime (XBlock's own `Runtime` over an in-memory store) with one change:
    the installed aside types are looked up once, not at every render. XBlock's base runtime
    scans the entry points of every installed distribution for asides on each `render` (about
    15 ms here, several times either block's own work): a cost of that runtime, not of the
    blocks, which would hide their difference. The list it answers is the same.
    """
    sys.path.insert(0, str(PROJECT / "tests"))
    from runtime import RecordingRuntime
    from workbench.runtime import WorkBenchUserService
    from workbench.services import SettingsService
    from xblock.core import XBlockAside

    from dps_xblocks.preview.i18n import PackageCatalogueI18nService

    aside_types = [aside_type for aside_type, _class in XBlockAside.load_classes()]

    class BenchRuntime(RecordingRuntime):
        def applicable_aside_types(self, block):
            return list(aside_types)

    return BenchRuntime(user_id="bench-learner", services={
        "i18n": PackageCatalogueI18nService(),
        "settings": SettingsService(),
        "user": WorkBenchUserService("bench-learner"),
    }), aside_types


def fragment_bytes(runtime, block) -> dict:
    """The bytes of the block's rendered fragment, as the runtime hands it to the page.

    The body (with the runtime's wrapper and the init arguments) and the inline CSS and JS travel
    in the page; every URL resource is a file of its own, read from the block's package. Gzipped
    sizes count each of these transfers separately, as a server compresses them.
    """
    from xblock.core import XBlock

    fragment = block.render("student_view", {})
    inline = [("body", "text/html", fragment.body_html().encode("utf-8"))]
    files = []
    for resource in fragment.resources:
        if resource.kind == "text":
            inline.append(("inline", resource.mimetype, resource.data.encode("utf-8")))
        elif resource.kind == "url":
            match = re.fullmatch(r"/local/([^/]+)/(.+)", resource.data)
            if not match:
                raise SystemExit(f"cannot read resource {resource.data!r}: not the block's own")
            block_class = XBlock.load_class(match.group(1))
            with block_class.open_local_resource(match.group(2)) as handle:
                files.append((match.group(2), resource.mimetype, handle.read()))
        else:
            raise SystemExit(f"unexpected resource kind {resource.kind!r} in the fragment")
    parts = {"html": 0, "css": 0, "js": 0}
    for _name, mimetype, data in inline + files:
        kind = "css" if "css" in mimetype else "js" if "javascript" in mimetype else "html"
        parts[kind] += len(data)
    inline_data = b"".join(data for _name, _mimetype, data in inline)
    return {
        "raw": len(inline_data) + sum(len(data) for _n, _m, data in files),
        "gzip": gzip_size(inline_data) + sum(gzip_size(data) for _n, _m, data in files),
        "raw_by_kind": parts,
        "files": [{"name": name, "raw": len(data), "gzip": gzip_size(data)}
                  for name, _mimetype, data in files],
    }


def in_process(iterations: int, warmup: int) -> dict:
    """Fragment bytes, render and handler times of both blocks in one runtime."""
    from webob import Request

    runtime, aside_types = make_runtime()
    ids = {"ours": runtime.parse_xml_string(our_block_xml()),
           "dnd": runtime.parse_xml_string(DND_XML)}
    result = {"aside_types": aside_types,
              "fragment": {name: fragment_bytes(runtime, runtime.get_block(usage_id))
                           for name, usage_id in ids.items()}}

    # Each call gets a fresh block instance, as each request does in the LMS; only the call is
    # timed. The two blocks alternate so that both see the same machine.
    def render(name):
        block = runtime.get_block(ids[name])
        start = time.perf_counter_ns()
        block.render("student_view", {})
        return (time.perf_counter_ns() - start) / 1e6

    revision = 0

    def handle(name):
        nonlocal revision
        block = runtime.get_block(ids[name])
        if name == "ours":
            handler = OUR_HANDLER
            body = {"revision": revision, "screen": OUR_SCREEN, "action": OUR_WRONG_ACTION}
        else:
            handler, body = DND_HANDLER, DND_WRONG_DROP
        request = Request.blank("/", method="POST", body=json.dumps(body).encode("utf-8"))
        request.content_type = "application/json"
        start = time.perf_counter_ns()
        response = runtime.handle(block, handler, request)
        elapsed = (time.perf_counter_ns() - start) / 1e6
        answer = json.loads(response.body)
        if response.status_code != 200 or answer.get("correct") is not False:
            raise SystemExit(f"{name} {handler} did not answer a wrong attempt: "
                             f"{response.status_code} {answer}")
        if name == "ours":
            if answer["screen"] != OUR_SCREEN:
                raise SystemExit(f"our block left the first screen: {answer}")
            revision = answer["revision"]
        return elapsed

    timings = {}
    for label, operation in (("render", render), ("handler", handle)):
        for _ in range(warmup):
            operation("ours")
            operation("dnd")
        gc.collect()
        series = {"ours": Timing(), "dnd": Timing()}
        for _ in range(iterations):
            for name in ("ours", "dnd"):
                series[name].samples_ms.append(operation(name))
        timings[label] = series
    result["timing"] = {label: {name: timing.summary() for name, timing in series.items()}
                        for label, series in timings.items()}
    result["handler_requests"] = {
        "ours": {"handler": OUR_HANDLER, "body": {"revision": "<current>", "screen": OUR_SCREEN,
                                                  "action": OUR_WRONG_ACTION}},
        "dnd": {"handler": DND_HANDLER, "body": DND_WRONG_DROP},
    }
    return result


# ---------------------------------------------------------------------------------------------
# In the browser


class PageServer:
    """The benchmark's page server (`bench_blocks_server.py`) in a child process."""

    def __init__(self, state_dir: Path):
        state_dir.mkdir(parents=True, exist_ok=True)
        errors = state_dir / "server-stderr.txt"
        with errors.open("w") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, str(Path(__file__).with_name("bench_blocks_server.py")),
                 "--state-dir", str(state_dir), "--port", "0"],
                cwd=PROJECT, stdout=subprocess.PIPE, stderr=stderr, text=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONWARNINGS": "ignore"})
        line = self.process.stdout.readline()
        match = re.fullmatch(r"(http://127\.0\.0\.1:\d+/)\s*", line)
        if not match:
            self.process.kill()
            self.process.wait()
            raise SystemExit(f"the page server did not start: {line}{errors.read_text()}")
        self.url = match.group(1)

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class PageLoad:
    """One page load under throttling."""

    page: str
    load_ms: float
    usable_ms: float | None
    init_ms: float | None
    fcp_ms: float | None
    bytes: int
    requests: int


def load_page(browser, origin: str, url: str, kind: str) -> PageLoad:
    """Open `url` in a fresh context under the issue's throttling and measure it; fail if the
    page asks for anything outside `origin`."""
    context = browser.new_context(viewport=VIEWPORT, is_mobile=True, has_touch=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": LATENCY_MS,
        "downloadThroughput": LINK_BYTES_PER_SECOND, "uploadThroughput": LINK_BYTES_PER_SECOND})
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    transferred = {}
    cdp.on("Network.loadingFinished",
           lambda event: transferred.__setitem__(event["requestId"], event["encodedDataLength"]))
    foreign = []
    page.on("request", lambda request: None if request.url.startswith((origin, "data:"))
            else foreign.append(request.url))
    page.add_init_script(f"({USABLE_PROBE})({json.dumps(kind)})")
    try:
        page.goto(url, wait_until="load", timeout=120_000)
        if kind != "bare":
            page.wait_for_function("window.__bench && window.__bench.usable !== null",
                                   timeout=120_000, polling=100)
        page.wait_for_load_state("networkidle", timeout=120_000)
        timing = page.evaluate("""() => {
            const nav = performance.getEntriesByType('navigation')[0];
            const fcp = performance.getEntriesByName('first-contentful-paint')[0];
            return {load: nav.loadEventEnd, usable: window.__bench.usable,
                    init: window.__bench.initReturned, fcp: fcp ? fcp.startTime : null};
        }""")
    finally:
        context.close()
    if foreign:
        raise SystemExit(f"the page asked for other hosts: {foreign}")
    return PageLoad(kind, timing["load"], timing["usable"], timing["init"], timing["fcp"],
                    sum(transferred.values()), len(transferred))


def in_browser(runs: int, state_dir: Path) -> dict:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit("Chromium is missing: install the Debian package `chromium`")
    server = PageServer(state_dir)
    pages = {"bare": f"{server.url}bench/bare/", "ours": f"{server.url}unit/{OUR_UNIT}/",
             "dnd": f"{server.url}unit/{DND_UNIT}/",
             "shell": f"{server.url}unit/{BARE_UNIT}/"}
    loads: dict[str, list[PageLoad]] = {name: [] for name in pages}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            version = browser.version
            # Round 0 warms the server (first renders, imports) and is not counted. Each learner
            # is new, so no run sees another's state.
            for round_number in range(runs + 1):
                for name in ("bare", "ours", "dnd", "shell"):
                    kind = "bare" if name == "shell" else name
                    load = load_page(browser, server.url,
                                     f"{pages[name]}?student=bench-{round_number}", kind)
                    if round_number:
                        loads[name].append(load)
                    if kind != "bare" and load.usable_ms is None:
                        raise SystemExit(f"{name}: the page never became usable")
            browser.close()
    finally:
        server.stop()

    bare_load = statistics.median(load.load_ms for load in loads["bare"])
    bare_bytes = statistics.median(load.bytes for load in loads["bare"])
    result = {"chromium": version, "runs": runs, "bare_load_ms": round(bare_load, 1),
              "bare_bytes": bare_bytes,
              "shell_without_runtime_load_ms": round(
                  statistics.median(load.load_ms for load in loads["shell"]), 1),
              "shell_without_runtime_bytes": statistics.median(
                  load.bytes for load in loads["shell"]),
              "pages": {}}
    for name in ("ours", "dnd"):
        after_bare = [load.usable_ms - bare_load for load in loads[name]]
        # The same, against the bare page loaded in the same round, just before: a second view of
        # the noise between page loads.
        paired = [load.usable_ms - bare.load_ms for load, bare in zip(loads[name], loads["bare"],
                                                                       strict=True)]
        result["pages"][name] = {
            "usable_after_bare_ms": round(statistics.median(after_bare), 1),
            "usable_after_bare_ms_runs": [round(value, 1) for value in after_bare],
            "usable_after_same_round_bare_ms_median": round(statistics.median(paired), 1),
            "usable_ms": round(statistics.median(load.usable_ms for load in loads[name]), 1),
            "load_ms": round(statistics.median(load.load_ms for load in loads[name]), 1),
            "fcp_ms": _median_or_none([load.fcp_ms for load in loads[name]]),
            "bytes": statistics.median(load.bytes for load in loads[name]),
            "own_bytes": statistics.median(load.bytes for load in loads[name]) - bare_bytes,
            "requests": statistics.median(load.requests for load in loads[name]),
        }
    result["loads"] = {name: [asdict(load) for load in series] for name, series in loads.items()}
    return result


def _median_or_none(values):
    values = [value for value in values if value is not None]
    return round(statistics.median(values), 1) if values else None


# ---------------------------------------------------------------------------------------------
# Report


def kb(value: float) -> str:
    return f"{value / 1000:.1f} KB"


def ms(value: float) -> str:
    return f"{value:.2f} ms" if abs(value) < 100 else f"{value:.0f} ms"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table(results: dict) -> tuple[str, dict]:
    """The markdown table and the PASS/FAIL of each target."""
    fragment = results["in_process"]["fragment"]
    timing = results["in_process"]["timing"]
    rows, checks = [], {}

    def row(label, ours, theirs, show, target="", ok=None):
        ratio = f"{ours / theirs:.2f}" if ours > 0 and theirs > 0 else "—"
        rows.append(f"| {label} | {show(ours)} | {show(theirs)} | {ratio} | {target or '—'} | "
                    f"{'—' if ok is None else verdict(ok)} |")
        if ok is not None:
            checks[label] = ok

    row("Fragment HTML+CSS+JS, raw", fragment["ours"]["raw"], fragment["dnd"]["raw"], kb)
    row("Fragment HTML+CSS+JS, gzipped", fragment["ours"]["gzip"], fragment["dnd"]["gzip"], kb,
        f"≤ {kb(MAX_FRAGMENT_GZIP_BYTES)}",
        fragment["ours"]["gzip"] <= MAX_FRAGMENT_GZIP_BYTES)
    for label, name in (("`student_view` render", "render"), ("One handler call", "handler")):
        ours, theirs = timing[name]["ours"], timing[name]["dnd"]
        row(f"{label}, median", ours["median_ms"], theirs["median_ms"], ms,
            f"≤ {MAX_TIME_RATIO:g} × theirs",
            ours["median_ms"] <= MAX_TIME_RATIO * theirs["median_ms"])
        row(f"{label}, p95", ours["p95_ms"], theirs["p95_ms"], ms)
    browser = results.get("browser")
    if browser:
        ours, theirs = browser["pages"]["ours"], browser["pages"]["dnd"]
        row("Usable after the bare page's load (median)", ours["usable_after_bare_ms"],
            theirs["usable_after_bare_ms"], ms, f"≤ {MAX_USABLE_AFTER_BARE_S * 1000:.0f} ms",
            ours["usable_after_bare_ms"] <= MAX_USABLE_AFTER_BARE_S * 1000)
        row("Usable, from navigation start (median)", ours["usable_ms"], theirs["usable_ms"], ms)
        row("Page bytes transferred (total)", ours["bytes"], theirs["bytes"], kb)
        row("Page bytes transferred (own: total − bare page)", ours["own_bytes"],
            theirs["own_bytes"], kb)
    header = ("| Measure | dps_practice (e-ID) | drag-and-drop-v2 " + DND_VERSION +
              " | ours / theirs | Target | Result |\n|---|---:|---:|---:|---|---|\n")
    return header + "\n".join(rows), checks


def environment() -> dict:
    def version(name):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "packages": {name: version(name) for name in (
            "dps-xblocks", DND_DISTRIBUTION, "XBlock", "xblock-sdk", "Django", "playwright")},
    }


def check_environment() -> None:
    installed = None
    try:
        installed = metadata.version(DND_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pass
    if installed != DND_VERSION:
        raise SystemExit(
            f"{DND_DISTRIBUTION}=={DND_VERSION} is not installed in this Python "
            f"({sys.executable}, found {installed}). It needs Python 3.12 or later: "
            "run `make bench`, or see benchmarks/README.md.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300,
                        help="timed calls per block for render and handler (default 300)")
    parser.add_argument("--warmup", type=int, default=30, help="untimed calls first (default 30)")
    parser.add_argument("--runs", type=int, default=5,
                        help="page loads per page in Chromium (default 5)")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium part")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default {OUTPUT}")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 if any target is missed")
    args = parser.parse_args(argv)
    check_environment()
    # `fs`, which the XBlock SDK imports, still imports pkg_resources.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated")

    started = time.monotonic()
    results = {"environment": environment(),
               "conditions": {"cpu_slowdown": CPU_SLOWDOWN, "latency_ms": LATENCY_MS,
                              "link_bytes_per_second": LINK_BYTES_PER_SECOND,
                              "viewport": VIEWPORT, "gzip": "level 6, mtime 0"}}
    with tempfile.TemporaryDirectory(prefix="bench-blocks-") as scratch:
        scratch = Path(scratch)
        setup_django(scratch / "in-process")
        print(f"In process: {args.iterations} timed calls per block after {args.warmup} "
              "untimed…", file=sys.stderr, flush=True)
        results["in_process"] = in_process(args.iterations, args.warmup)
        if not args.no_browser:
            print(f"In Chromium: {args.runs} loads per page after one warm-up round…",
                  file=sys.stderr, flush=True)
            results["browser"] = in_browser(args.runs, scratch / "server")

    markdown, checks = table(results)
    results["targets"] = {label: verdict(ok) for label, ok in checks.items()}
    results["seconds"] = round(time.monotonic() - started, 1)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                           encoding="utf-8")
    print(markdown)
    if results.get("browser"):
        browser = results["browser"]
        print(f"\nBare page (shell + runtime scripts, no block): loaded at "
              f"{browser['bare_load_ms']:.0f} ms, {kb(browser['bare_bytes'])}; the shell alone, "
              f"without the runtime's scripts: {browser['shell_without_runtime_load_ms']:.0f} ms.")
    print(f"Python {platform.python_version()}, {DND_DISTRIBUTION} {DND_VERSION}, "
          f"{results['seconds']:.0f} s. Details: {args.output}")
    return 1 if args.strict and not all(checks.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
