-- d.literal_table
SELECT
  *
FROM
  (
    VALUES
      (1, 'a'),
      (2, 'b')
  ) AS "literal_rows" (col0, col1);

-- d.avg_truncated
SELECT
  v,
  CAST(truncate(avg(i)) AS INTEGER) AS avg_i
FROM
  "memory"."d"."raw"
GROUP BY
  v;

-- d.boolean_condition
SELECT
  i
FROM
  "memory"."d"."raw"
WHERE
  true AND NOT (i > 100);

-- d.boolean_output
SELECT
  i,
  i > 1 AS big
FROM
  "memory"."d"."raw";

-- d.case_insensitive_match
SELECT
  v
FROM
  "memory"."d"."raw"
WHERE
  lower(v) LIKE lower('a%');

-- d.common_table
WITH small AS (
  SELECT
    i,
    v
  FROM
    "memory"."d"."raw"
  WHERE
    i < 10
), smaller AS (
  SELECT
    i
  FROM
    small
  WHERE
    i < 5
)
SELECT
  s.v,
  count(*) AS n
FROM
  small AS s
  JOIN smaller AS t ON s.i = t.i
GROUP BY
  s.v;

-- d.concat_nulls
SELECT
  (v || w) AS joined,
  v || w AS piped,
  (v || CAST(i AS VARCHAR)) AS with_number
FROM
  "memory"."d"."raw";

-- d.conditionals
SELECT
  CASE
    WHEN i > 1 THEN
      'big'
    ELSE
      'small'
  END AS size,
  coalesce(v, 'none') AS v2,
  nullif(i, 0) AS nz
FROM
  "memory"."d"."raw";

-- d.date_arithmetic
SELECT
  dt + INTERVAL '3' DAY AS later,
  dt - INTERVAL '1' MONTH AS earlier
FROM
  "memory"."d"."raw";

-- d.date_differences
SELECT
  date_diff('day', date_trunc('day', dt), date_trunc('day', dt2)) AS days,
  date_diff('month', date_trunc('month', dt), date_trunc('month', dt2)) AS months,
  date_diff('year', date_trunc('year', dt), date_trunc('year', dt2)) AS years,
  date_diff('quarter', date_trunc('quarter', dt), date_trunc('quarter', dt2)) AS quarters
FROM
  "memory"."d"."raw";

-- d.date_functions
SELECT
  date_trunc('month', dt) AS month_start,
  date_trunc('year', ts) AS year_start,
  year(dt) AS yr,
  month(dt) AS mon,
  day(dt) AS dy,
  quarter(dt) AS qtr,
  EXTRACT(MONTH FROM dt) AS ext_month
FROM
  "memory"."d"."raw";

-- d.decimal_division
SELECT
  CAST(d AS DOUBLE) / CAST(e AS DOUBLE) AS ratio,
  CAST(d AS DOUBLE) / CAST(4 AS DOUBLE) AS quarter_of
FROM
  "memory"."d"."raw";

-- d.decimal_sum
SELECT
  v,
  sum(d) AS total,
  sum(i) AS total_i,
  count(*) AS n
FROM
  "memory"."d"."raw"
GROUP BY
  v;

-- d.distinct_count
SELECT
  count(DISTINCT v) AS kinds,
  count(v) AS filled
FROM
  "memory"."d"."raw";

-- d.float_to_integer
SELECT
  CAST(truncate(f) AS INTEGER) AS f_int,
  CAST(truncate(d) AS BIGINT) AS d_int
FROM
  "memory"."d"."raw";

-- d.greatest_with_nulls
SELECT
  greatest(i, b) AS hi,
  least(d, e) AS lo
FROM
  "memory"."d"."raw";

-- d.group_by_all
SELECT
  v,
  date_trunc('month', dt) AS month_start,
  count(*) AS n,
  sum(i) + 1 AS total
FROM
  "memory"."d"."raw"
GROUP BY
  1, 2;

-- d.group_by_all_constant
SELECT
  'all' AS scope,
  v,
  count(*) AS n
FROM
  "memory"."d"."raw"
GROUP BY
  2;

-- d.group_by_all_global
SELECT
  count(*) AS n,
  max(dt) AS last_day
FROM
  "memory"."d"."raw";

-- d.int_division
SELECT
  i / 3 AS q,
  -i / 3 AS neg_q
FROM
  "memory"."d"."raw";

-- d.limit_rows
SELECT
  i,
  v
FROM
  "memory"."d"."raw" ORDER BY i LIMIT 5;

-- d.null_safe_equality
SELECT
  i
FROM
  "memory"."d"."raw"
WHERE
  v IS NOT DISTINCT FROM w;

-- d.nulls_ordering
SELECT
  i,
  v
FROM
  "memory"."d"."raw" ORDER BY v NULLS FIRST, i DESC NULLS LAST LIMIT 3;

-- d.offset_rows
SELECT
  i
FROM
  "memory"."d"."raw" ORDER BY i OFFSET 2 ROWS FETCH FIRST 5 ROWS ONLY;

-- d.reserved_names
SELECT
  "year",
  title,
  value,
  "user",
  "date"
FROM
  "memory"."d"."raw";

-- d.round_half_away
SELECT
  CAST(round(d, 0) AS DECIMAL(10,2)) AS r0,
  round(f, 1) AS r1
FROM
  "memory"."d"."raw";

-- d.set_operations
SELECT
  i
FROM
  "memory"."d"."raw"
UNION
SELECT
  i
FROM
  "memory"."d"."raw"
EXCEPT
SELECT
  i
FROM
  "memory"."d"."raw"
WHERE
  i > 10;

-- d.small_integer_product
SELECT
  CAST(s AS INTEGER) * s AS square
FROM
  "memory"."d"."raw";

-- d.split_fields
SELECT
  coalesce(split_part(v, ',', 2), CASE WHEN v IS NOT NULL AND ',' IS NOT NULL THEN '' END) AS second
FROM
  "memory"."d"."raw";

-- d.text_forms
SELECT
  SUBSTRING(v FROM 2 FOR 3) AS part,
  POSITION('a' IN v) AS pos
FROM
  "memory"."d"."raw";

-- d.text_functions
SELECT
  upper(v) AS up,
  lower(v) AS low,
  length(v) AS len,
  TRIM(v) AS trimmed,
  replace(v, 'a', 'b') AS replaced,
  SUBSTR(v, 2, 3) AS part,
  strpos(v, 'a') AS pos,
  lpad(v, 6, '*') AS padded
FROM
  "memory"."d"."raw";

-- d.try_cast_number
SELECT
  TRY_CAST(v AS INTEGER) AS n
FROM
  "memory"."d"."raw";

-- d.window_frames
SELECT
  i,
  sum(i) OVER (
    PARTITION BY v
    ORDER BY i
    ROWS BETWEEN 1 PRECEDING AND CURRENT ROW
  ) AS running,
  lag(i) OVER (
    ORDER BY i
  ) AS prev,
  row_number() OVER (
    PARTITION BY v
    ORDER BY i
  ) AS rn
FROM
  "memory"."d"."raw";

