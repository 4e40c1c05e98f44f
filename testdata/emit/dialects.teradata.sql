-- d.literal_table: refused
--   d/models/literal_table.sql has errors, so it has no teradata SQL yet: MESH4001 VALUES as a query is not emitted for teradata

-- d.avg_truncated
SELECT
  "v",
  CAST(avg(CAST("i" AS FLOAT)) AS INTEGER) AS "avg_i"
FROM
  "d"."raw"
GROUP BY
  "v";

-- d.boolean_condition
SELECT
  "i"
FROM
  "d"."raw"
WHERE
  (1 = 1) AND NOT ("i" > 100);

-- d.boolean_output: refused
--   d/models/boolean_output.sql has errors, so it has no teradata SQL yet: MESH4001 column `big` is BOOLEAN, and teradata has no BOOLEAN type

-- d.case_insensitive_match
SELECT
  "v"
FROM
  "d"."raw"
WHERE
  UPPER("v") LIKE UPPER('a%');

-- d.common_table
SELECT
  "s"."v",
  CAST(count(*) AS BIGINT) AS "n"
FROM
  (
    SELECT
      "i",
      "v"
    FROM
      "d"."raw"
    WHERE
      "i" < 10
  ) AS "s"
  JOIN (SELECT "i" FROM (SELECT "i", "v" FROM "d"."raw" WHERE "i" < 10) AS "small" WHERE "i" < 5) AS "t" ON "s"."i" = "t"."i"
GROUP BY
  "s"."v";

-- d.concat_nulls
SELECT
  ("v" || "w") AS "joined",
  "v" || "w" AS "piped",
  ("v" || TRIM(CAST("i" AS VARCHAR(64)))) AS "with_number"
FROM
  "d"."raw";

-- d.conditionals
SELECT
  CASE
    WHEN "i" > 1 THEN
      'big'
    ELSE
      'small'
  END AS "size",
  coalesce("v", 'none') AS "v2",
  nullif("i", 0) AS "nz"
FROM
  "d"."raw";

-- d.date_arithmetic
SELECT
  "dt" + INTERVAL '3' DAY AS "later",
  "dt" - INTERVAL '1' MONTH AS "earlier"
FROM
  "d"."raw";

-- d.date_differences
SELECT
  CAST((CAST("dt2" AS DATE) - CAST("dt" AS DATE)) AS BIGINT) AS "days",
  CAST(((EXTRACT(YEAR FROM "dt2") * 12 + EXTRACT(MONTH FROM "dt2")) - (EXTRACT(YEAR FROM "dt") * 12 + EXTRACT(MONTH FROM "dt"))) AS BIGINT) AS "months",
  CAST((EXTRACT(YEAR FROM "dt2") - EXTRACT(YEAR FROM "dt")) AS BIGINT) AS "years",
  CAST(((EXTRACT(YEAR FROM "dt2") * 4 + (EXTRACT(MONTH FROM "dt2") - 1) / 3) - (EXTRACT(YEAR FROM "dt") * 4 + (EXTRACT(MONTH FROM "dt") - 1) / 3)) AS BIGINT) AS "quarters"
FROM
  "d"."raw";

-- d.date_functions
SELECT
  TRUNC("dt", 'MM') AS "month_start",
  CAST(TRUNC("ts", 'YYYY') AS TIMESTAMP(6)) AS "year_start",
  CAST(EXTRACT(YEAR FROM "dt") AS BIGINT) AS "yr",
  CAST(EXTRACT(MONTH FROM "dt") AS BIGINT) AS "mon",
  CAST(EXTRACT(DAY FROM "dt") AS BIGINT) AS "dy",
  CAST((EXTRACT(MONTH FROM "dt") + 2) / 3 AS BIGINT) AS "qtr",
  EXTRACT(MONTH FROM "dt") AS "ext_month"
FROM
  "d"."raw";

-- d.decimal_division
SELECT
  CAST("d" AS FLOAT) / CAST("e" AS FLOAT) AS "ratio",
  CAST("d" AS FLOAT) / CAST(4 AS FLOAT) AS "quarter_of"
FROM
  "d"."raw";

-- d.decimal_sum
SELECT
  "v",
  CAST(sum("d") AS DECIMAL(38,2)) AS "total",
  sum(CAST("i" AS BIGINT)) AS "total_i",
  CAST(count(*) AS BIGINT) AS "n"
FROM
  "d"."raw"
