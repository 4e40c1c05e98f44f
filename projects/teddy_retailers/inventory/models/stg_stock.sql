-- One row per purchase of stock: every column, in source order.
select
    entry_id,
    product_id,
    product_quantity,
    purchase_price_cents,
    entry_date
from source_stock
