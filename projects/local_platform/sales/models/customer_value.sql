-- Gold: one row per customer, whether or not they ordered; a customer without
-- orders has 0 orders, 0 revenue and NULL dates.
select
    c.customer_id,
    c.country,
    min(o.order_date) as first_order_date,
    max(o.order_date) as last_order_date,
    count(o.order_id) as orders,
    coalesce(sum(o.net_amount), cast(0 as decimal(38,2))) as net_revenue
from customers as c
left join orders as o
    on o.customer_id = c.customer_id
group by c.customer_id, c.country
