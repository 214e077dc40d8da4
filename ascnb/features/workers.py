"""Worker processes for feature extraction: how many, whether to fork, a pool that dies with us

Book: notebooks/02-features.ipynb ("Computing features once"). ``ascnb.features.cache`` forks
its extraction workers from a warmed process (``worker_pool``) where that is safe
(``can_fork``), and joblib's otherwise; ``resolve_n_jobs`` reads joblib's convention for
``n_jobs``.
"""

from __future__ import annotations

import multiprocessing
import os
import sys


def default_n_jobs() -> int:
    """The cores this process may use"""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def resolve_n_jobs(n_jobs: int | None) -> int:
    """None or 0 -> all cores; -k -> all cores but k - 1 (joblib's convention); at least 1"""
    cores = default_n_jobs()
    if not n_jobs:
        return cores
    return n_jobs if n_jobs > 0 else max(1, cores + 1 + n_jobs)


def can_fork() -> bool:
    """Whether worker processes may be forked from this one: Linux (macOS system libraries are
    not fork-safe) and not a daemonic process (a Dask worker: it may not have children)"""
    return sys.platform.startswith("linux") and not multiprocessing.current_process().daemon


def _die_with_parent(parent: int) -> None:
    """A forked worker's initializer: the kernel sends it SIGTERM when its parent dies

    Without it, a run killed with SIGKILL (out of memory, a cluster's time limit, ``kill -9``)
    during feature extraction leaves its workers running on as orphans, each holding a core
    and its memory. Linux only (prctl PR_SET_PDEATHSIG); a no-op elsewhere.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    PR_SET_PDEATHSIG = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def worker_pool(n_jobs: int):
    """``n_jobs`` worker processes forked from this one, which end when this process dies"""
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    return ProcessPoolExecutor(max_workers=n_jobs, mp_context=context,
                               initializer=_die_with_parent, initargs=(os.getpid(),))
