"""
The Python side of the differential tests: the real PyYAML and flytekit, answering one JSON request a
line on stdin with one JSON answer a line on stdout, for as long as the test process keeps the pipe
open. One process serves a whole test file, so thousands of cases cost milliseconds each instead of a
flytekit import (over a second) each.

Requests (every one carries a "_rid" that is echoed back):
  {"op": "hello"}                               -> versions and platform.machine()
  {"op": "repr_str", "s": str}                  -> repr(s)
  {"op": "lower", "s": str}                     -> s.lower()
  {"op": "repr_float", "hex": 16 hex digits}    -> repr of the IEEE double with those bytes
  {"op": "format", "fmt": str, "spec_hash": str}-> fmt.format(spec_hash=...) or the exception
  {"op": "yaml", "text": str}                   -> repr(yaml.safe_load(text)) or the exception
  {"op": "spec", "dir": str, "file": str, "sorted_walk": bool}
        -> in `dir` as the working directory: ImageSpec(**yaml.safe_load(open(file))) and its
           tag, image_name(), id, or the exception. `sorted_walk` makes os.walk list
           sub-directories sorted (flytekit's result on a file system that lists them sorted);
           the tests set it only where the real answer depends on the file system.

Strings travel as JSON, which carries lone surrogates as \\udxxx escapes; answers are written with
ensure_ascii so that a lone surrogate in a repr cannot break the UTF-8 pipe.
"""

import json
import os
import platform
import struct
import sys
import traceback

import yaml
import flytekit
from flytekit.image_spec.image_spec import ImageSpec

_real_walk = os.walk


def _sorted_walk(top, topdown=True, onerror=None, followlinks=False):
    for root, dirs, files in _real_walk(top, topdown=topdown, onerror=onerror, followlinks=followlinks):
        dirs.sort()
        yield root, dirs, files


def _error(e):
    line = None
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    if mark is not None:
        line = mark.line + 1
    return {"ok": False, "type": type(e).__name__, "message": str(e)[:2000], "line": line}


def handle(req):
    op = req["op"]
    if op == "hello":
        return {
            "ok": True,
            "python": sys.version.split()[0],
            "pyyaml": yaml.__version__,
            "flytekit": flytekit.__version__,
            "machine": platform.machine(),
        }
    if op == "repr_str":
        return {"ok": True, "repr": repr(req["s"])}
    if op == "lower":
        return {"ok": True, "value": req["s"].lower()}
    if op == "repr_float":
        (x,) = struct.unpack(">d", bytes.fromhex(req["hex"]))
        return {"ok": True, "repr": repr(x)}
    if op == "format":
        try:
            return {"ok": True, "value": req["fmt"].format(spec_hash=req["spec_hash"])}
        except Exception as e:  # the exception type is the answer
            return _error(e)
    if op == "yaml":
        try:
            return {"ok": True, "repr": repr(yaml.safe_load(req["text"]))}
        except Exception as e:
            return _error(e)
    if op == "spec":
        cwd = os.getcwd()
        os.walk = _sorted_walk if req.get("sorted_walk") else _real_walk
        try:
            os.chdir(req["dir"])
            # As pyflyte reads --image spec.yaml: open(path, "r") with the locale encoding (UTF-8 here).
            with open(req["file"], "r", encoding="utf-8") as f:
                spec = ImageSpec(**yaml.safe_load(f))
            return {"ok": True, "tag": spec.tag, "image_name": spec.image_name(), "id": spec.id}
        except Exception as e:
            return _error(e)
        finally:
            os.walk = _real_walk
            os.chdir(cwd)
    return {"ok": False, "type": "BadRequest", "message": f"unknown op {op!r}", "line": None}


def main():
    # Anything flytekit or a library prints must not land in the answer stream.
    out = sys.stdout
    sys.stdout = sys.stderr
    for raw in sys.stdin:
        req = json.loads(raw)
        try:
            ans = handle(req)
        except Exception:  # a bug in this script, not an answer: say so loudly
            ans = {"ok": False, "type": "OracleCrash", "message": traceback.format_exc(), "line": None}
        ans["_rid"] = req.get("_rid")
        out.write(json.dumps(ans, ensure_ascii=True) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
