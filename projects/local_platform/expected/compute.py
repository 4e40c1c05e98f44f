#!/usr/bin/env python3
"""Computes the expected contents of the local_platform models, run by run.

The computation follows the cleaning and mart rules stated in README.md in
plain Python (3.11 standard library), from the delivered CSV files and
without any SQL engine, so that it is independent of what meshc compiles.
It replays the three runs of the example:

1. the first delivery: the order and touchpoint exports of 2024-06-08, the
   CRM snapshot and the campaign sheet (the files under sales/data and
   marketing/data as committed);
2. the second delivery: plus deliveries/sales/orders_2024_06_15.csv and
   deliveries/marketing/touchpoints_2024_06_15.csv;
3. the dirty delivery: plus deliveries/sales/orders_2024_06_22.csv, of which
   more than 3% of the rows cannot be read, so sales.orders is refused and
   every table keeps its second-run rows.

It writes, next to this script:

- first_delivery/<model>.csv and second_delivery/<model>.csv for the four
  silver and four gold models: a header line, then every row ordered by the
  model's key (see KEYS), NULL as an empty field, decimals with two places;
- runs.json: per run, the row count of every model, the record-loss value of
  every export (percent of its rows whose key has no row in the silver
  model), the rows each incremental model merges, and what the dirty export
  holds.

Run it with `python3 expected/compute.py` from anywhere.
"""

import csv
import json
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKSPACE = HERE.parent

KEYS = {
    "customers": "customer_id",
    "orders": "order_id",
    "campaigns": "campaign_id",
    "touchpoints": "touch_id",
    "daily_revenue": "order_date",
    "customer_value": "customer_id",
    "order_attribution": "order_id",
    "campaign_performance": "campaign_id",
}
CENT = Decimal("0.01")
STATUSES = {"placed", "shipped", "delivered", "cancelled", "returned"}
COUNTRIES = {
    "GERMANY": "DE",
    "DEUTSCHLAND": "DE",
    "AUSTRIA": "AT",
    "ÖSTERREICH": "AT",
    "SWITZERLAND": "CH",
    "SCHWEIZ": "CH",
    "NETHERLANDS": "NL",
}
LOOKBACK_DAYS = 7


def read(path):
    """The rows of a CSV file as dicts; an empty field is None, as when loaded."""
    with open(WORKSPACE / path, newline="", encoding="utf-8") as f:
        return [{k: (v if v != "" else None) for k, v in r.items()} for r in csv.DictReader(f)]


def strip(text):
    return None if text is None else text.strip()


