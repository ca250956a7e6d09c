#!/usr/bin/env python3
"""Prints tests/authorization_matrix.txt as the markdown table of
docs/AUTHORIZATION.md: one line per method, one column per role, each cell
"own / other".

    python3 tools/authz/matrix_markdown.py > /tmp/matrix.md
    # then replace the table between the "matrix:begin" and "matrix:end"
    # markers of docs/AUTHORIZATION.md with it, or in one go:
    python3 tools/authz/matrix_markdown.py --update docs/AUTHORIZATION.md

The parser here reads only what the table needs; the test
(tests/fixtures/authorization_matrix.h) is the one that checks the file.
"""
import pathlib
import sys

ROLES = ["case_manager", "supervisor", "monitoring_officer", "administrator",
         "partner_agency", "service"]
HEADERS = ["case manager", "supervisor", "monitoring officer",
           "administrator", "partner agency", "service (key)"]
BEGIN = "<!-- matrix:begin (tools/authz/matrix_markdown.py) -->"
END = "<!-- matrix:end -->"


def rows(text):
    row = None
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] == "method":
            if row:
                yield row
            row = {"method": words[1], "cells": {}}
        elif words[0] in ROLES and row is not None:
            row["cells"][words[0]] = (words[1], words[2])
    if row:
        yield row


def table(text):
    out = ["| Method | " + " | ".join(HEADERS) + " |",
           "|---" * (len(ROLES) + 1) + "|"]
    service = None
    for row in rows(text):
        name = row["method"].removeprefix("homeward.v1.")
        svc, method = name.split("/")
        if svc != service:
            out.append("| **%s** |%s" % (svc, " |" * len(ROLES)))
            service = svc
        cells = []
        for role in ROLES:
            own, other = row["cells"].get(role, ("?", "?"))
            cells.append(own if own == other else "%s / %s" % (own, other))
        out.append("| %s | %s |" % (method, " | ".join(cells)))
    return "\n".join(out) + "\n"


def main(argv):
    root = pathlib.Path(__file__).resolve().parents[2]
    text = (root / "tests" / "authorization_matrix.txt").read_text()
    md = table(text)
    if len(argv) == 3 and argv[1] == "--update":
        doc = pathlib.Path(argv[2])
        content = doc.read_text()
        start = content.index(BEGIN) + len(BEGIN)
        end = content.index(END)
        doc.write_text(content[:start] + "\n" + md + content[end:])
    else:
        sys.stdout.write(md)


if __name__ == "__main__":
    main(sys.argv)
