"""
Parser evidence for docs/python-parser.md: walk a directory of Python files and write, for every
file this CPython parses, the facts the static ImageSpec engine relies on: the position of every
call, name, attribute, subscript, container, f-string and binary operation, the position and
value of every str constant, and the position of every number (whose value is read from the
source text). compare.cjs parses the same files with py-ast and counts the differences.

    python3.13 facts.py <dir> <out.json>
"""

import ast
import json
import os
import sys

KINDS = ("Call", "Name", "Attribute", "JoinedStr", "Subscript", "Dict", "List", "Tuple", "BinOp")

root, out_path = sys.argv[1], sys.argv[2]
out = []
for dirpath, dirnames, filenames in os.walk(root):
    dirnames.sort()
    for fn in sorted(filenames):
        if not fn.endswith(".py"):
            continue
        p = os.path.join(dirpath, fn)
        try:
            with open(p, encoding="utf-8") as f:
                tree = ast.parse(f.read())
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        facts = []
        for n in ast.walk(tree):
            t = type(n).__name__
            loc = [n.lineno, n.col_offset, n.end_lineno, n.end_col_offset] if hasattr(n, "lineno") else None
            if t in KINDS:
                facts.append([t, *loc])
            elif t == "Constant" and isinstance(n.value, str):
                facts.append(["Str", *loc, n.value])
            elif t == "Constant" and type(n.value) in (int, float):
                facts.append(["Num", *loc])
        out.append({"file": p, "facts": facts})
with open(out_path, "w") as f:
    json.dump(out, f, ensure_ascii=True)
print(len(out), "files")
