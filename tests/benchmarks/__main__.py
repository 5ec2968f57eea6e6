"""``make bench``: run every benchmark in turn; each writes its section of docs/benchmarks.md."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main() -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    only = set(sys.argv[1:])
    failed = []
    for name in names:
        if only and name not in only:
            continue
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"tests.benchmarks.{name}")
        try:
            module.main()
        except Exception as exc:  # one broken benchmark should not hide the others' figures
            print(f"!! {name} failed: {exc!r}", flush=True)
            failed.append(name)
        print(f"== {name} took {time.perf_counter() - started:.0f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
