#!/usr/bin/env python3
"""The baseline of `meshc run --target trino` in the benchmark: the statements
of a SQL script (target/trino/run.sql, written by `meshc build --target
trino`) sent to Trino one at a time over its HTTP client protocol (POST
/v1/statement, then GET nextUri until there is none), standard library only,
on one keep-alive connection. Prints one JSON object:

- statements: how many were sent; kinds: how many of each leading keyword;
- elapsed_s: the first POST → the last statement finished (in process);
- server: what Trino's `system.runtime.queries` lists for this client's
  source tag after the run (its count, and the sum of each query's
  created → end time).

    bench/trino_direct.py --url URL --file run.sql [--catalog C] [--source S]

Also a module: measure.py imports `Client`, `split_statements` and `kind`.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import sys
import time
import urllib.parse


class TrinoError(RuntimeError):
    pass


class Client:
    """One statement at a time; no session state between statements."""

    def __init__(self, url: str, user: str = "meshc-bench", source: str = "meshc-bench-direct"):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port or 80
        self.user, self.source = user, source
        self.conn = None

    def _request(self, method: str, target: str, body: bytes | None, headers: dict) -> dict:
        for attempt in range(10):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            try:
                self.conn.request(method, target, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
            except (http.client.HTTPException, OSError):
                # A keep-alive connection the server closed: once more on a new one
                # (never for a POST that may have been received).
                self.conn.close()
                self.conn = None
                if method == "POST" or attempt > 0:
                    raise
                continue
            if resp.status in (502, 503, 504) and method == "GET":
                time.sleep(min(2.0, 0.05 * 2 ** attempt))
                continue
            if resp.status != 200:
                raise TrinoError(f"HTTP {resp.status} for {method} {target}: {data[:500]!r}")
            return json.loads(data)
        raise TrinoError(f"{method} {target}: gave up after retries")

    def execute(self, sql: str, catalog: str | None = None, schema: str | None = None):
        """Runs one statement to the end: (columns, rows, stats of the last answer)."""
        headers = {"X-Trino-User": self.user, "X-Trino-Source": self.source,
                   "Content-Type": "text/plain; charset=utf-8"}
        if catalog:
            headers["X-Trino-Catalog"] = catalog
        if schema:
            headers["X-Trino-Schema"] = schema
        answer = self._request("POST", "/v1/statement", sql.encode("utf-8"), headers)
        columns, rows = None, []
        while True:
            if "error" in answer:
                e = answer["error"]
                raise TrinoError(f"{e.get('errorName')}: {e.get('message')}\nin: {sql[:300]}")
            columns = answer.get("columns") or columns
            rows.extend(answer.get("data") or [])
            nxt = answer.get("nextUri")
            if not nxt:
                return columns, rows, answer.get("stats", {})
            u = urllib.parse.urlsplit(nxt)
            answer = self._request("GET", u.path + (f"?{u.query}" if u.query else ""), None,
                                   {"X-Trino-User": self.user})

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def split_statements(text: str) -> list[str]:
    """A script's statements, split at `;` outside quotes and comments; each
    keeps its text (comments above it included) without the `;`."""
    out, start, i, n = [], 0, 0, len(text)
    while i < n:
        c = text[i]
        if c in ("'", '"'):
            j = i + 1
            while j < n:
                if text[j] == c:
                    if j + 1 < n and text[j + 1] == c:  # '' or "" inside
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
        elif text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == ";":
            out.append(text[start:i])
            start = i = i + 1
        else:
            i += 1
    out.append(text[start:])
    return [s.strip() for s in out if strip_comments(s).strip()]


def strip_comments(sql: str) -> str:
    lines = [l for l in sql.splitlines() if not l.lstrip().startswith("--")]
    return "\n".join(lines)


def kind(sql: str) -> str:
    """The statement's leading keywords, for counting: CREATE TABLE, DROP VIEW, ..."""
    words = strip_comments(sql).split()
    up = [w.upper().strip("(") for w in words[:5]]
    if up[:4] == ["CREATE", "OR", "REPLACE", "VIEW"]:
        return "CREATE OR REPLACE VIEW"
    if up[:2] == ["EXPLAIN", "ANALYZE"]:
        return "EXPLAIN ANALYZE"
    if up and up[0] in ("SELECT", "WITH"):
        return "SELECT information_schema" if "information_schema" in sql else "SELECT"
    return " ".join(up[:2])


def server_queries(client: Client, source: str, since_ids: set[str] | None = None) -> list[dict]:
    """The queries Trino lists for `source` (system.runtime.queries keeps at
    least the last 15 minutes), oldest first, without the ids in `since_ids`."""
    cols, rows, _ = client.execute(
        "SELECT query_id, state, query, "
        "to_unixtime(\"end\") - to_unixtime(created) AS seconds, error_code "
        f"FROM system.runtime.queries WHERE source = '{source}' ORDER BY created")
    names = [c["name"] for c in cols]
    out = [dict(zip(names, r)) for r in rows]
    return [q for q in out if not since_ids or q["query_id"] not in since_ids]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--file", required=True, help="a SQL script, e.g. target/trino/run.sql")
    p.add_argument("--catalog", help="X-Trino-Catalog of every statement (run.sql needs none)")
    p.add_argument("--user", default="meshc-bench")
    p.add_argument("--source", default="meshc-bench-direct",
                   help="X-Trino-Source, to find these statements in system.runtime.queries")
    a = p.parse_args()
    with open(a.file) as f:
        statements = split_statements(f.read())
    client = Client(a.url, a.user, a.source)
    before = {q["query_id"] for q in server_queries(Client(a.url, a.user, "meshc-bench-probe"),
                                                     a.source)}
    start = time.perf_counter()
    for sql in statements:
        client.execute(sql, catalog=a.catalog)
    elapsed = time.perf_counter() - start
    client.close()
    seen = server_queries(Client(a.url, a.user, "meshc-bench-probe"), a.source, before)
    print(json.dumps({
        "statements": len(statements),
        "kinds": dict(collections.Counter(kind(s) for s in statements)),
        "elapsed_s": elapsed,
        "server": {"queries": len(seen),
                   "failed": sum(1 for q in seen if q["state"] != "FINISHED"),
                   "seconds": sum(q["seconds"] or 0 for q in seen)},
    }))


if __name__ == "__main__":
    sys.exit(main())
