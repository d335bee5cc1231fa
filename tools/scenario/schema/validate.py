#!/usr/bin/python3
"""Checks scenario files against scenarios/schema.json (JSON Schema 2020-12).

Usage: validate.py SCHEMA [--expect-invalid] FILE_OR_DIR...
Every *.json under a directory (but schema.json) is checked. Prints one line per problem:
"<file>: <json path>: <message>". Exit 0 when every file is valid (with --expect-invalid: when
every file is invalid), 1 otherwise, 2 on a usage or reading error.
"""
import json
import pathlib
import sys

import jsonschema


def files_of(args):
    for arg in args:
        p = pathlib.Path(arg)
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*.json") if f.name != "schema.json")
        else:
            yield p


def path_of(error):
    out = "$"
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    schema = json.loads(pathlib.Path(argv[1]).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    expect_invalid = argv[2] == "--expect-invalid"
    wrong = 0
    checked = 0
    for f in files_of(argv[3:] if expect_invalid else argv[2:]):
        checked += 1
        errors = sorted(validator.iter_errors(json.loads(f.read_text(encoding="utf-8"))), key=path_of)
        if expect_invalid and not errors:
            print(f"{f}: valid, but should not be", file=sys.stderr)
            wrong += 1
        elif not expect_invalid and errors:
            for e in errors:
                print(f"{f}: {path_of(e)}: {e.message}", file=sys.stderr)
            wrong += 1
    if checked == 0:
        print("no files to check", file=sys.stderr)
        return 2
    print(f"{checked} files checked, {wrong} not as expected")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