def timestamp(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def day(text):
    """A date in one of the four forms the README lists, else None."""
    if text is None:
        return None
    forms = [
        (r"(\d{4})-(\d{2})-(\d{2})", (1, 2, 3)),
        (r"(\d{4})-(\d{2})-(\d{2}) \d{2}:\d{2}:\d{2}", (1, 2, 3)),
        (r"(\d{4})/(\d{2})/(\d{2})", (1, 2, 3)),
        (r"(\d{2})\.(\d{2})\.(\d{4})", (3, 2, 1)),
    ]
    for pattern, (y, m, d) in forms:
        match = re.fullmatch(pattern, text)
        if match:
            try:
                return date(int(match[y]), int(match[m]), int(match[d]))
            except ValueError:  # 2024-06-31, month 13
                return None
    return None


def euros(text):
    """An amount with a decimal point or comma, else None."""
    if text is None:
        return None
    text = text.strip().replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", text):
        return None
    return Decimal(text).quantize(CENT)


def newest(rows, key, order, first=False):
    """One row per key: the one with the greatest (or, with first, smallest)
    `order`; rows tied on it must be identical (exact duplicates)."""
    best = {}
    for r in rows:
        k = r[key]
        if k in best and best[k][order] == r[order]:
            assert best[k] == r, f"conflicting duplicates of {k}: {best[k]} {r}"
        if k not in best or (r[order] < best[k][order] if first else r[order] > best[k][order]):
            best[k] = r
    return best


# ---------------------------------------------------------------- silver


def customers_silver():
    rows = []
    for r in read("sales/data/crm_customers.csv"):
        country = r["country"].strip().upper()
        rows.append(
            {
                "customer_id": r["customer_id"].strip().upper(),
                "first_name": r["first_name"].strip(),
                "last_name": r["last_name"].strip(),
                "email": r["email"].strip().lower(),
                "country": COUNTRIES.get(country, country),
                "signup_date": day(strip(r["signup_date"])),
                "updated_at": timestamp(r["updated_at"]),
            }
        )
    return newest(rows, "customer_id", "updated_at")


def orders_silver(exports):
    rows = []
    for file in exports:
        for r in read(file):
            status = (strip(r["status"]) or "").lower()
            status = "cancelled" if status == "canceled" else status
            row = {
                "order_id": int(r["order_id"]),
                "customer_id": (strip(r["customer_id"]) or "").upper(),
                "order_date": day(strip(r["order_date"])),
                "status": status,
                "amount": euros(r["amount"]),
                "exported_at": timestamp(r["exported_at"]),
                "delivery": Path(file).name,
            }
            usable = (
                row["customer_id"] != ""
                and row["order_date"] is not None
                and row["amount"] is not None
                and row["amount"] > 0
                and status in STATUSES
            )
            if usable:
                row["net_amount"] = Decimal("0.00") if status in ("cancelled", "returned") else row["amount"]
                rows.append(row)
    return newest(rows, "order_id", "exported_at")


def campaigns_silver():
    distinct = []
    for r in read("marketing/data/campaigns.csv"):
        row = {
            "campaign_id": r["campaign_id"].strip().upper(),
            "campaign_name": r["campaign_name"].strip().replace("  ", " "),
            "channel": r["channel"].strip().lower().replace("-", "").replace(" ", "_"),
            "start_date": day(strip(r["start_date"])),
            "end_date": day(strip(r["end_date"])),
            "budget": euros(r["budget"]),
        }
        if row not in distinct:
            distinct.append(row)
    by_id = {r["campaign_id"]: r for r in distinct}
    assert len(by_id) == len(distinct), "two different rows for one campaign"
    return by_id


def touchpoints_silver(exports):
    rows = []
    for file in exports:
        for r in read(file):
            text = strip(r["touched_at"])
            text = text.replace("T", " ").replace("Z", "") if text is not None else None
            touched = None
            if text is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", text):
                try:
                    touched = timestamp(text)
                except ValueError:
                    touched = None
            row = {
                "touch_id": r["touch_id"],
                "campaign_id": None if r["campaign_id"] is None else r["campaign_id"].strip().upper(),
                "email": (strip(r["email"]) or "").lower(),
                "event_type": (strip(r["event_type"]) or "").lower(),
                "touched_at": touched,
                "delivery": Path(file).name,
                "exported_at": timestamp(r["exported_at"]),
            }
            if (
                touched is not None
                and row["campaign_id"] is not None
                and row["email"] != ""
                and row["event_type"] in ("click", "open")
            ):
                rows.append(row)
    return newest(rows, "touch_id", "exported_at", first=True)


# ---------------------------------------------------------------- gold


def daily_revenue(orders):
    days = {}
    for o in orders.values():
        days.setdefault(o["order_date"], []).append(o)
    return {
        d: {
            "order_date": d,
            "orders": len(os),
            "paying_orders": sum(1 for o in os if o["net_amount"] > 0),
            "customers": len({o["customer_id"] for o in os}),
            "net_revenue": sum((o["net_amount"] for o in os), Decimal("0.00")),
        }
        for d, os in days.items()
    }


def customer_value(customers, orders):
    out = {}
    for c in customers.values():
        mine = [o for o in orders.values() if o["customer_id"] == c["customer_id"]]
        dates = [o["order_date"] for o in mine]
        out[c["customer_id"]] = {
            "customer_id": c["customer_id"],
            "country": c["country"],
            "first_order_date": min(dates) if dates else None,
            "last_order_date": max(dates) if dates else None,
            "orders": len(mine),
            "net_revenue": sum((o["net_amount"] for o in mine), Decimal("0.00")),
        }
    return out


def order_attribution(orders, customers, touchpoints, campaigns):
    customer_of = {c["email"]: c["customer_id"] for c in customers.values()}
    clicks = [
        dict(t, customer_id=customer_of[t["email"]])
        for t in touchpoints.values()
        if t["event_type"] == "click" and t["email"] in customer_of
    ]
    out = {}
    for o in orders.values():
        window = [
            k
            for k in clicks
            if k["customer_id"] == o["customer_id"]
            and 0 <= (o["order_date"] - k["touched_at"].date()).days <= LOOKBACK_DAYS
        ]
        last = max(window, key=lambda k: (k["touched_at"], k["touch_id"]), default=None)
        out[o["order_id"]] = {
            "order_id": o["order_id"],
            "customer_id": o["customer_id"],
            "order_date": o["order_date"],
            "net_amount": o["net_amount"],
            "campaign_id": last and last["campaign_id"],
            "channel": campaigns[last["campaign_id"]]["channel"] if last else "direct",
            "touch_id": last and last["touch_id"],
            "touched_at": last and last["touched_at"],
        }
    return out


def campaign_performance(campaigns, touchpoints, attribution):
    out = {}
    for c in campaigns.values():
        mine = [t for t in touchpoints.values() if t["campaign_id"] == c["campaign_id"]]
        paying = [
            a for a in attribution.values() if a["campaign_id"] == c["campaign_id"] and a["net_amount"] > 0
        ]
        revenue = sum((a["net_amount"] for a in paying), Decimal("0.00"))
        out[c["campaign_id"]] = {
            "campaign_id": c["campaign_id"],
            "campaign_name": c["campaign_name"],
            "channel": c["channel"],
            "budget": c["budget"],
            "clicks": sum(1 for t in mine if t["event_type"] == "click"),
            "opens": sum(1 for t in mine if t["event_type"] == "open"),
            "attributed_orders": len(paying),
            "attributed_revenue": revenue,
            # Whole cents, truncating integer division (both are >= 0).
            "revenue_per_100_budget": int(revenue * 100) * 100 // int(c["budget"] * 100),
        }
    return out


# ---------------------------------------------------------------- output


def text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


COLUMNS = {
    "customers": ["customer_id", "first_name", "last_name", "email", "country", "signup_date", "updated_at"],
    "orders": ["order_id", "customer_id", "order_date", "status", "amount", "net_amount", "delivery", "exported_at"],
    "campaigns": ["campaign_id", "campaign_name", "channel", "start_date", "end_date", "budget"],
    "touchpoints": ["touch_id", "campaign_id", "email", "event_type", "touched_at", "delivery", "exported_at"],
    "daily_revenue": ["order_date", "orders", "paying_orders", "customers", "net_revenue"],
    "customer_value": ["customer_id", "country", "first_order_date", "last_order_date", "orders", "net_revenue"],
    "order_attribution": [
        "order_id", "customer_id", "order_date", "net_amount", "campaign_id", "channel", "touch_id", "touched_at",
    ],
    "campaign_performance": [
        "campaign_id", "campaign_name", "channel", "budget", "clicks", "opens", "attributed_orders",
        "attributed_revenue", "revenue_per_100_budget",
    ],
}


def write(folder, name, rows):
    (HERE / folder).mkdir(exist_ok=True)
    columns = COLUMNS[name]
    lines = [",".join(columns)]
    for key in sorted(rows):
        values = [text(rows[key][c]) for c in columns]
        assert not any("," in v or '"' in v for v in values), values
        lines.append(",".join(values))
    (HERE / folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def lost(export, silver, key, cast):
    """Percent of the export's rows whose key has no row in `silver`."""
    rows = read(export)
    missing = sum(1 for r in rows if cast(r[key]) not in silver)
    return 100.0 * missing / len(rows) if rows else 0.0


ORDER_EXPORTS = [
    "sales/data/orders_2024_06_08.csv",
    "deliveries/sales/orders_2024_06_15.csv",
    "deliveries/sales/orders_2024_06_22.csv",
]
TOUCH_EXPORTS = [
    "marketing/data/touchpoints_2024_06_08.csv",
    "deliveries/marketing/touchpoints_2024_06_15.csv",
]


def state(order_exports, touch_exports):
    customers = customers_silver()
    campaigns = campaigns_silver()
    orders = orders_silver(order_exports)
    touchpoints = touchpoints_silver(touch_exports)
    attribution = order_attribution(orders, customers, touchpoints, campaigns)
    models = {
        "customers": customers,
        "orders": orders,
        "campaigns": campaigns,
        "touchpoints": touchpoints,
        "daily_revenue": daily_revenue(orders),
        "customer_value": customer_value(customers, orders),
        "order_attribution": attribution,
        "campaign_performance": campaign_performance(campaigns, touchpoints, attribution),
    }
    # The rules a record-loss rule sees: every declared export, delivered or not.
    loss = {
        f"sales.orders/export_{Path(e).stem[len('orders_'):]}_kept": lost(e, orders, "order_id", int)
        if e in order_exports
        else 0.0
        for e in ORDER_EXPORTS
    }
    loss.update(
        {
            f"marketing.touchpoints/export_{Path(e).stem[len('touchpoints_'):]}_kept": lost(
                e, touchpoints, "touch_id", str
            )
            if e in touch_exports
            else 0.0
            for e in TOUCH_EXPORTS
        }
    )
    return models, loss


def merged(before, after):
    """Rows of the full result above the previous table's newest exported_at."""
    mark = max(r["exported_at"] for r in before.values())
    return sum(1 for r in after.values() if r["exported_at"] > mark)


first, first_loss = state(ORDER_EXPORTS[:1], TOUCH_EXPORTS[:1])
second, second_loss = state(ORDER_EXPORTS[:2], TOUCH_EXPORTS[:2])
dirty, dirty_loss = state(ORDER_EXPORTS, TOUCH_EXPORTS)

for name, rows in first.items():
    write("first_delivery", name, rows)
for name, rows in second.items():
    write("second_delivery", name, rows)

# The gate: more than 3% of one export's rows lost refuses the product.
assert all(v <= 3 for v in first_loss.values()), first_loss
assert all(v <= 3 for v in second_loss.values()), second_loss
failing = {k: v for k, v in dirty_loss.items() if v > 3}
assert list(failing) == ["sales.orders/export_2024_06_22_kept"], failing

dirty_rows = read(ORDER_EXPORTS[2])
runs = {
    "first_delivery": {
        "rows": {n: len(r) for n, r in first.items()},
        "record_loss_percent": first_loss,
    },
    "second_delivery": {
        "rows": {n: len(r) for n, r in second.items()},
        "record_loss_percent": second_loss,
        "merged": {
            "sales.orders": merged(first["orders"], second["orders"]),
            "marketing.touchpoints": merged(first["touchpoints"], second["touchpoints"]),
        },
    },
    "dirty_delivery": {
        "export_rows": len(dirty_rows),
        "unusable_rows": sum(1 for r in dirty_rows if int(r["order_id"]) not in dirty["orders"]),
        "record_loss_percent": dirty_loss,
        "failing": failing,
        "merged": {"marketing.touchpoints": merged(second["touchpoints"], dirty["touchpoints"])},
    },
}
(HERE / "runs.json").write_text(json.dumps(runs, indent=2) + "\n", encoding="utf-8")
print(json.dumps(runs, indent=2))
