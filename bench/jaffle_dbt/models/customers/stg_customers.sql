-- One row per customer. Only the key is renamed; every other column is copied as it is.
select
    id as customer_id,
    first_name,
    last_name,
    email
from {{ ref('raw_customers') }}
