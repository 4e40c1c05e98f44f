//! Structure-aware generation: the fuzz input drives a generator of the
//! input classes that once crashed meshc or could make it slow, instead of
//! being the text itself. A few bytes become a 5,000-term operator chain, a
//! `UNION ALL` of 3,000 branches, 400 parentheses, YAML nested 200 levels,
//! a 100,000-character line, a chain of 1,500 models or 200 domains, or odd
//! bytes (BOM, CR, NUL, unterminated quotes) spliced into a real file.
//!
//! Repetition counts cluster around the limits of docs/sql.md (sqlparser's
//! recursion limit, the tree depth limit, the YAML depth limit), where an
//! off-by-one would hide. Recursion in the generator itself is bounded
//! ([`MAX_NESTING`]); depth in the output comes from loops, so generating
//! never overflows the fuzzer's stack. Every file is at most [`MAX_FILE`] bytes.

use arbitrary::{Result, Unstructured};
use mesh_analysis::{MAX_TREE_DEPTH, MAX_YAML_DEPTH, PARSER_RECURSION_LIMIT};

use crate::{CONTRACT, Files, MODEL, base};

/// Recursion of the generator (not of the output).
const MAX_NESTING: u32 = 6;
/// Size of one generated file: large enough for every limit, small enough
/// that one execution stays well under libFuzzer's timeout.
pub const MAX_FILE: usize = 512 * 1024;

/// The files of the workspace that `data` describes.
pub fn generate(data: &[u8]) -> Files {
    let mut u = Unstructured::new(data);
    let mut files = base();
    let _ = generate_into(&mut u, &mut files);
    files
}

fn generate_into(u: &mut Unstructured<'_>, files: &mut Files) -> Result<()> {
    match u.int_in_range(0..=5)? {
        0 => {
            let sql = Sql::new(u).query_text()?;
            files.insert(MODEL.into(), sql);
        }
        1 => {
            // A `type: sql` quality rule: SQL inside YAML, parsed and lowered per target.
            let sql = Sql::new(u).query_text()?;
            let property_level = u.arbitrary()?;
            files.insert(CONTRACT.into(), contract_with_rule(&sql, property_level));
        }
        2 => yaml_file(u, files)?,
        3 => shape(u, files)?,
        4 => long_line(u, files)?,
        _ => {
            // Model and YAML at once.
            let sql = Sql::new(u).query_text()?;
            files.insert(MODEL.into(), sql);
            yaml_file(u, files)?;
        }
    }
    let splices = u.int_in_range(0..=3)?;
    for _ in 0..splices {
        splice_odd(u, files)?;
    }
    Ok(())
}

/// A count: mostly small, often right around a limit, sometimes anywhere up to `max`.
fn count(u: &mut Unstructured<'_>, max: usize) -> Result<usize> {
    let around = |limit: usize| limit.saturating_sub(6)..=limit + 6;
    let n = match u.int_in_range(0..=5)? {
        0 | 1 => u.int_in_range(0..=8)?,
        2 => u.int_in_range(around(PARSER_RECURSION_LIMIT))?,
        3 => u.int_in_range(around(MAX_TREE_DEPTH))?,
        4 => u.int_in_range(around(MAX_YAML_DEPTH))?,
        _ => u.int_in_range(0..=max)?,
    };
    Ok(n.min(max))
}

