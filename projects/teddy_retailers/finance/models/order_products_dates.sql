-- One row per order line whose order is in sales.order_summary (an inner join;
-- in this data, all 46613 lines), with the order's date.
-- The contract of sales.stg_order_products allows a NULL order_id, and the
-- inner join drops such a line, as the reference's does. The CTE says so
-- explicitly (there is no such line in this data).
with lines as (
    select transaction_id, order_id, product_id, product_quantity
    from sales.stg_order_products
    where order_id is not null
)
select
    l.transaction_id,
    l.order_id,
    l.product_id,
    l.product_quantity,
    s.order_date
from lines as l
inner join sales.order_summary as s
    on l.order_id = s.order_id
