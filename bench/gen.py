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

With --wide (meant with few domains, e.g. --domains 5) it writes the shape of a
mesh with wide products: sources of about 20 columns, 10-40 output columns per
model, and in every contract quality rules on most columns (not null, unique,
accepted values, non-negative and not-before-2024 ranges, uniqueness of column
pairs), which the data it writes satisfies; the dbt project gets the same
checks as tests (built-in ones and three generic tests in macros/).

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
    # What the data the generator writes guarantees, for the quality rules of
    # --wide contracts (the default output never reads these):
    values: tuple = ()  # every value a VARCHAR column can hold, when known
    nonneg: bool = False  # a number that is never negative
    unique: bool = False  # no two rows share a (non-NULL) value

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
    combos: list = field(default_factory=list)  # column lists unique together (--wide)

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


# --wide: more columns per source (about 20), so that models can have up to 40
# output columns. Appended to SOURCES' columns; same tuple form.
WIDE_EXTRA = {
    "orders": [
        ("store_id", "INTEGER", True, True), ("discount", ("DECIMAL", 10, 2), False, False),
        ("shipping_fee", ("DECIMAL", 8, 2), True, False), ("tax_amount", ("DECIMAL", 12, 2), False, False),
        ("item_count", "INTEGER", True, False), ("returned_items", "INTEGER", False, False),
        ("payment_method", "VARCHAR", True, False), ("coupon_code", "VARCHAR", False, False),
        ("priority_score", "DOUBLE", False, False), ("ship_date", "DATE", False, False),
        ("is_first_order", "BOOLEAN", True, False), ("updated_at", "TIMESTAMP", False, False)],
    "customers": [
        ("first_name", "VARCHAR", True, False), ("country", "VARCHAR", True, False),
        ("city", "VARCHAR", False, False), ("age", "INTEGER", False, False),
        ("loyalty_points", "INTEGER", True, False), ("credit_limit", ("DECIMAL", 12, 2), False, False),
        ("last_login_at", "TIMESTAMP", False, False), ("birth_date", "DATE", False, False),
        ("churn_risk", "DOUBLE", False, False), ("is_verified", "BOOLEAN", False, False),
        ("orders_to_date", "INTEGER", True, False), ("preferred_channel", "VARCHAR", False, False)],
    "products": [
        ("brand", "VARCHAR", True, False), ("color", "VARCHAR", False, False),
        ("size_code", "VARCHAR", False, False), ("list_price", ("DECIMAL", 10, 2), True, False),
        ("discount_rate", "DOUBLE", False, False), ("stock_level", "INTEGER", False, False),
        ("reorder_point", "INTEGER", True, False), ("rating", "DOUBLE", False, False),
        ("discontinued_on", "DATE", False, False), ("is_featured", "BOOLEAN", True, False),
        ("updated_at", "TIMESTAMP", False, False), ("margin_pct", ("DECIMAL", 6, 2), False, False)],
    "events": [
        ("device", "VARCHAR", True, False), ("browser", "VARCHAR", False, False),
        ("page_views", "INTEGER", True, False), ("scroll_depth", "DOUBLE", False, False),
        ("referrer", "VARCHAR", False, False), ("revenue", ("DECIMAL", 12, 2), False, False),
        ("event_hour", "INTEGER", True, False), ("is_bot", "BOOLEAN", True, False),
        ("received_at", "TIMESTAMP", False, False), ("campaign", "VARCHAR", False, False),
        ("latency_ms", "INTEGER", False, False), ("session_date", "DATE", True, False)],
    "invoices": [
        ("subtotal", ("DECIMAL", 12, 2), True, False), ("discount", ("DECIMAL", 10, 2), False, False),
        ("paid_amount", ("DECIMAL", 12, 2), False, False), ("paid_date", "DATE", False, False),
        ("payment_terms", "VARCHAR", True, False), ("late_fee", ("DECIMAL", 8, 2), False, False),
        ("line_count", "INTEGER", True, False), ("billing_country", "VARCHAR", True, False),
        ("exchange_rate", ("DECIMAL", 10, 4), False, False), ("is_disputed", "BOOLEAN", False, False),
        ("issued_at", "TIMESTAMP", True, False)],
    "shipments": [
        ("service_level", "VARCHAR", True, False), ("package_count", "INTEGER", True, False),
        ("distance_km", "DOUBLE", False, False), ("insurance_value", ("DECIMAL", 12, 2), False, False),
        ("estimated_date", "DATE", False, False), ("is_express", "BOOLEAN", True, False),
        ("is_damaged", "BOOLEAN", False, False), ("tracking_status", "VARCHAR", True, False),
        ("attempts", "INTEGER", False, False), ("fuel_surcharge", ("DECIMAL", 8, 2), False, False),
        ("picked_up_at", "TIMESTAMP", True, False)],
    "tickets": [
        ("category", "VARCHAR", True, False), ("assignee_team", "VARCHAR", False, False),
        ("first_response_minutes", "INTEGER", False, False), ("reopen_count", "INTEGER", True, False),
        ("closed_date", "DATE", False, False), ("sentiment", "DOUBLE", False, False),
        ("refund_amount", ("DECIMAL", 10, 2), False, False), ("product_id", "INTEGER", False, True),
        ("language", "VARCHAR", True, False), ("is_vip", "BOOLEAN", True, False),
        ("updated_at", "TIMESTAMP", False, False)],
    "inventory": [
        ("in_transit", "INTEGER", False, False), ("safety_stock", "INTEGER", True, False),
        ("shelf_life_days", "INTEGER", False, False), ("stock_value", ("DECIMAL", 14, 2), False, False),
        ("last_counted_on", "DATE", False, False), ("turnover_rate", "DOUBLE", False, False),
        ("bin_location", "VARCHAR", True, False), ("is_seasonal", "BOOLEAN", True, False),
        ("damaged_units", "INTEGER", False, False), ("counted_at", "TIMESTAMP", True, False),
        ("supplier_id", "INTEGER", True, True)],
}

