-- One row per order that has at least one line whose product is in inventory's
-- catalog (inner joins; in this data, every order). The value of an order is
-- the sum over its lines of the current catalog price times the quantity;
-- repeated lines of the same product each count. No status is filtered out.
-- The price is widened to INTEGER before the product: SMALLINT * SMALLINT
-- stays SMALLINT in mesh SQL, and the reference multiplies as INTEGER.
select
    o.order_id,
    o.customer_id,
    o.order_status,
    o.order_date,
    cast(sum(cast(p.price_cents as integer) * l.product_quantity) as integer) as total_value
from stg_orders as o
inner join stg_order_products as l
    on o.order_id = l.order_id
inner join inventory.products as p
    on l.product_id = p.product_id
group by o.order_id, o.customer_id, o.order_status, o.order_date
