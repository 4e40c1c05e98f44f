-- Gold: one row per order date. Cancelled and returned orders count as
-- orders but add nothing to the revenue (their net_amount is 0).
select
    order_date,
    count(*) as orders,
    sum(case when net_amount > 0 then 1 else 0 end) as paying_orders,
    count(distinct customer_id) as customers,
    sum(net_amount) as net_revenue
from orders
group by order_date
