-- shop.literal_rows
SELECT
  *
FROM
  (
    VALUES
      (1, 'a'),
      (2, 'b')
  ) AS "literal_rows" (col0, col1) ORDER BY col0;

-- shop.sales
SELECT
  id,
  sold_on,
  cents / 100 AS dollars,
  CAST(cents AS BIGINT) AS cents_big,
  region
FROM
  "memory"."shop"."raw_sales";

-- reports.monthly
WITH s AS (
  SELECT
    *
  FROM
    "memory"."shop"."sales"
)
SELECT
  date_trunc('month', sold_on) AS month,
  coalesce(region, 'n/a') AS region,
  sum(dollars) AS dollars,
  count(*) AS sales,
  row_number() OVER (
    ORDER BY date_trunc('month', sold_on)
  ) AS rn
FROM
  s
GROUP BY
  date_trunc('month', sold_on), coalesce(region, 'n/a');

