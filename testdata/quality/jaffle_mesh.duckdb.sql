-- customers.stg_customers: stg_customers_not_empty (Error, > 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM {relation} AS "checked";

-- customers.stg_customers: customer_id_unique (Error, = 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM (
  SELECT "checked"."customer_id"
  FROM {relation} AS "checked"
  WHERE "checked"."customer_id" IS NOT NULL
  GROUP BY "checked"."customer_id"
  HAVING count(*) > 1
) AS "duplicates";
-- failing rows
SELECT "checked".*
FROM {relation} AS "checked"
JOIN (
  SELECT "checked"."customer_id"
  FROM {relation} AS "checked"
  WHERE "checked"."customer_id" IS NOT NULL
  GROUP BY "checked"."customer_id"
  HAVING count(*) > 1
) AS "duplicates" ON "duplicates"."customer_id" = "checked"."customer_id"
ORDER BY "checked"."customer_id"
LIMIT 20;

-- customers.stg_customers: email_unique (Warning, = 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM (
  SELECT "checked"."email"
  FROM {relation} AS "checked"
  WHERE "checked"."email" IS NOT NULL
  GROUP BY "checked"."email"
  HAVING count(*) > 1
) AS "duplicates";
-- failing rows
SELECT "checked".*
FROM {relation} AS "checked"
JOIN (
  SELECT "checked"."email"
  FROM {relation} AS "checked"
  WHERE "checked"."email" IS NOT NULL
  GROUP BY "checked"."email"
  HAVING count(*) > 1
) AS "duplicates" ON "duplicates"."email" = "checked"."email"
ORDER BY "checked"."email"
LIMIT 20;

-- orders.stg_orders: stg_orders_not_empty (Error, > 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM {relation} AS "checked";

-- orders.stg_orders: one_order_per_customer_and_day (Warning, = 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM (
  SELECT "checked"."customer_id", "checked"."order_date"
  FROM {relation} AS "checked"
  WHERE "checked"."customer_id" IS NOT NULL AND "checked"."order_date" IS NOT NULL
  GROUP BY "checked"."customer_id", "checked"."order_date"
  HAVING count(*) > 1
) AS "duplicates";
-- failing rows
SELECT "checked".*
FROM {relation} AS "checked"
JOIN (
  SELECT "checked"."customer_id", "checked"."order_date"
  FROM {relation} AS "checked"
  WHERE "checked"."customer_id" IS NOT NULL AND "checked"."order_date" IS NOT NULL
  GROUP BY "checked"."customer_id", "checked"."order_date"
  HAVING count(*) > 1
) AS "duplicates" ON "duplicates"."customer_id" = "checked"."customer_id" AND "duplicates"."order_date" = "checked"."order_date"
ORDER BY "checked"."customer_id", "checked"."order_date"
LIMIT 20;

-- orders.stg_orders: order_id_unique (Error, = 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM (
  SELECT "checked"."order_id"
  FROM {relation} AS "checked"
  WHERE "checked"."order_id" IS NOT NULL
  GROUP BY "checked"."order_id"
  HAVING count(*) > 1
) AS "duplicates";
-- failing rows
SELECT "checked".*
FROM {relation} AS "checked"
JOIN (
  SELECT "checked"."order_id"
  FROM {relation} AS "checked"
  WHERE "checked"."order_id" IS NOT NULL
  GROUP BY "checked"."order_id"
  HAVING count(*) > 1
) AS "duplicates" ON "duplicates"."order_id" = "checked"."order_id"
ORDER BY "checked"."order_id"
LIMIT 20;

-- orders.stg_orders: status_accepted_values (Error, = 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM {relation} AS "checked"
WHERE "checked"."status" IS NOT NULL AND "checked"."status" NOT IN ('placed', 'shipped', 'completed', 'return_pending', 'returned');
-- failing rows
SELECT "checked".*
FROM {relation} AS "checked"
WHERE "checked"."status" IS NOT NULL AND "checked"."status" NOT IN ('placed', 'shipped', 'completed', 'return_pending', 'returned')
LIMIT 20;

-- payments.stg_payments: stg_payments_not_empty (Error, > 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM {relation} AS "checked";

-- payments.stg_payments: amount_not_negative (Error, = 0 Rows)
SELECT CAST((
SELECT COUNT(*) FROM {relation} WHERE amount < 0
) AS DOUBLE) AS "value";

-- payments.stg_payments: payment_id_unique (Error, = 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM (
  SELECT "checked"."payment_id"
  FROM {relation} AS "checked"
  WHERE "checked"."payment_id" IS NOT NULL
  GROUP BY "checked"."payment_id"
  HAVING count(*) > 1
) AS "duplicates";
-- failing rows
SELECT "checked".*
FROM {relation} AS "checked"
JOIN (
  SELECT "checked"."payment_id"
  FROM {relation} AS "checked"
  WHERE "checked"."payment_id" IS NOT NULL
  GROUP BY "checked"."payment_id"
  HAVING count(*) > 1
) AS "duplicates" ON "duplicates"."payment_id" = "checked"."payment_id"
ORDER BY "checked"."payment_id"
LIMIT 20;

-- payments.stg_payments: payment_method_accepted_values (Error, = 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM {relation} AS "checked"
WHERE "checked"."payment_method" IS NOT NULL AND "checked"."payment_method" NOT IN ('credit_card', 'coupon', 'bank_transfer', 'gift_card');
-- failing rows
SELECT "checked".*
FROM {relation} AS "checked"
WHERE "checked"."payment_method" IS NOT NULL AND "checked"."payment_method" NOT IN ('credit_card', 'coupon', 'bank_transfer', 'gift_card')
LIMIT 20;

-- payments.stg_payments: amount_complete (Error, <= 5 Percent)
SELECT CAST(coalesce(100.0 * sum(CASE WHEN "checked"."amount" IS NULL THEN 1 ELSE 0 END) / nullif(count(*), 0), 0) AS DOUBLE) AS "value"
FROM {relation} AS "checked";
-- failing rows
SELECT "checked".*
FROM {relation} AS "checked"
WHERE "checked"."amount" IS NULL
LIMIT 20;

-- insights.dim_customers: dim_customers_row_count (Error, between 50 and 1000000 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM {relation} AS "checked";

-- insights.dim_customers: no_customer_lost (Error, = 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM "customers"."stg_customers" AS "upstream"
WHERE NOT EXISTS (SELECT 1 FROM {relation} AS "checked" WHERE "checked"."customer_id" IS NOT DISTINCT FROM "upstream"."customer_id");
-- failing rows
SELECT "upstream".*
FROM "customers"."stg_customers" AS "upstream"
WHERE NOT EXISTS (SELECT 1 FROM {relation} AS "checked" WHERE "checked"."customer_id" IS NOT DISTINCT FROM "upstream"."customer_id")
LIMIT 20;

-- insights.dim_customers: customer_id_not_null (Error, = 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM {relation} AS "checked"
WHERE "checked"."customer_id" IS NULL;
-- failing rows
SELECT "checked".*
FROM {relation} AS "checked"
WHERE "checked"."customer_id" IS NULL
LIMIT 20;

-- insights.dim_customers: customer_id_unique (Error, = 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM (
  SELECT "checked"."customer_id"
  FROM {relation} AS "checked"
  WHERE "checked"."customer_id" IS NOT NULL
  GROUP BY "checked"."customer_id"
  HAVING count(*) > 1
) AS "duplicates";
-- failing rows
SELECT "checked".*
FROM {relation} AS "checked"
JOIN (
  SELECT "checked"."customer_id"
  FROM {relation} AS "checked"
  WHERE "checked"."customer_id" IS NOT NULL
  GROUP BY "checked"."customer_id"
  HAVING count(*) > 1
) AS "duplicates" ON "duplicates"."customer_id" = "checked"."customer_id"
ORDER BY "checked"."customer_id"
LIMIT 20;

-- insights.dim_customers: customer_id_references_customers_stg_customers (Error, = 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM {relation} AS "checked"
WHERE "checked"."customer_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "customers"."stg_customers" AS "referenced" WHERE "referenced"."customer_id" = "checked"."customer_id");
-- failing rows
SELECT "checked".*
FROM {relation} AS "checked"
WHERE "checked"."customer_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "customers"."stg_customers" AS "referenced" WHERE "referenced"."customer_id" = "checked"."customer_id")
LIMIT 20;

-- insights.dim_customers: first_order_complete (Warning, <= 50 Percent)
SELECT CAST(coalesce(100.0 * sum(CASE WHEN "checked"."first_order" IS NULL THEN 1 ELSE 0 END) / nullif(count(*), 0), 0) AS DOUBLE) AS "value"
FROM {relation} AS "checked";
-- failing rows
SELECT "checked".*
FROM {relation} AS "checked"
WHERE "checked"."first_order" IS NULL
LIMIT 20;

-- insights.fct_orders: fct_orders_not_empty (Error, > 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM {relation} AS "checked";

-- insights.fct_orders: few_orders_lost (Error, < 3 Percent)
SELECT CAST(coalesce(100.0 * sum(CASE WHEN NOT EXISTS (SELECT 1 FROM {relation} AS "checked" WHERE "checked"."order_id" IS NOT DISTINCT FROM "upstream"."order_id") THEN 1 ELSE 0 END) / nullif(count(*), 0), 0) AS DOUBLE) AS "value"
FROM "orders"."stg_orders" AS "upstream";
-- failing rows
SELECT "upstream".*
FROM "orders"."stg_orders" AS "upstream"
WHERE NOT EXISTS (SELECT 1 FROM {relation} AS "checked" WHERE "checked"."order_id" IS NOT DISTINCT FROM "upstream"."order_id")
LIMIT 20;

-- insights.fct_orders: amount_is_sum_of_methods (Error, = 0 Rows)
SELECT CAST((
SELECT COUNT(*) FROM {relation} WHERE amount <> credit_card_amount + coupon_amount + bank_transfer_amount + gift_card_amount
) AS DOUBLE) AS "value";

-- insights.fct_orders: order_id_not_null (Error, = 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM {relation} AS "checked"
WHERE "checked"."order_id" IS NULL;
-- failing rows
SELECT "checked".*
FROM {relation} AS "checked"
WHERE "checked"."order_id" IS NULL
LIMIT 20;

-- insights.fct_orders: order_id_unique (Error, = 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM (
  SELECT "checked"."order_id"
  FROM {relation} AS "checked"
  WHERE "checked"."order_id" IS NOT NULL
  GROUP BY "checked"."order_id"
  HAVING count(*) > 1
) AS "duplicates";
-- failing rows
SELECT "checked".*
FROM {relation} AS "checked"
JOIN (
  SELECT "checked"."order_id"
  FROM {relation} AS "checked"
  WHERE "checked"."order_id" IS NOT NULL
  GROUP BY "checked"."order_id"
  HAVING count(*) > 1
) AS "duplicates" ON "duplicates"."order_id" = "checked"."order_id"
ORDER BY "checked"."order_id"
LIMIT 20;

-- insights.fct_orders: customer_id_references_insights_dim_customers (Error, = 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM {relation} AS "checked"
WHERE "checked"."customer_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "insights"."dim_customers" AS "referenced" WHERE "referenced"."customer_id" = "checked"."customer_id");
-- failing rows
SELECT "checked".*
FROM {relation} AS "checked"
WHERE "checked"."customer_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "insights"."dim_customers" AS "referenced" WHERE "referenced"."customer_id" = "checked"."customer_id")
LIMIT 20;

-- insights.fct_orders: status_accepted_values (Error, = 0 Rows)
SELECT CAST(count(*) AS DOUBLE) AS "value"
FROM {relation} AS "checked"
WHERE "checked"."status" IS NOT NULL AND "checked"."status" NOT IN ('placed', 'shipped', 'completed', 'return_pending', 'returned');
-- failing rows
SELECT "checked".*
FROM {relation} AS "checked"
WHERE "checked"."status" IS NOT NULL AND "checked"."status" NOT IN ('placed', 'shipped', 'completed', 'return_pending', 'returned')
LIMIT 20;

-- insights.fct_orders: amount_complete (Error, <= 5 Percent)
SELECT CAST(coalesce(100.0 * sum(CASE WHEN "checked"."amount" IS NULL THEN 1 ELSE 0 END) / nullif(count(*), 0), 0) AS DOUBLE) AS "value"
FROM {relation} AS "checked";
-- failing rows
SELECT "checked".*
FROM {relation} AS "checked"
WHERE "checked"."amount" IS NULL
LIMIT 20;
