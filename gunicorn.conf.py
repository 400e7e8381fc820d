"""gunicorn's configuration for the archive.

``make run`` uses it, as does any ``gunicorn archive.wsgi`` started in this folder (gunicorn
reads ``./gunicorn.conf.py`` by itself). Command-line options and ``GUNICORN_CMD_ARGS``
override it, e.g. ``GUNICORN_CMD_ARGS="--workers 6 --timeout 60"``.

- **Workers and threads**: two single-threaded processes per CPU core, and one more. The
  work is Python on the CPU (Whoosh's matching above all), so threads add no throughput under
  the GIL, while each thread keeps its own search backend (searcher, facet tables) and so
  costs memory; more processes than cores keep the cores busy while some wait on the disk or
  the database. Measured against 3 and 4 processes and two threaded mixes on this workload:
  docs/benchmarks.md, "Load".
- **Start-up checks**: before it starts, gunicorn runs
  ``manage.py check --deploy --tag serving`` (``articles/checks.py``: static files
  collected, search index readable, data folder writable) and refuses to start, with the
  fix, when one fails.
- **Graceful reload**: ``kill -HUP <master>`` starts new workers, which import the code and
  settings afresh and open the search index anew (a rebuilt index included), then stops the
  old ones once their requests are done (``graceful_timeout``); an old worker's index thread
  finishes its drain first (what it has not drained stays queued for the next).
- **No preload**: each worker imports the application itself. With ``preload_app`` the
  master would import it once for all: HUP would then keep the old code and settings, and
  every worker would inherit what the master had opened (database connections, the search
  index's files, locks held by threads that do not exist in the child; the index queue's
  ``os.register_at_fork`` handler resets its own thread only). And it would save no memory:
  4 workers at 20,000 articles after the same requests took 231 MiB of proportional set size
  in all without it, 234 MiB with it (Python's reference counts soon copy shared pages).
- **Warm workers**: each worker builds what its first searches would (the search index's
  tables of field lengths and facet values, the spelling vocabularies: ~3-8 s at 100,000
  articles) before it takes a request (``post_worker_init``), as Solr warms its first
  searcher; meanwhile the requests wait in the listen queue, served by the workers ready.
- **Logs**: the access log on stdout, errors on stderr.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

bind = "127.0.0.1:8000"
workers = 2 * (os.cpu_count() or 1) + 1  # measured best: docs/benchmarks.md, "Load"
worker_class = "sync"  # one request at a time per worker, behind a buffering proxy
# A request running longer than this is stuck: the master kills its worker and starts another.
timeout = 30
graceful_timeout = 30
preload_app = False
accesslog = "-"
errorlog = "-"
# Heartbeat files in memory, not on a disk that may stall under an ingest's writes.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn's control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl),
# which several archives on one machine would fight over; signals do what it would.
control_socket_disable = True

HERE = Path(__file__).resolve().parent


def on_starting(server):
    """Run the start-up checks; refuse to start when one fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "serving"],
        cwd=HERE,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"the archive cannot serve:\n{result.stderr}{result.stdout}")


def post_worker_init(worker):
    """Warm the search index before serving (``IndexEngine.warm``), the heartbeat kept. If it
    cannot be read, the worker serves all the same: search answers 503 until it can."""
    from articles.index.engines import get_engine

    started = time.monotonic()
    try:
        get_engine().warm(step=worker.notify)
    except Exception:
        worker.log.exception("the search index could not be warmed; serving without")
    else:
        worker.log.info("search index warmed in %.1f s", time.monotonic() - started)
