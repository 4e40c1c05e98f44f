-- One row per order with at least one costed line. A line is costed at the
-- mean purchase price of its product in the calendar month (and year) of the
-- order; a line whose product was not restocked that month has no cost (an
-- inner join, no fallback to another month), and an order with no costed line
-- is absent. order_cost is therefore often the cost of only part of the order.
-- The contract of inventory.stock_product allows a NULL month or year, and the
-- inner join drops such a row, as the reference's does. The CTE says so
-- explicitly (there is no such row in this data).
with stock as (
    select product_id, calendar_month, calendar_year, avg_purchase_price
    from inventory.stock_product
    where calendar_month is not null and calendar_year is not null
)
select
    l.order_id,
    cast(sum(st.avg_purchase_price * l.product_quantity) as integer) as order_cost
from order_products_dates as l
inner join stock as st
    on l.product_id = st.product_id
    and st.calendar_month = month(l.order_date)
    and st.calendar_year = year(l.order_date)
group by l.order_id
