#!/usr/bin/env python3
"""Watch mode in the benchmark: the real `meshc watch --run` on a copy of a
generated mesh (bench/gen.py), timed from outside the way a user sees it.
Prints one JSON object:

- start_s: spawn → the first check printed (`watching N models`);
- first_run_s: spawn → the first `--run` finished (everything is stale);
- keep_schema_ms / change_schema_ms: a file write of a model (an edit that
  keeps its output schema, and one that changes it) → the recheck's summary
  line printed (the debounce of 50 ms included), alternating the edit and
  its revert; `recheck_ms` is the time the watch itself reports;
- rebuild_s: the same write → the rebuild of the model and its downstream
  finished, with `rebuilt_models` (how many models each rebuild ran);
- rss_kib: the watcher's resident memory after the first run and at the end.

    bench/watch.py --meshc BIN --mesh DIR --meta bench-meta.json [--edits 20]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time


class Watcher:
    """`meshc watch --run` with a reader thread that timestamps every line."""

    def __init__(self, meshc: str, root: pathlib.Path):
        self.proc = subprocess.Popen(
            [meshc, "watch", "--run", "--color=never", "-w", str(root)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.proc.stderr:
            self.lines.put((time.perf_counter(), raw.decode("utf-8", "replace").rstrip("\n")))
        self.lines.put((time.perf_counter(), None))

    def until(self, *needles: str, timeout: float = 3600.0) -> tuple[float, str, list[str]]:
        """Waits for a line containing one of `needles`: (time, line, lines before it)."""
        deadline = time.perf_counter() + timeout
        seen = []
        while True:
            at, line = self.lines.get(timeout=max(0.1, deadline - time.perf_counter()))
            if line is None:
                raise RuntimeError("meshc watch exited:\n" + "\n".join(seen[-40:]))
            if any(n in line for n in needles):
                return at, line, seen
            seen.append(line)

    def rss_kib(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        self.proc.send_signal(2)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def stats(samples: list[float], scale: float = 1000.0) -> dict:
    xs = sorted(s * scale for s in samples)
    p99 = xs[min(len(xs) - 1, int(round(0.99 * (len(xs) - 1))))]
    return {"median": statistics.median(xs), "p99": p99, "max": xs[-1], "min": xs[0], "n": len(xs)}


RECHECKED = re.compile(r"rechecked in ([0-9.]+) ms")
RUNNING = re.compile(r"running (\d+) sources and (\d+) models")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--meshc", required=True)
    p.add_argument("--mesh", required=True, help="a generated meshc workspace (copied first)")
    p.add_argument("--meta", required=True, help="its bench-meta.json")
    p.add_argument("--edits", type=int, default=20)
    a = p.parse_args()
    meta = json.load(open(a.meta))
    work = pathlib.Path(tempfile.mkdtemp(prefix="meshc-watch-bench-"))
    try:
        root = work / "mesh"
        shutil.copytree(a.mesh, root, ignore=shutil.ignore_patterns("target"))
        start = time.perf_counter()
        watcher = Watcher(a.meshc, root)
        at, _, _ = watcher.until("watching ")
        result = {"models": meta["models"], "start_s": at - start}
        at, line, _ = watcher.until("finished in", "not running", "up to date")
        if "finished in" not in line:
            raise RuntimeError(f"the first run did not run: {line}")
        result["first_run_s"] = at - start
        result["rss_kib"] = {"after_first_run": watcher.rss_kib()}
        rebuild, rebuilt, recheck = [], [], []
        for edit in meta["edits"]:
            path = root / edit["mesh_path"]
            samples = []
            for i in range(a.edits):
                text = edit["mesh_edited"] if i % 2 == 0 else edit["mesh_original"]
                # Let the debouncer's quiet period after the last rebuild pass.
                time.sleep(0.2)
                sent = time.perf_counter()
                path.write_text(text)
                at, line, _ = watcher.until("rechecked in")
                samples.append(at - sent)
                recheck.append(float(RECHECKED.search(line).group(1)) / 1000.0)
                at, line, before = watcher.until("finished in", "not running", "up to date")
                if "finished in" in line:
                    rebuild.append(at - sent)
                    running = next((RUNNING.search(b) for b in reversed(before)
                                    if RUNNING.search(b)), None)
                    if running:
                        rebuilt.append(int(running.group(2)))
            result[f"{edit['kind']}_ms"] = stats(samples)
        result["recheck_ms"] = stats(recheck)
        if rebuild:
            result["rebuild_s"] = stats(rebuild, scale=1.0)
            result["rebuilt_models"] = {"min": min(rebuilt), "max": max(rebuilt)} if rebuilt else None
        result["rss_kib"]["end"] = watcher.rss_kib()
        watcher.stop()
        print(json.dumps(result))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
