#!/usr/bin/env python3
"""Computes the expected contents of the twelve teddy_retailers models.

The computation follows the model specification of Teddy Retailers in plain
Python (3.11 standard library, csv module), from the five raw CSV files of the
workspace, without any SQL engine, so that it is independent of what meshc
compiles. It writes, next to this script:

- <model>.csv for the ten models of at most 4443 rows: a header line, then
  every row, ordered by the model's key (see KEYS); no value is NULL;
- digests.json for the two models of 46613 rows (stg_order_products and
  order_products_dates): the row count, the SHA-256 of the CSV text the model
  would have in the same form, and the sum of each integer column;
- query_pl.csv: the monthly totals of the reference query over orders_pl;
- source_tests.csv: the value of each of the 14 declared source tests (the
  number of NULLs, or the number of distinct values occurring more than once).

Run it with `python3 expected/compute.py` from anywhere.
"""

import csv
import hashlib
import json
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKSPACE = HERE.parent

# The order of each model's rows in the expected files (and in the test's queries).
KEYS = {
    "stg_catalog": ["product_id"],
    "products": ["product_id"],
    "stg_stock": ["entry_id"],
    "stock_product": ["product_id", "calendar_year", "calendar_month"],
    "stg_customers": ["customer_id"],
    "customer_summary": ["customer_id"],
    "stg_orders": ["order_id"],
    "order_summary": ["order_id"],
    "stg_order_products": ["order_id", "transaction_id"],
    "order_products_dates": ["order_id", "transaction_id"],
    "orders_cost": ["order_id"],
    "orders_pl": ["order_id"],
}
LARGE = ["stg_order_products", "order_products_dates"]