GROUP BY
  "v";

-- d.distinct_count
SELECT
  CAST(count(DISTINCT "v") AS BIGINT) AS "kinds",
  CAST(count("v") AS BIGINT) AS "filled"
FROM
  "d"."raw";

-- d.float_to_integer
SELECT
  CAST("f" AS INTEGER) AS "f_int",
  CAST("d" AS BIGINT) AS "d_int"
FROM
  "d"."raw";

-- d.greatest_with_nulls
SELECT
  greatest("i", "b") AS "hi",
  least("d", "e") AS "lo"
FROM
  "d"."raw";

-- d.group_by_all
SELECT
  "v",
  TRUNC("dt", 'MM') AS "month_start",
  CAST(count(*) AS BIGINT) AS "n",
  sum(CAST("i" AS BIGINT)) + 1 AS "total"
FROM
  "d"."raw"
GROUP BY
  1, 2;

-- d.group_by_all_constant
SELECT
  'all' AS "scope",
  "v",
  CAST(count(*) AS BIGINT) AS "n"
FROM
  "d"."raw"
GROUP BY
  2;

-- d.group_by_all_global
SELECT
  CAST(count(*) AS BIGINT) AS "n",
  max("dt") AS "last_day"
FROM
  "d"."raw";

-- d.int_division
SELECT
  "i" / 3 AS "q",
  -"i" / 3 AS "neg_q"
FROM
  "d"."raw";

-- d.limit_rows
SELECT TOP 5
  "i",
  "v"
FROM
  "d"."raw" ORDER BY "i";

-- d.null_safe_equality
SELECT
  "i"
FROM
  "d"."raw"
WHERE
  (CASE WHEN "v" = "w" OR ("v" IS NULL AND "w" IS NULL) THEN 1 ELSE 0 END = 1);

-- d.nulls_ordering
SELECT TOP 3
  "i",
  "v"
FROM
  "d"."raw" ORDER BY "v" NULLS FIRST, "i" DESC NULLS LAST;

-- d.offset_rows: refused
--   d/models/offset_rows.sql has errors, so it has no teradata SQL yet: MESH4001 OFFSET is not emitted for teradata

-- d.reserved_names
SELECT
  "year",
  "title",
  "value",
  "user",
  "date"
FROM
  "d"."raw";

-- d.round_half_away
SELECT
  CAST(round("d", 0) AS DECIMAL(10,2)) AS "r0",
  round("f", 1) AS "r1"
FROM
  "d"."raw";

-- d.set_operations
SELECT
  "i"
FROM
  "d"."raw"
UNION
SELECT
  "i"
FROM
  "d"."raw"
EXCEPT
SELECT
  "i"
FROM
  "d"."raw"
WHERE
  "i" > 10;

-- d.small_integer_product
SELECT
  "s" * "s" AS "square"
FROM
  "d"."raw";

-- d.split_fields: refused
--   d/models/split_fields.sql has errors, so it has no teradata SQL yet: MESH4001 SPLIT_PART (STRTOK skips empty fields, so it means something else) is not emitted for teradata

-- d.text_forms
SELECT
  SUBSTRING("v" FROM 2 FOR 3) AS "part",
  POSITION('a' IN "v") AS "pos"
FROM
  "d"."raw";

-- d.text_functions
SELECT
  upper("v") AS "up",
  lower("v") AS "low",
  CAST(CHARACTER_LENGTH("v") AS BIGINT) AS "len",
  TRIM("v") AS "trimmed",
  OREPLACE("v", 'a', 'b') AS "replaced",
  SUBSTR("v", 2, 3) AS "part",
  CAST(POSITION('a' IN "v") AS BIGINT) AS "pos",
  lpad("v", 6, '*') AS "padded"
FROM
  "d"."raw";

-- d.try_cast_number
SELECT
  TRYCAST("v" AS INTEGER) AS "n"
FROM
  "d"."raw";

-- d.window_frames
SELECT
  "i",
  sum(CAST("i" AS BIGINT)) OVER (
    PARTITION BY "v"
    ORDER BY "i"
    ROWS BETWEEN 1 PRECEDING AND CURRENT ROW
  ) AS "running",
  lag("i") OVER (
    ORDER BY "i"
  ) AS "prev",
  CAST(row_number() OVER (PARTITION BY "v" ORDER BY "i") AS BIGINT) AS "rn"
FROM
  "d"."raw";

