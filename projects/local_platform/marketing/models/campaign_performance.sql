-- Gold: one row per campaign, with its touchpoints, the orders attributed to
-- it (those worth something after cancellations and returns) and their net
-- revenue, against its budget.
with touches as (
    select
        campaign_id,
        sum(case when event_type = 'click' then 1 else 0 end) as clicks,
        sum(case when event_type = 'open' then 1 else 0 end) as opens
    from touchpoints
    group by campaign_id
),

attributed as (
    select
        campaign_id,
        count(*) as attributed_orders,
        sum(net_amount) as attributed_revenue
    from order_attribution
    where campaign_id is not null and net_amount > 0
    group by campaign_id
)

select
    c.campaign_id,
    c.campaign_name,
    c.channel,
    c.budget,
    coalesce(t.clicks, 0) as clicks,
    coalesce(t.opens, 0) as opens,
    coalesce(a.attributed_orders, 0) as attributed_orders,
    coalesce(a.attributed_revenue, cast(0 as decimal(38,2))) as attributed_revenue,
    -- Net revenue per 100 euros of budget, truncated to a whole number: the
    -- cents are integers, and integer division truncates on every target.
    cast(coalesce(a.attributed_revenue, 0) * 100 as bigint) * 100
        / cast(c.budget * 100 as bigint) as revenue_per_100_budget
from campaigns as c
left join touches as t
    on t.campaign_id = c.campaign_id
left join attributed as a
    on a.campaign_id = c.campaign_id
