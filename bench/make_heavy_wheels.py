"""Heavy wheels for the network benchmark, made from wheels the local package index already has.

    python make_heavy_wheels.py OUT_DIR COUNT SOURCE.whl [SOURCE.whl ...]

Writes COUNT wheels `bench_heavy_<i>-1.0-py3-none-any.whl`, each holding every file of the source
wheels under `bench_heavy_<i>/`. A real dependency of this size (a deep-learning framework) is
mostly shared libraries; copying them as they are would let a compressor with a long window (zstd
--long, as the cache-mount archive uses) fold the copies into one, which no real set of wheels
allows. So each copy shifts every byte of its non-Python files by its own constant: a bijection on
byte values, which keeps each file exactly as compressible as before (same repeats, same byte
histogram up to renaming) and makes the copies share nothing. Python files stay as they are, so
the install step byte-compiles them as it would real ones.
"""

import base64
import hashlib
import os
import sys
import zipfile


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def members(sources):
    for src in sources:
        with zipfile.ZipFile(src) as z:
            for info in z.infolist():
                top = info.filename.split("/", 1)[0]
                if info.is_dir() or top.endswith(".dist-info") or top.endswith(".data"):
                    continue
                yield info.filename, z.read(info)


def main() -> None:
    out, count, sources = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    os.makedirs(out, exist_ok=True)
    for i in range(1, count + 1):
        pkg = f"bench_heavy_{i}"
        shift = bytes((b + 37 * i) % 256 for b in range(256))
        dist = f"{pkg}-1.0.dist-info"
        path = os.path.join(out, f"{pkg}-1.0-py3-none-any.whl")
        records = []
        with zipfile.ZipFile(path + ".tmp", "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:

            def put(name: str, data: bytes) -> None:
                z.writestr(name, data)
                records.append(f"{name},{record_hash(data)},{len(data)}")

            put(f"{pkg}/__init__.py", b"")
            for name, data in members(sources):
                put(f"{pkg}/{name}", data if name.endswith(".py") else data.translate(shift))
            put(f"{dist}/METADATA", f"Metadata-Version: 2.1\nName: {pkg.replace('_', '-')}\nVersion: 1.0\n".encode())
            put(f"{dist}/WHEEL", b"Wheel-Version: 1.0\nGenerator: imagespec-action-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
            records.append(f"{dist}/RECORD,,")
            z.writestr(f"{dist}/RECORD", "\n".join(records) + "\n")
        os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
