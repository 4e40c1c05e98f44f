-- Silver: one row per order, the latest usable version of it.
--
-- Incremental (domain.yaml): a run merges only the rows whose exported_at is
-- above the table's newest, that is the rows of the exports delivered since
-- the last run, and a merged row replaces the order's previous version.
-- The watermark is the export time, not the order date, so an order that a
-- store terminal synced a week late is still new when its export arrives.
with conformed as (
    select
        order_id,
        upper(trim(customer_id)) as customer_id,
        trim(order_date) as order_date_text,
        case lower(trim(status))
            when 'canceled' then 'cancelled'   -- the terminals' US spelling
            else lower(trim(status))
        end as status,
        -- Decimal comma or point; anything else ('n/a', 'EUR 89.00') is NULL.
        try_cast(replace(trim(amount), ',', '.') as decimal(10,2)) as amount,
        exported_at,
        delivery
    from raw_orders
),

parsed as (
    select
        conformed.*,
        -- The four date forms the shop and its terminals write; any other
        -- text, and an impossible date such as 2024-06-31, is NULL.
        case
            when order_date_text like '____-__-__' then try_cast(order_date_text as date)
            when order_date_text like '____-__-__ __:__:__' then try_cast(substring(order_date_text, 1, 10) as date)
            when order_date_text like '____/__/__' then try_cast(replace(order_date_text, '/', '-') as date)
            when order_date_text like '__.__.____' then try_cast(
                substring(order_date_text, 7, 4) || '-' || substring(order_date_text, 4, 2)
                || '-' || substring(order_date_text, 1, 2) as date)
        end as order_date
    from conformed
),

-- A row is usable when every field could be read; the others are dropped here,
-- and the contract's record-loss rules count them per delivery.
usable as (
    select *
    from parsed
    where customer_id is not null and customer_id <> ''
        and order_date is not null
        and amount is not null and amount > 0
        and status in ('placed', 'shipped', 'delivered', 'cancelled', 'returned')
),

-- Exact duplicates within one export are the same order twice; across
-- exports, the newer export holds the newer status.
latest as (
    select
        usable.*,
        row_number() over (partition by order_id order by exported_at desc) as version_rank
    from usable
)

-- The COALESCEs change nothing (`usable` keeps no NULL); they let meshc prove
-- the columns non-NULL, which a WHERE ... IS NOT NULL does not.
select
    order_id,
    coalesce(customer_id, '') as customer_id,
    coalesce(order_date, date '1900-01-01') as order_date,
    coalesce(status, '') as status,
    coalesce(amount, cast(0 as decimal(10,2))) as amount,
    -- What the order is worth once cancellations and returns are taken out.
    case
        when status in ('cancelled', 'returned') then cast(0 as decimal(10,2))
        else coalesce(amount, cast(0 as decimal(10,2)))
    end as net_amount,
    delivery,
    exported_at
from latest
where version_rank = 1
