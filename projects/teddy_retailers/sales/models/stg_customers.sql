-- One row per customer: every column, in source order.
select
    customer_id,
    customer_name,
    customer_surname,
    customer_email
from source_customers