# The values of the --wide text columns (merged into STR_VALUES with --wide only).
WIDE_STR_VALUES = {
    "payment_method": ["card", "cash", "voucher"],
    "coupon_code": ["spring", "summer", "winter"],
    "first_name": ["ada", "bob", "cyd"],
    "country": ["de", "fr", "us"],
    "city": ["berlin", "paris", "austin"],
    "preferred_channel": ["web", "app", "store"],
    "brand": ["acme", "globex", "initech"],
    "color": ["red", "green", "blue"],
    "size_code": ["s", "m", "l"],
    "device": ["mobile", "desktop", "tablet"],
    "browser": ["firefox", "chrome", "safari"],
    "referrer": ["search", "social", "direct"],
    "campaign": ["launch", "retarget", "newsletter"],
    "payment_terms": ["net30", "net60"],
    "billing_country": ["DE", "FR", "US"],
    "service_level": ["standard", "express"],
    "tracking_status": ["in_transit", "delivered", "lost"],
    "assignee_team": ["tier1", "tier2"],
    "language": ["en", "de", "fr"],
    "bin_location": ["a1", "b2", "c3"],
}

# The earliest value of every DATE and TIMESTAMP the generator writes (all of
# them fall in 2024); the --wide contracts check it.
MIN_DATE = "2024-01-01"


def text_values(name):
    return tuple(STR_VALUES.get(name, ["alpha", "beta", "gamma"]))


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

# --wide: the shape of a mesh with wide products (issue: "up to 40 columns per
# model, contracts with quality rules on most columns, fewer, larger
# domains"): wider sources, 10-40 output columns per model, and quality rules
# in every contract (with the equivalent dbt tests). Off by default.
WIDE = False

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


def staging_sql(src, ref, variant, lines, what):
    """A staging model's SQL: `lines` selected from the source, filtered on its key."""
    key = src.keys()[0]
    select = ",\n        ".join(lines)
    return (
        f"-- Staging of {src.name}: trimmed and lower-cased text, defaults for flags,\n"
        f"-- {what}.\n"
        f"with source as (\n\n    select * from {{ref:{ref}}}\n\n),\n\n"
        f"renamed as (\n\n    select\n        {select}\n    from source\n"
        f"    where {key.name} >= {threshold(variant, 0)}\n\n)\n\n"
        f"select * from renamed\n"
    )


def aggregate_sql(rng, inp, ref, variant, key, dim, inner_cols, lines, group):
    """An aggregate model's SQL: `inner_cols` of the filtered input, `lines` grouped by `group`."""
    inner = ",\n        ".join(c.name for c in inner_cols)
    select = ",\n    ".join(lines)
    cond = filter_on(rng.randrange(8), "", inp, variant, 0)
    return (
        f"-- Totals per {key.name}"
        + (f" and {dim.name}" if dim else "")
        + f" over {inp.name}.\nwith base as (\n\n    select\n        {inner}\n"
        f"    from {{ref:{ref}}}\n    where {cond}\n\n)\n\n"
        f"select\n    {select}\nfrom base\ngroup by {', '.join(g.name for g in group)}\n"
    )


def window_sql(inp, ref, key, cond, inner, outer, rank, top, more):
    """A window model's SQL: `inner` (with the window functions), then `outer` of the top rows."""
    return (
        f"-- Latest rows per {key.name} of {inp.name}, with running totals{more}.\n"
        f"with ordered as (\n\n    select\n        " + ",\n        ".join(inner) + "\n"
        f"    from {{ref:{ref}}}\n    where {cond}\n\n)\n\n"
        f"select\n    " + ",\n    ".join(outer) + "\nfrom ordered\n"
        f"where {rank} <= {top}\n"
    )


def enrich_sql(rng, inp, ref, variant, lines):
    """An enrich model's SQL: `lines` over the filtered input."""
    cond = filter_on(rng.randrange(8), "", inp, variant, 0)
    return (
        f"-- Derived measures over {inp.name}.\n"
        f"select\n    " + ",\n    ".join(lines) + f"\nfrom {{ref:{ref}}}\nwhere {cond}\n"
    )


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
    sql = staging_sql(src, ref, variant, lines, "a month bucket and a size band")
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
    sql = aggregate_sql(rng, inp, ref, variant, key, dim, base_cols, lines, group)
    return sql, cols, f"One row per {key.name} with totals of {inp.name}.", "table"


