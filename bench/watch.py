#!/usr/bin/env python3
"""Watch mode in the benchmark: the real `meshc watch --run` on a copy of a
generated mesh (bench/gen.py), timed from outside the way a user sees it.
Prints one JSON object:

- start_s: spawn → the first check printed (`watching N models`);
- first_run_s: spawn → the first `--run` finished (everything is stale);
- per edit of bench-meta.json (`keep_schema`: a literal in a WHERE clause of
  a published model; `change_schema`: one output column more in a private
  model), written and reverted alternately, `--edits` writes in all:
  - result_ms: the file write → the recheck's summary line (`rechecked in`)
    printed, the debounce (50 ms) included;
  - recheck_ms: the time that line reports (reading the file → result);
  - rebuild_s: the same write → `--run` finished rebuilding (`finished in`);
    plan_s: of that, the result line → the run's first line (`running N
    sources and M models`): the plan of the whole mesh, the content hash of
    every node and the comparison with target/run_state.json;
  - rebuilt_models: how many models each rebuild ran (min, max), and
    downstream_models: the edited model and everything downstream of it in
    the build's manifest (`depends_on`), which is what should run;
- rss_kib: the watcher's resident memory after the first run and at the end.

Every sample is checked: the watch must name the edited file, find no
errors and rebuild with nothing failed; a recheck of a half-written file (an
error that the next batch fixes) is counted in `split_writes`, and the
sample runs to the clean result; a batch the watch handled by reading the
whole workspace again is counted in `reloads`.

    bench/watch.py --meshc BIN --mesh DIR --meta bench-meta.json [--edits 20] [--log FILE]
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

    def __init__(self, meshc: str, root: pathlib.Path, log=None):
        self.proc = subprocess.Popen(
            [meshc, "watch", "--run", "--color=never", "-w", str(root)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.lines: queue.Queue = queue.Queue()
        self.log = log
        self.t0 = time.perf_counter()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.proc.stderr:
            at = time.perf_counter()
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if self.log:
                self.log.write(f"{at - self.t0:10.4f} {line}\n")
            self.lines.put((at, line))
        self.lines.put((time.perf_counter(), None))

    def mark(self, text: str):
        if self.log:
            self.log.write(f"{time.perf_counter() - self.t0:10.4f} >>> {text}\n")

    def until(self, *needles: str, timeout: float = 3600.0) -> tuple[float, str, list[str]]:
        """Waits for a line containing one of `needles`: (time, line, lines before it)."""
        deadline = time.perf_counter() + timeout
        seen = []
        while True:
            try:
                at, line = self.lines.get(timeout=max(0.1, deadline - time.perf_counter()))
            except queue.Empty:
                raise RuntimeError(f"no line with {needles} within {timeout}s:\n"
                                   + "\n".join(seen[-40:])) from None
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


RECHECKED = re.compile(r"rechecked in ([0-9.]+) ms: .*; (\d+) errors?, (\d+) warnings?")
RUNNING = re.compile(r"running (\d+) sources and (\d+) models")
FINISHED = re.compile(r"finished in [0-9.]+s: (\d+) succeeded, (\d+) failed, (\d+) skipped")


def downstream(manifest: dict, model: str) -> int:
    """The model and everything that reads it, directly or not (depends_on)."""
    readers: dict[str, list[str]] = {}
    for m in manifest["models"]:
        for dep in m["depends_on"]:
            readers.setdefault(dep, []).append(m["id"])
    seen, todo = {model}, [model]
    while todo:
        for r in readers.get(todo.pop(), []):
            if r not in seen:
                seen.add(r)
                todo.append(r)
    return len(seen)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--meshc", required=True)
    p.add_argument("--mesh", required=True, help="a generated meshc workspace (copied first)")
    p.add_argument("--meta", required=True, help="its bench-meta.json")
    p.add_argument("--edits", type=int, default=20, help="writes per edit (edit, revert, ...)")
    p.add_argument("--log", help="write every line of the watch, timestamped, to this file")
    a = p.parse_args()
    meta = json.load(open(a.meta))
    log = open(a.log, "w") if a.log else None
    work = pathlib.Path(tempfile.mkdtemp(prefix="meshc-watch-bench-"))
    try:
        root = work / "mesh"
        shutil.copytree(a.mesh, root, ignore=shutil.ignore_patterns("target"))
        # The manifest says what an edit should rebuild (not timed; the watch
        # ignores target/, and the DuckDB database does not exist yet).
        subprocess.run([a.meshc, "build", "-q", "-w", str(root)], check=True)
        manifest = json.loads((root / "target" / "manifest.json").read_text())
        start = time.perf_counter()
        watcher = Watcher(a.meshc, root, log)
        at, _, _ = watcher.until("watching ")
        result = {"models": meta["models"], "start_s": at - start}
        at, line, _ = watcher.until("finished in", "not running", "up to date")
        m = FINISHED.search(line)
        if not m or m.group(2) != "0":
            raise RuntimeError(f"the first run did not run cleanly: {line}")
        result["first_run_s"] = at - start
        result["rss_kib"] = {"after_first_run": watcher.rss_kib()}
        for edit in meta["edits"]:
            path = root / edit["mesh_path"]
            if path.read_text() != edit["mesh_original"]:
                raise RuntimeError(f"{edit['mesh_path']} is not the generator's original text")
            result_s, recheck_s, rebuild_s, plan_s, rebuilt, split, reloads = [], [], [], [], [], 0, 0
            for i in range(a.edits):
                text = edit["mesh_edited"] if i % 2 == 0 else edit["mesh_original"]
                # Let the debouncer's quiet period after the last rebuild pass
                # (the rebuild writes target/, which the watch ignores).
                time.sleep(0.2)
                watcher.mark(f"write {edit['mesh_path']} ({'edit' if i % 2 == 0 else 'revert'})")
                sent = time.perf_counter()
                path.write_text(text)
                while True:
                    at, line, before = watcher.until("rechecked in")
                    changed = [b for b in before if b.startswith("── changed:")]
                    if changed and changed[-1].endswith("the workspace"):
                        reloads += 1  # it read the whole workspace again instead
                    elif not changed or edit["mesh_path"] not in changed[-1]:
                        raise RuntimeError(f"the watch did not see the edited file: {before[-5:]}")
                    m = RECHECKED.search(line)
                    if not m:
                        raise RuntimeError(f"unexpected summary line: {line}")
                    if m.group(2) == "0":
                        break
                    # A batch saw the file half-written; the next one has it whole.
                    split += 1
                    watcher.until("not running")
                result_s.append(at - sent)
                result_at = at
                recheck_s.append(float(m.group(1)) / 1000.0)
                at, line, before = watcher.until("running ", "up to date")
                if RUNNING.search(line):
                    plan_s.append(at - result_at)
                    before = [line]
                    at, line, more = watcher.until("finished in", "not running", "up to date")
                    before += more
                m = FINISHED.search(line)
                if not m:
                    raise RuntimeError(f"the write did not rebuild anything: {line}")
                if m.group(2) != "0" or m.group(3) != "0":
                    raise RuntimeError(f"the rebuild failed: {line}")
                rebuild_s.append(at - sent)
                running = next((RUNNING.search(b) for b in reversed(before) if RUNNING.search(b)),
                               None)
                if running:
                    rebuilt.append(int(running.group(2)))
            result[edit["kind"]] = {
                "model": edit["model"],
                "result_ms": stats(result_s),
                "recheck_ms": stats(recheck_s),
                "rebuild_s": stats(rebuild_s, scale=1.0),
                "plan_s": stats(plan_s, scale=1.0) if plan_s else None,
                "rebuilt_models": {"min": min(rebuilt), "max": max(rebuilt)} if rebuilt else None,
                "downstream_models": downstream(manifest, edit["model"]),
                "split_writes": split,
                "reloads": reloads,
            }
        result["rss_kib"]["end"] = watcher.rss_kib()
        watcher.stop()
        print(json.dumps(result))
    finally:
        if log:
            log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
