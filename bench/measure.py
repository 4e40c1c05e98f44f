#!/usr/bin/env python3
"""The measuring half of bench/run (stdlib only; bench/run sets everything up).

Generates meshes with bench/gen.py, times meshc, meshc-bench and dbt side by
side (median, min, max of several runs; peak RSS of each child process from
wait4), runs projects/jaffle_mesh with meshc, with plain DuckDB and with dbt,
and writes results.json and RESULTS.md.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DBT_ENV = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_VERSION_CHECK": "false",
           "DO_NOT_TRACK": "1"}


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def timed(cmd, cwd=None, env=None, check=True, timeout=None, cpu=None):
    """Runs cmd; returns (seconds, peak RSS in KiB, stdout, stderr). With a
    list as `cpu`, appends the child's CPU time (user + system seconds) to it."""
    full_env = dict(os.environ, **(env or {}))
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise RuntimeError(f"timeout after {timeout}s: {' '.join(cmd)}")
    # communicate() reaped the child; its rusage is in RUSAGE_CHILDREN only in
    # aggregate, so wait4 is used through a tiny wrapper below instead.
    seconds = time.perf_counter() - start
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{err[-3000:]}\n{out[-2000:]}")
    if cpu is not None:
        cpu.append(proc.cpu_s)
    return seconds, proc.rss_kib, out, err


class Popen(subprocess.Popen):
    """Popen that records the child's peak RSS (ru_maxrss, KiB) and CPU time
    via wait4."""

    rss_kib = None
    cpu_s = None

    def _try_wait(self, wait_flags):
        try:
            pid, sts, usage = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            pid, sts = self.pid, 0
            usage = None
        if pid == self.pid and usage is not None:
            self.rss_kib = usage.ru_maxrss
            self.cpu_s = usage.ru_utime + usage.ru_stime
        return pid, sts


subprocess.Popen = Popen  # used by timed()


def stats(samples):
    if not samples:
        return None
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "n": len(samples)}


def repeat(cmd, reps, cwd=None, env=None, before=None, timeout=None):
    secs, rss = [], []
    for _ in range(reps):
        if before:
            before()
        s, r, _, _ = timed(cmd, cwd=cwd, env=env, timeout=timeout)
        secs.append(s)
        rss.append(r or 0)
    return {"s": stats(secs), "rss_kib": max(rss)}


# --------------------------------------------------------------------------


