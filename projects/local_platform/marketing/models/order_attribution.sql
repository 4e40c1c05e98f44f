-- Gold, across domains: one row per order of sales.orders, with the campaign
-- of the customer's last click in the 7 days up to the order date (last-click
-- attribution). An order without such a click is `direct`.
--
-- sales.orders and sales.customers are read through their contracts only;
-- the touchpoints know a person by email, so sales.customers maps the email
-- to the customer (touchpoints of people who never bought map to nobody).
with clicks as (
    select t.touch_id, t.campaign_id, t.touched_at, c.customer_id
    from touchpoints as t
    inner join sales.customers as c
        on c.email = t.email
    where t.event_type = 'click'
),

candidates as (
    select
        o.order_id,
        k.touch_id,
        k.campaign_id,
        k.touched_at,
        row_number() over (
            partition by o.order_id
            order by k.touched_at desc, k.touch_id desc
        ) as click_rank
    from sales.orders as o
    inner join clicks as k
        on k.customer_id = o.customer_id
    where date_diff('day', cast(k.touched_at as date), o.order_date) between 0 and 7
),

last_click as (
    select order_id, touch_id, campaign_id, touched_at
    from candidates
    where click_rank = 1
)

select
    o.order_id,
    o.customer_id,
    o.order_date,
    o.net_amount,
    l.campaign_id,
    coalesce(cp.channel, 'direct') as channel,
    l.touch_id,
    l.touched_at
from sales.orders as o
left join last_click as l
    on l.order_id = o.order_id
left join campaigns as cp
    on cp.campaign_id = l.campaign_id
