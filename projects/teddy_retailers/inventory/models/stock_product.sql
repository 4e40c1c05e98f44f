-- One row per product and calendar month (and year) in which it was restocked;
-- months without a purchase have no row.
-- avg_purchase_price is the plain mean of the unit prices of the group's stock
-- entries (not weighted by quantity), truncated: the reference takes AVG as a
-- FLOAT and CASTs it to INTEGER, which truncates. It is written here as integer
-- division, which in mesh SQL truncates toward zero on every target: the sum of
-- the prices divided by the number of entries, both integers, computed exactly.
select
    product_id,
    cast(month(entry_date) as integer) as calendar_month,
    cast(year(entry_date) as integer) as calendar_year,
    cast(sum(product_quantity) as integer) as quantity,
    cast(sum(purchase_price_cents) / count(*) as integer) as avg_purchase_price
from stg_stock
group by product_id, month(entry_date), year(entry_date)
