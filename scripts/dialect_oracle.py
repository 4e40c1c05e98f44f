#!/usr/bin/env python3
"""Independent grammars as oracles for the SQL meshc emits for Trino and
Teradata (no Teradata server runs here; Trino statements are also run for
real elsewhere). Every statement is parsed by sqlglot with
`error_level=RAISE` under the target's dialect; a statement sqlglot only
keeps as an opaque `Command` is allowed for the few statements listed below;
and because sqlglot is lenient (under `read="teradata"` it accepts LIMIT,
BOOLEAN and ILIKE), the target's tokens are checked for the constructs the
engine lacks.

    dialect_oracle.py FILE...   (*.trino.sql, *.teradata.sql snapshots, or
                                 the target/<trino|teradata>/ files of a build)

Exit code 1 with one line per bad statement.
"""

from __future__ import annotations

import pathlib
import sys

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel
from sqlglot.tokens import TokenType

# Statements sqlglot parses only as a Command, and that the engine has.
COMMANDS = {"teradata": ("RENAME TABLE",), "trino": ()}
# Tokens of constructs the engine does not have (sqlglot would accept them).
FORBIDDEN = {
    "teradata": {TokenType.LIMIT: "LIMIT", TokenType.OFFSET: "OFFSET", TokenType.ILIKE: "ILIKE",
                 TokenType.BOOLEAN: "BOOLEAN", TokenType.TRUE: "TRUE", TokenType.FALSE: "FALSE",
                 TokenType.DCOLON: "::", TokenType.FETCH: "FETCH",
                 TokenType.VALUES: "VALUES"},
    "trino": {TokenType.ILIKE: "ILIKE", TokenType.DCOLON: "::"},
}


def dialect_of(path: pathlib.Path) -> str:
    for name in ("teradata", "trino"):
        if f".{name}." in path.name or name in path.parts:
            return name
    raise SystemExit(f"{path}: cannot tell the target from the name")


def statements(text: str) -> list[str]:
    """The statements of a file: `;` at a line end separates them; comment
    lines (and the refusals recorded in snapshots) are dropped."""
    out, current = [], []
    for line in text.splitlines():
        if line.lstrip().startswith("--") or line.startswith(("*", ".")):
            continue
        current.append(line)
        if line.rstrip().endswith(";"):
            sql = "\n".join(current).strip().rstrip(";").strip()
            if sql:
                out.append(sql)
            current = []
    rest = "\n".join(current).strip()
    if rest:
        out.append(rest)
    return out


def problems(sql: str, dialect: str) -> list[str]:
    found = []
    try:
        trees = sqlglot.parse(sql, read=dialect, error_level=ErrorLevel.RAISE)
    except Exception as error:  # sqlglot raises ParseError and TokenError
        return [f"does not parse as {dialect}: {str(error).splitlines()[0]}"]
    for tree in trees:
        if isinstance(tree, exp.Command) and not sql.upper().startswith(COMMANDS[dialect]):
            found.append(f"parses only as an opaque command under {dialect}")
    tokens = sqlglot.Dialect.get_or_raise(dialect).tokenize(sql)
    kinds = [t.token_type for t in tokens]
    for kind, name in FORBIDDEN[dialect].items():
        if kind in kinds:
            found.append(f"uses {name}, which {dialect} does not have")
    # Teradata's tokenizer keeps `%` as a bare word (its modulo is MOD).
    if dialect == "teradata" and any(t.text == "%" and t.token_type != TokenType.STRING for t in tokens):
        found.append("uses %, which teradata does not have (its modulo is MOD)")
    # Teradata spells it TRYCAST; sqlglot reads TRY_CAST under teradata too.
    if dialect == "teradata" and any(t.text.upper() == "TRY_CAST" for t in tokens):
        found.append("uses TRY_CAST, which teradata spells TRYCAST")
    if dialect == "trino" and TokenType.LIMIT in kinds and TokenType.OFFSET in kinds:
        if kinds.index(TokenType.LIMIT) < kinds.index(TokenType.OFFSET):
            found.append("LIMIT before OFFSET (Trino wants OFFSET first)")
    return found


def main(paths: list[str]) -> int:
    bad = checked = 0
    for name in paths:
        path = pathlib.Path(name)
        dialect = dialect_of(path)
        for sql in statements(path.read_text()):
            checked += 1
            for problem in problems(sql, dialect):
                bad += 1
                first = sql.splitlines()[0][:100]
                print(f"{path}: {problem}: {first}")
    print(f"dialect oracle (sqlglot {sqlglot.__version__}): {checked} statements, {bad} problems")
    return 1 if bad or not checked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
