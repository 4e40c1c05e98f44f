-- One row per customer. Customers without orders keep their row; their four
-- derived columns are NULL because of the left joins (nothing is coalesced).
select
    c.customer_id,
    co.first_order,
    co.most_recent_order,
    co.number_of_orders,
    cp.total_amount as customer_lifetime_value
from {{ ref('stg_customers') }} as c
left join {{ ref('customer_orders') }} as co
    on c.customer_id = co.customer_id
left join {{ ref('customer_payments') }} as cp
    on c.customer_id = cp.customer_id
