-- One row per product: every column of the catalog, in source order.
select
    product_id,
    product_name,
    product_category,
    price_cents
from source_catalog
