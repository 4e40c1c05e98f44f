-- Silver: one row per campaign of the campaign sheet, conformed.
with conformed as (
    select
        upper(trim(campaign_id)) as campaign_id,
        replace(trim(campaign_name), '  ', ' ') as campaign_name,
        -- Email, e-mail -> email; Paid Search, paid search -> paid_search; an
        -- unknown channel passes through and fails the accepted values.
        replace(replace(lower(trim(channel)), '-', ''), ' ', '_') as channel,
        trim(start_date) as start_text,
        trim(end_date) as end_text,
        -- NULL when unreadable; the contract's not-null rule then fails.
        try_cast(replace(trim(budget), ',', '.') as decimal(10,2)) as budget
    from campaign_sheet
),

parsed as (
    select
        campaign_id,
        campaign_name,
        channel,
        case
            when start_text like '____-__-__' then try_cast(start_text as date)
            when start_text like '____/__/__' then try_cast(replace(start_text, '/', '-') as date)
            when start_text like '__.__.____' then try_cast(
                substring(start_text, 7, 4) || '-' || substring(start_text, 4, 2)
                || '-' || substring(start_text, 1, 2) as date)
        end as start_date,
        case
            when end_text like '____-__-__' then try_cast(end_text as date)
            when end_text like '____/__/__' then try_cast(replace(end_text, '/', '-') as date)
            when end_text like '__.__.____' then try_cast(
                substring(end_text, 7, 4) || '-' || substring(end_text, 4, 2)
                || '-' || substring(end_text, 1, 2) as date)
        end as end_date,
        budget
    from conformed
)

-- A row pasted twice into the sheet is one campaign. Two different rows with
-- one campaign_id stay two and fail the contract's uniqueness rule.
select distinct campaign_id, campaign_name, channel, start_date, end_date, budget
from parsed
