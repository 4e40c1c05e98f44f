"""Proves that ODCS data contracts are valid: run by scripts/check-contracts.sh
inside its pinned virtual environment, never directly.

Each contract is checked three ways:
  1. against the official ODCS JSON schema shipped in the PyPI package
     `open-data-contract-standard` (its `schema.json`), strictly (unknown
     fields are errors);
  2. against the JSON schema of the exact ODCS version the contract declares in
     `apiVersion`, as bundled in `datacontract-cli`, strictly too;
  3. with `datacontract lint`, called in-process (the same code the command runs,
     without paying for a Python start per file); its warnings count as failures.

Usage: check_contracts.py [--no-projects] [PATH...]
  Without --no-projects, checks every projects/**/contracts/*.yaml of the
  repository. Each PATH is a contract file, or a directory whose
  **/contracts/*.yaml files are checked. Prints one line per file; exits 1 when
  a contract fails, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.resources
import json
import logging
import sys
from pathlib import Path

import jsonschema
import yaml
from jsonschema.exceptions import best_match

ROOT = Path(__file__).resolve().parent.parent


class _Loader(yaml.SafeLoader):
    """YAML as JSON sees it: dates stay strings, and a key given twice is an error."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    mapping = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _json_path(path) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _validator(schema: dict):
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _schema_errors(validator, document) -> list[str]:
    errors = []
    for error in sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
        # A oneOf/anyOf failure says little by itself; name the closest branch's reason.
        if error.context:
            error = best_match(error.context) or error
        message = error.message if len(error.message) <= 300 else error.message[:300] + " ..."
        errors.append(f"{_json_path(error.absolute_path)}: {message}")
    return list(dict.fromkeys(errors))


def _contract_files(paths: list[Path]) -> list[Path]:
    files = []
    for path in paths:
        if path.is_dir():
            files += [p for p in path.rglob("*.y*ml") if p.parent.name == "contracts" and p.suffix in (".yaml", ".yml")]
        else:
            files.append(path)
    return sorted(dict.fromkeys(files))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main() -> int:
    parser = argparse.ArgumentParser(description="Validate ODCS data contracts.")
    parser.add_argument("paths", nargs="*", type=Path, help="further contract files or directories")
    parser.add_argument("--no-projects", action="store_true", help="skip the contracts under projects/")
    args = parser.parse_args()

    missing = [p for p in args.paths if not p.exists()]
    if missing:
        print(f"error: no such file or directory: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    files = _contract_files(([] if args.no_projects else [ROOT / "projects"]) + args.paths)
    if not files:
        print("error: no contract to check", file=sys.stderr)
        return 2

    # datacontract-cli logs validation details on stderr; the report below says it all.
    logging.disable(logging.CRITICAL)
    from datacontract.data_contract import DataContract
    from datacontract.lint.resolve import ODCS_SCHEMA_VERSIONS

    odcs_package = importlib.resources.files("open_data_contract_standard")
    official = _validator(json.loads(odcs_package.joinpath("schema.json").read_text(encoding="utf-8")))
    bundled = importlib.resources.files("datacontract").joinpath("schemas")
    declared_validators: dict[str, object] = {}

    versions = {name: importlib.metadata.version(name) for name in ("open-data-contract-standard", "datacontract-cli", "jsonschema")}
    print(
        f"== {len(files)} ODCS contracts: schema.json of open-data-contract-standard {versions['open-data-contract-standard']}, "
        f"the declared apiVersion's schema and lint of datacontract-cli {versions['datacontract-cli']}, "
        f"jsonschema {versions['jsonschema']}"
    )

    failed = 0
    for path in files:
        problems: list[str] = []
        api_version = "?"
        try:
            document = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        except yaml.MarkedYAMLError as e:
            document = None
            mark = e.problem_mark or e.context_mark
            where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
            problems.append(f"yaml: {where}{e.problem or e.context}")
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
            document = None
            problems.append(f"yaml: {' '.join(str(e).split())}")
        if document is not None and not isinstance(document, dict):
            problems.append("yaml: the contract is not a YAML mapping")
        elif document is not None:
            api_version = str(document.get("apiVersion", "?"))
            problems += [f"schema.json: {e}" for e in _schema_errors(official, document)]
            schema_version = ODCS_SCHEMA_VERSIONS.get(api_version)
            if schema_version is None:
                problems.append(
                    f"apiVersion: {api_version!r} is none of the ODCS versions datacontract-cli knows "
                    f"({', '.join(ODCS_SCHEMA_VERSIONS)})"
                )
            else:
                if schema_version not in declared_validators:
                    text = bundled.joinpath(f"odcs-{schema_version}.schema.json").read_text(encoding="utf-8")
                    declared_validators[schema_version] = _validator(json.loads(text))
                problems += [
                    f"odcs-{schema_version}.schema.json: {e}"
                    for e in _schema_errors(declared_validators[schema_version], document)
                ]
            run = DataContract(data_contract_file=str(path), inline_references=True, all_errors=True).lint()
            for check in run.checks:
                result = getattr(check.result, "value", check.result)
                if result != "passed":
                    where = ".".join(x for x in (check.model, check.field) if x)
                    reason = " ".join(str(check.reason or "").split())
                    problems.append(f"datacontract lint: {result}: {check.name}{f' ({where})' if where else ''}: {reason}")
        if problems:
            failed += 1
            print(f"FAIL {_display(path)}")
            for problem in problems:
                print(f"     {problem}")
        else:
            print(f"ok   {_display(path)} (ODCS {api_version})")

    if failed:
        print(f"== {failed} of {len(files)} contracts are not valid ODCS")
        return 1
    print(f"== all {len(files)} contracts are valid ODCS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
