-- Silver: one row per customer of the CRM snapshot, conformed.
with conformed as (
    select
        upper(trim(customer_id)) as customer_id,
        trim(first_name) as first_name,
        trim(last_name) as last_name,
        lower(trim(email)) as email,
        -- Country names in English or German become ISO codes; an unknown
        -- spelling passes through and fails the contract's accepted values.
        case upper(trim(country))
            when 'GERMANY' then 'DE'
            when 'DEUTSCHLAND' then 'DE'
            when 'AUSTRIA' then 'AT'
            when 'ÖSTERREICH' then 'AT'
            when 'SWITZERLAND' then 'CH'
            when 'SCHWEIZ' then 'CH'
            when 'NETHERLANDS' then 'NL'
            else upper(trim(country))
        end as country,
        trim(signup_date) as signup_text,
        updated_at
    from crm_customers
),

parsed as (
    select
        conformed.*,
        -- An unreadable signup date does not make the customer unusable: it
        -- stays NULL (the contract bounds how many may be NULL).
        case
            when signup_text like '____-__-__' then try_cast(signup_text as date)
            when signup_text like '____/__/__' then try_cast(replace(signup_text, '/', '-') as date)
            when signup_text like '__.__.____' then try_cast(
                substring(signup_text, 7, 4) || '-' || substring(signup_text, 4, 2)
                || '-' || substring(signup_text, 1, 2) as date)
        end as signup_date
    from conformed
),

-- The snapshot holds a row per change: keep each customer's newest.
latest as (
    select
        parsed.*,
        row_number() over (partition by customer_id order by updated_at desc) as version_rank
    from parsed
)

select customer_id, first_name, last_name, email, country, signup_date, updated_at
from latest
where version_rank = 1
