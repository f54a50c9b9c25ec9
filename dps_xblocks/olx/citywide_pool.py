"""Making the packages on several processes, with exactly the result of one.

Validating and compressing each package is most of the work, so the packages are made on
worker processes. Results come back in the order the jobs were given, whatever order the
workers finish in, and each package's bytes depend only on its inputs: the output is the same
for any number of workers. Workers are forked, so they start at once with the source course
already in memory; where fork is not available, or for one worker, everything runs in this
process.
"""

import multiprocessing
import os
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

from dps_xblocks.olx.citywide_archive import Package
from dps_xblocks.olx.citywide_check import PackageMaker, load_package_validator
from dps_xblocks.olx.citywide_course import CourseTarget, SourceCourse
from dps_xblocks.olx.citywide_signals import default_stop_signals

MAX_DEFAULT_JOBS = 4
# Jobs are handed to workers a few at a time: fewer round trips, yet results (and a failure)
# still come back soon after the package is made, and the shares stay even at the end.
CHUNKS_PER_WORKER = 16

_maker: PackageMaker | None = None  # the PackageMaker of a worker process


def default_jobs() -> int:
    """The number of CPUs this process may use, at most MAX_DEFAULT_JOBS."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:
        available = os.cpu_count() or 1
    return max(1, min(MAX_DEFAULT_JOBS, available))


def make_packages(source: SourceCourse, targets: list[CourseTarget], validate, mtime: int,
                  jobs: int) -> Iterator[tuple[Package | None, list]]:
    """(package or None, validation errors) for each target, in the order of `targets`.

    `validate` None means the project's validator. Close the iterator to stop early: pending
    jobs are cancelled and the workers are waited for.
    """
    if jobs <= 1 or len(targets) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        maker = PackageMaker(source, validate or load_package_validator(), mtime)
        for target in targets:
            yield maker.make(target)
        return

    chunk = max(1, len(targets) // (jobs * CHUNKS_PER_WORKER))
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_worker,
                               initargs=(source, validate, mtime))
    try:
        yield from pool.map(_make, targets, chunksize=chunk)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(source: SourceCourse, validate, mtime: int) -> None:
    """Set up the worker process's maker."""
    global _maker  # one maker per worker process, set by the pool initializer
    # Ctrl-C is the main process's to handle: it cancels the pool and removes the staging folder.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    default_stop_signals()
    _maker = PackageMaker(source, validate or load_package_validator(), mtime)


def _make(target: CourseTarget) -> tuple[Package | None, list]:
    """Make one package in a worker process."""
    return _maker.make(target)
