#!/usr/bin/env python3
"""The check cache in the benchmark (docs/cache.md): whole `meshc check`
processes on a generated mesh (bench/gen.py), wall time and peak RSS (wait4).
Prints one JSON object with, each as median/min/max over --reps runs:

- cold: `meshc check --no-cache` (no cache read or written);
- first: a check with no cache file (it writes one), and the file's size;
- noop: a check with nothing changed since the last one;
- keep_schema / change_schema: the two edits of bench-meta.json, written
  before each check and reverted before the next (both directions counted),
  each check starting from the cache the previous one left.

Every sample is checked to report 0 errors, and the no-op samples to have
answered from the cache.

    bench/cache.py --meshc BIN --mesh DIR --meta bench-meta.json [--reps 5]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time


def run(meshc, mesh, *extra):
    start = time.perf_counter()
    proc = subprocess.Popen([meshc, "check", "--color=never", "-w", str(mesh), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0 or " 0 errors" not in stderr:
        sys.exit(f"meshc check failed:\n{stderr}")
    return wall, usage.ru_maxrss, "no file changed since the last check" in stderr


def summary(samples):
    walls = [s[0] for s in samples]
    rss = [s[1] for s in samples]
    return {"median_s": round(statistics.median(walls), 4), "min_s": round(min(walls), 4),
            "max_s": round(max(walls), 4), "peak_rss_kib": max(rss), "n": len(samples)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--meshc", required=True)
    p.add_argument("--mesh", required=True, type=pathlib.Path)
    p.add_argument("--meta", required=True, type=pathlib.Path)
    p.add_argument("--reps", type=int, default=5)
    a = p.parse_args()
    cache = a.mesh / "target" / "cache" / "check.bin"
    edits = {e["kind"]: e for e in json.loads(a.meta.read_text())["edits"]}
    for edit in edits.values():  # start from the generated text
        (a.mesh / edit["mesh_path"]).write_text(edit["mesh_original"])
    out = {"cold": summary([run(a.meshc, a.mesh, "--no-cache") for _ in range(a.reps)])}
    first = []
    for _ in range(a.reps):
        cache.unlink(missing_ok=True)
        first.append(run(a.meshc, a.mesh))
    out["first"] = summary(first)
    out["cache_bytes"] = cache.stat().st_size
    noop = [run(a.meshc, a.mesh) for _ in range(a.reps)]
    if not all(s[2] for s in noop):
        sys.exit("a no-op check did not answer from the cache")
    out["noop"] = summary(noop)
    for kind in ("keep_schema", "change_schema"):
        edit = edits[kind]
        path = a.mesh / edit["mesh_path"]
        samples = []
        try:
            for i in range(2 * a.reps):
                path.write_text(edit["mesh_edited"] if i % 2 == 0 else edit["mesh_original"])
                samples.append(run(a.meshc, a.mesh))
        finally:
            path.write_text(edit["mesh_original"])
        if any(s[2] for s in samples):
            sys.exit(f"{kind}: an edited workspace was answered as unchanged")
        out[kind] = summary(samples)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
