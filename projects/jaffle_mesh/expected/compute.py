#!/usr/bin/env python3
"""Computes the expected rows of the two jaffle_mesh end products.

The computation follows the model specification of the jaffle shop in plain
Python, from the three raw CSV files of the workspace, without any SQL engine,
so that it is independent of what meshc compiles. It writes, next to this
script:

- dim_customers.csv: one row per customer, ordered by customer_id;
- fct_orders.csv: one row per order, ordered by order_id.

Each file has a header line; NULL is written as an empty field. Run it with
`python3 expected/compute.py` from the workspace root (or from anywhere).
"""

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKSPACE = HERE.parent
METHODS = ["credit_card", "coupon", "bank_transfer", "gift_card"]


def read_csv(domain, name):
    with open(WORKSPACE / domain / "data" / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def int_or_null(text):
    """An empty CSV field is NULL."""
    return None if text == "" else int(text)


def int_div(a, b):
    """Integer division truncating toward zero (mesh SQL and Trino semantics); NULL stays NULL."""
    if a is None or b is None:
        return None
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def sum_or_null(values):
    """SQL SUM: NULL inputs are ignored; the sum of no non-NULL input is NULL."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


# Staging models: renames only, plus cents to whole dollars for payments.
stg_customers = [{"customer_id": int(r["id"])} for r in read_csv("customers", "raw_customers")]
stg_orders = [
    {
        "order_id": int(r["id"]),
        "customer_id": int(r["user_id"]),
        "order_date": r["order_date"],  # ISO dates compare correctly as strings
        "status": r["status"],
    }
    for r in read_csv("orders", "raw_orders")
]
stg_payments = [
    {
        "payment_id": int(r["id"]),
        "order_id": int(r["order_id"]),
        "payment_method": r["payment_method"],
        "amount": int_div(int_or_null(r["amount"]), 100),
    }
    for r in read_csv("payments", "raw_payments")
]

# customer_orders: grouped by the customer of each order.
customer_orders = {}
for o in stg_orders:
    customer_orders.setdefault(o["customer_id"], []).append(o)
customer_orders = {
    cid: {
        "first_order": min(o["order_date"] for o in orders),
        "most_recent_order": max(o["order_date"] for o in orders),
        "number_of_orders": sum(1 for o in orders if o["order_id"] is not None),
    }
    for cid, orders in customer_orders.items()
}

# customer_payments: payments left-joined to their order, grouped by the order's customer
# (None when the order is unknown, which groups like SQL's NULL key).
order_customer = {o["order_id"]: o["customer_id"] for o in stg_orders}
payments_by_customer = {}
for p in stg_payments:
    payments_by_customer.setdefault(order_customer.get(p["order_id"]), []).append(p["amount"])
customer_payments = {cid: sum_or_null(amounts) for cid, amounts in payments_by_customer.items()}

# order_payments: one row per order with payments; each method's sum treats other methods as 0.
payments_by_order = {}
for p in stg_payments:
    payments_by_order.setdefault(p["order_id"], []).append(p)
order_payments = {}
for oid, payments in payments_by_order.items():
    row = {}
    for m in METHODS:
        row[f"{m}_amount"] = sum_or_null(p["amount"] if p["payment_method"] == m else 0 for p in payments)
    row["total_amount"] = sum_or_null(p["amount"] for p in payments)
    order_payments[oid] = row

# dim_customers: every customer, left-joined to customer_orders and customer_payments.
dim_customers = []
for c in stg_customers:
    co = customer_orders.get(c["customer_id"], {})
    dim_customers.append(
        {
            "customer_id": c["customer_id"],
            "first_order": co.get("first_order"),
            "most_recent_order": co.get("most_recent_order"),
            "number_of_orders": co.get("number_of_orders"),
            "customer_lifetime_value": customer_payments.get(c["customer_id"]),
        }
    )
dim_customers.sort(key=lambda r: r["customer_id"])

# fct_orders: every order, left-joined to order_payments.
fct_orders = []
for o in stg_orders:
    op = order_payments.get(o["order_id"], {})
    row = dict(o)
    for m in METHODS:
        row[f"{m}_amount"] = op.get(f"{m}_amount")
    row["amount"] = op.get("total_amount")
    fct_orders.append(row)
fct_orders.sort(key=lambda r: r["order_id"])


def write(name, rows):
    with open(HERE / name, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(list(rows[0].keys()))
        for r in rows:
            writer.writerow(["" if v is None else v for v in r.values()])


# Facts from the specification: row counts and the rows published by the reference.
assert len(stg_customers) == 100 and len(stg_orders) == 99 and len(stg_payments) == 113
assert len(dim_customers) == 100 and len(fct_orders) == 99
assert sum(1 for r in dim_customers if r["number_of_orders"] is None) == 38
published = {
    1: ("2018-01-01", "2018-02-10", 2, 33),
    2: ("2018-01-11", "2018-01-11", 1, 23),
    3: ("2018-01-02", "2018-03-11", 3, 65),
    4: (None, None, None, None),
    5: (None, None, None, None),
    6: ("2018-02-19", "2018-02-19", 1, 8),
}
for r in dim_customers:
    if r["customer_id"] in published:
        got = (r["first_order"], r["most_recent_order"], r["number_of_orders"], r["customer_lifetime_value"])
        assert got == published[r["customer_id"]], (r["customer_id"], got)
assert all(r["amount"] is not None for r in fct_orders)
assert sum(r["amount"] for r in fct_orders) == 1672

write("dim_customers.csv", dim_customers)
write("fct_orders.csv", fct_orders)
print(f"wrote {len(dim_customers)} rows to dim_customers.csv and {len(fct_orders)} rows to fct_orders.csv")
