-- One row per order, of every status: every column, in source order.
select
    order_id,
    customer_id,
    order_status,
    order_date
from source_orders
