-- Silver: one row per touchpoint (a click on an ad or in a newsletter, or a
-- newsletter open), as first delivered.
--
-- Incremental (domain.yaml): a run merges only the rows whose exported_at is
-- above the table's newest. Each export repeats the previous export's last
-- day; a touchpoint is an event that does not change, so its first delivery
-- is kept, and a repeated row, whose first delivery is already in the table,
-- is not new.
with conformed as (
    select
        touch_id,
        upper(trim(campaign_id)) as campaign_id,
        lower(trim(email)) as email,
        lower(trim(event_type)) as event_type,
        -- 2024-06-03T14:22:10Z and 2024-06-03 14:22:10 are the same instant (UTC).
        replace(replace(trim(touched_at), 'T', ' '), 'Z', '') as touched_text,
        exported_at,
        delivery
    from raw_touchpoints
),

parsed as (
    select
        conformed.*,
        case
            when touched_text like '____-__-__ __:__:__' then try_cast(touched_text as timestamp)
        end as touched_at
    from conformed
),

-- Usable: a readable time, a campaign, an email and a known event; the
-- contract's record-loss rules count the others per delivery.
usable as (
    select *
    from parsed
    where touched_at is not null
        and campaign_id is not null
        and email is not null and email <> ''
        and event_type in ('click', 'open')
),

first_seen as (
    select
        usable.*,
        row_number() over (partition by touch_id order by exported_at) as delivery_rank
    from usable
)

-- The COALESCEs change nothing (`usable` keeps no NULL); they let meshc prove
-- the columns non-NULL, which a WHERE ... IS NOT NULL does not.
select
    touch_id,
    coalesce(campaign_id, '') as campaign_id,
    coalesce(email, '') as email,
    coalesce(event_type, '') as event_type,
    coalesce(touched_at, timestamp '1900-01-01 00:00:00') as touched_at,
    delivery,
    exported_at
from first_seen
where delivery_rank = 1
