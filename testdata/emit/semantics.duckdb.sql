-- shop.literal_rows
VALUES
  (1, 'a'),
  (2, 'b') ORDER BY col0;

-- shop.sales
SELECT
  id,
  sold_on,
  cents // 100 AS dollars,
  CAST(cents AS BIGINT) AS cents_big,
  region
FROM
  "shop"."raw_sales";

-- reports.monthly
WITH s AS (
  SELECT
    *
  FROM
    "shop"."sales"
)
SELECT
  CAST(date_trunc('month', sold_on) AS DATE) AS month,
  coalesce(region, 'n/a') AS region,
  CAST(sum(dollars) AS BIGINT) AS dollars,
  count(*) AS sales,
  row_number() OVER (
    ORDER BY CAST(date_trunc('month', sold_on) AS DATE)
  ) AS rn
FROM
  s
GROUP BY
  CAST(date_trunc('month', sold_on) AS DATE), coalesce(region, 'n/a');

