-- d.literal_table
VALUES
  (1, 'a'),
  (2, 'b');

-- d.avg_truncated
SELECT
  v,
  CAST(trunc(avg(i)) AS INTEGER) AS avg_i
FROM
  "d"."raw"
GROUP BY
  v;

-- d.boolean_condition
SELECT
  i
FROM
  "d"."raw"
WHERE
  true AND NOT (i > 100);

-- d.boolean_output
SELECT
  i,
  i > 1 AS big
FROM
  "d"."raw";

-- d.case_insensitive_match
SELECT
  v
FROM
  "d"."raw"
WHERE
  v ILIKE 'a%';

-- d.common_table
WITH small AS (
  SELECT
    i,
    v
  FROM
    "d"."raw"
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
  "d"."raw";

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
  "d"."raw";

-- d.date_arithmetic
SELECT
  dt + INTERVAL '3' DAY AS later,
  dt - INTERVAL '1' MONTH AS earlier
FROM
  "d"."raw";

-- d.date_differences
SELECT
  date_diff('day', dt, dt2) AS days,
  date_diff('month', dt, dt2) AS months,
  date_diff('year', dt, dt2) AS years,
  date_diff('quarter', dt, dt2) AS quarters
FROM
  "d"."raw";

-- d.date_functions
SELECT
  CAST(date_trunc('month', dt) AS DATE) AS month_start,
  date_trunc('year', ts) AS year_start,
  year(dt) AS yr,
  month(dt) AS mon,
  day(dt) AS dy,
  quarter(dt) AS qtr,
  EXTRACT(MONTH FROM dt) AS ext_month
FROM
  "d"."raw";

-- d.decimal_division
SELECT
  d / e AS ratio,
  d / 4 AS quarter_of
FROM
  "d"."raw";

-- d.decimal_sum
SELECT
  v,
  sum(d) AS total,
  CAST(sum(i) AS BIGINT) AS total_i,
  count(*) AS n
FROM
  "d"."raw"
GROUP BY
  v;

-- d.distinct_count
SELECT
  count(DISTINCT v) AS kinds,
  count(v) AS filled
FROM
  "d"."raw";

-- d.float_to_integer
SELECT
  CAST(trunc(f) AS INTEGER) AS f_int,
  CAST(trunc(d) AS BIGINT) AS d_int
FROM
  "d"."raw";

-- d.greatest_with_nulls
SELECT
  CASE
    WHEN i IS NULL OR b IS NULL THEN
      NULL
    ELSE
      greatest(i, b)
  END AS hi,
  CASE
    WHEN d IS NULL OR e IS NULL THEN
      NULL
    ELSE
      least(d, e)
  END AS lo
FROM
  "d"."raw";

-- d.group_by_all
SELECT
  v,
  CAST(date_trunc('month', dt) AS DATE) AS month_start,
  count(*) AS n,
  CAST(sum(i) AS BIGINT) + 1 AS total
FROM
  "d"."raw"
GROUP BY
  1, 2;

-- d.group_by_all_constant
SELECT
  'all' AS scope,
  v,
  count(*) AS n
FROM
  "d"."raw"
GROUP BY
  2;

-- d.group_by_all_global
SELECT
  count(*) AS n,
  max(dt) AS last_day
FROM
  "d"."raw";

-- d.int_division
SELECT
  i // 3 AS q,
  -i // 3 AS neg_q
FROM
  "d"."raw";

-- d.limit_rows
SELECT
  i,
  v
FROM
  "d"."raw" ORDER BY i LIMIT 5;

-- d.null_safe_equality
SELECT
  i
FROM
  "d"."raw"
WHERE
  v IS NOT DISTINCT FROM w;

-- d.nulls_ordering
SELECT
  i,
  v
FROM
  "d"."raw" ORDER BY v NULLS FIRST, i DESC NULLS LAST LIMIT 3;

-- d.offset_rows
SELECT
  i
FROM
  "d"."raw" ORDER BY i LIMIT 5 OFFSET 2;

-- d.reserved_names
SELECT
  "year",
  title,
  value,
  "user",
  "date"
FROM
  "d"."raw";

-- d.round_half_away
SELECT
  CAST(round(d, 0) AS DECIMAL(10,2)) AS r0,
  round(f, 1) AS r1
FROM
  "d"."raw";

-- d.set_operations
SELECT
  i
FROM
  "d"."raw"
UNION
SELECT
  i
FROM
  "d"."raw"
EXCEPT
SELECT
  i
FROM
  "d"."raw"
WHERE
  i > 10;

-- d.small_integer_product
SELECT
  CAST(s AS INTEGER) * s AS square
FROM
  "d"."raw";

-- d.split_fields
SELECT
  split_part(v, ',', 2) AS second
FROM
  "d"."raw";

-- d.text_forms
SELECT
  SUBSTRING(v FROM 2 FOR 3) AS part,
  POSITION('a' IN v) AS pos
FROM
  "d"."raw";

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
  "d"."raw";

-- d.try_cast_number
SELECT
  TRY_CAST(v AS INTEGER) AS n
FROM
  "d"."raw";

-- d.window_frames
SELECT
  i,
  CAST(sum(i) OVER (PARTITION BY v ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS BIGINT) AS running,
  lag(i) OVER (
    ORDER BY i
  ) AS prev,
  row_number() OVER (
    PARTITION BY v
    ORDER BY i
  ) AS rn
FROM
  "d"."raw";

