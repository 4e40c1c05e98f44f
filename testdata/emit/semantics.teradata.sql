-- shop.literal_rows: refused
--   shop/models/literal_rows.sql has errors, so it has no teradata SQL yet: MESH4001 VALUES as a query is not emitted for teradata

-- shop.sales
SELECT
  "id",
  "sold_on",
  "cents" / 100 AS "dollars",
  CAST("cents" AS BIGINT) AS "cents_big",
  "region"
FROM
  "shop"."raw_sales";

-- reports.monthly
SELECT
  TRUNC("sold_on", 'MM') AS "month",
  coalesce("region", 'n/a') AS "region",
  sum(CAST("dollars" AS BIGINT)) AS "dollars",
  CAST(count(*) AS BIGINT) AS "sales",
  CAST(row_number() OVER (ORDER BY TRUNC("sold_on", 'MM')) AS BIGINT) AS "rn"
FROM
  (
    SELECT
      *
    FROM
      "shop"."sales"
  ) AS "s"
GROUP BY
  TRUNC("sold_on", 'MM'), coalesce("region", 'n/a');