fn pick<'a>(u: &mut Unstructured<'_>, items: &[&'a str]) -> Result<&'a str> {
    Ok(items[u.choose_index(items.len())?])
}

const COLUMNS: &[&str] = &[
    "order_id",
    "customer_id",
    "order_date",
    "status",
    "amount",
    "o.order_id",
    "s.amount",
    "x",
    "c0",
    "missing",
    "\"order_id\"",
    "ORDER_ID",
    "raw_orders.id",
    "orders.m.order_id",
];
const LITERALS: &[&str] = &[
    "1",
    "0",
    "-1",
    "2.5",
    "'a'",
    "''",
    "NULL",
    "true",
    "DATE '2020-01-01'",
    "TIMESTAMP '2020-01-01 00:00:00'",
    "INTERVAL '1' DAY",
    "99999999999999999999999999999999999999",
    "1e308",
    "'é😀'",
    "x'00'",
    "$$a$$",
    "E'\\n'",
];
const BINARY: &[&str] = &[
    " + ",
    " - ",
    " * ",
    " / ",
    " % ",
    " || ",
    " AND ",
    " OR ",
    " = ",
    " <> ",
    " < ",
    " >= ",
    " LIKE ",
    " IS DISTINCT FROM ",
    " & ",
    " ^ ",
];
const POSTFIX: &[&str] = &[
    "::INTEGER",
    "::VARCHAR",
    "[1]",
    " IS NULL",
    " IS NOT TRUE",
    " COLLATE \"C\"",
    ".x",
    " AT TIME ZONE 'UTC'",
];
const PREFIX: &[&str] = &["NOT ", "- ", "+ ", "~"];
const FUNCTIONS: &[&str] = &[
    "sum",
    "count",
    "min",
    "max",
    "avg",
    "coalesce",
    "nullif",
    "upper",
    "lower",
    "length",
    "substring",
    "round",
    "abs",
    "concat",
    "date_trunc",
    "date_diff",
    "row_number",
    "lag",
    "greatest",
    "unknown_function",
    "orders.m",
];
const TYPES: &[&str] = &[
    "INTEGER",
    "BIGINT",
    "VARCHAR",
    "VARCHAR(99999999999)",
    "DECIMAL(38,38)",
    "DECIMAL(40,2)",
    "DECIMAL",
    "DOUBLE",
    "DATE",
    "TIMESTAMP",
    "INTERVAL",
    "BOOLEAN",
    "BLOB",
    "INTEGER[]",
    "STRUCT(a INTEGER)",
];
const RELATIONS: &[&str] = &[
    "raw_orders",
    "stg",
    "m",
    "history",
    "orders.m",
    "insights.reader",
    "orders.stg",
    "a.b.c",
    "missing",
    "\"stg\"",
    "lateral (select 1 as x)",
    "unnest([1, 2])",
    "read_csv('x.csv')",
];
const JOINS: &[&str] = &[
    " join ",
    " left join ",
    " right join ",
    " full join ",
    " cross join ",
    " natural join ",
    ", ",
    " left join lateral ",
];
const SET_OPS: &[&str] = &[
    " union all ",
    " union ",
    " intersect ",
    " except ",
    " union by name ",
];
const TAILS: &[&str] = &[
    "",
    ";",
    ";;",
    "; select 1",
    " -- trailing",
    " /* unterminated",
    "\n",
    "'",
    "\"",
    ")",
];

/// Builds SQL text into `out`, stopping growth at [`MAX_FILE`].
struct Sql<'a, 'b> {
    u: &'a mut Unstructured<'b>,
    out: String,
}

impl<'a, 'b> Sql<'a, 'b> {
    fn new(u: &'a mut Unstructured<'b>) -> Self {
        Sql {
            u,
            out: String::new(),
        }
    }

    fn full(&self) -> bool {
        self.out.len() >= MAX_FILE
    }

    fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn query_text(mut self) -> Result<String> {
        let prefix = pick(
            self.u,
            &[
                "",
                "",
                "-- a model\n",
                "\u{feff}",
                "create table t as ",
                "explain ",
                "with recursive r as (select 1 as n union all select n + 1 from r) ",
            ],
        )?;
        self.push(prefix);
        self.query(0)?;
        let tail = pick(self.u, TAILS)?;
        self.push(tail);
        Ok(self.out)
    }

    fn leaf(&mut self) -> Result<()> {
        let s = if self.u.arbitrary()? {
            pick(self.u, COLUMNS)?
        } else {
            pick(self.u, LITERALS)?
        };
        self.push(s);
        Ok(())
    }

    fn repeat(&mut self, n: usize, s: &str) {
        let n = n.min((MAX_FILE.saturating_sub(self.out.len())) / s.len().max(1));
        self.out.push_str(&s.repeat(n));
    }

    fn expr(&mut self, depth: u32) -> Result<()> {
        if depth >= MAX_NESTING || self.full() {
            return self.leaf();
        }
        match self.u.int_in_range(0..=17)? {
            0 | 1 => self.leaf()?,
            2 => {
                self.expr(depth + 1)?;
                let op = pick(self.u, BINARY)?;
                self.push(op);
                self.expr(depth + 1)?;
            }
            3 => {
                // An operator chain: a tree as deep as it is long.
                let n = count(self.u, 6_000)?;
                let same: bool = self.u.arbitrary()?;
                let op = pick(self.u, BINARY)?;
                self.leaf()?;
                for _ in 0..n {
                    if self.full() {
                        break;
                    }
                    let op = if same { op } else { pick(self.u, BINARY)? };
                    self.push(op);
                    self.leaf()?;
                }
            }
            4 => {
                let n = count(self.u, 600)?;
                self.repeat(n, "(");
                self.expr(depth + 1)?;
                self.repeat(n, ")");
            }
            5 => {
                let n = count(self.u, 2_000)?;
                let op = pick(self.u, PREFIX)?;
                self.repeat(n, op);
                self.expr(depth + 1)?;
            }
            6 => {
                self.leaf()?;
                let n = count(self.u, 3_000)?;
                let op = pick(self.u, POSTFIX)?;
                self.repeat(n, op);
            }
            7 => {
                let f = pick(self.u, FUNCTIONS)?;
                let n = count(self.u, 5)?;
                self.push(f);
                self.push("(");
                if self.u.arbitrary()? {
                    self.push("distinct ");
                }
                for i in 0..n {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.expr(depth + 1)?;
                }
                self.push(")");
                if self.u.arbitrary()? {
                    self.push(" over (partition by ");
                    self.expr(depth + 1)?;
                    self.push(" order by ");
                    self.expr(depth + 1)?;
                    self.push(")");
                }
            }
            8 => {
                // Wide calls and nested calls.
                let f = pick(self.u, FUNCTIONS)?;
                let n = count(self.u, 5_000)?;
                if self.u.arbitrary()? {
                    self.push(f);
                    self.push("(");
                    self.leaf()?;
                    for _ in 0..n {
                        if self.full() {
                            break;
                        }
                        self.push(", ");
                        self.leaf()?;
                    }
                    self.push(")");
                } else {
                    self.repeat(n, &format!("{f}("));
                    self.leaf()?;
                    self.repeat(n, ")");
                }
            }
            9 => {
                let n = count(self.u, 3_000)?.max(1);
                let nested: bool = self.u.arbitrary()?;
                if nested {
                    self.repeat(n, "case when true then ");
                    self.leaf()?;
                    self.repeat(n, " end");
                } else {
                    self.push("case");
                    for _ in 0..n {
                        if self.full() {
                            break;
                        }
                        self.push(" when ");
                        self.expr(depth + 2)?;
                        self.push(" then ");
                        self.leaf()?;
                    }
                    if self.u.arbitrary()? {
                        self.push(" else ");
                        self.leaf()?;
                    }
                    self.push(" end");
                }
            }
            10 => {
                let ty = pick(self.u, TYPES)?;
                let try_cast: bool = self.u.arbitrary()?;
                self.push(if try_cast { "try_cast(" } else { "cast(" });
                self.expr(depth + 1)?;
                self.push(" as ");
                self.push(ty);
                self.push(")");
            }
            11 => {
                self.expr(depth + 1)?;
                let negated: bool = self.u.arbitrary()?;
                self.push(if negated { " not in (" } else { " in (" });
                let n = count(self.u, 20_000)?.max(1);
                for i in 0..n {
                    if self.full() {
                        break;
                    }
                    if i > 0 {
                        self.push(", ");
                    }
                    self.leaf()?;
                }
                self.push(")");
            }
            12 => {
                let form = pick(self.u, &["(", "exists (", "order_id in (", "1 = any ("])?;
                self.push(form);
                self.query(depth + 1)?;
                self.push(")");
            }
            13 => {
                self.expr(depth + 1)?;
                let form = pick(self.u, &[" between ", " not between "])?;
                self.push(form);
                self.leaf()?;
                self.push(" and ");
                self.leaf()?;
            }
            14 => self.long_literal()?,
            15 => {
                let n = count(self.u, 2_000)?;
                let open = pick(self.u, &["[", "struct_pack(a := ", "{'k': ", "list_value("])?;
                let close = match open {
                    "[" => "]",
                    "{'k': " => "}",
                    _ => ")",
                };
                self.repeat(n, open);
                self.leaf()?;
                self.repeat(n, close);
            }
            16 => {
                let n = count(self.u, 3_000)?;
                self.push("o");
                self.repeat(n, ".o");
            }
            _ => {
                let odd = pick(self.u, ODD)?;
                self.push(odd);
            }
        }
        Ok(())
    }

    /// A long string literal, quoted identifier or comment: a long line.
    fn long_literal(&mut self) -> Result<()> {
        let n = self.u.int_in_range(0..=120_000usize)?;
        let ch = pick(self.u, &["a", "é", "😀", " ", "\t", "''", "\\"])?;
        let (open, close) = match self.u.int_in_range(0..=3)? {
            0 => ("'", "'"),
            1 => ("\"", "\""),
            2 => ("/*", "*/ 1"),
            _ => ("-- ", "\n1"),
        };
        self.push(open);
        self.repeat(n, ch);
        self.push(close);
        Ok(())
    }

    fn relation(&mut self, depth: u32) -> Result<()> {
        if depth < MAX_NESTING && self.u.int_in_range(0..=4)? == 0 {
            self.push("(");
            self.query(depth + 1)?;
            self.push(")");
        } else {
            let r = pick(self.u, RELATIONS)?;
            self.push(r);
        }
        let alias = pick(self.u, &["", " o", " as s", " t(a, b)", " as \"o\"", " x"])?;
        self.push(alias);
        Ok(())
    }

    fn select(&mut self, depth: u32) -> Result<()> {
        self.push("select ");
        if self.u.arbitrary()? {
            self.push("distinct ");
        }
        let wide = self.u.int_in_range(0..=5)? == 0;
        let items = if wide {
            count(self.u, 4_000)?.max(1)
        } else {
            self.u.int_in_range(1..=4)?
        };
        for i in 0..items {
            if self.full() {
                break;
            }
            if i > 0 {
                self.push(", ");
            }
            match self.u.int_in_range(0..=5)? {
                0 => self.push("*"),
                1 => self.push("o.*"),
                2 => self.expr(depth + 1)?,
                _ => {
                    self.expr(depth + 1)?;
                    self.push(&format!(" as c{i}"));
                }
            }
        }
        if self.u.int_in_range(0..=5)? == 0 {
            return Ok(());
        }
        self.push(" from ");
        self.relation(depth)?;
        let joins = if self.u.int_in_range(0..=4)? == 0 {
            count(self.u, 300)?
        } else {
            self.u.int_in_range(0..=1)?
        };
        for j in 0..joins {
            if self.full() {
                break;
            }
            let join = pick(self.u, JOINS)?;
            self.push(join);
            self.relation(depth + 1)?;
            self.push(&format!(" j{j}"));
            if !matches!(join, ", " | " cross join " | " natural join ") {
                if self.u.arbitrary()? {
                    self.push(" using (order_id)");
                } else {
                    self.push(" on ");
                    self.expr(depth + 1)?;
                }
            }
        }
        if self.u.arbitrary()? {
            self.push(" where ");
            self.expr(depth + 1)?;
        }
        if self.u.arbitrary()? {
            self.push(" group by ");
            if self.u.arbitrary()? {
                self.push("all");
            } else {
                self.expr(depth + 1)?;
            }
            if self.u.arbitrary()? {
                self.push(" having ");
                self.expr(depth + 1)?;
            }
        }
        if self.u.arbitrary()? {
            self.push(" qualify ");
            self.expr(depth + 1)?;
        }
        if self.u.arbitrary()? {
            self.push(" order by ");
            self.expr(depth + 1)?;
            let dir = pick(self.u, &["", " desc", " asc nulls first"])?;
            self.push(dir);
        }
        if self.u.arbitrary()? {
            let limit = pick(
                self.u,
                &[
                    " limit 3",
                    " limit 0 offset 2",
                    " limit -1",
                    " fetch first 1 rows only",
                    " limit all",
                ],
            )?;
            self.push(limit);
        }
        Ok(())
    }

    fn query(&mut self, depth: u32) -> Result<()> {
        if depth >= MAX_NESTING || self.full() {
            return self.select(MAX_NESTING);
        }
        match self.u.int_in_range(0..=8)? {
            0..=2 => self.select(depth)?,
            3 => {
                // A set-operation chain.
                let n = count(self.u, 3_000)?;
                let same: bool = self.u.arbitrary()?;
                let op = pick(self.u, SET_OPS)?;
                self.select(depth + 1)?;
                for _ in 0..n {
                    if self.full() {
                        break;
                    }
                    let op = if same { op } else { pick(self.u, SET_OPS)? };
                    self.push(op);
                    if self.u.int_in_range(0..=3)? == 0 {
                        self.select(depth + 1)?;
                    } else {
                        self.push("select 1 as x");
                    }
                }
            }
            4 => {
                // Derived tables nested in one another.
                let n = count(self.u, 1_500)?;
                self.repeat(n, "select * from (");
                self.select(depth + 1)?;
                self.repeat(n, ") t");
            }
            5 => {
                // Common table expressions: a chain, each reading the one before.
                let n = count(self.u, 1_500)?.max(1);
                self.push("with c0 as (");
                self.select(depth + 1)?;
                self.push(")");
                for i in 1..n {
                    if self.full() {
                        break;
                    }
                    let body = pick(
                        self.u,
                        &[
                            "select * from c{}",
                            "select x from c{}",
                            "select * from c{} join c{} using (x)",
                            "select 1 as x",
                        ],
                    )?;
                    let body = body.replace("{}", &(i - 1).to_string());
                    self.push(&format!(", c{i} as ({body})"));
                }
                self.push(&format!(" select * from c{}", n - 1));
            }
            6 => {
                let n = count(self.u, 800)?;
                self.repeat(n, "(");
                self.select(depth + 1)?;
                self.repeat(n, ")");
            }
            7 => {
                let n = count(self.u, 800)?;
                self.repeat(n, "with w as (");
                self.select(depth + 1)?;
                self.repeat(n, ") select * from w");
            }
            _ => {
                let rows = count(self.u, 10_000)?.max(1);
                let width = self.u.int_in_range(1..=3)?;
                let row = format!("({})", vec!["1"; width].join(", "));
                self.push("select * from (values ");
                self.push(&row);
                self.repeat(rows - 1, &format!(", {row}"));
                self.push(") v");
            }
        }
        Ok(())
    }
}

const ODD: &[&str] = &[
    "\u{feff}",
    "\r\n",
    "\r",
    "\0",
    "\t",
    "\u{2028}",
    "\u{85}",
    "é",
    "😀",
    "\u{fffd}",
    "'",
    "\"",
    "`",
    "--",
    "/*",
    "*/",
    "$$",
    "\\",
    "{",
    "}",
    "{object}",
    "{property}",
    ": ",
    "- ",
    "---\n",
    "...\n",
    "&a ",
    "*a",
    "!!binary ",
    "? ",
    "|\n",
    ">-\n",
    "%YAML 1.2\n",
    "#",
    "\u{200b}",
];

/// Inserts a few odd characters at some position of one file.
fn splice_odd(u: &mut Unstructured<'_>, files: &mut Files) -> Result<()> {
    let paths: Vec<String> = files.keys().cloned().collect();
    let path = &paths[u.choose_index(paths.len())?];
    let n = u.int_in_range(1..=4)?;
    let mut insert = String::new();
    for _ in 0..n {
        insert.push_str(pick(u, ODD)?);
    }
    let text = files.get_mut(path).expect("listed");
    let mut at = u.int_in_range(0..=text.len())?;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    text.insert_str(at, &insert);
    Ok(())
}

/// The contract with an extra `type: sql` rule whose query is `sql`.
fn contract_with_rule(sql: &str, property_level: bool) -> String {
    let block: String = sql.lines().map(|l| format!("          {l}\n")).collect();
    let rule = format!(
        "      - name: generated\n        type: sql\n        query: |\n{}        mustBe: 0\n",
        if block.is_empty() {
            "          \n".to_string()
        } else {
            block
        }
    );
    let contract = crate::CONTRACT_YAML;
    if property_level {
        // Under the first property's `quality:`.
        let anchor = "        quality:\n";
        let at = contract
            .find(anchor)
            .map_or(contract.len(), |i| i + anchor.len());
        let indented: String = rule.lines().map(|l| format!("    {l}\n")).collect();
        format!("{}{}{}", &contract[..at], indented, &contract[at..])
    } else {
        let anchor = "    quality:\n";
        let at = contract
            .find(anchor)
            .map_or(contract.len(), |i| i + anchor.len());
        format!("{}{}{}", &contract[..at], rule, &contract[at..])
    }
}

const YAML_PATHS: &[&str] = &[
    "mesh.yaml",
    "orders/domain.yaml",
    "orders/sources.yaml",
    CONTRACT,
    "insights/domain.yaml",
    "mesh.lock",
];
const KEYS: &[&str] = &[
    "name",
    "domains",
    "targets",
    "trino",
    "duckdb",
    "path",
    "registry",
    "owner",
    "version",
    "dependencies",
    "materialization",
    "models",
    "incremental",
    "unique_key",
    "updated_at",
    "sources",
    "columns",
    "type",
    "required",
    "csv",
    "schema",
    "properties",
    "physicalType",
    "quality",
    "metric",
    "arguments",
    "validValues",
    "mustBe",
    "query",
    "slaProperties",
    "customProperties",
    "products",
    "hash",
    "consumers",
    "<<",
    "k",
];
const SCALARS: &[&str] = &[
    "x",
    "orders",
    "m",
    "1.0.0",
    "^1.0",
    "\"^1.0\"",
    "INTEGER",
    "DECIMAL(10,2)",
    "true",
    "null",
    "~",
    "''",
    "0x1F",
    "1e999",
    ".inf",
    "-",
    "incremental",
    "table",
    "view",
    "v3.1.0",
    "DataContract",
    "orders.m",
    "sha256:00",
    "'a: b'",
    "\"\\u0000\"",
    "!!binary AA==",
    "*a",
    "&a x",
    "|",
    ">",
    "[]",
    "{}",
];

/// Builds YAML text, growth stopped at [`MAX_FILE`].
struct Yaml<'a, 'b> {
    u: &'a mut Unstructured<'b>,
    out: String,
}

impl Yaml<'_, '_> {
    fn full(&self) -> bool {
        self.out.len() >= MAX_FILE
    }

    fn scalar(&mut self) -> Result<()> {
        if self.u.int_in_range(0..=9)? == 0 {
            // A long scalar: a long line.
            let n = self.u.int_in_range(0..=120_000usize)?;
            let ch = pick(self.u, &["a", "é", " ", "'", "\\"])?;
            let quote = pick(self.u, &["", "'", "\""])?;
            let n = n.min(MAX_FILE.saturating_sub(self.out.len()) / ch.len());
            self.out.push_str(quote);
            self.out.push_str(&ch.repeat(n));
            self.out.push_str(quote);
        } else {
            let s = pick(self.u, SCALARS)?;
            self.out.push_str(s);
        }
        Ok(())
    }

    /// A value on one line (flow style).
    fn flow(&mut self, depth: u32) -> Result<()> {
        if depth >= MAX_NESTING || self.full() {
            return self.scalar();
        }
        match self.u.int_in_range(0..=5)? {
            0 | 1 => self.scalar()?,
            2 => {
                let n = count(self.u, 3_000)?;
                let open = pick(self.u, &["[", "{a: ", "{? ", "[{k: "])?;
                let close = match open {
                    "[" => "]",
                    "[{k: " => "}]",
                    _ => "}",
                };
                let n = n.min(MAX_FILE / (open.len() + close.len()));
                self.out.push_str(&open.repeat(n));
                self.flow(depth + 1)?;
                self.out.push_str(&close.repeat(n));
            }
            3 => {
                let n = count(self.u, 20_000)?;
                let map: bool = self.u.arbitrary()?;
                self.out.push_str(if map { "{" } else { "[" });
                for i in 0..n {
                    if self.full() {
                        break;
                    }
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    if map {
                        let k = pick(self.u, KEYS)?;
                        self.out.push_str(&format!("{k}{i}: "));
                    }
                    self.flow(depth + 1)?;
                }
                self.out.push_str(if map { "}" } else { "]" });
            }
            4 => {
                self.out.push_str("{name: ");
                self.scalar()?;
                self.out.push_str(", type: ");
                self.scalar()?;
                self.out.push_str(", required: ");
                self.flow(depth + 1)?;
                self.out.push('}');
            }
            _ => {
                self.out.push('[');
                self.flow(depth + 1)?;
                self.out.push_str(", ");
                self.flow(depth + 1)?;
                self.out.push(']');
            }
        }
        Ok(())
    }

    /// A value in block style: starts on a new line, indented by `indent`.
    fn block(&mut self, indent: usize, depth: u32) -> Result<()> {
        if depth >= MAX_NESTING || self.full() {
            self.out.push(' ');
            self.flow(MAX_NESTING)?;
            self.out.push('\n');
            return Ok(());
        }
        let pad = " ".repeat(indent);
        match self.u.int_in_range(0..=6)? {
            0 | 1 => {
                self.out.push(' ');
                self.flow(depth + 1)?;
                self.out.push('\n');
            }
            2 => {
                // Nested maps: one level per line.
                let n = count(self.u, 2_000)?;
                let step = self.u.int_in_range(1..=3)?;
                self.out.push('\n');
                for i in 0..n {
                    if self.full() {
                        break;
                    }
                    let k = pick(self.u, KEYS)?;
                    self.out.push_str(&" ".repeat(indent + i * step));
                    self.out.push_str(k);
                    self.out.push_str(":\n");
                }
                self.out.push_str(&" ".repeat(indent + n * step));
                self.scalar()?;
                self.out.push('\n');
            }
            3 => {
                // Nested sequences on one line: `- - - x`.
                let n = count(self.u, 2_000)?;
                self.out.push('\n');
                self.out.push_str(&pad);
                self.out.push_str(&"- ".repeat(n.min(MAX_FILE / 2)));
                self.scalar()?;
                self.out.push('\n');
            }
            4 => {
                // A wide map or sequence.
                let n = count(self.u, 20_000)?;
                let map: bool = self.u.arbitrary()?;
                self.out.push('\n');
                for i in 0..n {
                    if self.full() {
                        break;
                    }
                    self.out.push_str(&pad);
                    if map {
                        let k = pick(self.u, KEYS)?;
                        self.out.push_str(&format!("{k}{}:", i % 7));
                    } else {
                        self.out.push('-');
                    }
                    self.block(indent + 2, depth + 1)?;
                }
            }
            5 => {
                // Anchors and aliases, each level repeating the one below (a
                // "billion laughs" if aliases were expanded).
                let levels = self.u.int_in_range(1..=12)?;
                let width = self.u.int_in_range(1..=12)?;
                self.out.push('\n');
                self.out.push_str(&format!("{pad}a0: &a0 [x]\n"));
                for l in 1..levels {
                    let refs = vec![format!("*a{}", l - 1); width].join(", ");
                    self.out.push_str(&format!("{pad}a{l}: &a{l} [{refs}]\n"));
                }
                self.out.push_str(&format!("{pad}<<: *a{}\n", levels - 1));
            }
            _ => {
                // A block scalar.
                let style = pick(self.u, &["|", ">", "|-", ">+", "|2"])?;
                let lines = count(self.u, 5_000)?;
                self.out.push(' ');
                self.out.push_str(style);
                self.out.push('\n');
                for _ in 0..lines {
                    if self.full() {
                        break;
                    }
                    self.out.push_str(&pad);
                    self.out.push_str("  ");
                    self.scalar()?;
                    self.out.push('\n');
                }
            }
        }
        Ok(())
    }
}

/// One YAML file of the workspace, changed at one of its lines: the value
/// after the line's `key:` or `- ` replaced by a generated value (flow or
/// block style), or the whole file replaced, or a generated key appended.
fn yaml_file(u: &mut Unstructured<'_>, files: &mut Files) -> Result<()> {
    let path = pick(u, YAML_PATHS)?;
    if path == "mesh.lock" {
        // The lock the host would compute, then changed below.
        let lock = crate::host(files).required_lock().render();
        files.insert(path.into(), lock);
    }
    let text = files.get(path).cloned().unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let mut y = Yaml {
        u,
        out: String::new(),
    };
    let mode = y.u.int_in_range(0..=3)?;
    let new = if mode == 0 || lines.is_empty() {
        // A whole file of generated keys.
        let n = y.u.int_in_range(1..=6)?;
        for _ in 0..n {
            let k = pick(y.u, KEYS)?;
            y.out.push_str(k);
            y.out.push(':');
            y.block(2, 0)?;
        }
        y.out
    } else if mode == 1 {
        let k = pick(y.u, KEYS)?;
        y.out.push_str(&text);
        y.out.push_str(k);
        y.out.push(':');
        y.block(2, 0)?;
        y.out
    } else {
        let at = y.u.choose_index(lines.len())?;
        let line = lines[at];
        let indent = line.len() - line.trim_start().len();
        let keep = match (line.find(": "), line.trim_start().starts_with("- ")) {
            (Some(i), _) => &line[..i + 1],
            (None, true) => &line[..indent + 1],
            (None, false) => line.trim_end_matches(':'),
        };
        let keep = if keep.ends_with(':') || keep.ends_with('-') {
            keep.to_string()
        } else {
            format!("{keep}:")
        };
        y.out.push_str(&keep);
        if mode == 2 {
            y.out.push(' ');
            y.flow(0)?;
            y.out.push('\n');
        } else {
            y.block(indent + 2, 0)?;
        }
        let mut new = String::new();
        for l in &lines[..at] {
            new.push_str(l);
            new.push('\n');
        }
        new.push_str(&y.out);
        for l in &lines[at + 1..] {
            new.push_str(l);
            new.push('\n');
        }
        new
    };
    files.insert(path.into(), new);
    Ok(())
}

/// Workspace shapes: chains and fans of models, many domains, wide
/// sources and contracts.
fn shape(u: &mut Unstructured<'_>, files: &mut Files) -> Result<()> {
    match u.int_in_range(0..=5)? {
        0 => {
            // A chain of models, each reading the one before (past 256 models
            // the analysis runs on several threads).
            let n = count(u, 1_500)?;
            let body = pick(
                u,
                &[
                    "select * from {}",
                    "select order_id, amount + 1 as amount from {}",
                    "select a.* from {} a join stg b using (order_id)",
                ],
            )?;
            let mut previous = "stg".to_string();
            for i in 0..n {
                let name = format!("k{i}");
                files.insert(
                    format!("orders/models/{name}.sql"),
                    body.replace("{}", &previous),
                );
                previous = name;
            }
            files.insert(MODEL.into(), format!("select * from {previous}"));
        }
        1 => {
            // One model reading many (fan-in), or many reading one (fan-out).
            let n = count(u, 600)?;
            let fan_in: bool = u.arbitrary()?;
            let mut sql = String::from("select s.order_id from stg s");
            for i in 0..n {
                if fan_in {
                    files.insert(
                        format!("orders/models/f{i}.sql"),
                        "select order_id from stg".to_string(),
                    );
                    sql.push_str(&format!(" join f{i} using (order_id)"));
                } else {
                    files.insert(
                        format!("orders/models/f{i}.sql"),
                        format!("select order_id, {i} as n from m"),
                    );
                }
            }
            if fan_in {
                files.insert(MODEL.into(), sql);
            }
        }
        2 => {
            // A cycle of models.
            let n = count(u, 1_000)?.max(1);
            for i in 0..n {
                files.insert(
                    format!("orders/models/y{i}.sql"),
                    format!("select * from y{}", (i + 1) % n),
                );
            }
            files.insert(MODEL.into(), "select * from y0".to_string());
        }
        3 => {
            // Many domains, each reading the previous one's product.
            let n = count(u, 300)?;
            let mut domains = vec!["orders".to_string(), "insights".to_string()];
            let mut previous = ("orders".to_string(), "m".to_string());
            for i in 0..n {
                let domain = format!("d{i}");
                files.insert(
                    format!("{domain}/domain.yaml"),
                    format!(
                        "name: {domain}\nowner: t\nversion: 1.0.0\ndependencies: {{ {}: \"^1.0\" }}\n",
                        previous.0
                    ),
                );
                files.insert(
                    format!("{domain}/models/p.sql"),
                    format!("select order_id from {}.{}", previous.0, previous.1),
                );
                files.insert(
                    format!("{domain}/contracts/p.yaml"),
                    format!(
                        "apiVersion: v3.1.0\nkind: DataContract\nid: {domain}.p\nversion: 1.0.0\nstatus: active\nschema:\n  - name: p\n    properties:\n      - {{ name: order_id, physicalType: INTEGER, required: true }}\n"
                    ),
                );
                domains.push(domain.clone());
                previous = (domain, "p".to_string());
            }
            // The access list of orders.m names insights only: open it up.
            let contract = files[CONTRACT].replace("value: [insights]", "value: [\"*\"]");
            files.insert(CONTRACT.into(), contract);
            files.insert(
                "mesh.yaml".into(),
                format!("name: fuzz\ndomains: [{}]\n", domains.join(", ")),
            );
        }
        4 => {
            // A wide source, read with `select *`.
            let n = count(u, 20_000)?;
            let mut sources = String::from(crate::ORDERS_SOURCES);
            for i in 0..n {
                sources.push_str(&format!("      - {{ name: w{i}, type: INTEGER }}\n"));
            }
            files.insert("orders/sources.yaml".into(), sources);
            files.insert(
                "orders/models/wide.sql".into(),
                "select * from raw_orders".into(),
            );
        }
        _ => {
            // A wide contract: many properties, many rules.
            let n = count(u, 10_000)?;
            let rules = u.arbitrary()?;
            let mut contract = String::from(crate::CONTRACT_YAML);
            let anchor = "    properties:\n";
            let at = contract.find(anchor).map_or(0, |i| i + anchor.len());
            let mut extra = String::new();
            for i in 0..n {
                if rules {
                    extra.push_str(&format!(
                        "      - {{ name: order_id, physicalType: INTEGER, quality: [{{ name: r{i}, type: library, metric: nullValues, mustBe: 0 }}] }}\n"
                    ));
                } else {
                    extra.push_str(&format!(
                        "      - {{ name: p{i}, physicalType: VARCHAR }}\n"
                    ));
                }
            }
            contract.insert_str(at, &extra);
            files.insert(CONTRACT.into(), contract);
        }
    }
    Ok(())
}

/// A long line in a model or a YAML file.
fn long_line(u: &mut Unstructured<'_>, files: &mut Files) -> Result<()> {
    let n = u.int_in_range(0..=400_000usize)?;
    let ch = pick(u, &["a", "é", "😀", " ", "\t", "x, ", "1 + "])?;
    let n = n.min(MAX_FILE / ch.len());
    let body = ch.repeat(n);
    let (path, text) = match u.int_in_range(0..=6)? {
        0 => (MODEL, format!("select '{body}' as x")),
        1 => (MODEL, format!("select 1 as x -- {body}")),
        2 => (MODEL, format!("select \"{body}\" from stg")),
        3 => (MODEL, format!("select {body}")),
        4 => (
            "orders/domain.yaml",
            format!("{}description: {body}\n", crate::ORDERS_DOMAIN),
        ),
        5 => (
            CONTRACT,
            crate::CONTRACT_YAML.replace("id: orders.m", &format!("id: orders.m{body}")),
        ),
        _ => (
            "mesh.yaml",
            format!("name: {body}\ndomains: [orders, insights]\n"),
        ),
    };
    files.insert(path.into(), text);
    Ok(())
}
