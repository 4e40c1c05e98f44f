#!/usr/bin/env python3
"""The editor half of the benchmark: the real `meshc lsp` binary over stdio,
driven by a minimal JSON-RPC client (standard library only) on a generated
mesh (bench/gen.py). Prints one JSON object:

- init_s: spawn → initialize → the first full diagnostics (one model of the
  mesh is made erroneous on disk first, so that the first check publishes);
- keystroke_ms: didChange of the open model → its new diagnostics, alternating
  an error and the fix (both directions), median / p99 / max;
- contract_ms: an edit of a published product's contract → its diagnostics
  (the whole mesh is re-checked: consumers in other domains included);
- hover_ms / completion_ms on the open model;
- rss_kib: the server's resident memory after initialize and after each
  block of edits (growth over a long session).

    bench/lsp.py --meshc BIN --mesh DIR --meta bench-meta.json [--edits 400]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import queue


class Server:
    """`meshc lsp` with a reader thread that queues every message."""

    def __init__(self, meshc: str, root: pathlib.Path):
        self.proc = subprocess.Popen([meshc, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.messages: queue.Queue = queue.Queue()
        self.next_id = 0
        self.root = root
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = out.read(length)
            self.messages.put((time.perf_counter(), json.loads(body)))

    def send(self, message: dict):
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict, timeout=120.0):
        self.next_id += 1
        rid = self.next_id
        start = time.perf_counter()
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        while True:
            at, message = self.messages.get(timeout=timeout)
            if message.get("id") == rid and "method" not in message:
                return at - start, message.get("result")
            if "method" in message and "id" in message:  # a request from the server
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})

    def wait_diagnostics(self, uri: str, predicate, timeout=120.0) -> float:
        """Waits for a publication for `uri` whose diagnostics satisfy `predicate`."""
        deadline = time.perf_counter() + timeout
        while True:
            at, message = self.messages.get(timeout=max(0.1, deadline - time.perf_counter()))
            if message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                if params["uri"] == uri and predicate(params["diagnostics"]):
                    return at
            elif "method" in message and "id" in message:
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})

    def rss_kib(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        try:
            self.request("shutdown", None, timeout=30)
            self.notify("exit", None)
            self.proc.wait(timeout=30)
        except Exception:
            self.proc.kill()


def stats_ms(samples: list[float]) -> dict:
    ms = sorted(s * 1000 for s in samples)
    p99 = ms[min(len(ms) - 1, int(round(0.99 * (len(ms) - 1))))]
    return {"median": statistics.median(ms), "p99": p99, "max": ms[-1], "min": ms[0], "n": len(ms)}


def change(server: Server, uri: str, version: int, text: str):
    server.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": version},
        "contentChanges": [{"text": text}],
    })


def position_of(text: str, needle: str, extra: int = 0) -> dict:
    offset = text.index(needle) + extra
    line = text.count("\n", 0, offset)
    return {"line": line, "character": offset - (text.rfind("\n", 0, offset) + 1)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--meshc", required=True)
    p.add_argument("--mesh", required=True, help="a generated meshc workspace (copied first)")
    p.add_argument("--meta", required=True, help="its bench-meta.json")
    p.add_argument("--edits", type=int, default=400)
    a = p.parse_args()
    meta = json.load(open(a.meta))
    edit = next(e for e in meta["edits"] if e["kind"] == "keep_schema")
    work = pathlib.Path(tempfile.mkdtemp(prefix="meshc-lsp-bench-"))
    try:
        root = work / "mesh"
        shutil.copytree(a.mesh, root, ignore=shutil.ignore_patterns("target"))
        model_path = root / edit["mesh_path"]
        model_uri = model_path.as_uri()
        original = edit["mesh_original"]
        # The error toggled by the edits: a column the model's input lacks.
        needle = next(n for n in (" >= 0", " >= 1") if n in original)
        column_start = original.rfind("where ", 0, original.index(needle)) + len("where ")
        column = original[column_start:original.index(needle)]
        broken = original[:column_start] + column + "_missing" + original[original.index(needle):]
        assert broken != original
        # One erroneous file on disk, so the first full check publishes something.
        model_path.write_text(broken)

        start = time.perf_counter()
        server = Server(a.meshc, root)
        server.request("initialize", {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "capabilities": {"general": {"positionEncodings": ["utf-8"]}},
            "workspaceFolders": [{"uri": root.as_uri(), "name": "mesh"}],
        }, timeout=600)
        server.notify("initialized", {})
        at = server.wait_diagnostics(model_uri, lambda d: len(d) > 0, timeout=600)
        result = {"models": meta["models"], "init_s": at - start, "rss_kib": {"initialized": server.rss_kib()}}

        server.notify("textDocument/didOpen", {"textDocument": {
            "uri": model_uri, "languageId": "sql", "version": 1, "text": broken}})
        version = 1
        samples = []
        blocks = max(1, a.edits // 200)
        for block in range(blocks):
            for i in range(min(200, a.edits)):
                version += 1
                fixed = i % 2 == 0
                sent = time.perf_counter()
                change(server, model_uri, version, original if fixed else broken)
                at = server.wait_diagnostics(
                    model_uri, (lambda d: len(d) == 0) if fixed else (lambda d: len(d) > 0))
                samples.append(at - sent)
            result["rss_kib"][f"after_{(block + 1) * min(200, a.edits)}_edits"] = server.rss_kib()
        result["keystroke_ms"] = stats_ms(samples)
        # Leave the model clean (the last edit of each block fixes it only if odd).
        version += 1
        change(server, model_uri, version, original)
        server.wait_diagnostics(model_uri, lambda d: len(d) == 0)

        # Hover on the model's first relation name, completion after `from `.
        hover_at = position_of(original, "from ", len("from ") + 1)
        hover = [server.request("textDocument/hover", {
            "textDocument": {"uri": model_uri}, "position": hover_at})[0] for _ in range(50)]
        result["hover_ms"] = stats_ms(hover)
        completion = [server.request("textDocument/completion", {
            "textDocument": {"uri": model_uri}, "position": hover_at})[0] for _ in range(50)]
        result["completion_ms"] = stats_ms(completion)

        # A contract edit: a column renamed in the product's contract makes the
        # producer's model disagree with it (and its consumers, if they read it).
        domain, product = edit["model"].split(".")
        contract_path = root / domain / "contracts" / f"{product}.yaml"
        if contract_path.exists():
            contract = contract_path.read_text()
            contract_uri = contract_path.as_uri()
            first = contract.index("- name: ", contract.index("properties:")) + len("- name: ")
            renamed = contract[:first] + "bench_renamed_" + contract[first:]
            server.notify("textDocument/didOpen", {"textDocument": {
                "uri": contract_uri, "languageId": "yaml", "version": 1, "text": contract}})
            contract_samples = []
            for i in range(20):
                sent = time.perf_counter()
                change(server, contract_uri, 2 + i, renamed if i % 2 == 0 else contract)
                at = server.wait_diagnostics(
                    model_uri, (lambda d: len(d) > 0) if i % 2 == 0 else (lambda d: len(d) == 0))
                contract_samples.append(at - sent)
            result["contract_ms"] = stats_ms(contract_samples)
        result["rss_kib"]["end"] = server.rss_kib()
        server.stop()
        print(json.dumps(result))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
