"""The action's side of a helper run in the user's Python interpreter (see src/exact/interpreter.ts).

Usage: python <helper.py> <request.json> <result.json>. The helper imports this module first and
calls run(handler). This module sets the memory bound, takes the helper's own folder off sys.path
(the user's code must import as it would under pyflyte, not next to the helper), reads the request,
and writes {"protocol": 1, "ok": true, "result": ...} or {"protocol": 1, "ok": false, "error": ...}
to the result file through a rename, so a killed process never leaves half a result.
stdout and stderr belong to the user's code; the action keeps a bounded part of them as a log.
"""

import json
import os
import sys
import traceback

PROTOCOL = 1
MESSAGE_LIMIT = 4000
TEXT_LIMIT = 400


def _limit_memory(limit_bytes):
    if not limit_bytes:
        return
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the time bound still holds
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    want = limit_bytes if hard == resource.RLIM_INFINITY else min(limit_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (want, hard))


def _clip(text, limit):
    if text is None:
        return None
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "..."


def _safe_str(value):
    try:
        return str(value)
    except BaseException:  # a user exception whose __str__ fails
        return "<unprintable>"


def relative(path, base):
    """A path relative to base when it lies under it; otherwise the absolute path."""
    if path is None:
        return None
    try:
        absolute = os.path.realpath(path)
        rel = os.path.relpath(absolute, base)
    except (ValueError, OSError):
        return path
    if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
        return absolute
    return rel.replace(os.sep, "/")


def describe_exception(exc, base, max_frames=6):
    """An exception as data: qualified type, message, the traceback's last frames, and for a
    SyntaxError the offending place (which the traceback does not contain)."""
    cls = type(exc)
    module = getattr(cls, "__module__", "")
    qualified = cls.__qualname__ if module in ("builtins", "", None) else f"{module}.{cls.__qualname__}"
    import importlib

    here = os.path.dirname(os.path.abspath(__file__)) + os.sep
    importlib_dir = os.path.dirname(importlib.__file__) + os.sep
    frames = []
    own = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if not f.filename.startswith(("<frozen ", here, importlib_dir))
    ]
    for frame in own[-max_frames:]:
        frames.append(
            {
                "file": relative(frame.filename, base),
                "line": frame.lineno,
                "function": _clip(frame.name, TEXT_LIMIT),
                "text": _clip(frame.line, TEXT_LIMIT),
            }
        )
    out = {"type": qualified, "message": _clip(_safe_str(exc), MESSAGE_LIMIT), "frames": frames}
    if isinstance(exc, SyntaxError):
        out["syntax"] = {
            "file": relative(exc.filename, base),
            "line": exc.lineno,
            "col": exc.offset,
            "text": _clip(exc.text, TEXT_LIMIT),
        }
        out["message"] = _clip(exc.msg, MESSAGE_LIMIT)
    return out


def _write(path, payload):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(payload, f, ensure_ascii=True, allow_nan=False)
    os.replace(tmp, path)


def run(handler):
    request_path, result_path = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    with open(request_path, "r", encoding="utf-8") as f:
        request = json.load(f)
    _limit_memory(request.get("memoryBytes"))
    try:
        payload = {"protocol": PROTOCOL, "ok": True, "result": handler(request)}
    except BaseException as exc:  # the helper itself failed: report, do not crash without a result
        payload = {"protocol": PROTOCOL, "ok": False, "error": describe_exception(exc, os.getcwd())}
    _write(result_path, payload)
    sys.stdout.flush()
    sys.stderr.flush()
    # User code may have started threads or atexit handlers that hang; the result is written.
    os._exit(0)
