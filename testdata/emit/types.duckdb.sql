-- t.aggregates
SELECT
  v,
  count(*) AS n,
  count(i) AS n_i,
  CAST(sum(i) AS BIGINT) AS sum_int,
  CAST(sum(s) AS BIGINT) AS sum_small,
  CAST(sum(b) AS BIGINT) AS sum_big,
  sum(d) AS sum_dec,
  sum(f) AS sum_dbl,
  avg(i) AS avg_int,
  avg(d) AS avg_dec,
  avg(f) AS avg_dbl,
  min(d) AS min_dec,
  max(dt) AS max_date,
  min(v) AS min_v,
  bool_and(ok) AS all_ok,
  bool_or(ok) AS any_ok,
  stddev(f) AS sd,
  variance(d) AS var_dec,
  any_value(ts) AS any_ts
FROM
  "t"."raw"
GROUP BY
  v;

-- t.arithmetic
SELECT
  i + s AS int_plus_small,
  i * b AS int_times_big,
  i // 2 AS int_div,
  i % 3 AS int_mod,
  d + d AS dec_plus,
  d - e AS dec_minus,
  CAST(d * d AS DECIMAL(20,4)) AS dec_times,
  CAST(d * e AS DECIMAL(15,5)) AS dec_times_e,
  d / d AS dec_div,
  CAST(d + i AS DECIMAL(13,2)) AS dec_plus_int,
  CAST(d + b AS DECIMAL(22,2)) AS dec_plus_big,
  CAST(d - s AS DECIMAL(11,2)) AS dec_minus_small,
  CAST(e * b AS DECIMAL(24,3)) AS dec_times_big,
  CAST(d * i AS DECIMAL(20,2)) AS dec_times_int,
  d / 4 AS dec_div_int,
  r + d AS real_plus_dec,
  r + i AS real_plus_int,
  f * d AS dbl_times_dec,
  r * r AS real_times,
  -d AS neg_dec,
  -i AS neg_int,
  1.5 AS lit_dec,
  2 AS lit_int,
  1e3 AS lit_dbl
FROM
  "t"."raw";

-- t.functions
SELECT
  abs(d) AS abs_dec,
  abs(i) AS abs_int,
  CAST(round(d) AS DECIMAL(10,2)) AS round_dec,
  CAST(round(d, 1) AS DECIMAL(10,2)) AS round_dec_1,
  round(f, 2) AS round_dbl,
  round(i) AS round_int,
  CEIL(d) AS ceil_dec,
  FLOOR(f) AS floor_dbl,
  CAST(sign(d) AS INTEGER) AS sign_dec,
  CAST(sign(i) AS INTEGER) AS sign_int,
  sqrt(f) AS sqrt_dbl,
  power(i, 2) AS pow_int,
  exp(f) AS exp_dbl,
  ln(f) AS ln_dbl,
  mod(i, 2) AS mod_int,
  CASE
    WHEN i IS NULL OR b IS NULL THEN
      NULL
    ELSE
      greatest(i, b)
  END AS greatest_int,
  CASE
    WHEN d IS NULL OR e IS NULL THEN
      NULL
    ELSE
      least(d, e)
  END AS least_dec,
  nullif(v, 'x') AS nullif_v,
  coalesce(s, i) AS coalesce_int,
  length(v) AS len,
  upper(v) AS up,
  (v || CAST(i AS VARCHAR)) AS cat,
  SUBSTR(v, 1, 2) AS sub,
  strpos(v, 'a') AS pos,
  split_part(v, ',', 1) AS part,
  lpad(v, 5, '0') AS padded,
  replace(v, 'a', 'b') AS replaced,
  starts_with(v, 'a') AS starts,
  reverse(v) AS rev,
  year(dt) AS yr,
  month(ts) AS mon,
  day(dt) AS dy,
  quarter(dt) AS qtr,
  EXTRACT(YEAR FROM dt) AS ext_year,
  CAST(date_trunc('month', dt) AS DATE) AS trunc_date,
  date_trunc('day', ts) AS trunc_ts,
  date_diff('day', dt, dt) AS diff_days,
  dt + INTERVAL 1 DAY AS date_plus_interval,
  ts + INTERVAL 2 HOUR AS ts_plus_interval,
  CAST(trunc(d) AS INTEGER) AS cast_int,
  CAST(v AS DATE) AS cast_date,
  TRY_CAST(v AS DOUBLE) AS try_double,
  CAST(d AS VARCHAR) AS cast_text,
  CASE
    WHEN ok THEN
      d
    ELSE
      e
  END AS case_dec,
  CASE
    WHEN ok THEN
      i
    ELSE
      b
  END AS case_int,
  current_date AS today
FROM
  "t"."raw";

-- t.sets
SELECT
  i AS x,
  d AS y
FROM
  "t"."raw"
UNION ALL
SELECT
  b,
  e
FROM
  "t"."raw";

-- t.windows
SELECT
  i,
  row_number() OVER (
    ORDER BY i
  ) AS rn,
  rank() OVER (
    ORDER BY i
  ) AS rk,
  dense_rank() OVER (
    ORDER BY i
  ) AS drk,
  ntile(4) OVER (
    ORDER BY i
  ) AS tile,
  percent_rank() OVER (
    ORDER BY i
  ) AS prk,
  cume_dist() OVER (
    ORDER BY i
  ) AS cd,
  lag(d) OVER (
    ORDER BY i
  ) AS prev_d,
  lead(v, 2) OVER (
    ORDER BY i
  ) AS next_v,
  first_value(dt) OVER (
    PARTITION BY v
    ORDER BY i
  ) AS first_dt,
  CAST(sum(i) OVER (PARTITION BY v) AS BIGINT) AS part_sum,
  avg(d) OVER (
    
  ) AS avg_all,
  count(*) OVER (
    
  ) AS n_all
FROM
  "t"."raw";

