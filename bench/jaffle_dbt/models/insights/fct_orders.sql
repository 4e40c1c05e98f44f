-- One row per order. An order without payments would get NULL in all five
-- amount columns because of the left join.
select
    o.order_id,
    o.customer_id,
    o.order_date,
    o.status,
    op.credit_card_amount,
    op.coupon_amount,
    op.bank_transfer_amount,
    op.gift_card_amount,
    op.total_amount as amount
from {{ ref('stg_orders') }} as o
left join {{ ref('order_payments') }} as op
    on o.order_id = op.order_id
