-- One row per customer that has at least one payment.
-- Payments are left-joined to their orders, so a payment whose order is unknown
-- would land in a group whose customer_id is NULL (there is none in this data).
select
    o.customer_id,
    sum(p.amount) as total_amount
from {{ ref('stg_payments') }} as p
left join {{ ref('stg_orders') }} as o
    on p.order_id = o.order_id
group by o.customer_id
