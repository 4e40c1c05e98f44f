#!/usr/bin/env python3
"""Deterministic generator of synthetic data meshes for the meshc benchmark.

Writes, for N models across D domains and a seed:

    OUT/mesh/          a meshc workspace (mesh.yaml, <domain>/domain.yaml,
                       sources.yaml, data/*.csv, models/*.sql, contracts/*.yaml)
    OUT/dbt/           the equivalent dbt project (one project, one folder per
                       domain under models/, groups + access + enforced contracts)
    OUT/bench-meta.json  counts and the two benchmark edits (keep / change schema)

The SQL is realistic analytics SQL (CTEs, joins of 1-3 inputs, aggregates,
CASE, window functions, 5-15 output columns). About 10 % of the models read
another domain's published product; every published product has an ODCS
contract (meshc) and an enforced model contract (dbt). The generator tracks
the type and nullability of every column with meshc's own rules (docs/sql.md),
so the contracts it writes are exactly what `meshc check` infers.

Python 3.11 standard library only; the same arguments give byte-identical output.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
from dataclasses import dataclass, field, replace

# --------------------------------------------------------------------------
# Types: a mirror of compiler/sema/src/types.rs (unify) for what we emit.
# A type is a string ("INTEGER", "BIGINT", "DOUBLE", "VARCHAR", "DATE",
# "TIMESTAMP", "BOOLEAN") or ("DECIMAL", p, s).

INTEGERS = {"SMALLINT": 5, "INTEGER": 10, "BIGINT": 19}
INT_RANK = {"SMALLINT": 1, "INTEGER": 2, "BIGINT": 3}


def is_dec(t):
    return isinstance(t, tuple)


def is_int(t):
    return t in INTEGERS


def is_numeric(t):
    return is_int(t) or is_dec(t) or t in ("DOUBLE", "REAL")


def is_temporal(t):
    return t in ("DATE", "TIMESTAMP")


def unify(a, b):
    if a == b:
        return a
    if is_int(a) and is_int(b):
        return a if INT_RANK[a] >= INT_RANK[b] else b
    if is_dec(a) and is_dec(b):
        scale = max(a[2], b[2])
        integral = max(a[1] - a[2], b[1] - b[2])
        return ("DECIMAL", min(integral + scale, 38), scale)
    if is_dec(a) and is_int(b) or is_int(a) and is_dec(b):
        d, i = (a, b) if is_dec(a) else (b, a)
        integral = max(d[1] - d[2], INTEGERS[i])
        return ("DECIMAL", min(integral + d[2], 38), d[2])
    if is_numeric(a) and is_numeric(b):
        return "DOUBLE"
    if {a, b} == {"DATE", "TIMESTAMP"}:
        return "TIMESTAMP"
    raise ValueError(f"no common type for {a} and {b}")


def as_decimal(t):
    if is_dec(t):
        return t[1], t[2]
    if is_int(t):
        return INTEGERS[t], 0
    return None


def arith(op, a, b):
    """`a op b` for op in + - * (compiler/sema/src/types.rs arithmetic)."""
    da, db = as_decimal(a), as_decimal(b)
    if (is_dec(a) or is_dec(b)) and da and db:
        (p1, s1), (p2, s2) = da, db
        if op == "*":
            p, s = p1 + p2, s1 + s2
        else:
            s = max(s1, s2)
            p = max(p1 - s1, p2 - s2) + s + 1
        return ("DECIMAL", min(p, 38), min(s, 38, min(p, 38)))
    return unify(a, b)


def type_sql(t):
    return f"DECIMAL({t[1]},{t[2]})" if is_dec(t) else t


def logical_type(t):
    if is_int(t):
        return "integer"
    if is_numeric(t):
        return "number"
    return {
        "VARCHAR": "string",
        "DATE": "date",
        "TIMESTAMP": "timestamp",
        "BOOLEAN": "boolean",
    }[t]


def sum_type(t):
    if is_int(t):
        return "BIGINT"
    if is_dec(t):
        return ("DECIMAL", 38, t[2])
    return "DOUBLE"


# Literal types (compiler/sema/src/infer/expr.rs number_type).
LIT_INT = "INTEGER"
LIT_DEC0 = ("DECIMAL", 2, 2)  # 0.00


@dataclass(frozen=True)
class Col:
    name: str
    ty: object
    nullable: bool
    key: bool = False  # a join key (an INTEGER id shared between relations)
    stem: str = ""  # the source column this one derives from, for naming

    @property
    def s(self):
        return self.stem or self.name


@dataclass
class Rel:
    """A source or a model, as seen by the models that read it."""

    domain: str
    name: str
    cols: list
    source: bool = False
    published: bool = False
    consumers: list = field(default_factory=list)  # (domain, name) of readers
    entity: str = ""

    def keys(self):
        return [c for c in self.cols if c.key]

    def of(self, pred):
        return [c for c in self.cols if pred(c)]


# --------------------------------------------------------------------------
# Raw source templates: (entity, columns). Keys are shared across entities so
# that models can join on them.

SOURCES = [
    ("orders", [
        ("order_id", "INTEGER", True, True), ("customer_id", "INTEGER", True, True),
        ("product_id", "INTEGER", True, True), ("order_date", "DATE", True, False),
        ("status", "VARCHAR", True, False), ("amount", ("DECIMAL", 12, 2), False, False),
        ("quantity", "INTEGER", True, False), ("channel", "VARCHAR", False, False),
        ("is_gift", "BOOLEAN", False, False), ("created_at", "TIMESTAMP", True, False)]),
    ("customers", [
        ("customer_id", "INTEGER", True, True), ("region_id", "INTEGER", True, True),
        ("signup_date", "DATE", True, False), ("segment", "VARCHAR", False, False),
        ("email", "VARCHAR", True, False), ("lifetime_score", "DOUBLE", False, False),
        ("is_active", "BOOLEAN", True, False)]),
    ("products", [
        ("product_id", "INTEGER", True, True), ("category", "VARCHAR", True, False),
        ("price", ("DECIMAL", 12, 2), True, False), ("cost", ("DECIMAL", 12, 2), False, False),
        ("launched_on", "DATE", False, False), ("weight_kg", "DOUBLE", False, False),
        ("supplier_id", "INTEGER", True, True)]),
    ("events", [
        ("event_id", "INTEGER", True, True), ("customer_id", "INTEGER", True, True),
        ("product_id", "INTEGER", False, True), ("event_date", "DATE", True, False),
        ("event_type", "VARCHAR", True, False), ("duration_seconds", "INTEGER", False, False),
        ("value", "DOUBLE", False, False), ("occurred_at", "TIMESTAMP", True, False)]),
    ("invoices", [
        ("invoice_id", "INTEGER", True, True), ("order_id", "INTEGER", True, True),
        ("customer_id", "INTEGER", True, True), ("invoice_date", "DATE", True, False),
        ("due_date", "DATE", True, False), ("total", ("DECIMAL", 12, 2), True, False),
        ("tax", ("DECIMAL", 12, 2), False, False), ("currency", "VARCHAR", True, False),
        ("is_paid", "BOOLEAN", True, False)]),
    ("shipments", [
        ("shipment_id", "INTEGER", True, True), ("order_id", "INTEGER", True, True),
        ("region_id", "INTEGER", True, True), ("shipped_date", "DATE", True, False),
        ("carrier", "VARCHAR", True, False), ("weight_kg", "DOUBLE", False, False),
        ("cost", ("DECIMAL", 12, 2), False, False), ("delivered_at", "TIMESTAMP", False, False)]),
    ("tickets", [
        ("ticket_id", "INTEGER", True, True), ("customer_id", "INTEGER", True, True),
        ("opened_date", "DATE", True, False), ("priority", "VARCHAR", True, False),
        ("channel", "VARCHAR", False, False), ("resolution_minutes", "INTEGER", False, False),
        ("satisfaction", "DOUBLE", False, False), ("is_escalated", "BOOLEAN", True, False)]),
    ("inventory", [
        ("product_id", "INTEGER", True, True), ("store_id", "INTEGER", True, True),
        ("region_id", "INTEGER", True, True), ("snapshot_date", "DATE", True, False),
        ("on_hand", "INTEGER", True, False), ("reserved", "INTEGER", False, False),
        ("unit_cost", ("DECIMAL", 12, 2), False, False), ("warehouse", "VARCHAR", True, False)]),
]

DOMAIN_NAMES = [
    "sales", "marketing", "finance", "logistics", "inventory", "support",
    "product", "billing", "risk", "people", "partners", "growth", "pricing",
    "fulfillment", "analytics", "security", "content", "payments", "loyalty",
    "procurement",
]

STR_VALUES = {
    "status": ["placed", "shipped", "completed", "returned"],
    "channel": ["web", "store", "phone"],
    "segment": ["consumer", "business", "public"],
    "category": ["books", "games", "garden", "tools"],
    "event_type": ["view", "click", "purchase"],
    "currency": ["EUR", "USD"],
    "carrier": ["dhl", "ups", "post"],
    "priority": ["low", "normal", "high"],
    "warehouse": ["north", "south"],
}


def csv_value(rng, name, ty, required, row):
    if not required and row == 3:
        return ""  # one NULL per nullable column
    if name.endswith("_id"):
        return str(row + 1)
    if ty == "INTEGER":
        return str(rng.randint(0, 500))
    if is_dec(ty):
        return f"{rng.randint(0, 99999) / 100:.2f}"
    if ty == "DOUBLE":
        return f"{rng.random() * 100:.3f}"
    if ty == "DATE":
        return f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if ty == "TIMESTAMP":
        return f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00"
    if ty == "BOOLEAN":
        return rng.choice(["true", "false"])
    if name == "email":
        return f"user{row + 1}@example.com"
    return rng.choice(STR_VALUES.get(name, ["alpha", "beta", "gamma"]))


# --------------------------------------------------------------------------
# Model templates. Each returns (sql_body, columns, description, materialization)
# where sql_body contains `{ref:<id>}` placeholders that are rendered for meshc
# (bare or domain.model) and for dbt ({{ ref() }} / {{ source() }}).
# `variant` is 0 for the generated text, 1 for the same-schema edit (a literal
# of the filter changes) and 2 for the schema-changing edit (one column more).


# --portable: no model outputs a BOOLEAN (Teradata has none, so meshc refuses
# to emit such a model for it): flags are 0/1 INTEGERs instead. Off by
# default, which keeps the default output byte for byte as it was.
PORTABLE = False

# meshc's limit of a name (MESH2016; PostgreSQL's identifier limit). Derived
# column names (`max_running_x_per_y_doubled`) grow past it in a large mesh.
MAX_NAME = 63


class Names:
    def __init__(self):
        self.used = set()

    def take(self, name):
        base = name[:MAX_NAME].rstrip("_")
        name, n = base, 2
        while name in self.used:
            suffix = f"_{n}"
            name = base[:MAX_NAME - len(suffix)].rstrip("_") + suffix
            n += 1
        self.used.add(name)
        return name


def threshold(variant, base):
    return base + 1 if variant == 1 else base


def filter_on(rng_choice, alias, rel, variant, base):
    """A WHERE condition with a literal that the same-schema edit changes."""
    prefix = f"{alias}." if alias else ""
    nums = [c for c in rel.cols if is_numeric(c.ty) and not c.key]
    col = nums[rng_choice % len(nums)] if nums else rel.keys()[0]
    return f"{prefix}{col.name} >= {threshold(variant, base)}"


def extra_col(variant, names, cols, lines):
    if variant == 2:
        name = names.take("bench_extra_flag")
        lines.append(f"1 as {name}")
        cols.append(Col(name, "INTEGER", False))


def t_staging(rng, src, ref, variant):
    names = Names()
    lines, cols = [], []
    derived_num = None
    for c in src.cols:
        n = names.take(c.name)
        if c.ty == "VARCHAR" and c.name != "email":
            lines.append(f"lower(trim({c.name})) as {n}")
        elif c.ty == "BOOLEAN" and PORTABLE:
            lines.append(f"case when {c.name} then 1 else 0 end as {n}")
            c = replace(c, nullable=False, ty="INTEGER")
        elif c.ty == "BOOLEAN" and c.nullable:
            lines.append(f"coalesce({c.name}, false) as {n}")
            c = replace(c, nullable=False)
        elif is_dec(c.ty) and c.nullable and rng.random() < 0.5:
            lines.append(f"coalesce({c.name}, 0.00) as {n}")
            c = replace(c, nullable=False, ty=unify(c.ty, LIT_DEC0))
        elif c.ty == "DOUBLE":
            lines.append(f"round({c.name}, 2) as {n}")
        else:
            lines.append(c.name if n == c.name else f"{c.name} as {n}")
        cols.append(replace(c, name=n, stem=c.s))
        if derived_num is None and is_numeric(c.ty) and not c.key:
            derived_num = cols[-1]
    dates = [c for c in cols if c.ty == "DATE"]
    if dates:
        d = dates[0]
        n = names.take(f"{d.s.removesuffix('_date')}_month")
        lines.append(f"date_trunc('month', {d.name}) as {n}")
        cols.append(Col(n, "DATE", d.nullable, stem=n))
    if derived_num is not None:
        n = names.take(f"{derived_num.s}_band")
        lines.append(
            f"case\n            when {derived_num.name} >= 100 then 'high'\n"
            f"            when {derived_num.name} >= 10 then 'medium'\n"
            f"            else 'low'\n        end as {n}")
        cols.append(Col(n, "VARCHAR", False, stem=n))
    extra_col(variant, names, cols, lines)
    key = src.keys()[0]
    select = ",\n        ".join(lines)
    sql = (
        f"-- Staging of {src.name}: trimmed and lower-cased text, defaults for flags,\n"
        f"-- a month bucket and a size band.\n"
        f"with source as (\n\n    select * from {{ref:{ref}}}\n\n),\n\n"
        f"renamed as (\n\n    select\n        {select}\n    from source\n"
        f"    where {key.name} >= {threshold(variant, 0)}\n\n)\n\n"
        f"select * from renamed\n"
    )
    return sql, cols, f"One row per {src.entity.rstrip('s')} of {src.name}, cleaned.", "view"


def t_aggregate(rng, inp, ref, variant):
    names = Names()
    keys = inp.keys()
    key = rng.choice(keys)
    strs = inp.of(lambda c: c.ty == "VARCHAR")
    dim = rng.choice(strs) if strs and rng.random() < 0.3 else None
    want = rng.randint(5, 12)
    base_cols = [key] + ([dim] if dim else [])
    others = [c for c in inp.cols if c not in base_cols]
    rng.shuffle(others)
    base_cols += others[: max(3, want - 2)]
    lines, cols = [], []
    group = [key] + ([dim] if dim else [])
    for g in group:
        lines.append(g.name)
        cols.append(replace(names_take_col(names, g)))
    n = names.take("row_count")
    lines.append(f"count(*) as {n}")
    cols.append(Col(n, "BIGINT", False))
    for c in base_cols[len(group):]:
        if len(cols) >= want:
            break
        if c.key:
            n = names.take(f"distinct_{c.s}s")
            lines.append(f"count(distinct {c.name}) as {n}")
            cols.append(Col(n, "BIGINT", False, stem=n))
        elif is_int(c.ty) or is_dec(c.ty):
            n = names.take(f"total_{c.s}")
            lines.append(f"sum({c.name}) as {n}")
            cols.append(Col(n, sum_type(c.ty), c.nullable, stem=c.s))
            if len(cols) < want:
                n = names.take(f"avg_{c.s}")
                lines.append(f"round(avg({c.name}), 2) as {n}")
                cols.append(Col(n, "DOUBLE", True, stem=c.s))
        elif c.ty == "DOUBLE":
            n = names.take(f"max_{c.s}")
            lines.append(f"max({c.name}) as {n}")
            cols.append(Col(n, "DOUBLE", c.nullable, stem=c.s))
        elif is_temporal(c.ty):
            n = names.take(f"first_{c.s}")
            lines.append(f"min({c.name}) as {n}")
            cols.append(Col(n, c.ty, c.nullable, stem=c.s))
            if len(cols) < want:
                n = names.take(f"last_{c.s}")
                lines.append(f"max({c.name}) as {n}")
                cols.append(Col(n, c.ty, c.nullable, stem=c.s))
        elif c.ty == "VARCHAR":
            value = STR_VALUES.get(c.s, ["high"])[0]
            n = names.take(f"{c.s}_{value}_count")
            lines.append(
                f"sum(case when {c.name} = '{value}' then 1 else 0 end) as {n}")
            cols.append(Col(n, "BIGINT", False, stem=n))
        elif c.ty == "BOOLEAN":
            n = names.take(f"any_{c.s}")
            lines.append(f"bool_or({c.name}) as {n}")
            cols.append(Col(n, "BOOLEAN", c.nullable, stem=c.s))
    extra_col(variant, names, cols, lines)
    inner = ",\n        ".join(c.name for c in base_cols)
    select = ",\n    ".join(lines)
    cond = filter_on(rng.randrange(8), "", inp, variant, 0)
    sql = (
        f"-- Totals per {key.name}"
        + (f" and {dim.name}" if dim else "")
        + f" over {inp.name}.\nwith base as (\n\n    select\n        {inner}\n"
        f"    from {{ref:{ref}}}\n    where {cond}\n\n)\n\n"
        f"select\n    {select}\nfrom base\ngroup by {', '.join(g.name for g in group)}\n"
    )
    return sql, cols, f"One row per {key.name} with totals of {inp.name}.", "table"


def names_take_col(names, c):
    n = names.take(c.name)
    return replace(c, name=n)


def t_join(rng, inputs, refs, variant):
    """inputs[0] left-joined to inputs[1], inner-joined to inputs[2] (when given)."""
    names = Names()
    a = inputs[0]
    want = rng.randint(6, 15)
    lines, cols = [], []
    aliases = ["a", "b", "c"]
    joins = []
    outer = [False, True, False]  # which inputs are on the NULL side of a LEFT JOIN
    a_keys = {k.name: k for k in a.keys()}
    for i, (rel, ref) in enumerate(zip(inputs, refs)):
        if i == 0:
            continue
        shared = [k for k in rel.keys() if k.name in a_keys]
        # An inner join on a key that may be NULL drops rows (meshc warns, MESH2013):
        # inner-join on a non-null key, else fall back to a left join.
        strict = [k for k in shared if not k.nullable and not a_keys[k.name].nullable]
        if i == 2 and strict:
            k = strict[0]
        else:
            k = shared[0]
            outer[i] = True
        kind = "left join" if outer[i] else "inner join"
        joins.append(f"{kind} {{ref:{ref}}} as {aliases[i]}\n    on a.{k.name} = {aliases[i]}.{k.name}")
    # Columns of a: its keys, then some others.
    a_other = [c for c in a.cols if not c.key]
    rng.shuffle(a_other)
    for c in a.keys() + a_other[: max(2, want // 2 - len(a.keys()))]:
        nc = names_take_col(names, c)
        lines.append(f"a.{c.name}" if nc.name == c.name else f"a.{c.name} as {nc.name}")
        cols.append(nc)
    for i, rel in enumerate(inputs[1:], start=1):
        al = aliases[i]
        nullable_side = outer[i]  # the left-joined side may be NULL
        other = [c for c in rel.cols if not c.key]
        rng.shuffle(other)
        budget = max(2, (want - len(cols)) // (len(inputs) - i))
        for c in other[:budget]:
            if is_numeric(c.ty) and nullable_side and rng.random() < 0.5:
                lit, lt = ("0.00", LIT_DEC0) if is_dec(c.ty) else ("0", LIT_INT)
                n = names.take(f"{al}_{c.s}")
                lines.append(f"coalesce({al}.{c.name}, {lit}) as {n}")
                cols.append(Col(n, unify(c.ty, lt), False, stem=c.s))
            else:
                n = names.take(f"{al}_{c.s}" if c.name in names.used or rng.random() < 0.5 else c.name)
                lines.append(f"{al}.{c.name}" if n == c.name else f"{al}.{c.name} as {n}")
                cols.append(Col(n, c.ty, c.nullable or nullable_side, stem=c.s))
        if i == 1:
            k = rel.keys()[0]
            n = names.take(f"{rel.entity or 'b'}_match_status")
            lines.append(
                f"case when {al}.{k.name} is null then 'unmatched' else 'matched' end as {n}")
            cols.append(Col(n, "VARCHAR", False, stem=n))
    # A date difference or a label across the two sides.
    ad = [c for c in a.cols if is_temporal(c.ty)]
    bd = [c for c in inputs[1].cols if is_temporal(c.ty)] if len(inputs) > 1 else []
    if ad and bd and len(cols) < 15:
        n = names.take(f"days_{ad[0].s}_to_{bd[0].s}")
        lines.append(f"date_diff('day', a.{ad[0].name}, b.{bd[0].name}) as {n}")
        cols.append(Col(n, "BIGINT", True, stem=n))  # b is left-joined
    a_str = [c for c in a.cols if c.ty == "VARCHAR"]
    if a_str and len(cols) < 15:
        s = a_str[0]
        n = names.take(f"{s.s}_label")
        lines.append(f"upper(a.{s.name}) || ':' || '{a.entity or 'x'}' as {n}")
        cols.append(Col(n, "VARCHAR", s.nullable, stem=n))
    extra_col(variant, names, cols, lines)
    select = ",\n    ".join(lines)
    cond = filter_on(rng.randrange(8), "a", a, variant, 0)
    names_in = ", ".join(r.name for r in inputs)
    sql = (
        f"-- {a.name} enriched with " + ", ".join(r.name for r in inputs[1:]) + ".\n"
        f"select\n    {select}\nfrom {{ref:{refs[0]}}} as a\n" + "\n".join(joins) + "\n"
        f"where {cond}\n"
    )
    return sql, cols, f"Rows of {a.name} joined with {names_in}.", "table"


def t_window(rng, inp, ref, variant):
    names = Names()
    key = rng.choice(inp.keys())
    temporal = [c for c in inp.cols if is_temporal(c.ty)]
    order = temporal[0] if temporal else key
    nums = [c for c in inp.cols if is_numeric(c.ty) and not c.key]
    num = rng.choice(nums) if nums else None
    cols_inner = []
    for c in [key, order] + ([num] if num else []):
        if c not in cols_inner:
            cols_inner.append(c)
    rest = [c for c in inp.cols if c not in cols_inner]
    rng.shuffle(rest)
    cols_inner += rest[: rng.randint(1, 4)]
    for c in cols_inner:
        names.take(c.name)
    inner = [c.name for c in cols_inner]
    outer = [c.name for c in cols_inner]
    cols = list(cols_inner)
    part = f"partition by {key.name} order by {order.name}"
    rank = names.take("recency_rank")
    inner.append(f"row_number() over ({part} desc) as {rank}")
    if num:
        running = names.take(f"running_{num.s}")
        previous = names.take(f"previous_{num.s}")
        change = names.take(f"{num.s}_change")
        inner.append(
            f"sum({num.name}) over (\n            {part}\n"
            f"            rows between unbounded preceding and current row\n        ) as {running}")
        inner.append(f"lag({num.name}) over ({part}) as {previous}")
        outer += [running, previous]
        cols.append(Col(running, sum_type(num.ty), True, stem=running))
        cols.append(Col(previous, num.ty, True, stem=previous))
        lit, lt = ("0.00", LIT_DEC0) if is_dec(num.ty) else ("0", LIT_INT)
        outer.append(f"{num.name} - coalesce({previous}, {lit}) as {change}")
        cols.append(Col(change, arith("-", num.ty, unify(num.ty, lt)), num.nullable, stem=change))
    outer.append(rank)
    cols.append(Col(rank, "BIGINT", False))
    latest = names.take("is_latest")
    if PORTABLE:
        outer.append(f"case when {rank} = 1 then 1 else 0 end as {latest}")
        cols.append(Col(latest, "INTEGER", False))
    else:
        outer.append(f"case when {rank} = 1 then true else false end as {latest}")
        cols.append(Col(latest, "BOOLEAN", False))
    extra_col(variant, names, cols, outer)
    cond = filter_on(rng.randrange(8), "", inp, variant, 0)
    sql = (
        f"-- Latest rows per {key.name} of {inp.name}, with running totals.\n"
        f"with ordered as (\n\n    select\n        " + ",\n        ".join(inner) + "\n"
        f"    from {{ref:{ref}}}\n    where {cond}\n\n)\n\n"
        f"select\n    " + ",\n    ".join(outer) + "\nfrom ordered\n"
        f"where {rank} <= {rng.randint(1, 5)}\n"
    )
    return sql, cols, f"Latest rows per {key.name} of {inp.name} with running totals.", "view"


def t_enrich(rng, inp, ref, variant):
    names = Names()
    lines, cols = [], []
    pool = list(inp.cols)
    keys = [c for c in pool if c.key]
    other = [c for c in pool if not c.key]
    rng.shuffle(other)
    want = rng.randint(6, 14)
    for c in keys + other[: max(2, want - len(keys) - 3)]:
        nc = names_take_col(names, c)
        lines.append(nc.name)
        cols.append(nc)
    nums = [c for c in inp.cols if is_numeric(c.ty) and not c.key]
    if len(nums) >= 2:
        x, y = nums[0], nums[1]
        n = names.take(f"{x.s}_per_{y.s}")
        lines.append(f"cast({x.name} as double) / nullif({y.name}, 0) as {n}")
        cols.append(Col(n, "DOUBLE", True, stem=n))
    if nums:
        x = nums[0]
        n = names.take(f"{x.s}_doubled")
        lines.append(f"{x.name} * 2 as {n}")
        cols.append(Col(n, arith("*", x.ty, LIT_INT), x.nullable, stem=n))
        n = names.take(f"is_large_{x.s}")
        if PORTABLE:
            lines.append(f"case when {x.name} > 100 then 1 else 0 end as {n}")
            cols.append(Col(n, "INTEGER", False, stem=n))
        else:
            lines.append(f"coalesce({x.name} > 100, false) as {n}")
            cols.append(Col(n, "BOOLEAN", False, stem=n))
    strs = [c for c in inp.cols if c.ty == "VARCHAR"]
    if strs:
        s = strs[0]
        n = names.take(f"{s.s}_length")
        lines.append(f"length({s.name}) as {n}")
        cols.append(Col(n, "BIGINT", s.nullable, stem=n))
    dates = [c for c in inp.cols if c.ty == "DATE"]
    if dates:
        d = dates[0]
        n = names.take(f"{d.s}_year")
        lines.append(f"year({d.name}) as {n}")
        cols.append(Col(n, "BIGINT", d.nullable, stem=n))
    extra_col(variant, names, cols, lines)
    cond = filter_on(rng.randrange(8), "", inp, variant, 0)
    sql = (
        f"-- Derived measures over {inp.name}.\n"
        f"select\n    " + ",\n    ".join(lines) + f"\nfrom {{ref:{ref}}}\nwhere {cond}\n"
    )
    return sql, cols, f"Rows of {inp.name} with derived ratios and flags.", "view"


# --------------------------------------------------------------------------


@dataclass
class Model:
    domain: str
    name: str
    kind: str
    rel: Rel
    materialization: str
    description: str
    texts: list  # [variant0, variant1, variant2] with {ref:...} placeholders
    inputs: list  # Rel


PREFIX = {"staging": "stg", "aggregate": "agg", "join": "int", "window": "fct", "enrich": "dim"}


def generate(n_models, n_domains, seed, csv_rows=5):
    rng = random.Random(seed)
    domains = []
    for i in range(n_domains):
        base = DOMAIN_NAMES[i % len(DOMAIN_NAMES)]
        domains.append(base if i < len(DOMAIN_NAMES) else f"{base}{i // len(DOMAIN_NAMES) + 1}")
    per_domain = [n_models // n_domains + (1 if i < n_models % n_domains else 0)
                  for i in range(n_domains)]
    sources = {}  # domain -> [Rel]
    models = {}  # domain -> [Model]
    published = []  # Rel of published models, in creation order
    deps = {d: set() for d in domains}
    csvs = {}  # (domain, source) -> text
    serial = 0
    cross_p = 0.10 * n_domains / max(1, n_domains - 1)
    for di, d in enumerate(domains):
        k = min(4, max(1, per_domain[di]))
        templates = rng.sample(SOURCES, k=min(k, len(SOURCES)))
        sources[d] = []
        for entity, spec in templates:
            cols = [Col(n, t, not req, key, n) for n, t, req, key in spec]
            rel = Rel(d, f"raw_{entity}", cols, source=True, entity=entity)
            sources[d].append(rel)
            lines = [",".join(c.name for c in cols)]
            for r in range(csv_rows):
                lines.append(",".join(csv_value(rng, c.name, c.ty, not c.nullable, r)
                                      for c in cols))
            csvs[(d, rel.name)] = "\n".join(lines) + "\n"
        models[d] = []
        foreign = [p for p in published if p.domain != d]
        for mi in range(per_domain[di]):
            serial += 1
            local = [m.rel for m in models[d]]
            if mi < len(sources[d]) or not local:
                kind = "staging"
            else:
                kind = rng.choices(["aggregate", "join", "window", "enrich"],
                                   weights=[30, 35, 20, 15])[0]
            cross = kind != "staging" and foreign and rng.random() < cross_p

            def pick_local():
                if len(local) > 100 and rng.random() < 0.7:
                    return rng.choice(local[-100:])
                return rng.choice(local)

            if kind == "staging":
                inputs = [sources[d][mi % len(sources[d])]]
            else:
                first = rng.choice(foreign) if cross and (kind != "join" or rng.random() < 0.5) else pick_local()
                inputs = [first]
                if kind == "join":
                    want = rng.choice([2, 2, 3])
                    for slot in range(1, want):
                        pool_cross = cross and first.domain == d and slot == 1
                        for _ in range(30):
                            cand = rng.choice(foreign) if pool_cross else pick_local()
                            if cand in inputs:
                                continue
                            if any(k.name == ak.name for k in cand.keys() for ak in first.keys()):
                                inputs.append(cand)
                                break
                    if len(inputs) == 1:
                        kind = "enrich"
            entity = inputs[0].entity
            name = f"{PREFIX[kind]}_{d}_{entity}_{serial:05d}"
            refs = []
            for rel in inputs:
                if rel.domain != d:
                    deps[d].add(rel.domain)
                refs.append(f"{rel.domain}:{rel.name}")
            texts, cols = [], None
            for variant in range(3):
                r = random.Random(f"{seed}:{serial}")  # same choices in every variant
                if kind == "staging":
                    out = t_staging(r, inputs[0], refs[0], variant)
                elif kind == "aggregate":
                    out = t_aggregate(r, inputs[0], refs[0], variant)
                elif kind == "join":
                    out = t_join(r, inputs, refs, variant)
                elif kind == "window":
                    out = t_window(r, inputs[0], refs[0], variant)
                else:
                    out = t_enrich(r, inputs[0], refs[0], variant)
                sql, c, desc, mat = out
                texts.append(sql)
                if variant == 0:
                    cols, description, materialization = c, desc, mat
            is_pub = rng.random() < 0.2
            rel = Rel(d, name, cols, published=is_pub, entity=entity)
            for inp in inputs:
                inp.consumers.append((d, name))
            m = Model(d, name, kind, rel, materialization, description, texts, inputs)
            models[d].append(m)
            if is_pub:
                published.append(rel)
    return domains, sources, models, deps, csvs


# --------------------------------------------------------------------------
# Writers


def render(text, domain, target):
    """Replaces {ref:<domain>:<name>} placeholders."""
    out, i = [], 0
    while True:
        j = text.find("{ref:", i)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        k = text.index("}", j)
        d, name = text[j + 5:k].split(":")
        out.append(text[i:j])
        if target == "mesh":
            out.append(name if d == domain else f"{d}.{name}")
        elif name.startswith("raw_"):
            out.append(f"{{{{ source('{d}', '{name}') }}}}")
        else:
            out.append(f"{{{{ ref('{name}') }}}}")
        i = k + 1


def yq(s):
    return json.dumps(s)


def write_file(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def contract_yaml(d, m):
    lines = [
        "apiVersion: v3.0.2",
        "kind: DataContract",
        f"id: {d}.{m.name}",
        f"name: {m.name}",
        "version: 1.0.0",
        "status: active",
        f"domain: {d}",
        f"dataProduct: {m.name}",
        "description:",
        f"  purpose: {yq(m.description)}",
        "team:",
        f"  - username: {d}-team@bench.example",
        "    role: owner",
        "schema:",
        f"  - name: {m.name}",
        f"    physicalName: {m.name}",
        "    logicalType: object",
        "    properties:",
    ]
    for c in m.rel.cols:
        lines += [
            f"      - name: {c.name}",
            f"        logicalType: {logical_type(c.ty)}",
            f"        physicalType: {type_sql(c.ty)}",
            f"        required: {'false' if c.nullable else 'true'}",
            f"        description: {yq(column_description(c))}",
        ]
    return "\n".join(lines) + "\n"


def column_description(c):
    null = "may be NULL" if c.nullable else "never NULL"
    return f"{c.name.replace('_', ' ').capitalize()}; {null}."


def write_mesh(root, name, domains, sources, models, deps, csvs):
    write_file(os.path.join(root, "mesh.yaml"),
               f"# Synthetic benchmark mesh generated by bench/gen.py.\nname: {name}\n"
               f"domains: [{', '.join(domains)}]\n")
    for d in domains:
        dd = os.path.join(root, d)
        lines = [f"name: {d}", f"owner: {d}-team@bench.example", "version: 1.0.0",
                 f"description: {yq(f'Synthetic {d} domain.')}"]
        if deps[d]:
            lines.append("dependencies:")
            lines += [f'  {x}: "^1.0"' for x in sorted(deps[d], key=domains.index)]
        lines.append("materialization: view")
        lines.append("models:")
        for m in models[d]:
            lines.append(f"  {m.name}:")
            if m.materialization != "view":
                lines.append(f"    materialization: {m.materialization}")
            lines.append(f"    description: {yq(m.description)}")
        write_file(os.path.join(dd, "domain.yaml"), "\n".join(lines) + "\n")
        sl = ["sources:"]
        for s in sources[d]:
            sl += [f"  - name: {s.name}",
                   f"    description: {yq(f'Raw {s.entity} of the {d} domain.')}",
                   f"    path: data/{s.name}.csv",
                   "    format: csv",
                   "    columns:"]
            for c in s.cols:
                req = ", required: true" if not c.nullable else ""
                sl.append(f"      - {{ name: {c.name}, type: {yq(type_sql(c.ty))}{req} }}")
            write_file(os.path.join(dd, "data", f"{s.name}.csv"), csvs[(d, s.name)])
        write_file(os.path.join(dd, "sources.yaml"), "\n".join(sl) + "\n")
        for m in models[d]:
            write_file(os.path.join(dd, "models", f"{m.name}.sql"), render(m.texts[0], d, "mesh"))
            if m.rel.published:
                write_file(os.path.join(dd, "contracts", f"{m.name}.yaml"), contract_yaml(d, m))


def write_dbt(root, name, domains, sources, models, deps, csvs):
    write_file(os.path.join(root, "dbt_project.yml"), "\n".join([
        f"name: {name}",
        "version: '1.0.0'",
        "config-version: 2",
        f"profile: {name}",
        "model-paths: [models]",
        "target-path: target",
        "models:",
        f"  {name}:",
        *[line for d in domains for line in (
            f"    {d}:",
            f"      +group: {d}",
            f"      +schema: {d}",
            "      +materialized: view",
        )],
    ]) + "\n")
    write_file(os.path.join(root, "profiles.yml"), "\n".join([
        f"{name}:",
        "  target: dev",
        "  outputs:",
        "    dev:",
        "      type: duckdb",
        f"      path: target/{name}.duckdb",
        "      threads: 2",
    ]) + "\n")
    for d in domains:
        md = os.path.join(root, "models", d)
        src = ["version: 2", "", "groups:", f"  - name: {d}",
               f"    owner: {{ name: {d}-team, email: {d}-team@bench.example }}", "",
               "sources:", f"  - name: {d}", f"    schema: raw_{d}", "    tables:"]
        for s in sources[d]:
            src += [f"      - name: {s.name}",
                    f"        description: {yq(f'Raw {s.entity} of the {d} domain.')}",
                    "        meta:",
                    f"          external_location: \"read_csv('data/{d}/{s.name}.csv', header = true)\"",
                    "        columns:"]
            for c in s.cols:
                src.append(f"          - name: {c.name}")
                src.append(f"            data_type: {type_sql(c.ty).lower()}")
            write_file(os.path.join(root, "data", d, f"{s.name}.csv"), csvs[(d, s.name)])
        write_file(os.path.join(md, "_sources.yml"), "\n".join(src) + "\n")
        yml = ["version: 2", "", "models:"]
        for m in models[d]:
            write_file(os.path.join(md, f"{m.name}.sql"), render(m.texts[0], d, "dbt"))
            yml += [f"  - name: {m.name}",
                    f"    description: {yq(m.description)}",
                    f"    access: {'public' if m.rel.published else 'private'}"]
            cfg = []
            if m.materialization != "view":
                cfg.append(f"      materialized: {m.materialization}")
            if m.rel.published:
                cfg.append("      contract: { enforced: true }")
            if cfg:
                yml += ["    config:"] + cfg
            if m.rel.published:
                yml.append("    columns:")
                for c in m.rel.cols:
                    yml += [f"      - name: {c.name}",
                            f"        data_type: {type_sql(c.ty).lower()}",
                            f"        description: {yq(column_description(c))}"]
                    if not c.nullable and m.materialization == "table":
                        # dbt-duckdb enforces constraints on tables only.
                        yml.append("        constraints: [{ type: not_null }]")
        write_file(os.path.join(md, "_models.yml"), "\n".join(yml) + "\n")


def pick_edits(domains, models):
    """The benchmark edits: a published model that other domains read (same
    schema) and a private model with the most readers in its domain (schema
    changes: one output column more)."""
    all_models = [m for d in domains for m in models[d]]
    pubs = [m for m in all_models if m.rel.published]
    keep = max(pubs or all_models,
               key=lambda m: (sum(1 for c in m.rel.consumers if c[0] != m.domain),
                              len(m.rel.consumers)))
    privs = [m for m in all_models if not m.rel.published and m is not keep]
    change = max(privs or all_models, key=lambda m: len(m.rel.consumers))
    out = []
    for kind, m, variant in (("keep_schema", keep, 1), ("change_schema", change, 2)):
        out.append({
            "kind": kind,
            "model": f"{m.domain}.{m.name}",
            "direct_consumers": len(m.rel.consumers),
            "cross_domain_consumers": sum(1 for c in m.rel.consumers if c[0] != m.domain),
            "mesh_path": f"{m.domain}/models/{m.name}.sql",
            "dbt_path": f"models/{m.domain}/{m.name}.sql",
            "mesh_original": render(m.texts[0], m.domain, "mesh"),
            "mesh_edited": render(m.texts[variant], m.domain, "mesh"),
            "dbt_original": render(m.texts[0], m.domain, "dbt"),
            "dbt_edited": render(m.texts[variant], m.domain, "dbt"),
        })
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", "-n", type=int, default=1000, help="number of models (default 1000)")
    p.add_argument("--domains", "-d", type=int, default=10, help="number of domains (default 10)")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument("--out", "-o", required=True, help="output directory (replaced)")
    p.add_argument("--no-dbt", action="store_true", help="write the meshc workspace only")
    p.add_argument("--portable", action="store_true",
                   help="flags as 0/1 INTEGERs, no BOOLEAN column, so that every target "
                        "(Teradata too) can emit every model")
    p.add_argument("--name", default="bench_mesh", help="workspace / dbt project name")
    a = p.parse_args(argv)
    if a.models < 1 or a.domains < 1:
        p.error("--models and --domains must be positive")
    global PORTABLE
    PORTABLE = a.portable
    domains, sources, models, deps, csvs = generate(a.models, a.domains, a.seed)
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    write_mesh(os.path.join(a.out, "mesh"), a.name, domains, sources, models, deps, csvs)
    if not a.no_dbt:
        write_dbt(os.path.join(a.out, "dbt"), a.name, domains, sources, models, deps, csvs)
    all_models = [m for d in domains for m in models[d]]
    cross = sum(1 for m in all_models if any(i.domain != m.domain for i in m.inputs))
    meta = {
        "models": len(all_models),
        "domains": len(domains),
        "seed": a.seed,
        "sources": sum(len(s) for s in sources.values()),
        "published": sum(1 for m in all_models if m.rel.published),
        "cross_domain_models": cross,
        "kinds": {k: sum(1 for m in all_models if m.kind == k) for k in PREFIX},
        "edits": pick_edits(domains, models),
    }
    if a.portable:
        meta["portable"] = True
    write_file(os.path.join(a.out, "bench-meta.json"), json.dumps(meta, indent=2) + "\n")
    print(f"gen: {meta['models']} models, {meta['published']} published, "
          f"{cross} cross-domain, {meta['sources']} sources in {len(domains)} domains -> {a.out}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
