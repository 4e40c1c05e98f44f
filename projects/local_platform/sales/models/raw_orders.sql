-- Bronze: every row of every weekly order export, exactly as delivered, with
-- the file it came from. A week not delivered yet contributes no row.
-- A new week is one more source in sources.yaml and one more branch here.
select order_id, customer_id, order_date, status, amount, exported_at,
    'orders_2024_06_08.csv' as delivery
from orders_2024_06_08
union all
select order_id, customer_id, order_date, status, amount, exported_at,
    'orders_2024_06_15.csv' as delivery
from orders_2024_06_15
union all
select order_id, customer_id, order_date, status, amount, exported_at,
    'orders_2024_06_22.csv' as delivery
from orders_2024_06_22
