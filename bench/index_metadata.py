"""PEP 658 metadata for a PEP 503 index directory, as PyPI serves it.

    python index_metadata.py INDEX_DIR

For every wheel in INDEX_DIR/files writes `<wheel>.metadata` (its METADATA file) and, in each
INDEX_DIR/simple/<project>/index.html, adds `data-dist-info-metadata` and `data-core-metadata`
(the sha256 of that file) to the wheel's link. With them an installer resolves from the small
metadata files and downloads each wheel once; without them uv downloads a wheel to read its
metadata and again to install it, which PyPI never makes it do.
"""

import hashlib
import os
import re
import sys
import zipfile


def main() -> None:
    root = sys.argv[1]
    files = os.path.join(root, "files")
    digests = {}
    for name in os.listdir(files):
        if not name.endswith(".whl"):
            continue
        with zipfile.ZipFile(os.path.join(files, name)) as z:
            meta = next(n for n in z.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n))
            data = z.read(meta)
        with open(os.path.join(files, name + ".metadata"), "wb") as f:
            f.write(data)
        digests[name] = hashlib.sha256(data).hexdigest()
    simple = os.path.join(root, "simple")
    for project in os.listdir(simple):
        page = os.path.join(simple, project, "index.html")
        if not os.path.isfile(page):
            continue
        with open(page, encoding="utf-8") as f:
            html = f.read()

        def attrs(m: "re.Match[str]") -> str:
            d = digests.get(m.group(2))
            extra = f' data-dist-info-metadata="sha256={d}" data-core-metadata="sha256={d}"' if d else ""
            return f"{m.group(1)}{extra}"

        html = re.sub(r'(<a href="\.\./\.\./files/([^"#]+)(?:#[^"]*)?")', attrs, html)
        os.remove(page)  # a link to the seed's page: write our own
        with open(page, "w", encoding="utf-8") as f:
            f.write(html)


if __name__ == "__main__":
    main()
