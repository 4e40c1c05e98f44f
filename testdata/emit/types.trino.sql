-- t.aggregates
SELECT
  v,
  count(*) AS n,
  count(i) AS n_i,
  sum(i) AS sum_int,
  sum(s) AS sum_small,
  sum(b) AS sum_big,
  sum(d) AS sum_dec,
  sum(f) AS sum_dbl,
  avg(i) AS avg_int,
  CAST(avg(d) AS DOUBLE) AS avg_dec,
  avg(f) AS avg_dbl,
  min(d) AS min_dec,
  max(dt) AS max_date,
  min(v) AS min_v,
  bool_and(ok) AS all_ok,
  bool_or(ok) AS any_ok,
  stddev(f) AS sd,
  CAST(variance(d) AS DOUBLE) AS var_dec,
  any_value(ts) AS any_ts
FROM
  "memory"."t"."raw"
GROUP BY
  v;

-- t.arithmetic
SELECT
  i + s AS int_plus_small,
  i * b AS int_times_big,
  i / 2 AS int_div,
  i % 3 AS int_mod,
  d + d AS dec_plus,
  d - e AS dec_minus,
  d * d AS dec_times,
  d * e AS dec_times_e,
  CAST(d AS DOUBLE) / CAST(d AS DOUBLE) AS dec_div,
  d + i AS dec_plus_int,
  d + b AS dec_plus_big,
  d - s AS dec_minus_small,
  e * b AS dec_times_big,
  d * i AS dec_times_int,
  CAST(d AS DOUBLE) / CAST(4 AS DOUBLE) AS dec_div_int,
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
  "memory"."t"."raw";

-- t.functions
SELECT
  abs(d) AS abs_dec,
  abs(i) AS abs_int,
  CAST(round(d) AS DECIMAL(10,2)) AS round_dec,
  CAST(round(d, 1) AS DECIMAL(10,2)) AS round_dec_1,
  round(f, 2) AS round_dbl,
  round(i) AS round_int,
  CAST(CEIL(d) AS DECIMAL(10,0)) AS ceil_dec,
  FLOOR(f) AS floor_dbl,
  CAST(sign(d) AS INTEGER) AS sign_dec,
  sign(i) AS sign_int,
  sqrt(f) AS sqrt_dbl,
  power(i, 2) AS pow_int,
  exp(f) AS exp_dbl,
  ln(f) AS ln_dbl,
  mod(i, 2) AS mod_int,
  greatest(i, b) AS greatest_int,
  least(d, e) AS least_dec,
  nullif(v, 'x') AS nullif_v,
  coalesce(s, i) AS coalesce_int,
  length(v) AS len,
  upper(v) AS up,
  (v || CAST(i AS VARCHAR)) AS cat,
  SUBSTR(v, 1, 2) AS sub,
  strpos(v, 'a') AS pos,
  coalesce(split_part(v, ',', 1), CASE WHEN v IS NOT NULL AND ',' IS NOT NULL THEN '' END) AS part,
  lpad(v, 5, '0') AS padded,
  replace(v, 'a', 'b') AS replaced,
  starts_with(v, 'a') AS starts,
  reverse(v) AS rev,
  year(dt) AS yr,
  month(ts) AS mon,
  day(dt) AS dy,
  quarter(dt) AS qtr,
  EXTRACT(YEAR FROM dt) AS ext_year,
  date_trunc('month', dt) AS trunc_date,
  date_trunc('day', ts) AS trunc_ts,
  date_diff('day', date_trunc('day', dt), date_trunc('day', dt)) AS diff_days,
  dt + INTERVAL '1' DAY AS date_plus_interval,
  ts + INTERVAL '2' HOUR AS ts_plus_interval,
  CAST(truncate(d) AS INTEGER) AS cast_int,
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
  "memory"."t"."raw";

-- t.sets
SELECT
  i AS x,
  d AS y
FROM
  "memory"."t"."raw"
UNION ALL
SELECT
  b,
  e
FROM
  "memory"."t"."raw";

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
  sum(i) OVER (
    PARTITION BY v
  ) AS part_sum,
  CAST(avg(d) OVER () AS DOUBLE) AS avg_all,
  count(*) OVER (
    
  ) AS n_all
FROM
  "memory"."t"."raw";