def machine_info(meshc, venv):
    def sh(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return ""

    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kib = int(next(l for l in f if l.startswith("MemTotal")).split()[1])
            mem = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    info = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram": mem,
        "kernel": platform.release(),
        "load_before": os.getloadavg()[0],
        "meshc": sh([meshc, "--version"]),
        "rustc": sh(["rustc", "--version"]),
        "python": platform.python_version(),
        "commit": sh(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]),
        "dirty": bool(sh(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"])),
    }
    if venv:
        py = os.path.join(venv, "bin", "python")
        info["dbt"] = sh([py, "-c", "import importlib.metadata as m; print('dbt-core', m.version('dbt-core'), '/ dbt-duckdb', m.version('dbt-duckdb'))"])
        info["duckdb_python"] = sh([py, "-c", "import duckdb; print(duckdb.__version__)"])
    return info


def has_lock_command(meshc):
    r = subprocess.run([meshc, "lock", "--help"], capture_output=True, text=True)
    return r.returncode == 0


def generate(n, out, with_dbt, meshc, verify=True, portable=False):
    cmd = [sys.executable, os.path.join(HERE, "gen.py"), "--models", str(n), "--out", out]
    if not with_dbt:
        cmd.append("--no-dbt")
    if portable:
        cmd.append("--portable")
    subprocess.run(cmd, check=True)
    mesh = os.path.join(out, "mesh")
    if has_lock_command(meshc):
        subprocess.run([meshc, "lock", "-q", "-w", mesh], check=True, stdout=subprocess.DEVNULL)
    if not verify:  # meshc-bench verifies it (cold_diagnostics must be 0)
        with open(os.path.join(out, "bench-meta.json")) as f:
            return json.load(f)
    # The generated mesh must check with zero diagnostics.
    r = subprocess.run([meshc, "check", "--format", "json", "-w", mesh],
                       capture_output=True, text=True)
    diags = json.loads(r.stdout or "[]")
    if r.returncode != 0 or diags:
        raise RuntimeError(f"generated mesh at N={n} does not check clean: {len(diags)} "
                           f"diagnostics, first: {json.dumps(diags[:2])[:2000]}")
    with open(os.path.join(out, "bench-meta.json")) as f:
        return json.load(f)


def measure_meshc(n, out, meshc, bench, reps, bench_reps, timeout, build=True, check=True):
    mesh = os.path.join(out, "mesh")
    meta = os.path.join(out, "bench-meta.json")
    res = {}
    if check:
        log(f"N={n}: meshc check x{reps}")
        res["check"] = repeat([meshc, "check", "-q", "-w", mesh], reps, timeout=timeout)
    if build:
        # The first build writes into an empty target/; the measured ones keep
        # target/, as `dbt compile` keeps its target/ (meshc then rewrites only
        # the files whose SQL changed, dbt rewrites every file).
        shutil.rmtree(os.path.join(mesh, "target"), ignore_errors=True)
        log(f"N={n}: meshc build into an empty target/, then x{reps}")
        res["build_first"] = repeat([meshc, "build", "-q", "-w", mesh], 1, timeout=timeout)
        res["build"] = repeat([meshc, "build", "-q", "-w", mesh], reps, timeout=timeout)
    log(f"N={n}: meshc-bench (--reps {bench_reps})")
    s, rss, stdout, _ = timed([bench, "-w", mesh, "--meta", meta, "--reps", str(bench_reps)],
                              timeout=timeout)
    res["bench"] = json.loads(stdout)
    res["bench"]["process_rss_kib"] = rss
    return res


def measure_lsp(n, out, meshc, edits, timeout):
    """bench/lsp.py: the real `meshc lsp` over stdio on the generated mesh."""
    log(f"N={n}: meshc lsp ({edits} keystrokes, hover, completion, contract edits)")
    _, _, stdout, _ = timed([sys.executable, os.path.join(HERE, "lsp.py"), "--meshc", meshc,
                             "--mesh", os.path.join(out, "mesh"),
                             "--meta", os.path.join(out, "bench-meta.json"),
                             "--edits", str(edits)], timeout=timeout)
    return json.loads(stdout)


def measure_watch(n, out, meshc, edits, timeout):
    """bench/watch.py: the real `meshc watch --run` on a copy of the generated mesh."""
    log(f"N={n}: meshc watch --run ({edits} writes of each edited model)")
    load = os.getloadavg()[0]
    _, _, stdout, _ = timed([sys.executable, os.path.join(HERE, "watch.py"), "--meshc", meshc,
                             "--mesh", os.path.join(out, "mesh"),
                             "--meta", os.path.join(out, "bench-meta.json"),
                             "--edits", str(edits), "--log", os.path.join(out, "watch.log")],
                            timeout=timeout)
    res = json.loads(stdout)
    res["load"] = [load, os.getloadavg()[0]]
    return res


TARGETS = ("duckdb", "trino", "teradata")


def tree_size(path):
    files = size = 0
    for dirpath, _, names in os.walk(path):
        for name in names:
            files += 1
            size += os.path.getsize(os.path.join(dirpath, name))
    return files, size


def measure_targets(n, out, meshc, reps, timeout):
    """`meshc build --target T` for every target on the same mesh: cold (target/
    removed first) and warm (the same build again, nothing changed), the
    targets interleaved so that all see the same machine noise.

    Teradata has no BOOLEAN, and meshc refuses to emit a model with a BOOLEAN
    column for it, which most generated models have; so the three targets
    are timed on the mesh `gen.py --portable` generates beside `out` (same
    size and seed, flags as 0/1 INTEGERs), and what Teradata refuses on the
    standard mesh is counted."""
    r = subprocess.run([meshc, "build", "--target", "teradata", "--format", "json", "-w",
                        os.path.join(out, "mesh")], capture_output=True, text=True)
    refused = json.loads(r.stdout or "[]") if r.returncode != 0 else []
    portable = out + "-portable"
    log(f"N={n}: generating the portable mesh into {portable}")
    meta = generate(n, portable, False, meshc, portable=True)
    mesh = os.path.join(portable, "mesh")
    tdir = os.path.join(mesh, "target")
    log(f"N={n}: meshc build --target {'/'.join(TARGETS)}, cold and warm, x{reps}")
    load = os.getloadavg()[0]
    samples = {t: {"cold": ([], [], []), "warm": ([], [], [])} for t in TARGETS}
    res = {"models": meta["models"], "published": meta["published"],
           "teradata_on_standard_mesh": {
               "exit": r.returncode, "diagnostics": len(refused),
               "models_refused": len({d.get("file") for d in refused})}}
    for _ in range(reps):
        for t in TARGETS:
            shutil.rmtree(tdir, ignore_errors=True)
            for phase in ("cold", "warm"):
                s, r, _, _ = timed([meshc, "build", "-q", "--target", t, "-w", mesh],
                                   timeout=timeout, cpu=samples[t][phase][2])
                samples[t][phase][0].append(s)
                samples[t][phase][1].append(r or 0)
            files, size = tree_size(os.path.join(tdir, t))
            res[t] = {"files": files, "bytes": size,
                      "manifest_bytes": os.path.getsize(os.path.join(tdir, "manifest.json"))}
    for t in TARGETS:
        for phase, (secs, rss, cpu) in samples[t].items():
            res[t][phase] = {"s": stats(secs), "rss_kib": max(rss), "cpu_s": stats(cpu)}
    res["load"] = [load, os.getloadavg()[0]]
    return res


def dbt_cmd(venv, *args):
    return [os.path.join(venv, "bin", "dbt"), *args, "--profiles-dir", "."]


def measure_dbt(n, out, venv, reps, edit_reps, compile_reps, meta, timeout):
    d = os.path.join(out, "dbt")
    pp = os.path.join(d, "target", "partial_parse.msgpack")
    res = {}

    def no_state():
        if os.path.exists(pp):
            os.remove(pp)

    log(f"N={n}: dbt parse --no-partial-parse x{reps}")
    res["parse_cold"] = repeat(dbt_cmd(venv, "parse", "--no-partial-parse"), reps, cwd=d,
                               env=DBT_ENV, before=no_state, timeout=timeout)
    timed(dbt_cmd(venv, "parse"), cwd=d, env=DBT_ENV, timeout=timeout)  # writes the state
    log(f"N={n}: dbt parse (partial parse, no change) x{reps}")
    res["parse_warm"] = repeat(dbt_cmd(venv, "parse"), reps, cwd=d, env=DBT_ENV, timeout=timeout)
    res["edits"] = []
    for edit in meta["edits"]:
        path = os.path.join(d, edit["dbt_path"])
        secs, rss = [], 0
        log(f"N={n}: dbt parse after a {edit['kind']} edit x{edit_reps}x2")
        for _ in range(edit_reps):
            # At 10,000 models and more only the edit itself is timed; the restore is not.
            for i, text in enumerate((edit["dbt_edited"], edit["dbt_original"])):
                if i == 1 and n >= 10000:
                    with open(path, "w") as f:
                        f.write(text)
                    continue
                with open(path, "w") as f:
                    f.write(text)
                s, r, _, _ = timed(dbt_cmd(venv, "parse"), cwd=d, env=DBT_ENV, timeout=timeout)
                secs.append(s)
                rss = max(rss, r or 0)
        res["edits"].append({"kind": edit["kind"], "model": edit["model"],
                             "s": stats(secs), "rss_kib": rss})
    log(f"N={n}: dbt compile --no-partial-parse x{compile_reps}")
    res["compile"] = repeat(dbt_cmd(venv, "compile", "--no-partial-parse"), compile_reps, cwd=d,
                            env=DBT_ENV, before=no_state, timeout=timeout)
    return res


# --------------------------------------------------------------------------
# meshc run vs plain DuckDB vs dbt on projects/jaffle_mesh

RAW_DUCKDB = r'''
import json, os, sys, time
import duckdb
root, db = sys.argv[1], sys.argv[2]
checks = sys.argv[3:] == ["checks"]
manifest = json.load(open(os.path.join(root, "target", "manifest.json")))
def lit(s): return "'" + s.replace("'", "''") + "'"
start = time.perf_counter()
con = duckdb.connect(db)
for schema in sorted({s["domain"] for s in manifest["sources"]} | {m["domain"] for m in manifest["models"]}):
    con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
for s in manifest["sources"]:
    cols = ", ".join(f'"{c["name"]}" {c["type"]}' + ("" if c["nullable"] else " NOT NULL") for c in s["columns"])
    names = ", ".join(f'"{c["name"]}"' for c in s["columns"])
    spec = ", ".join(f'{lit(c["name"])}: {lit(c["type"])}' for c in s["columns"])
    path = os.path.join(root, s["path"])
    con.execute(f'CREATE OR REPLACE TABLE "{s["domain"]}"."{s["name"]}" ({cols})')
    con.execute(f'INSERT INTO "{s["domain"]}"."{s["name"]}" ({names}) SELECT {names} FROM '
                f"read_csv({lit(path)}, header = true, columns = {{{spec}}}, auto_detect = false)")
for m in manifest["models"]:
    con.execute(open(os.path.join(root, m["sql_path"])).read())
    if checks:
        for c in m["checks"]:
            con.execute(c["sql"]).fetchall()
con.close()
print(time.perf_counter() - start)
'''


def jaffle_reps(reps, smoke):
    """The jaffle runs take a fraction of a second: more of them steady the medians."""
    return reps if smoke else max(reps, 15)


def measure_run(work, meshc, venv, reps, smoke):
    res = {}
    src = os.path.join(ROOT, "projects", "jaffle_mesh")
    ws = os.path.join(work, "jaffle_mesh")
    shutil.rmtree(ws, ignore_errors=True)
    shutil.copytree(src, ws, ignore=shutil.ignore_patterns("target", "*.duckdb*"))
    db = os.path.join(ws, "target", "jaffle_mesh.duckdb")

    def fresh():
        for suffix in ("", ".wal"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)

    # The manifest (with each model's quality checks) for the plain-DuckDB script.
    timed([meshc, "build", "-q", "-w", ws])
    py = os.path.join(venv, "bin", "python") if venv else None
    have_py = bool(py and os.path.exists(py))
    script = os.path.join(work, "raw_duckdb.py")
    with open(script, "w") as f:
        f.write(RAW_DUCKDB)
    raw_db = os.path.join(work, "raw_jaffle.duckdb")
    variants = {"raw_duckdb": [], "raw_duckdb_checks": ["checks"]}
    raw = {k: ([], []) for k in variants}
    secs, rss, engine = [], [], []
    # Interleaved, so that all three see the same machine noise.
    log(f"jaffle_mesh: meshc run and the same SQL on plain DuckDB (python duckdb, with and "
        f"without the quality checks), interleaved x{jaffle_reps(reps, smoke)}")
    for _ in range(jaffle_reps(reps, smoke)):
        fresh()
        s, r, _, _ = timed([meshc, "run", "-q", "-w", ws])
        secs.append(s)
        rss.append(r or 0)
        with open(os.path.join(ws, "target", "run_results.json")) as f:
            engine.append(json.load(f)["elapsed_seconds"])
        if not have_py:
            continue
        for key, extra in variants.items():
            for suffix in ("", ".wal"):
                if os.path.exists(raw_db + suffix):
                    os.remove(raw_db + suffix)
            s, _, out, _ = timed([py, script, ws, raw_db] + extra)
            raw[key][0].append(float(out.strip().splitlines()[-1]))
            raw[key][1].append(s)
    res["meshc_run"] = {"s": stats(secs), "rss_kib": max(rss), "engine_s": stats(engine)}
    if have_py:
        for key, (inner, outer) in raw.items():
            res[key] = {"s": stats(inner), "process_s": stats(outer)}
        if not smoke:
            d = os.path.join(work, "jaffle_dbt")
            shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(os.path.join(HERE, "jaffle_dbt"), d)
            os.makedirs(os.path.join(d, "seeds"), exist_ok=True)
            for dom in ("customers", "orders", "payments"):
                data = os.path.join(src, dom, "data")
                for f in os.listdir(data):
                    shutil.copy(os.path.join(data, f), os.path.join(d, "seeds", f))
            dbt_db = os.path.join(d, "target", "jaffle_mesh_dbt.duckdb")

            def fresh_dbt():
                for suffix in ("", ".wal"):
                    if os.path.exists(dbt_db + suffix):
                        os.remove(dbt_db + suffix)

            log(f"jaffle_mesh: dbt build (seeds + models) x{reps}")
            res["dbt_build"] = repeat(dbt_cmd(venv, "build"), reps, cwd=d, env=DBT_ENV,
                                      before=fresh_dbt)
            log(f"jaffle_mesh: dbt run (models only) x{reps}")
            res["dbt_run"] = repeat(dbt_cmd(venv, "run"), reps, cwd=d, env=DBT_ENV)
            # Same rows as meshc?
            check = ("import duckdb,sys\n"
                     "a=duckdb.connect(sys.argv[1],read_only=True).sql('select * from insights.dim_customers order by 1').fetchall()\n"
                     "b=duckdb.connect(sys.argv[2],read_only=True).sql('select * from insights.dim_customers order by 1').fetchall()\n"
                     "print('same' if a==b else 'different')\n")
            r = subprocess.run([py, "-c", check, db, dbt_db], capture_output=True, text=True)
            res["dbt_same_rows"] = r.stdout.strip() or r.stderr.strip()[-300:]
    return res


# --------------------------------------------------------------------------
# meshc run --target trino vs the statements of run.sql sent directly


def trino_installed():
    return os.path.exists(os.path.expanduser("~/.cache/meshc/trino-476/.meshc-installed"))


def measure_trino(work, meshc, reps, smoke):
    """projects/jaffle_mesh on a real Trino 476 (scripts/trino-server.sh: one
    PostgreSQL catalog per source domain, a memory catalog for the outputs):
    `meshc run --target trino` against the statements of target/trino/run.sql
    sent one at a time by bench/trino_direct.py, and against meshc's own
    statements (as Trino lists them) replayed the same way; interleaved,
    after one warm-up run of each."""
    sys.path.insert(0, HERE)
    import trino_direct as td

    if not trino_installed():
        why = "Trino is not installed (bash scripts/setup-trino.sh)"
        if os.environ.get("MESHC_REQUIRE_TRINO") == "1" or os.environ.get("CI") == "true":
            raise RuntimeError(why)
        log(f"jaffle_mesh on Trino: skipped: {why}")
        return {"skipped": why}
    reps = reps if smoke else max(reps, 7)
    server = os.path.join(work, "trino-server")
    script = os.path.join(ROOT, "scripts", "trino-server.sh")
    subprocess.run(["bash", script, "stop", server], check=True)
    log("jaffle_mesh on Trino: starting Trino 476 and PostgreSQL (scripts/trino-server.sh)")
    t0 = time.perf_counter()
    r = subprocess.run(["bash", script, "start", server, "--watch", str(os.getpid())],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"trino-server.sh start failed:\n{r.stderr[-3000:]}")
    url = r.stdout.strip().splitlines()[-1]
    res = {"server_start_s": time.perf_counter() - t0}
    load = os.getloadavg()[0]
    try:
        ws = os.path.join(work, "jaffle_trino")
        shutil.rmtree(ws, ignore_errors=True)
        shutil.copytree(os.path.join(ROOT, "projects", "jaffle_mesh"), ws,
                        ignore=shutil.ignore_patterns("target", "*.duckdb*"))
        timed([meshc, "build", "-q", "--target", "trino", "-w", ws])
        run_sql = os.path.join(ws, "target", "trino", "run.sql")
        with open(run_sql) as f:
            direct_statements = td.split_statements(f.read())
        with open(os.path.join(ws, "target", "manifest.json")) as f:
            models = [(m["domain"], m["name"]) for m in json.load(f)["models"]]
        probe = td.Client(url, source="meshc-bench-probe")
        meshc_cmd = [meshc, "run", "-q", "--target", "trino", "--trino-url", url, "-w", ws]
        direct_cmd = [sys.executable, os.path.join(HERE, "trino_direct.py"), "--url", url,
                      "--file", run_sql]

        def ids(source):
            return {q["query_id"] for q in td.server_queries(probe, source)}

        def rows():
            out = {}
            for d, m in models:
                _, rs, _ = probe.execute(f'SELECT count(*) FROM insights."{d}"."{m}"')
                out[f"{d}.{m}"] = rs[0][0]
            return out

        # Warm-up (the JVM compiles its code paths on the first statements): one
        # run of each on the fresh server. Then meshc once more, whose statements
        # Trino lists (with the objects in place, as in the timed runs: a first
        # run has no old table to drop), and run.sql, to compare the rows.
        log("jaffle_mesh on Trino: warm-up runs (meshc, run.sql directly, meshc again)")
        s, _, _, _ = timed(meshc_cmd)
        res["first_meshc_run_s"] = s
        _, _, out, _ = timed(direct_cmd)
        res["first_direct_run_s"] = json.loads(out)["elapsed_s"]
        before = ids("meshc")
        timed(meshc_cmd)
        sent = td.server_queries(probe, "meshc", before)
        meshc_rows = rows()
        _, _, out, _ = timed(direct_cmd)
        first = json.loads(out)
        direct_rows = rows()
        replay = os.path.join(work, "trino_meshc_statements.sql")
        with open(replay, "w") as f:
            f.write("".join(q["query"].rstrip() + "\n;\n" for q in sent))
        replay_cmd = [sys.executable, os.path.join(HERE, "trino_direct.py"), "--url", url,
                      "--file", replay, "--catalog", "insights", "--source", "meshc-bench-replay"]
        timed(replay_cmd)
        res["statements"] = {
            "run_sql": len(direct_statements),
            "run_sql_kinds": dict(sorted(collections.Counter(
                td.kind(x) for x in direct_statements).items())),
            "meshc": len(sent),
            "meshc_kinds": dict(sorted(collections.Counter(
                td.kind(q["query"]) for q in sent).items())),
            "meshc_failed": sum(1 for q in sent if q["state"] != "FINISHED"),
            "direct_seen_by_server": first["server"]["queries"],
        }
        res["same_rows"] = meshc_rows == direct_rows
        res["rows"] = sum(meshc_rows.values())
        log(f"jaffle_mesh on Trino: meshc run, run.sql directly and meshc's statements "
            f"replayed, interleaved x{reps}")
        m_s, m_rss, m_engine, m_count = [], [], [], []
        d_in, d_proc, r_in, r_proc = [], [], [], []
        for _ in range(reps):
            before = ids("meshc")
            s, rss, _, _ = timed(meshc_cmd)
            m_s.append(s)
            m_rss.append(rss or 0)
            with open(os.path.join(ws, "target", "run_results.json")) as f:
                m_engine.append(json.load(f)["elapsed_seconds"])
            m_count.append(len(td.server_queries(probe, "meshc", before)))
            for cmd, inner, proc in ((direct_cmd, d_in, d_proc), (replay_cmd, r_in, r_proc)):
                s, _, out, _ = timed(cmd)
                inner.append(json.loads(out)["elapsed_s"])
                proc.append(s)
        res["meshc_run"] = {"s": stats(m_s), "rss_kib": max(m_rss), "engine_s": stats(m_engine),
                            "statements": {"min": min(m_count), "max": max(m_count)},
                            "threads": os.cpu_count()}
        res["direct"] = {"s": stats(d_in), "process_s": stats(d_proc)}
        res["replay"] = {"s": stats(r_in), "process_s": stats(r_proc)}
    finally:
        res["load"] = [load, os.getloadavg()[0]]
        subprocess.run(["bash", script, "stop", server], check=False)
    return res


# --------------------------------------------------------------------------
# RESULTS.md


def fmt_s(st, unit="s"):
    if not st:
        return "n/a"
    m = st["median"]
    if unit == "ms":
        return f"{m:.1f} ms ({st['min']:.1f}–{st['max']:.1f}, n={st['n']})"
    return f"{m:.3f} s ({st['min']:.3f}–{st['max']:.3f}, n={st['n']})"


def fmt_ms_from_s(st):
    if not st:
        return "n/a"
    return fmt_s({k: (v * 1000 if k != "n" else v) for k, v in st.items()}, "ms")


def size(n):
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def mib(kib):
    return f"{kib / 1024:.0f} MiB" if kib else "n/a"


def ratio(a, b):
    if not a or not b:
        return "n/a"
    return f"{a / b:.1f}×"


def write_results(path, info, cfg, runs, jaffle):
    L = []
    L.append("# meshc vs dbt-core: benchmark results")
    L.append("")
    if info.get("dbt_from"):
        L.append(f"The dbt-core figures come from the full run of {info['dbt_from']} (same generator "
                 "and seed, so the same projects); meshc was measured again on the commit below.")
        L.append("")
    L.append(f"Produced by `bench/run` on {info['date']} (commit `{info['commit']}`"
             f"{', work tree dirty' if info['dirty'] else ''}). Regenerate with `bench/run`; raw numbers are in "
             f"`results.json` next to the work directory ({cfg['work']}).")
    L.append("")
    if os.environ.get("MESHC_BENCH_NOTE"):
        L.append(os.environ["MESHC_BENCH_NOTE"])
        L.append("")
    L.append("## Machine and versions")
    L.append("")
    L.append(f"- CPU: {info['cpu']}, `nproc` = {info['nproc']}; RAM {info['ram']}; Linux {info['kernel']}")
    L.append(f"- load average when the run started: {info['load_before']:.2f} "
             "(the machine is shared with other builds; see *Noise* below)")
    L.append(f"- {info['meshc']}, {info['rustc']}, Python {info['python']}")
    if info.get("dbt"):
        L.append(f"- {info['dbt']}, duckdb (Python) {info.get('duckdb_python', '?')}")
    L.append("")
    L.append("## Method")
    L.append("")
    L.append("- Meshes come from `bench/gen.py` (seed 42, 10 domains, 4 raw sources per domain with "
             "5-row CSVs; staging, aggregate, join, window and derived-measure models with CTEs, 1–3 "
             "inputs, 5–15 columns; ~20 % of models published with an ODCS contract; ~10 % of models read "
             "another domain's product). The same mesh is written as **one dbt project with a folder per "
             "domain** (groups per domain, `access: private|public`, enforced contracts with `data_type` "
             "on every published model, sources with `external_location`).")
    L.append("- Times are wall-clock seconds of the whole process (`meshc check`, `meshc build`, `dbt parse`, "
             "`dbt compile`) as median (min–max, n runs); peak RSS is `ru_maxrss` of the child from `wait4`.")
    L.append("- meshc has no persistent cache or daemon yet, so a second `meshc check` process is as "
             "cold as the first. The warm figures are `meshc-bench` (bench/harness): the same "
             "`AnalysisHost` that watch mode and the language server use, in process: *warm no-op* = "
             "`check()` again without a change; *rescan* = re-read every file from disk, "
             "`apply_change`, `check()`; *edit* = `apply_change` with one model's new text → new "
             "diagnostics, alternating edited and original text (both directions counted).")
    L.append("- dbt: cold = `dbt parse --no-partial-parse` with `target/partial_parse.msgpack` deleted; "
             "warm = `dbt parse` with partial parsing and no change; edit = write the model file, "
             "`dbt parse` (partial parse); build = `dbt compile --no-partial-parse`, which rewrites the "
             "files of its `target/`; `meshc build` likewise runs with its `target/` from the previous "
             "build and rewrites only files whose content changed (the first build, into an empty "
             "`target/`, is listed too). "
             "Anonymous usage statistics and the version check are off.")
    L.append(f"- Repetitions: meshc {cfg['reps']} runs per figure at N ≤ 10,000 and "
             f"{cfg['reps_50k']} at 50,000; meshc-bench {cfg['bench_reps']} edits per direction; "
             f"dbt {cfg['dbt_reps']} runs at 1,000 and {cfg['dbt_reps_10k']} at 10,000 (edits: "
             f"{cfg['dbt_edit_reps']}× edit + restore at 1,000, the edit alone at 10,000; compile: "
             f"{cfg['dbt_compile_reps']}), because one dbt parse of 10,000 models takes minutes. "
             "At 50,000 models only meshc-bench runs (3 edits per direction) to keep the run within its "
             "time budget; its in-process cold check and plan/emit times stand in for `meshc check` and "
             "`meshc build` there.")
    L.append("")

    tn = 10000 if 10000 in runs else max(n for n in runs if "check" in runs[n]["meshc"])
    ten = runs[tn]
    L.append(f"## Targets of issue 5 at N = {tn:,}")
    L.append("")
    L.append("| target | measured | met? |")
    L.append("| --- | --- | --- |")

    def row(name, value, ok):
        L.append(f"| {name} | {value} | {'met' if ok else '**not met**'} |")

    m = ten["meshc"]
    b = m["bench"]
    chk = m["check"]["s"]["median"]
    bld = m["build"]["s"]["median"]
    row("cold `meshc check` ≤ 1 s", f"{chk:.3f} s", chk <= 1)
    row("`meshc build` ≤ 2 s", f"{bld:.3f} s", bld <= 2)
    noop = b["warm_noop_ms"]["median"]
    row("warm no-op ≤ 50 ms", f"{noop:.2f} ms (meshc-bench `check()`; rescan from disk "
        f"{b['warm_rescan_ms']['median']:.0f} ms)", noop <= 50)
    # The edit path of watch mode / the language server: `model_edit_diagnostics`
    # (the edited model and its readers); a whole-mesh `check()` is shown too.
    def edit_ms(e):
        return (e.get("edit_path_ms") or e["ms"])["median"]
    worst = max(edit_ms(e) for e in b["edits"]) if b["edits"] else float("nan")
    row("one-model edit → diagnostics ≤ 20 ms (watch/LSP path: edited model and its readers)",
        "; ".join(f"{e['kind']}: {edit_ms(e):.2f} ms ({e.get('edit_path_files', '?')} files; "
                  f"whole-mesh re-check {e['ms']['median']:.1f} ms)" for e in b["edits"]),
        worst <= 20)
    rss = max(m["check"]["rss_kib"], m["build"]["rss_kib"], b.get("process_rss_kib") or 0)

    row("peak RSS ≤ 1 GiB", f"{mib(rss)} (check {mib(m['check']['rss_kib'])}, build "
        f"{mib(m['build']['rss_kib'])}, meshc-bench {mib(b.get('process_rss_kib'))})",
        rss <= 1024 * 1024)
    d = ten.get("dbt")
    if d:
        dp = d["parse_cold"]["s"]["median"]
        row("≥ 100× faster than dbt-core cold parse", f"{dp / chk:.1f}× (dbt {dp:.1f} s vs meshc {chk:.3f} s)",
            dp / chk >= 100)
    else:
        L.append("| ≥ 100× faster than dbt-core cold parse | dbt not measured (smoke run) | n/a |")
    if jaffle.get("raw_duckdb_checks") and jaffle["meshc_run"].get("engine_s"):
        me = jaffle["meshc_run"]["engine_s"]["median"]
        mp = jaffle["meshc_run"]["s"]["median"]
        rc = jaffle["raw_duckdb_checks"]["s"]["median"]
        rp = jaffle["raw_duckdb"]["s"]["median"]
        row("`meshc run` overhead over raw DuckDB ≤ 10 % (jaffle_mesh)",
            f"execution (open → close, in process) {me * 1000:.0f} ms vs the same statements, "
            f"quality checks included, on DuckDB from Python {rc * 1000:.0f} ms: "
            f"{(me / rc - 1) * 100:+.0f} %; the whole `meshc run` process (start, load, check, "
            f"plan, write target/) {mp * 1000:.0f} ms is {(mp / rc - 1) * 100:+.0f} % over it, and "
            f"{(mp / rp - 1) * 100:+.0f} % over the model statements alone ({rp * 1000:.0f} ms)",
            me <= rc * 1.1)
    L.append("")

    L.append("## Side by side")
    L.append("")
    for n in sorted(runs):
        r = runs[n]
        m, b, d = r["meshc"], r["meshc"]["bench"], r.get("dbt")
        L.append(f"### N = {n:,} models ({r['meta']['published']:,} published, "
                 f"{r['meta']['cross_domain_models']:,} reading another domain, "
                 f"{r['meta']['sources']} sources)")
        L.append("")
        L.append("| measurement | meshc | dbt-core | dbt / meshc |")
        L.append("| --- | --- | --- | --- |")

        def line(name, ms_, ds_, mv, dv):
            L.append(f"| {name} | {ms_} | {ds_} | {ratio(dv, mv)} |")

        mc = m.get("check")
        line("cold full check / parse",
             fmt_s(mc["s"]) if mc else f"not run as a process; in process {b['cold_total_ms'] / 1000:.3f} s",
             fmt_s(d["parse_cold"]["s"]) if d else "not run",
             mc and mc["s"]["median"], d and d["parse_cold"]["s"]["median"])
        line("warm no-op", fmt_s(b["warm_noop_ms"], "ms"),
             fmt_s(d["parse_warm"]["s"]) if d else "not run",
             b["warm_noop_ms"]["median"] / 1000, d and d["parse_warm"]["s"]["median"])
        L.append(f"| (meshc rescan of every file, in process) | {fmt_s(b['warm_rescan_ms'], 'ms')} | | |")
        for i, e in enumerate(b["edits"]):
            de = d["edits"][i] if d else None
            line(f"one-model edit, {e['kind'].replace('_', ' ')} (`{e['model']}`: "
                 f"{e['direct_consumers']} direct readers, {e['reanalyzed_models']} models re-analyzed)",
                 fmt_s(e["ms"], "ms"), fmt_s(de["s"]) if de else "not run",
                 e["ms"]["median"] / 1000, de and de["s"]["median"])
            if e.get("edit_path_ms"):
                line(f"  same edit, watch/LSP path ({e.get('edit_path_files')} files refreshed)",
                     fmt_s(e["edit_path_ms"], "ms"), fmt_s(de["s"]) if de else "not run",
                     e["edit_path_ms"]["median"] / 1000, de and de["s"]["median"])
        mb = m.get("build")
        line("full SQL emission: `meshc build` / `dbt compile`",
             fmt_s(mb["s"]) if mb else "not run (see plan/emit in process below)",
             fmt_s(d["compile"]["s"]) if d else "not run",
             mb and mb["s"]["median"], d and d["compile"]["s"]["median"])
        if m.get("build_first"):
            L.append("| (the first `meshc build`, into an empty target/: creates every file) | "
                     f"{fmt_s(m['build_first']['s'])} | | |")
        L.append(f"| peak RSS: check / parse | {mib(mc['rss_kib']) if mc else 'n/a'} | "
                 f"{mib(d['parse_cold']['rss_kib']) if d else 'not run'} | |")
        L.append(f"| peak RSS: build / compile | {mib(mb['rss_kib']) if mb else 'not run'} | "
                 f"{mib(d['compile']['rss_kib']) if d else 'not run'} | |")
        L.append(f"| peak RSS: meshc-bench (cold + warm + edits) | {mib(b.get('process_rss_kib'))} | | |")
        L.append("")
        L.append(f"In process (meshc-bench): load {b['load_ms']:.0f} ms, apply + check "
                 f"{b['cold_check_ms']:.0f} ms, plan/emit all SQL {b['plan_ms']:.0f} ms "
                 f"({b['emitted_sql_bytes'] / 1e6:.1f} MB of SQL).")
        L.append("")

    L.append("## Scaling")
    L.append("")
    ns = sorted(runs)
    L.append("| figure | " + " | ".join(f"N = {n:,}" for n in ns) + " | growth per 10× models |")
    L.append("| --- | " + " | ".join("---" for _ in ns) + " | --- |")

    def scale_row(name, get, unit):
        vals = []
        for n in ns:
            try:
                vals.append(get(runs[n]))
            except (KeyError, TypeError, IndexError):
                vals.append(None)
        cells = []
        for v in vals:
            if v is None:
                cells.append("n/a")
            elif unit == "ms":
                cells.append(f"{v:.2f} ms")
            elif unit == "MiB":
                cells.append(f"{v / 1024:.0f} MiB")
            else:
                cells.append(f"{v:.3f} s")
        growth = []
        for (n1, v1), (n2, v2) in zip(zip(ns, vals), list(zip(ns, vals))[1:]):
            if v1 and v2:
                per10 = (v2 / v1) ** (1 / max(1e-9, __import__("math").log10(n2 / n1)))
                growth.append(f"{per10:.1f}× ({n1 // 1000}k→{n2 // 1000}k)")
        L.append(f"| {name} | " + " | ".join(cells) + f" | {', '.join(growth) or 'n/a'} |")

    scale_row("`meshc check` (process)", lambda r: r["meshc"]["check"]["s"]["median"], "s")
    scale_row("`meshc build` (process)", lambda r: r["meshc"]["build"]["s"]["median"], "s")
    scale_row("in-process plan/emit of all SQL", lambda r: r["meshc"]["bench"]["plan_ms"] / 1000, "s")
    scale_row("in-process cold check", lambda r: r["meshc"]["bench"]["cold_check_ms"] / 1000, "s")
    scale_row("warm no-op `check()`", lambda r: r["meshc"]["bench"]["warm_noop_ms"]["median"], "ms")
    scale_row("edit, same schema", lambda r: r["meshc"]["bench"]["edits"][0]["ms"]["median"], "ms")
    scale_row("edit, schema changes", lambda r: r["meshc"]["bench"]["edits"][1]["ms"]["median"], "ms")
    # The edit path's cost per file it refreshes: it should not grow with the mesh.
    for i, kind in ((0, "same schema"), (1, "schema changes")):
        scale_row(f"edit, {kind}, watch/LSP path, per refreshed file",
                  lambda r, i=i: r["meshc"]["bench"]["edits"][i]["edit_path_ms"]["median"]
                  / max(1, r["meshc"]["bench"]["edits"][i]["edit_path_files"]), "ms")
    scale_row("peak RSS `meshc check`", lambda r: r["meshc"]["check"]["rss_kib"], "MiB")
    scale_row("peak RSS meshc-bench", lambda r: r["meshc"]["bench"]["process_rss_kib"], "MiB")
    scale_row("`dbt parse` cold", lambda r: r["dbt"]["parse_cold"]["s"]["median"], "s")
    L.append("")
    L.append("Linear scaling is 10× per 10× models; more than that is super-linear.")
    L.append("")
    lsp_sizes = [n for n in sorted(runs) if runs[n].get("lsp")]
    if lsp_sizes:
        L.extend(lsp_section(runs, lsp_sizes, info))
    watch_sizes = [n for n in sorted(runs) if runs[n].get("watch")]
    if watch_sizes:
        L.extend(watch_section(runs, watch_sizes, info))
    target_sizes = [n for n in sorted(runs) if runs[n].get("targets")]
    if target_sizes:
        L.extend(targets_section(runs, target_sizes, info))
    L.append("## Noise")
    L.append("")
    L.append("The machine has 2 cores and may be shared with other work during the run "
             f"(load average {info['load_before']:.1f} at the start), so single figures can be inflated by "
             "up to about 2×; medians and the min column are the better guide. Ratios between meshc and "
             "dbt were measured under the same conditions. The machine is a virtual machine on which the "
             "first touch of fresh memory is expensive and uneven: the kernel's page clearing "
             "(`clear_page_erms`) took between 0.1 s and 2.9 s of system time for the same 700 MB heap "
             "in consecutive runs, so a process's wall time depends on how much memory it touches as much "
             "as on its CPU time.")
    L.append("")
    analysis = os.path.join(HERE, "analysis.md")
    if os.path.exists(analysis):
        with open(analysis) as f:
            L.append(f.read().rstrip())
        L.append("")

    if not jaffle.get("meshc_run"):
        if jaffle.get("trino"):
            L.extend(trino_section(jaffle["trino"], info))
        with open(path, "w") as f:
            f.write("\n".join(L) + "\n")
        return
    L.append("## meshc run vs plain DuckDB vs dbt run (projects/jaffle_mesh)")
    L.append("")
    L.append("| run | time | peak RSS |")
    L.append("| --- | --- | --- |")
    L.append(f"| `meshc run` (whole process: load, check, plan, 3 CSV loads, 8 models on 2 threads) | "
             f"{fmt_ms_from_s(jaffle['meshc_run']['s'])} | {mib(jaffle['meshc_run']['rss_kib'])} |")
    if jaffle["meshc_run"].get("engine_s"):
        L.append("| its execution on DuckDB (open → close: loads, models, 26 quality checks, swaps; "
                 f"`elapsed_seconds` of run_results.json) | {fmt_ms_from_s(jaffle['meshc_run']['engine_s'])} | |")
    if jaffle.get("raw_duckdb_checks"):
        L.append("| the same statements (meshc's emitted DDL, same CSV loads, the quality checks of "
                 "target/manifest.json) on DuckDB from Python, connect → close, one thread | "
                 f"{fmt_ms_from_s(jaffle['raw_duckdb_checks']['s'])} | |")
    if jaffle.get("raw_duckdb"):
        L.append("| the same without the quality checks (models only) | "
                 f"{fmt_ms_from_s(jaffle['raw_duckdb']['s'])} | |")
        L.append(f"| the latter as a whole Python process (incl. `import duckdb`) | "
                 f"{fmt_ms_from_s(jaffle['raw_duckdb']['process_s'])} | |")
    if jaffle.get("dbt_build"):
        L.append(f"| `dbt build` (seeds + models, fresh database) | {fmt_ms_from_s(jaffle['dbt_build']['s'])} | "
                 f"{mib(jaffle['dbt_build']['rss_kib'])} |")
        L.append(f"| `dbt run` (models only) | {fmt_ms_from_s(jaffle['dbt_run']['s'])} | "
                 f"{mib(jaffle['dbt_run']['rss_kib'])} |")
        L.append("")
        L.append(f"dbt's `insights.dim_customers` vs meshc's: {jaffle.get('dbt_same_rows')}.")
    L.append("")
    if jaffle.get("trino"):
        L.extend(trino_section(jaffle["trino"], info))
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")


def lsp_section(runs, sizes, info=None):
    """The editor figures: `meshc lsp` over stdio (bench/lsp.py)."""
    L = ["## Editor: `meshc lsp` over stdio", ""]
    L.extend(provenance(info or {}, "lsp", runs[sizes[0]]["lsp"]))
    L.append("The real binary, driven by a JSON-RPC client over stdio on the generated mesh "
             "(bench/lsp.py). *Keystroke* = `didChange` of the open model (its whole text) → its new "
             "diagnostics, alternating an error and its fix; *contract edit* = a column renamed in a "
             "published product's contract → the producer's new diagnostics (a contract edit re-checks "
             "the whole mesh, consumers in other domains included); hover and completion on the open model. "
             "dbt has no language server; its figure for the same edit is a partial-parse `dbt parse`.")
    L.append("")
    header = "| figure | " + " | ".join(f"N = {n:,}" for n in sizes) + " |"
    L.append(header)
    L.append("|" + " --- |" * (len(sizes) + 1))

    def ms(d):
        return f"{d['median']:.1f} ms (p99 {d['p99']:.1f}, max {d['max']:.1f}, n={d['n']})"

    def row(name, get):
        cells = []
        for n in sizes:
            try:
                cells.append(get(runs[n]))
            except (KeyError, TypeError):
                cells.append("n/a")
        L.append(f"| {name} | " + " | ".join(cells) + " |")

    row("initialize → first full diagnostics", lambda r: f"{r['lsp']['init_s']:.2f} s")
    row("keystroke → diagnostics of the edited model (target ≤ 20 ms median, ≤ 50 ms p99)",
        lambda r: ms(r["lsp"]["keystroke_ms"]))
    row("contract edit → diagnostics (whole mesh)", lambda r: ms(r["lsp"]["contract_ms"]))
    row("hover (target ≤ 10 ms)", lambda r: ms(r["lsp"]["hover_ms"]))
    row("completion (target ≤ 10 ms)", lambda r: ms(r["lsp"]["completion_ms"]))
    row("server RSS after initialize / after every 200 edits / at the end",
        lambda r: " / ".join(mib(v) for v in r["lsp"]["rss_kib"].values()))
    row("dbt-core: `dbt parse` after one model edit (partial parse)",
        lambda r: fmt_s(r["dbt"]["edits"][0]["s"]))
    L.append("")
    return L


def provenance(info, name, res):
    """Where a section's figures come from when they were measured apart from
    the run the report describes, and the machine's load while they ran."""
    L = []
    p = (info.get("sections") or {}).get(name)
    load = res.get("load") if isinstance(res, dict) else None
    if p and p.get("date"):
        text = (f"Measured on {p['date']} (commit `{p['commit']}`"
                f"{', work tree dirty' if p.get('dirty') else ''}, {p.get('profile', 'release')} "
                f"build, {p.get('meshc', 'meshc')}), apart from the run above, on the same 2-core "
                "machine while other work shared it")
        if load:
            text += f" (load average {load[0]:.1f} at the start, {load[1]:.1f} at the end)"
        text += "."
        if p.get("note"):
            text += " " + p["note"]
        L += [text, ""]
    elif p and p.get("note"):
        L += [p["note"], ""]
    elif load:
        L += [f"Load average {load[0]:.1f} at the start of these measurements, {load[1]:.1f} "
              "at the end (2 cores, shared with other work).", ""]
    return L


def watch_section(runs, sizes, info=None):
    """The watch-mode figures: `meshc watch --run` timed from outside (bench/watch.py)."""
    L = ["## Watch mode: `meshc watch --run`", ""]
    loads = [runs[n]["watch"].get("load") for n in sizes]
    span = {"load": [loads[0][0], loads[-1][1]]} if all(loads) else {}
    L.extend(provenance(info or {}, "watch", span))
    L.append("The real binary on a copy of the generated mesh (bench/watch.py), timed from the "
             "file write to the line the watch prints, as a user sees it: the 50 ms debounce "
             "(`--debounce`) is included. The edits are the generator's (the same as meshc-bench's "
             "and dbt's above): *keeps the schema* changes a literal in the WHERE clause of the "
             "published model with the most readers in other domains, *changes the schema* adds a "
             "column to the private model with the most readers in its domain; each is written and "
             "reverted alternately (both directions counted). *Result printed* = the watch's "
             "`rechecked in` line, after the edited model and its readers and then the whole mesh "
             "were checked; the watch's own figure on that line starts when it reads the file. "
             "*Rebuild* = the same write → `--run` finished: the plan and the content hash of "
             "every node, then DuckDB rebuilds the stale models, i.e. the edited model and "
             "everything downstream of it (the count of models rebuilt is checked against the "
             "build manifest's `depends_on`). Every sample is checked to have named the edited "
             "file, found no errors and rebuilt with nothing failed. dbt has no watch mode; its "
             "nearest figure is a partial-parse `dbt parse` (shown) plus `dbt run --select model+`.")
    L.append("")
    L.append("| figure | " + " | ".join(f"N = {n:,}" for n in sizes) + " |")
    L.append("|" + " --- |" * (len(sizes) + 1))

    def ms(d):
        return f"{d['median']:.1f} ms (p99 {d['p99']:.1f}, max {d['max']:.1f}, n={d['n']})"

    def row(name, get):
        cells = []
        for n in sizes:
            try:
                cells.append(get(runs[n]))
            except (KeyError, TypeError, IndexError):
                cells.append("n/a")
        L.append(f"| {name} | " + " | ".join(cells) + " |")

    def rebuild(e):
        r, m = e["rebuild_s"], e["rebuilt_models"]
        models = (f"{m['min']}" if m["min"] == m["max"] else f"{m['min']}–{m['max']}")
        return (f"{r['median']:.2f} s ({r['min']:.2f}–{r['max']:.2f}, n={r['n']}); {models} "
                f"models rebuilt, downstream closure {e['downstream_models']}")

    row("start → first check printed", lambda r: f"{r['watch']['start_s']:.2f} s")
    row("start → first `--run` finished (everything stale)",
        lambda r: f"{r['watch']['first_run_s']:.2f} s")
    for i, (kind, label) in enumerate((("keep_schema", "schema kept"),
                                       ("change_schema", "schema changed"))):
        row(f"write of a model, {label} → result printed",
            lambda r, k=kind: ms(r["watch"][k]["result_ms"]))
        row(f"  its recheck time as the watch reports it",
            lambda r, k=kind: ms(r["watch"][k]["recheck_ms"]))
        row(f"  write → `--run` rebuild of the model and its downstream finished",
            lambda r, k=kind: rebuild(r["watch"][k]))
        row(f"  of which: result printed → the run's first line (plan, content hashes of every node, run state)",
            lambda r, k=kind: (lambda p: f"{p['median']:.2f} s ({p['min']:.2f}–{p['max']:.2f}, "
                               f"n={p['n']})")(r["watch"][k]["plan_s"]))
        row(f"  dbt-core: `dbt parse` after the same edit (partial parse)",
            lambda r, i=i, k=kind: (fmt_s(r["dbt"]["edits"][i]["s"])
                                    if r["dbt"]["edits"][i]["model"] == r["watch"][k]["model"]
                                    else "n/a (another model)"))
    row("edited model (schema kept / changed)",
        lambda r: f"`{r['watch']['keep_schema']['model']}` / `{r['watch']['change_schema']['model']}`")
    row("watcher RSS after the first run / at the end",
        lambda r: " / ".join(mib(v) for v in r["watch"]["rss_kib"].values()))
    L.append("")
    return L


def targets_section(runs, sizes, info=None):
    """`meshc build --target duckdb|trino|teradata` on the same mesh."""
    L = ["## SQL emission per target: `meshc build --target`", ""]
    for n in sizes:
        t = runs[n]["targets"]
        if len(sizes) > 1:
            L += [f"### N = {n:,}", ""]
        L.extend(provenance(info or {}, "targets", t))
        refused = t.get("teradata_on_standard_mesh") or {}
        L.append(f"`meshc build -q --target T` as a whole process, the three targets on one "
                 f"generated mesh of {t.get('models', n):,} models ({t.get('published', '?'):,} "
                 "published). Teradata has no BOOLEAN type and meshc refuses to emit a model that "
                 "outputs one (MESH4001): on the standard mesh of the tables above it refuses "
                 f"{refused.get('models_refused', '?'):,} of {n:,} models, and the build writes "
                 "nothing. So this mesh is `gen.py --portable` (same size and seed; flags are 0/1 "
                 "INTEGERs, so no model outputs a BOOLEAN), which every target emits. *Cold* = "
                 "`target/` removed first, so every file is created (on this VM creating files "
                 "right after deleting as many costs extra system time in ext4's inode "
                 "allocator, see the profile notes); *warm* = the same build again with nothing "
                 "changed (every file is compared and none rewritten). The targets take turns "
                 "(cold, warm, next target), so that each sees the same machine noise. Wall "
                 "times are medians (min–max); CPU time (medians, from `wait4`) is what the "
                 "process itself used, which other work on the machine inflates less. Every "
                 "target writes one file per model and `target/manifest.json`; Trino adds "
                 "`run.sql` (the whole build in dependency order), Teradata `run.bteq` (a BTEQ "
                 "script that runs the files).")
        L.append("")
        L.append("| target | cold build | warm build | CPU time (user + system) cold / warm | peak RSS cold / warm | files under target/T | SQL written |")
        L.append("| --- | --- | --- | --- | --- | --- | --- |")
        for name in TARGETS:
            r = t.get(name)
            if not r:
                continue
            cpu = " / ".join(f"{r[p]['cpu_s']['median']:.2f} s" if r[p].get("cpu_s") else "n/a"
                             for p in ("cold", "warm"))
            L.append(f"| `--target {name}` | {fmt_s(r['cold']['s'])} | {fmt_s(r['warm']['s'])} | "
                     f"{cpu} | {mib(r['cold']['rss_kib'])} / {mib(r['warm']['rss_kib'])} | "
                     f"{r['files']:,} | {size(r['bytes'])} |")
        L.append("")
    return L


def trino_section(t, info):
    """`meshc run --target trino` against the same statements sent directly."""
    L = ["## meshc run --target trino vs the statements sent to Trino directly (projects/jaffle_mesh)", ""]
    if t.get("skipped"):
        return L + [f"Not measured: {t['skipped']}.", ""]
    L.extend(provenance(info, "trino", t))
    st = t["statements"]

    def kinds(k):
        return ", ".join(f"{v} {name}" for name, v in sorted(k.items(), key=lambda x: -x[1]))

    L.append("A real Trino 476 on loopback (`scripts/trino-server.sh`: one PostgreSQL catalog per "
             "source domain, a memory catalog `insights` for the outputs, the topology of "
             "`targets.trino` in projects/jaffle_mesh/mesh.yaml; one JVM, `-Xmx2G`), on the same "
             f"2 cores as the client. Started in {t['server_start_s']:.0f} s; the first "
             f"`meshc run` on the fresh server took {t['first_meshc_run_s']:.2f} s and the first "
             f"direct run after it {t['first_direct_run_s']:.2f} s (the JVM compiling its code "
             "paths); they, one more run of each (meshc's statements are taken from that one, "
             "with every object in place as in the timed runs) and one replay are not counted. "
             "Then, interleaved, `meshc run --target trino --trino-url URL` on a copy "
             "of the example, the statements of its `target/trino/run.sql` (from `meshc build "
             "--target trino`) sent one at a time by bench/trino_direct.py (Python stdlib: "
             "`POST /v1/statement`, `GET nextUri` until there is none, one keep-alive connection), "
             "and meshc's own statements as Trino's `system.runtime.queries` lists them, replayed "
             "the same way (catalog `insights`, oldest first). Every run replaces what the last "
             f"one built; after the warm-up both sides left the same row counts in all models: "
             f"{'yes' if t['same_rows'] else '**no**'} ({t['rows']} rows).")
    L.append("")
    L.append("| run | statements | time | peak RSS |")
    L.append("| --- | --- | --- | --- |")
    m = t["meshc_run"]
    n = m["statements"]
    count = f"{n['min']}" if n["min"] == n["max"] else f"{n['min']}–{n['max']}"
    L.append(f"| `meshc run --target trino` (whole process: load, check, plan, the run on "
             f"{m['threads']} threads) | {count} | {fmt_ms_from_s(m['s'])} | {mib(m['rss_kib'])} |")
    L.append(f"| its execution (`elapsed_seconds` of run_results.json) | | "
             f"{fmt_ms_from_s(m['engine_s'])} | |")
    L.append(f"| run.sql's statements, one at a time from Python (first POST → last statement "
             f"finished) | {st['run_sql']} | {fmt_ms_from_s(t['direct']['s'])} | |")
    L.append(f"| the same as a whole Python process | | {fmt_ms_from_s(t['direct']['process_s'])} | |")
    L.append(f"| meshc's statements replayed one at a time from Python | {st['meshc']} | "
             f"{fmt_ms_from_s(t['replay']['s'])} | |")
    L.append("")
    me, mp = m["engine_s"]["median"], m["s"]["median"]
    d, rp = t["direct"]["s"]["median"], t["replay"]["s"]["median"]
    L.append(f"run.sql holds {st['run_sql']} statements ({kinds(st['run_sql_kinds'])}). meshc "
             f"sends {st['meshc']} ({kinds(st['meshc_kinds'])}): besides building each model it "
             "reads the output catalog's `information_schema.tables` once, builds every model "
             "under a temporary name, executes each new view in full (`EXPLAIN ANALYZE SELECT *`) "
             "before it replaces the old one, runs the contracts' quality rules (the `SELECT`s) "
             "on the new version, and swaps it in. So the two sides do not do the same work: "
             f"meshc's execution took {me * 1000:.0f} ms against {d * 1000:.0f} ms for run.sql "
             f"sent directly ({(me / d - 1) * 100:+.0f} %; the whole `meshc run` process "
             f"{mp * 1000:.0f} ms, {(mp / d - 1) * 100:+.0f} %). Sent one at a time, meshc's "
             f"own statements take {rp * 1000:.0f} ms: that is what the extra checks cost on "
             f"this server ({(rp - d) * 1000:+.0f} ms over run.sql), and meshc's execution takes "
             f"{abs(me / rp - 1) * 100:.0f} % {'less' if me < rp else 'more'} than that replay "
             f"(it runs independent models on {m['threads']} threads, the replay one statement "
             "at a time).")
    L.append("")
    return L


def rewrite(results_json, results_md):
    """Writes RESULTS.md again from a results.json (after editing analysis.md)."""
    with open(results_json) as f:
        data = json.load(f)
    runs = {int(n): r for n, r in data["runs"].items()}
    write_results(results_md, data["info"], data["config"], runs, data.get("jaffle", {}))


PARTS = ("watch", "targets", "trino")


def measure_only(a, cfg, now):
    """--only PARTS --merge RESULTS_JSON: measures some parts again (on meshes
    generated as the full run generates them) and adds them to a finished
    run's results, recording for each part when, on which commit and build it
    was measured; then writes --results from the merged figures."""
    parts = [x.strip() for x in a.only.split(",") if x.strip()]
    unknown = [x for x in parts if x not in PARTS]
    if unknown or not a.merge:
        sys.exit(f"measure.py: --only takes {', '.join(PARTS)} and needs --merge "
                 f"(unknown: {', '.join(unknown) or 'none'})")
    with open(a.merge) as f:
        data = json.load(f)
    runs = {int(n): r for n, r in data["runs"].items()}
    info, jaffle = data["info"], data.setdefault("jaffle", {})
    sections = info.setdefault("sections", {})
    for k in ("watch_edits", "targets_reps", "trino_reps"):
        data["config"][k] = cfg[k]

    def utc():
        return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    started = {}

    def start(part):
        started.setdefault(part, utc())

    def stamp(part):
        sections[part] = {k: now[k] for k in ("commit", "dirty", "profile", "meshc")}
        sections[part]["date"] = started[part]

    def save():
        data["runs"] = {str(n): r for n, r in sorted(runs.items())}
        with open(a.merge, "w") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
        write_results(a.results, info, data["config"], runs, jaffle)

    sizes = sorted(n for n in cfg["sizes"]
                   if ("watch" in parts and cfg["watch_from"] <= n <= cfg["watch_until"])
                   or ("targets" in parts and n in cfg["targets_sizes"]))
    missing = [n for n in sizes if "meshc" not in runs.get(n, {})]
    if missing:
        sys.exit(f"measure.py: {a.merge} has no run at N = {', '.join(map(str, missing))}")
    for n in sizes:
        out = os.path.join(a.work, f"n{n}")
        log(f"N={n}: generating into {out}")
        generate(n, out, False, a.meshc)
        r = runs[n]
        if "targets" in parts and n in cfg["targets_sizes"]:
            start("targets")
            r["targets"] = measure_targets(n, out, a.meshc, cfg["targets_reps"], timeout=3600)
            stamp("targets")
            save()
        if "watch" in parts and cfg["watch_from"] <= n <= cfg["watch_until"]:
            start("watch")
            r["watch"] = measure_watch(n, out, a.meshc, cfg["watch_edits"], timeout=7200)
            stamp("watch")
            save()
    if "trino" in parts:
        start("trino")
        jaffle["trino"] = measure_trino(a.work, a.meshc, cfg["trino_reps"], a.smoke)
        stamp("trino")
        save()
    log(f"results: {a.results} (merged into {a.merge})")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--meshc", required=True)
    p.add_argument("--bench", required=True)
    p.add_argument("--venv")
    p.add_argument("--work", required=True)
    p.add_argument("--results", required=True)
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--profile", default="release", help="the cargo profile of --meshc (for the report)")
    p.add_argument("--only", metavar="PARTS",
                   help="measure only these parts (comma-separated: watch, targets, trino) and "
                        "merge them into the results.json given by --merge")
    p.add_argument("--merge", metavar="RESULTS_JSON",
                   help="with --only: the finished run's results.json to add the figures to "
                        "(rewritten in place, with when and how they were measured)")
    p.add_argument("--rewrite", metavar="RESULTS_JSON",
                   help="only write --results again from a finished run's results.json")
    if "--rewrite" in sys.argv:
        i = sys.argv.index("--rewrite")
        out = sys.argv[sys.argv.index("--results") + 1]
        rewrite(sys.argv[i + 1], out)
        return
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    if a.smoke:
        cfg = dict(sizes=[50], dbt_sizes=[], reps=1, reps_50k=1, bench_reps=2, dbt_reps=0,
                   dbt_reps_10k=0, dbt_edit_reps=0, dbt_compile_reps=0, run_reps=1,
                   no_build_from=10**9, bench_only_from=10**9, lsp_edits=40, watch_edits=4,
                   watch_from=0, watch_until=10**9, targets_sizes=[50], targets_reps=1,
                   trino_reps=1)
    else:
        cfg = dict(sizes=[1000, 10000, 50000], dbt_sizes=[1000, 10000], reps=7, reps_50k=1,
                   bench_reps=10, dbt_reps=3, dbt_reps_10k=1, dbt_edit_reps=1,
                   dbt_compile_reps=1, run_reps=5, no_build_from=50000, bench_only_from=50000,
                   lsp_edits=1000, watch_edits=20, watch_from=1000, watch_until=10000,
                   targets_sizes=[10000], targets_reps=5, trino_reps=7)
    for k in ("sizes", "dbt_sizes", "reps", "reps_50k", "bench_reps", "dbt_reps", "bench_only_from"):
        env = os.environ.get("MESHC_BENCH_" + k.upper())
        if env:
            cfg[k] = [int(x) for x in env.split(",")] if "sizes" in k else int(env)
    cfg["work"] = a.work
    venv = a.venv if a.venv and os.path.exists(os.path.join(a.venv, "bin", "dbt")) else None
    info = machine_info(a.meshc, venv)
    info["profile"] = a.profile
    if a.only:
        return measure_only(a, cfg, info)
    runs = {}
    metas = {}
    jaffle = {}
    results_json = os.path.join(a.work, "results.json")

    def save():
        # Written after every step, so that an interrupted run still leaves results.
        with open(results_json, "w") as f:
            json.dump({"info": info, "config": cfg, "runs": runs, "jaffle": jaffle}, f, indent=1)
        write_results(a.results, info, cfg, runs, jaffle)

    # meshc at 1,000 and 10,000, then the jaffle runs, then dbt (the slow part), then
    # meshc alone at 50,000 (only meshc-bench there: one cold check takes minutes).
    def meshc_size(n):
        out = os.path.join(a.work, f"n{n}")
        with_dbt = bool(venv) and n in cfg["dbt_sizes"]
        big = n >= cfg["bench_only_from"]
        log(f"N={n}: generating into {out}")
        metas[n] = generate(n, out, with_dbt, a.meshc, verify=not big)
        reps = cfg["reps_50k"] if n >= 50000 else cfg["reps"]
        r = {"meta": {k: v for k, v in metas[n].items() if k != "edits"}}
        r["meshc"] = measure_meshc(n, out, a.meshc, a.bench, reps,
                                   min(cfg["bench_reps"], 3) if big else cfg["bench_reps"],
                                   timeout=3600, build=n < cfg["no_build_from"], check=not big)
        if r["meshc"]["bench"]["cold_diagnostics"]:
            raise RuntimeError(f"generated mesh at N={n} has diagnostics")
        r["lsp"] = measure_lsp(n, out, a.meshc, cfg["lsp_edits"], timeout=3600)
        if n in cfg["targets_sizes"]:
            r["targets"] = measure_targets(n, out, a.meshc, cfg["targets_reps"], timeout=3600)
        if cfg["watch_from"] <= n <= cfg["watch_until"]:
            r["watch"] = measure_watch(n, out, a.meshc, cfg["watch_edits"], timeout=7200)
        runs[n] = r
        save()

    small = [n for n in cfg["sizes"] if n < cfg["bench_only_from"]]
    for n in small:
        meshc_size(n)
    jaffle.update(measure_run(a.work, a.meshc, venv, cfg["run_reps"], a.smoke))
    save()
    jaffle["trino"] = measure_trino(a.work, a.meshc, cfg["trino_reps"], a.smoke)
    save()
    # MESHC_BENCH_DBT_FROM=<results.json of an earlier full run>: reuse its dbt
    # figures (same generator and seed, so the same projects) and measure meshc
    # only; RESULTS.md says which run the dbt figures come from.
    dbt_from = os.environ.get("MESHC_BENCH_DBT_FROM")
    if dbt_from:
        with open(dbt_from) as f:
            earlier = json.load(f)
        info["dbt_from"] = earlier["info"].get("dbt_from") or (
            f"{earlier['info'].get('date')} (commit {earlier['info'].get('commit')})")
        for n in small:
            d = earlier["runs"].get(str(n), {}).get("dbt")
            if d:
                runs[n]["dbt"] = d
        save()
        venv = None
    for n in small:
        if venv and n in cfg["dbt_sizes"]:
            out = os.path.join(a.work, f"n{n}")
            dreps = cfg["dbt_reps_10k"] if n >= 10000 else cfg["dbt_reps"]
            runs[n]["dbt"] = measure_dbt(n, out, venv, dreps, cfg["dbt_edit_reps"],
                                         cfg["dbt_compile_reps"], metas[n], timeout=3600)
            save()
    for n in cfg["sizes"]:
        if n not in small:
            meshc_size(n)
    log(f"results: {a.results} (raw numbers: {results_json})")


if __name__ == "__main__":
    main()