def names_take_col(names, c):
    n = names.take(c.name)
    return replace(c, name=n)


def t_join(rng, inputs, refs, variant):
    """inputs[0] left-joined to inputs[1], inner-joined to inputs[2] (when given)."""
    names = Names()
    a = inputs[0]
    want = rng.randint(10, WIDE_MAX - 3) if WIDE else rng.randint(6, 15)
    cap = WIDE_MAX - 2 if WIDE else 15
    lines, cols = [], []
    aliases = ["a", "b", "c"]
    joins = []
    outer = [False, True, False]  # which inputs are on the NULL side of a LEFT JOIN
    a_keys = {k.name: k for k in a.keys()}
    repeats = False  # may a row of a match several rows of a joined input?
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
        repeats = repeats or not any(c.unique for c in rel.cols if c.name == k.name)
        joins.append(f"{kind} {{ref:{ref}}} as {aliases[i]}\n    on a.{k.name} = {aliases[i]}.{k.name}")
    # Columns of a: its keys, then some others.
    a_other = [c for c in a.cols if not c.key]
    rng.shuffle(a_other)
    for c in a.keys() + a_other[: max(2, want // 2 - len(a.keys()))]:
        nc = names_take_col(names, c)
        if repeats:
            nc = replace(nc, unique=False)
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
                cols.append(Col(n, unify(c.ty, lt), False, stem=c.s, nonneg=c.nonneg))
            else:
                n = names.take(f"{al}_{c.s}" if c.name in names.used or rng.random() < 0.5 else c.name)
                lines.append(f"{al}.{c.name}" if n == c.name else f"{al}.{c.name} as {n}")
                cols.append(Col(n, c.ty, c.nullable or nullable_side, stem=c.s,
                                values=c.values, nonneg=c.nonneg))
        if i == 1:
            k = rel.keys()[0]
            n = names.take(f"{rel.entity or 'b'}_match_status")
            lines.append(
                f"case when {al}.{k.name} is null then 'unmatched' else 'matched' end as {n}")
            cols.append(Col(n, "VARCHAR", False, stem=n, values=("unmatched", "matched")))
    # A date difference or a label across the two sides.
    ad = [c for c in a.cols if is_temporal(c.ty)]
    bd = [c for c in inputs[1].cols if is_temporal(c.ty)] if len(inputs) > 1 else []
    if ad and bd and len(cols) < cap:
        n = names.take(f"days_{ad[0].s}_to_{bd[0].s}")
        lines.append(f"date_diff('day', a.{ad[0].name}, b.{bd[0].name}) as {n}")
        cols.append(Col(n, "BIGINT", True, stem=n))  # b is left-joined
    a_str = [c for c in a.cols if c.ty == "VARCHAR"]
    if a_str and len(cols) < cap:
        s = a_str[0]
        n = names.take(f"{s.s}_label")
        lines.append(f"upper(a.{s.name}) || ':' || '{a.entity or 'x'}' as {n}")
        label = tuple(dict.fromkeys(f"{v.upper()}:{a.entity or 'x'}" for v in s.values))
        cols.append(Col(n, "VARCHAR", s.nullable, stem=n, values=label))
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
    sql = window_sql(inp, ref, key, cond, inner, outer, rank, rng.randint(1, 5), "")
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
    sql = enrich_sql(rng, inp, ref, variant, lines)
    return sql, cols, f"Rows of {inp.name} with derived ratios and flags.", "view"


# --------------------------------------------------------------------------
# --wide templates: the same five kinds, 10-40 output columns each, more
# derived columns (CASE bands, casts, coalesces, arithmetic, more aggregates
# and window functions). They track, besides type and nullability, what the
# contracts' quality rules check (Col.values, nonneg, unique, Rel.combos).

WIDE_MAX = 40  # output columns of a model (the bench edit's flag may add one)


def lit_zero(ty):
    return ("0.00", LIT_DEC0) if is_dec(ty) else ("0", LIT_INT)


def ident(value):
    """A text value as a part of a column name."""
    return "".join(ch if ch.isalnum() else "_" for ch in value.lower())


def pick_some(rng, items, k):
    """Up to k of items, in their order (the same draws in every variant)."""
    if k <= 0:
        return []
    if k >= len(items):
        return list(items)
    idx = sorted(rng.sample(range(len(items)), k))
    return [items[i] for i in idx]


def t_staging_wide(rng, src, ref, variant):
    names = Names()
    lines, cols = [], []
    want = rng.randint(28, WIDE_MAX)
    for c in src.cols:
        n = names.take(c.name)
        if c.ty == "VARCHAR" and c.name != "email":
            lines.append(f"lower(trim({c.name})) as {n}")
            c = replace(c, values=tuple(v.lower() for v in c.values))
        elif c.ty == "BOOLEAN" and PORTABLE:
            lines.append(f"case when {c.name} then 1 else 0 end as {n}")
            c = replace(c, nullable=False, ty="INTEGER", nonneg=True)
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
    # Derived columns, over the raw source columns.
    cands = []  # (stem, sql with {n} for the name, Col without its name)
    nums = [c for c in src.cols if is_numeric(c.ty) and not c.key]
    decs = [c for c in nums if is_dec(c.ty)]
    for c in src.cols:
        if c.ty == "DATE":
            st = c.s.removesuffix("_date").removesuffix("_on")
            cands.append((f"{st}_month", f"date_trunc('month', {c.name}) as {{n}}",
                          Col("", "DATE", c.nullable)))
            cands.append((f"{st}_year", f"year({c.name}) as {{n}}",
                          Col("", "BIGINT", c.nullable, nonneg=True)))
            cands.append((f"{st}_quarter", f"quarter({c.name}) as {{n}}",
                          Col("", "BIGINT", c.nullable, nonneg=True)))
        elif c.ty == "TIMESTAMP":
            st = c.s.removesuffix("_at")
            cands.append((f"{st}_on", f"cast({c.name} as date) as {{n}}",
                          Col("", "DATE", c.nullable)))
            cands.append((f"{st}_day", f"date_trunc('day', {c.name}) as {{n}}",
                          Col("", "TIMESTAMP", c.nullable)))
        elif is_numeric(c.ty) and not c.key:
            hi, mid = (100, 10) if rng.random() < 0.5 else (250, 50)
            cands.append((f"{c.s}_band",
                          f"case\n            when {c.name} >= {hi} then 'high'\n"
                          f"            when {c.name} >= {mid} then 'medium'\n"
                          f"            when {c.name} is null then 'unknown'\n"
                          f"            else 'low'\n        end as {{n}}",
                          Col("", "VARCHAR", False, values=("high", "medium", "unknown", "low"))))
            if is_int(c.ty):
                cands.append((f"{c.s}_amount", f"cast({c.name} as decimal(12,2)) as {{n}}",
                              Col("", ("DECIMAL", 12, 2), c.nullable, nonneg=True)))
                if c.nullable:
                    cands.append((f"{c.s}_or_zero", f"coalesce({c.name}, 0) as {{n}}",
                                  Col("", unify(c.ty, LIT_INT), False, nonneg=True)))
            elif c.ty == "DOUBLE":
                cands.append((f"{c.s}_rounded", f"round({c.name}) as {{n}}",
                              Col("", "DOUBLE", c.nullable, nonneg=True)))
            else:
                cands.append((f"{c.s}_abs_cents", f"abs({c.name} * 100) as {{n}}",
                              Col("", arith("*", c.ty, LIT_INT), c.nullable, nonneg=True)))
        elif c.ty == "VARCHAR" and c.name != "email":
            vals = tuple(v.lower() for v in c.values)
            if c.nullable:
                cands.append((f"{c.s}_or_unknown",
                              f"coalesce(lower(trim({c.name})), 'unknown') as {{n}}",
                              Col("", "VARCHAR", False, values=vals + ("unknown",))))
            cands.append((f"{c.s}_code", f"upper(substr(trim({c.name}), 1, 2)) as {{n}}",
                          Col("", "VARCHAR", c.nullable,
                              values=tuple(dict.fromkeys(v.strip()[:2].upper() for v in c.values)))))
        elif c.ty == "BOOLEAN":
            cands.append((f"{c.s}_flag", f"case when {c.name} then 1 else 0 end as {{n}}",
                          Col("", "INTEGER", False, nonneg=True)))
    for x, y in zip(decs, decs[1:]):
        cands.append((f"{x.s}_plus_{y.s}", f"{x.name} + {y.name} as {{n}}",
                      Col("", arith("+", x.ty, y.ty), x.nullable or y.nullable, nonneg=True)))
        cands.append((f"{x.s}_minus_{y.s}", f"{x.name} - {y.name} as {{n}}",
                      Col("", arith("-", x.ty, y.ty), x.nullable or y.nullable)))
    if len(nums) >= 2:
        x, y = nums[0], nums[-1]
        cands.append((f"{x.s}_per_{y.s}", f"cast({x.name} as double) / nullif({y.name}, 0) as {{n}}",
                      Col("", "DOUBLE", True, nonneg=True)))
    for st, sql, c in pick_some(rng, cands, want - len(cols)):
        n = names.take(st)
        lines.append(sql.replace("{n}", n))
        cols.append(replace(c, name=n, stem=n))
    extra_col(variant, names, cols, lines)
    sql = staging_sql(src, ref, variant, lines,
                      "calendar buckets, size bands, casts and sums of amounts")
    return sql, cols, f"One row per {src.entity.rstrip('s')} of {src.name}, cleaned.", "view"


def t_aggregate_wide(rng, inp, ref, variant):
    names = Names()
    key = rng.choice(inp.keys())
    strs = inp.of(lambda c: c.ty == "VARCHAR" and c.values)
    dim = rng.choice(strs) if strs and rng.random() < 0.3 else None
    want = rng.randint(10, WIDE_MAX)
    group = [key] + ([dim] if dim else [])
    others = [c for c in inp.cols if c not in group]
    rng.shuffle(others)
    lines, cols, used = [], [], list(group)
    for g in group:
        lines.append(g.name)
        cols.append(replace(names_take_col(names, g), unique=not dim, key=g.key))
    n = names.take("row_count")
    lines.append(f"count(*) as {n}")
    cols.append(Col(n, "BIGINT", False, nonneg=True))
    for c in others:
        if len(cols) >= want:
            break
        aggs = []  # (stem, sql, Col)
        nn = c.nonneg
        if c.key:
            aggs.append((f"distinct_{c.s}s", f"count(distinct {c.name})", Col("", "BIGINT", False, nonneg=True)))
        elif is_int(c.ty) or is_dec(c.ty):
            aggs.append((f"total_{c.s}", f"sum({c.name})", Col("", sum_type(c.ty), c.nullable, nonneg=nn)))
            aggs.append((f"avg_{c.s}", f"round(avg({c.name}), 2)", Col("", "DOUBLE", True, nonneg=nn)))
            aggs.append((f"max_{c.s}", f"max({c.name})", Col("", c.ty, c.nullable, nonneg=nn)))
        elif c.ty == "DOUBLE":
            aggs.append((f"max_{c.s}", f"max({c.name})", Col("", "DOUBLE", c.nullable, nonneg=nn)))
            aggs.append((f"min_{c.s}", f"min({c.name})", Col("", "DOUBLE", c.nullable, nonneg=nn)))
            aggs.append((f"stddev_{c.s}", f"stddev_samp({c.name})", Col("", "DOUBLE", True, nonneg=True)))
        elif is_temporal(c.ty):
            aggs.append((f"first_{c.s}", f"min({c.name})", Col("", c.ty, c.nullable)))
            aggs.append((f"last_{c.s}", f"max({c.name})", Col("", c.ty, c.nullable)))
        elif c.ty == "VARCHAR":
            if c.values:
                v = c.values[0]
                aggs.append((f"{c.s}_{ident(v)}_count", f"sum(case when {c.name} = '{v}' then 1 else 0 end)",
                             Col("", "BIGINT", False, nonneg=True)))
            aggs.append((f"distinct_{c.s}_values", f"count(distinct {c.name})",
                         Col("", "BIGINT", False, nonneg=True)))
        elif c.ty == "BOOLEAN":
            aggs.append((f"any_{c.s}", f"bool_or({c.name})", Col("", "BOOLEAN", c.nullable)))
            aggs.append((f"{c.s}_true_count", f"sum(case when {c.name} then 1 else 0 end)",
                         Col("", "BIGINT", False, nonneg=True)))
        if aggs:
            used.append(c)
        for st, sql, col in aggs:
            if len(cols) >= want:
                break
            n = names.take(st)
            lines.append(f"{sql} as {n}")
            cols.append(replace(col, name=n, stem=n if col.ty == "BIGINT" else c.s))
    extra_col(variant, names, cols, lines)
    sql = aggregate_sql(rng, inp, ref, variant, key, dim, used, lines, group)
    combos = [[cols[0].name, cols[1].name]] if dim else []
    return sql, cols, f"One row per {key.name} with totals of {inp.name}.", "table", combos


def t_window_wide(rng, inp, ref, variant):
    names = Names()
    key = rng.choice(inp.keys())
    temporal = [c for c in inp.cols if is_temporal(c.ty)]
    order = temporal[0] if temporal else key
    nums = [c for c in inp.cols if is_numeric(c.ty) and not c.key]
    num = rng.choice(nums) if nums else None
    want = rng.randint(10, WIDE_MAX)
    top = rng.randint(1, 5)
    cols_inner = []
    for c in [key, order] + ([num] if num else []):
        if c not in cols_inner:
            cols_inner.append(c)
    n_extra = 3 + (9 if num else 0)
    rest = [c for c in inp.cols if c not in cols_inner]
    rng.shuffle(rest)
    cols_inner += rest[: max(1, want - len(cols_inner) - n_extra)]
    for c in cols_inner:
        names.take(c.name)
    inner = [c.name for c in cols_inner]
    outer = ["*"]  # the outer query adds to every column of `ordered`
    cols = [replace(c, unique=c.unique or (c is key and top == 1)) for c in cols_inner]
    part = f"partition by {key.name} order by {order.name}"
    rank = names.take("recency_rank")
    inner.append(f"row_number() over ({part} desc) as {rank}")
    cols.append(Col(rank, "BIGINT", False, nonneg=True))
    rows = names.take(f"rows_per_{key.s}")
    inner.append(f"count(*) over (partition by {key.name}) as {rows}")
    cols.append(Col(rows, "BIGINT", False, stem=rows, nonneg=True))
    if num:
        nn = num.nonneg
        running = names.take(f"running_{num.s}")
        previous = names.take(f"previous_{num.s}")
        following = names.take(f"next_{num.s}")
        first = names.take(f"first_{num.s}")
        peak = names.take(f"peak_{num.s}_per_{key.s}")
        mean = names.take(f"avg_{num.s}_per_{key.s}")
        tile = names.take(f"{num.s}_{'rank' if PORTABLE else 'quartile'}")
        change = names.take(f"{num.s}_change")
        share = names.take(f"{num.s}_share_of_peak")
        inner.append(
            f"sum({num.name}) over (\n            {part}\n"
            f"            rows between unbounded preceding and current row\n        ) as {running}")
        inner.append(f"lag({num.name}) over ({part}) as {previous}")
        inner.append(f"lead({num.name}) over ({part}) as {following}")
        inner.append(f"first_value({num.name}) over ({part}) as {first}")
        inner.append(f"max({num.name}) over (partition by {key.name}) as {peak}")
        inner.append(f"avg({num.name}) over (partition by {key.name}) as {mean}")
        # Teradata has no NTILE (--portable: every target emits every model).
        fn = "dense_rank()" if PORTABLE else "ntile(4)"
        inner.append(f"{fn} over (partition by {key.name} order by {num.name}) as {tile}")
        cols.append(Col(running, sum_type(num.ty), True, stem=running, nonneg=nn))
        cols.append(Col(previous, num.ty, True, stem=previous, nonneg=nn))
        cols.append(Col(following, num.ty, True, stem=following, nonneg=nn))
        cols.append(Col(first, num.ty, num.nullable, stem=first, nonneg=nn))
        cols.append(Col(peak, num.ty, True, stem=peak, nonneg=nn))
        cols.append(Col(mean, "DOUBLE", True, stem=mean, nonneg=nn))
        cols.append(Col(tile, "BIGINT", False, stem=tile, nonneg=True))
        lit, lt = lit_zero(num.ty)
        outer.append(f"{num.name} - coalesce({previous}, {lit}) as {change}")
        cols.append(Col(change, arith("-", num.ty, unify(num.ty, lt)), num.nullable, stem=change))
        outer.append(f"cast({num.name} as double) / nullif({peak}, 0) as {share}")
        cols.append(Col(share, "DOUBLE", True, stem=share, nonneg=nn))
    latest = names.take("is_latest")
    if PORTABLE:
        outer.append(f"case when {rank} = 1 then 1 else 0 end as {latest}")
        cols.append(Col(latest, "INTEGER", False, nonneg=True))
    else:
        outer.append(f"case when {rank} = 1 then true else false end as {latest}")
        cols.append(Col(latest, "BOOLEAN", False))
    extra_col(variant, names, cols, outer)
    cond = filter_on(rng.randrange(8), "", inp, variant, 0)
    sql = window_sql(inp, ref, key, cond, inner, outer, rank, top,
                     f" and\n-- per-{key.name} statistics")
    combos = [[key.name, rank]] if top > 1 else []
    return (sql, cols, f"Latest rows per {key.name} of {inp.name} with running totals.", "view",
            combos)


def t_enrich_wide(rng, inp, ref, variant):
    names = Names()
    lines, cols = [], []
    keys = [c for c in inp.cols if c.key]
    other = [c for c in inp.cols if not c.key]
    rng.shuffle(other)
    want = rng.randint(10, WIDE_MAX)
    nums = [c for c in inp.cols if is_numeric(c.ty) and not c.key]
    cands = []  # (stem, sql with {n}, Col)
    for x, y in zip(nums, nums[1:]):
        cands.append((f"{x.s}_per_{y.s}", f"cast({x.name} as double) / nullif({y.name}, 0) as {{n}}",
                      Col("", "DOUBLE", True, nonneg=x.nonneg and y.nonneg)))
        if (is_dec(x.ty) or is_int(x.ty)) and (is_dec(y.ty) or is_int(y.ty)):
            cands.append((f"{x.s}_gap_to_{y.s}", f"abs({x.name} - {y.name}) as {{n}}",
                          Col("", arith("-", x.ty, y.ty), x.nullable or y.nullable, nonneg=True)))
    for x in nums:
        cands.append((f"{x.s}_doubled", f"{x.name} * 2 as {{n}}",
                      Col("", arith("*", x.ty, LIT_INT), x.nullable, nonneg=x.nonneg)))
        if PORTABLE:
            cands.append((f"is_large_{x.s}", f"case when {x.name} > 100 then 1 else 0 end as {{n}}",
                          Col("", "INTEGER", False, nonneg=True)))
        else:
            cands.append((f"is_large_{x.s}", f"coalesce({x.name} > 100, false) as {{n}}",
                          Col("", "BOOLEAN", False)))
        if x.nullable:
            lit, lt = lit_zero(x.ty)
            cands.append((f"{x.s}_or_zero", f"coalesce({x.name}, {lit}) as {{n}}",
                          Col("", unify(x.ty, lt), False, nonneg=x.nonneg)))
    for c in inp.cols:
        if c.ty == "VARCHAR":
            cands.append((f"{c.s}_length", f"length({c.name}) as {{n}}",
                          Col("", "BIGINT", c.nullable, nonneg=True)))
            if c.values:
                cands.append((f"{c.s}_upper", f"upper({c.name}) as {{n}}",
                              Col("", "VARCHAR", c.nullable,
                                  values=tuple(dict.fromkeys(v.upper() for v in c.values)))))
        elif c.ty == "DATE":
            cands.append((f"{c.s}_year", f"year({c.name}) as {{n}}",
                          Col("", "BIGINT", c.nullable, nonneg=True)))
            cands.append((f"{c.s}_month_number", f"month({c.name}) as {{n}}",
                          Col("", "BIGINT", c.nullable, nonneg=True)))
    derived = pick_some(rng, cands, max(3, want // 3))
    n_pass = max(2, min(want, WIDE_MAX) - len(keys) - len(derived))
    for c in keys + other[:n_pass]:
        nc = names_take_col(names, c)
        lines.append(nc.name)
        cols.append(nc)
    passed = {c.name for c in cols}
    for st, sql, c in derived:
        if len(cols) >= WIDE_MAX:
            break
        n = names.take(st)
        lines.append(sql.replace("{n}", n))
        cols.append(replace(c, name=n, stem=n))
    extra_col(variant, names, cols, lines)
    sql = enrich_sql(rng, inp, ref, variant, lines)
    # Rows are filtered, never repeated: what was unique stays unique.
    return (sql, cols, f"Rows of {inp.name} with derived ratios and flags.", "view",
            [list(x) for x in inp.combos if all(n in passed for n in x)])


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


WIDE_TEMPLATES = {"staging": t_staging_wide, "aggregate": t_aggregate_wide,
                  "window": t_window_wide, "enrich": t_enrich_wide}

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
            if WIDE:
                spec = spec + WIDE_EXTRA[entity]
                cols = [Col(n, t, not req, key, n,
                            values=text_values(n) if t == "VARCHAR" and n != "email" else (),
                            nonneg=is_numeric(t), unique=n.endswith("_id"))
                        for n, t, req, key in spec]
            else:
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
            texts, cols, combos = [], None, []
            for variant in range(3):
                r = random.Random(f"{seed}:{serial}")  # same choices in every variant
                if WIDE and kind in WIDE_TEMPLATES:
                    out = WIDE_TEMPLATES[kind](r, inputs[0], refs[0], variant)
                elif kind == "staging":
                    out = t_staging(r, inputs[0], refs[0], variant)
                elif kind == "aggregate":
                    out = t_aggregate(r, inputs[0], refs[0], variant)
                elif kind == "join":
                    out = t_join(r, inputs, refs, variant)
                elif kind == "window":
                    out = t_window(r, inputs[0], refs[0], variant)
                else:
                    out = t_enrich(r, inputs[0], refs[0], variant)
                sql, c, desc, mat, *rest = out
                texts.append(sql)
                if variant == 0:
                    cols, description, materialization = c, desc, mat
                    combos = rest[0] if rest else []
            is_pub = rng.random() < 0.2
            rel = Rel(d, name, cols, published=is_pub, entity=entity, combos=combos)
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


def column_rules(c):
    """The quality rules of a --wide contract's column, from what the generator
    knows of its data: (kind, argument). dbt gets the same list as tests."""
    rules = []
    if not c.nullable:
        rules.append(("not_null", None))
    if c.unique:
        rules.append(("unique", None))
    if c.ty == "VARCHAR" and c.values:
        rules.append(("accepted_values", list(c.values)))
    if is_numeric(c.ty) and c.nonneg and not c.key:
        rules.append(("non_negative", None))
    if is_temporal(c.ty):
        rules.append(("not_before", MIN_DATE))
    return rules


def rule_yaml(c, kind, arg, indent):
    p = " " * indent
    name = f"{c.name}_{kind}"
    if kind == "not_null":
        body = ["type: library", "metric: nullValues", "mustBe: 0", "dimension: completeness",
                f"description: {yq(f'Every row has a {c.name}.')}"]
    elif kind == "unique":
        body = ["type: library", "metric: duplicateValues", "mustBe: 0", "dimension: uniqueness",
                f"description: {yq(f'No two rows share a {c.name}.')}"]
    elif kind == "accepted_values":
        body = ["type: library", "metric: invalidValues", "arguments:",
                f"  validValues: [{', '.join(yq(v) for v in arg)}]", "mustBe: 0",
                "dimension: conformity",
                f"description: {yq(f'Every {c.name} is one of the known values.')}"]
    elif kind == "non_negative":
        body = ["type: sql", f"query: {yq('SELECT COUNT(*) FROM {object} WHERE {property} < 0')}",
                "mustBe: 0", "dimension: accuracy",
                f"description: {yq(f'No {c.name} is negative.')}"]
    else:  # not_before
        body = ["type: sql",
                f"query: {yq(f'SELECT COUNT(*) FROM {{object}} WHERE {{property}} < DATE {chr(39)}{arg}{chr(39)}')}",
                "mustBe: 0", "dimension: accuracy",
                f"description: {yq(f'No {c.name} is before {arg}.')}"]
    out = [f"{p}- name: {name}"]
    out += [f"{p}  {line}" for line in body]
    out.append(f"{p}  severity: error")
    return out


def contract_yaml_wide(d, m):
    """A v3.1.0 contract (the quality forms need it) with quality rules on most
    columns and a uniqueness rule over the columns unique together."""
    lines = [
        "apiVersion: v3.1.0",
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
        f"  name: {d}-team",
        "  members:",
        f"    - username: {d}-team@bench.example",
        "      role: owner",
        "schema:",
        f"  - id: {m.name}",
        f"    name: {m.name}",
        f"    physicalName: {m.name}",
        "    logicalType: object",
    ]
    if m.rel.combos:
        lines.append("    quality:")
        for combo in m.rel.combos:
            lines += [
                f"      - name: {('one_row_per_' + '_and_'.join(combo))[:MAX_NAME]}",
                "        type: library",
                "        metric: duplicateValues",
                "        arguments:",
                f"          properties: [{', '.join(combo)}]",
                "        mustBe: 0",
                "        dimension: uniqueness",
                "        severity: error",
                f"        description: {yq('No two rows share ' + ' and '.join(combo) + '.')}",
            ]
    lines.append("    properties:")
    for c in m.rel.cols:
        lines += [
            f"      - name: {c.name}",
            f"        logicalType: {logical_type(c.ty)}",
            f"        physicalType: {type_sql(c.ty)}",
            f"        required: {'false' if c.nullable else 'true'}",
        ]
        if c.unique:
            lines.append("        unique: true")
        lines.append(f"        description: {yq(column_description(c))}")
        rules = column_rules(c)
        if rules:
            lines.append("        quality:")
            for kind, arg in rules:
                lines += rule_yaml(c, kind, arg, 10)
    return "\n".join(lines) + "\n"


def dbt_tests(c):
    """The dbt tests of a --wide published model's column (column_rules)."""
    out = []
    for kind, arg in column_rules(c):
        if kind in ("not_null", "unique"):
            out.append(f"          - {kind}")
        elif kind == "accepted_values":
            out.append(f"          - accepted_values: {{ values: [{', '.join(yq(v) for v in arg)}] }}")
        elif kind == "non_negative":
            out.append("          - bench_non_negative")
        else:
            out.append(f"          - bench_not_before: {{ value: {yq(arg)} }}")
    return ["        data_tests:"] + out if out else []


DBT_GENERIC_TESTS = """\
-- Generic tests of the --wide benchmark projects: the dbt counterparts of the
-- contracts' SQL and multi-column quality rules.

{% test bench_non_negative(model, column_name) %}
select {{ column_name }} from {{ model }} where {{ column_name }} < 0
{% endtest %}

{% test bench_not_before(model, column_name, value) %}
select {{ column_name }} from {{ model }} where {{ column_name }} < date '{{ value }}'
{% endtest %}

{% test bench_unique_combination(model, columns) %}
select {{ columns | join(', ') }}
from {{ model }}
where {% for c in columns %}{{ c }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
"""


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
                text = contract_yaml_wide(d, m) if WIDE else contract_yaml(d, m)
                write_file(os.path.join(dd, "contracts", f"{m.name}.yaml"), text)


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
    if WIDE:
        write_file(os.path.join(root, "macros", "bench_tests.sql"), DBT_GENERIC_TESTS)
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
            if m.rel.published and WIDE and m.rel.combos:
                yml.append("    data_tests:")
                yml += [f"      - bench_unique_combination: {{ columns: [{', '.join(x)}] }}"
                        for x in m.rel.combos]
            if m.rel.published:
                yml.append("    columns:")
                for c in m.rel.cols:
                    yml += [f"      - name: {c.name}",
                            f"        data_type: {type_sql(c.ty).lower()}",
                            f"        description: {yq(column_description(c))}"]
                    if not c.nullable and m.materialization == "table":
                        # dbt-duckdb enforces constraints on tables only.
                        yml.append("        constraints: [{ type: not_null }]")
                    if WIDE:
                        yml += dbt_tests(c)
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
    p.add_argument("--wide", action="store_true",
                   help="wide products: ~20-column sources, 10-40 output columns per model, "
                        "quality rules on most columns of every contract and the equivalent "
                        "dbt tests (meant with few domains, e.g. --domains 5)")
    p.add_argument("--name", default="bench_mesh", help="workspace / dbt project name")
    a = p.parse_args(argv)
    if a.models < 1 or a.domains < 1:
        p.error("--models and --domains must be positive")
    global PORTABLE, WIDE
    PORTABLE = a.portable
    WIDE = a.wide
    if WIDE:
        STR_VALUES.update(WIDE_STR_VALUES)
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
    if a.wide:
        pubs = [m for m in all_models if m.rel.published]
        meta["wide"] = True
        meta["columns"] = {
            "min": min(len(m.rel.cols) for m in all_models),
            "max": max(len(m.rel.cols) for m in all_models),
            "mean": round(sum(len(m.rel.cols) for m in all_models) / len(all_models), 1),
        }
        meta["quality_rules"] = sum(len(column_rules(c)) for m in pubs for c in m.rel.cols) + \
            sum(len(m.rel.combos) for m in pubs)
        meta["published_columns_with_rules"] = sum(
            1 for m in pubs for c in m.rel.cols if column_rules(c))
        meta["published_columns"] = sum(len(m.rel.cols) for m in pubs)
    write_file(os.path.join(a.out, "bench-meta.json"), json.dumps(meta, indent=2) + "\n")
    print(f"gen: {meta['models']} models, {meta['published']} published, "
          f"{cross} cross-domain, {meta['sources']} sources in {len(domains)} domains -> {a.out}",
          file=sys.stderr)
    if a.wide:
        print(f"gen: wide: {meta['columns']['min']}-{meta['columns']['max']} columns per model "
              f"(mean {meta['columns']['mean']}), {meta['quality_rules']} quality rules on "
              f"{meta['published_columns_with_rules']} of {meta['published_columns']} published columns",
              file=sys.stderr)


if __name__ == "__main__":
    main()
