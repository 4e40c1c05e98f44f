-- One row per customer with at least one order (an inner join: the six
-- customers who never ordered are absent). customer_tvl is the total value of
-- all of the customer's orders, whatever their status.
select
    c.customer_id,
    c.customer_name,
    c.customer_surname,
    c.customer_email,
    cast(sum(s.total_value) as integer) as customer_tvl
from stg_customers as c
inner join order_summary as s
    on c.customer_id = s.customer_id
group by c.customer_id, c.customer_name, c.customer_surname, c.customer_email
