-- t.aggregates: refused
--   t/models/aggregates.sql has errors, so it has no teradata SQL yet: MESH4001 BOOL_AND and BOOL_OR (teradata has no BOOLEAN) is not emitted for teradata

-- t.arithmetic
SELECT
  "i" + "s" AS "int_plus_small",
  "i" * "b" AS "int_times_big",
  "i" / 2 AS "int_div",
  ("i" MOD 3) AS "int_mod",
  CAST("d" + "d" AS DECIMAL(11,2)) AS "dec_plus",
  CAST("d" - "e" AS DECIMAL(12,3)) AS "dec_minus",
  CAST("d" * "d" AS DECIMAL(20,4)) AS "dec_times",
  CAST("d" * "e" AS DECIMAL(15,5)) AS "dec_times_e",
  CAST("d" AS FLOAT) / CAST("d" AS FLOAT) AS "dec_div",
  CAST("d" + "i" AS DECIMAL(13,2)) AS "dec_plus_int",
  CAST("d" + "b" AS DECIMAL(22,2)) AS "dec_plus_big",
  CAST("d" - "s" AS DECIMAL(11,2)) AS "dec_minus_small",
  CAST("e" * "b" AS DECIMAL(24,3)) AS "dec_times_big",
  CAST("d" * "i" AS DECIMAL(20,2)) AS "dec_times_int",
  CAST("d" AS FLOAT) / CAST(4 AS FLOAT) AS "dec_div_int",
  "r" + "d" AS "real_plus_dec",
  "r" + "i" AS "real_plus_int",
  "f" * "d" AS "dbl_times_dec",
  "r" * "r" AS "real_times",
  -"d" AS "neg_dec",
  -"i" AS "neg_int",
  1.5 AS "lit_dec",
  2 AS "lit_int",
  1e3 AS "lit_dbl"
FROM
  "t"."raw";

-- t.functions: refused
--   t/models/functions.sql has errors, so it has no teradata SQL yet: MESH4001 SPLIT_PART (STRTOK skips empty fields, so it means something else) is not emitted for teradata

-- t.sets
SELECT
  "i" AS "x",
  "d" AS "y"
FROM
  "t"."raw"
UNION ALL
SELECT
  "b",
  "e"
FROM
  "t"."raw";

-- t.windows: refused
--   t/models/windows.sql has errors, so it has no teradata SQL yet: MESH4001 NTILE (teradata has no such function) is not emitted for teradata

