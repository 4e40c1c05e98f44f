-- One row per product, copied unchanged from the catalog.
select
    product_id,
    product_name,
    product_category,
    price_cents
from stg_catalog
