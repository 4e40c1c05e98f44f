-- One row per order present in both sales.order_summary and orders_cost (an
-- inner join, so the orders of orders_cost). order_revenue is the value of the
-- whole order, lines without a cost included, so order_pl can be negative.
select
    s.order_id,
    s.customer_id,
    s.order_status,
    s.order_date,
    s.total_value as order_revenue,
    c.order_cost,
    cast(s.total_value - c.order_cost as integer) as order_pl
from sales.order_summary as s
inner join orders_cost as c
    on s.order_id = c.order_id