def read(domain, file, ints):
    """The rows of a raw CSV file as dicts; the `ints` columns as Python ints."""
    with open(WORKSPACE / domain / "data" / file, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        for c in ints:
            r[c] = int(r[c])
    return rows


def trunc_div(a, b):
    """Integer division truncating toward zero, as INTEGER / INTEGER in mesh SQL and Teradata."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def month_year(iso):
    d = date.fromisoformat(iso)
    return d.month, d.year


# Raw tables (the files keep their original names; source_products.csv is source_catalog).
source_catalog = read("inventory", "source_products.csv", ["product_id", "price_cents"])
source_stock = read(
    "inventory",
    "source_stock.csv",
    ["entry_id", "product_id", "product_quantity", "purchase_price_cents"],
)
source_customers = read("sales", "source_customers.csv", ["customer_id"])
source_orders = read("sales", "source_orders.csv", ["order_id", "customer_id"])
source_order_products = read(
    "sales",
    "source_order_products.csv",
    ["transaction_id", "order_id", "product_id", "product_quantity"],
)

# Staging models and products: pass-throughs of every column in source order.
stg_catalog = [dict(r) for r in source_catalog]
stg_stock = [dict(r) for r in source_stock]
products = [dict(r) for r in stg_catalog]
stg_customers = [dict(r) for r in source_customers]
stg_orders = [dict(r) for r in source_orders]
stg_order_products = [dict(r) for r in source_order_products]

# stock_product: per (product, month, year) of the entry date, the units bought
# and the plain mean of the unit prices over the entries, truncated.
groups = {}
for e in stg_stock:
    month, year = month_year(e["entry_date"])
    groups.setdefault((e["product_id"], month, year), []).append(e)
stock_product = []
for (product_id, month, year), entries in groups.items():
    prices = [e["purchase_price_cents"] for e in entries]
    stock_product.append(
        {
            "product_id": product_id,
            "calendar_month": month,
            "calendar_year": year,
            "quantity": sum(e["product_quantity"] for e in entries),
            "avg_purchase_price": trunc_div(sum(prices), len(prices)),
        }
    )

# order_summary: orders ⋈ lines ⋈ products (inner), value at the current price.
price = {p["product_id"]: p["price_cents"] for p in products}
lines_by_order = {}
for line in stg_order_products:
    lines_by_order.setdefault(line["order_id"], []).append(line)
order_summary = []
for o in stg_orders:
    priced = [l for l in lines_by_order.get(o["order_id"], []) if l["product_id"] in price]
    if priced:
        order_summary.append(
            {
                "order_id": o["order_id"],
                "customer_id": o["customer_id"],
                "order_status": o["order_status"],
                "order_date": o["order_date"],
                "total_value": sum(price[l["product_id"]] * l["product_quantity"] for l in priced),
            }
        )

# customer_summary: customers ⋈ order_summary (inner), total value of all orders.
value_by_customer = {}
for s in order_summary:
    value_by_customer[s["customer_id"]] = value_by_customer.get(s["customer_id"], 0) + s["total_value"]
customer_summary = [
    dict(c, customer_tvl=value_by_customer[c["customer_id"]])
    for c in stg_customers
    if c["customer_id"] in value_by_customer
]

# order_products_dates: lines ⋈ order_summary (inner), with the order's date.
order_date = {s["order_id"]: s["order_date"] for s in order_summary}
order_products_dates = [
    dict(l, order_date=order_date[l["order_id"]]) for l in stg_order_products if l["order_id"] in order_date
]

# orders_cost: each line costed at the mean purchase price of its product in the
# calendar month and year of the order; lines without a stock row drop out, and
# so do orders without any costed line.
avg_price = {(s["product_id"], s["calendar_month"], s["calendar_year"]): s["avg_purchase_price"] for s in stock_product}
cost_by_order = {}
costed_lines = 0
for l in order_products_dates:
    month, year = month_year(l["order_date"])
    unit = avg_price.get((l["product_id"], month, year))
    if unit is not None:
        costed_lines += 1
        cost_by_order[l["order_id"]] = cost_by_order.get(l["order_id"], 0) + unit * l["product_quantity"]
orders_cost = [{"order_id": oid, "order_cost": cost} for oid, cost in cost_by_order.items()]

# orders_pl: order_summary ⋈ orders_cost (inner); revenue of the whole order.
orders_pl = []
for s in order_summary:
    if s["order_id"] in cost_by_order:
        cost = cost_by_order[s["order_id"]]
        orders_pl.append(
            {
                "order_id": s["order_id"],
                "customer_id": s["customer_id"],
                "order_status": s["order_status"],
                "order_date": s["order_date"],
                "order_revenue": s["total_value"],
                "order_cost": cost,
                "order_pl": s["total_value"] - cost,
            }
        )

# The reference query: monthly totals over orders_pl, each sum ÷ 100 truncated.
monthly = {}
for r in orders_pl:
    month, year = month_year(r["order_date"])
    t = monthly.setdefault((year, month), [0, 0, 0])
    t[0] += r["order_revenue"]
    t[1] += r["order_cost"]
    t[2] += r["order_pl"]
query_pl = [
    {
        "order_year": year,
        "order_month": month,
        "total_revenue": trunc_div(t[0], 100),
        "total_cost": trunc_div(t[1], 100),
        "total_profit": trunc_div(t[2], 100),
    }
    for (year, month), t in sorted(monthly.items())
]


# The 14 declared source tests, with dbt's counts: NULLs for not_null, distinct
# values occurring more than once for unique.
def nulls(rows, column):
    return sum(1 for r in rows if r[column] in (None, ""))


def repeated(rows, column):
    counts = {}
    for r in rows:
        counts[r[column]] = counts.get(r[column], 0) + 1
    return sum(1 for n in counts.values() if n > 1)


source_tests = []
for table, rows, column in [
    ("source_catalog", source_catalog, "product_id"),
    ("source_stock", source_stock, "entry_id"),
    ("source_customers", source_customers, "customer_id"),
    ("source_orders", source_orders, "order_id"),
    ("source_orders", source_orders, "customer_id"),
    ("source_order_products", source_order_products, "order_id"),
    ("source_order_products", source_order_products, "product_id"),
]:
    source_tests.append({"rule": f"{table}_{column}_unique", "value": repeated(rows, column)})
    source_tests.append({"rule": f"{table}_{column}_not_null", "value": nulls(rows, column)})

models = {
    "stg_catalog": stg_catalog,
    "stg_stock": stg_stock,
    "products": products,
    "stock_product": stock_product,
    "stg_customers": stg_customers,
    "stg_orders": stg_orders,
    "stg_order_products": stg_order_products,
    "order_summary": order_summary,
    "customer_summary": customer_summary,
    "order_products_dates": order_products_dates,
    "orders_cost": orders_cost,
    "orders_pl": orders_pl,
}
for name, rows in models.items():
    rows.sort(key=lambda r: tuple(r[k] for k in KEYS[name]))
    keys = [tuple(r[k] for k in KEYS[name]) for r in rows]
    assert len(set(keys)) == len(keys), f"the key of {name} is not unique"


def render(rows):
    """CSV text: a header line, then one line per row; LF line ends."""
    out = [",".join(rows[0].keys())]
    for r in rows:
        out.append(",".join(str(v) for v in r.values()))
    return "\n".join(out) + "\n"


# Facts from the specification.
assert [len(t) for t in (source_catalog, source_stock, source_customers, source_orders, source_order_products)] == [
    50,
    192,
    1000,
    4443,
    46613,
]
for name, rows in models.items():
    assert all(v is not None and v != "" for r in rows for v in r.values()), f"{name} has a NULL"
assert len({e["product_id"] for e in source_stock}) == 49
assert 21 not in {e["product_id"] for e in source_stock}, "product 21 is never restocked"
statuses = {}
for o in source_orders:
    statuses[o["order_status"]] = statuses.get(o["order_status"], 0) + 1
assert statuses == {"delivered": 1483, "open": 1478, "paid": 1482}
assert len({c["customer_email"] for c in source_customers}) == 997
# Quirk 4: transaction_id is order_id and a 0-based line index written one after the other.
assert len({l["transaction_id"] for l in source_order_products}) == 45499
orders_of = {}
for l in source_order_products:
    orders_of.setdefault(l["transaction_id"], set()).add(l["order_id"])
assert sum(1 for s in orders_of.values() if len(s) == 2) == 1114
assert max(len(s) for s in orders_of.values()) == 2
assert len({(l["order_id"], l["product_id"]) for l in source_order_products}) == 41213
assert len({tuple(l.values()) for l in source_order_products}) == 46613, "whole rows are distinct"
assert all(1 <= len(ls) <= 20 for ls in lines_by_order.values()) and len(lines_by_order) == 4443
# The models.
assert len(stock_product) == len(groups) and all(1 <= s["calendar_month"] <= 12 for s in stock_product)
assert len(order_summary) == 4443, "every order has a line with a catalog product"
assert len(customer_summary) == 994 and len(stg_customers) - len(customer_summary) == 6
assert len(order_products_dates) == 46613
assert len(orders_cost) == len(orders_pl) < len(order_summary)
assert {r["order_id"] for r in orders_pl} == {r["order_id"] for r in orders_cost}
assert 2 * costed_lines < len(order_products_dates), "fewer than half of the lines find a stock row"
assert min(r["order_pl"] for r in orders_pl) < 0, "order_pl can be negative"
assert [t["value"] for t in source_tests if t["value"] != 0] == [938, 4210, 50]
assert sum(1 for t in source_tests if t["value"] == 0) == 11
# Truncation matters: rounding the means (half to even, as a DuckDB CAST does)
# changes some of them and, through them, some order costs.
rounded = {}
for key, entries in groups.items():
    prices = [e["purchase_price_cents"] for e in entries]
    rounded[key] = round(sum(prices) / len(prices))
changed_means = sum(1 for k in groups if rounded[k] != avg_price[k])
changed_orders = set()
for l in order_products_dates:
    month, year = month_year(l["order_date"])
    key = (l["product_id"], month, year)
    if key in avg_price and rounded[key] != avg_price[key]:
        changed_orders.add(l["order_id"])
assert changed_means > 0 and changed_orders

for name, rows in models.items():
    if name not in LARGE:
        (HERE / f"{name}.csv").write_text(render(rows), encoding="utf-8")
digests = {}
for name in LARGE:
    rows = models[name]
    digests[name] = {
        "order_by": KEYS[name],
        "rows": len(rows),
        "sha256": hashlib.sha256(render(rows).encode("utf-8")).hexdigest(),
        "sums": {c: sum(r[c] for r in rows) for c, v in rows[0].items() if isinstance(v, int)},
    }
(HERE / "digests.json").write_text(json.dumps(digests, indent=2) + "\n", encoding="utf-8")
(HERE / "query_pl.csv").write_text(render(query_pl), encoding="utf-8")
(HERE / "source_tests.csv").write_text(render(source_tests), encoding="utf-8")

print(
    f"stock_product {len(stock_product)} rows ({changed_means} means that rounding would change, "
    f"so {len(changed_orders)} order costs), order_summary {len(order_summary)}, "
    f"customer_summary {len(customer_summary)}, order_products_dates {len(order_products_dates)} "
    f"({costed_lines} costed lines), orders_cost {len(orders_cost)}, orders_pl {len(orders_pl)}, "
    f"query_pl {len(query_pl)} months"
)
