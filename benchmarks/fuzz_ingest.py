"""The long fuzzing run of the parser and the ingest, with its figures.

    .venv/bin/python benchmarks/fuzz_ingest.py [PYTEST ARGS]

Runs tests/test_fuzz_ingest.py with ``HYPOTHESIS_PROFILE=long`` (40 times the suite's
examples, fresh random ones each run, lines ten times longer) and prints what was tried:
files by kind and feature, outcomes, unexpected errors and data lost (both must be 0; the
tests fail otherwise). Takes about four minutes on two cores.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main():
    with tempfile.TemporaryDirectory() as work:
        figures_file = Path(work) / "figures.json"
        env = {**os.environ, "HYPOTHESIS_PROFILE": "long", "FUZZ_FIGURES": str(figures_file)}
        started = time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
             "tests/test_fuzz_ingest.py", *sys.argv[1:]],
            cwd=REPO, env=env, check=False,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        figures = json.loads(figures_file.read_text()) if figures_file.exists() else {}
    for name, count in sorted(figures.items()):
        print(f"{name:<45} {count:>8,}")
    print(f"unexpected errors: {figures.get('unexpected errors', 0)}, "
          f"data lost: {figures.get('data lost', 0)}, {seconds:.0f} s")  # fmt: skip
    sys.exit(run.returncode)


if __name__ == "__main__":
    main()
