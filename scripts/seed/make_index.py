#!/usr/bin/env python3
"""Write a PEP 503 "simple" index for a directory of wheels.

usage: make_index.py FILES_DIR OUT_DIR

FILES_DIR holds *.whl files; OUT_DIR/simple/index.html lists the projects and
OUT_DIR/simple/<normalized-name>/index.html links each file as
../../<basename of FILES_DIR>/<file>#sha256=<digest>, with data-requires-python
taken from the wheel's METADATA. FILES_DIR must be OUT_DIR/<something>.
Standard library only.
"""
import hashlib
import html
import os
import re
import sys
import zipfile
from email.parser import HeaderParser


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requires_python(path: str) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            meta = next((n for n in z.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1), None)
            if not meta:
                return ""
            headers = HeaderParser().parsestr(z.read(meta).decode("utf-8", "replace"), headersonly=True)
            return (headers.get("Requires-Python") or "").strip()
    except zipfile.BadZipFile:
        return ""


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main() -> int:
    files_dir, out_dir = (os.path.abspath(p) for p in sys.argv[1:3])
    rel = os.path.relpath(files_dir, out_dir)
    if rel.startswith("..") or "/" in rel:
        sys.exit("FILES_DIR must be a direct child of OUT_DIR")
    projects: dict = {}
    for fn in sorted(os.listdir(files_dir)):
        if fn.endswith(".whl"):
            projects.setdefault(normalize(fn.split("-", 1)[0]), []).append(fn)
    simple = os.path.join(out_dir, "simple")
    os.makedirs(simple, exist_ok=True)
    for name, files in projects.items():
        os.makedirs(os.path.join(simple, name), exist_ok=True)
        links = []
        for fn in files:
            p = os.path.join(files_dir, fn)
            rp = requires_python(p)
            attr = f' data-requires-python="{html.escape(rp)}"' if rp else ""
            links.append(f'<a href="../../{rel}/{html.escape(fn)}#sha256={sha256(p)}"{attr}>{html.escape(fn)}</a><br/>')
        with open(os.path.join(simple, name, "index.html"), "w") as f:
            f.write("<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.0\">"
                    f"<title>Links for {name}</title></head><body><h1>Links for {name}</h1>\n"
                    + "\n".join(links) + "\n</body></html>\n")
    with open(os.path.join(simple, "index.html"), "w") as f:
        f.write("<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.0\">"
                "<title>Simple index</title></head><body>\n"
                + "\n".join(f'<a href="{n}/">{n}</a><br/>' for n in sorted(projects)) + "\n</body></html>\n")
    print(f"{len(projects)} projects, {sum(len(v) for v in projects.values())} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
