-- One row per order line, duplicated transaction_id values included.
select
    transaction_id,
    order_id,
    product_id,
    product_quantity
from source_order_products
