-- One row per payment.
select
    id as payment_id,
    order_id,
    payment_method,
    -- Cents to whole dollars. INTEGER / INTEGER is integer division in mesh SQL
    -- (truncating toward zero), so the column stays INTEGER; NULL stays NULL.
    amount // 100 as amount
from {{ ref('raw_payments') }}
