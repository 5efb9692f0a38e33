"""
The Python side of the Python-ImageSpec differential test: real flytekit 1.16.24 importing
generated projects the way `pyflyte register` loads them (project root on sys.path, every module
imported), one JSON request a line on stdin, one JSON answer a line on stdout.

Request: {"_rid": n, "root": dir, "modules": [dotted names], "env": {name: value or null}}
Answer:  {"_rid": n, "ok": true, "tasks": {task name: {"image_name", "id"}},
          "specs": [{"image_name", "id"}]}   every ImageSpec reachable from module globals
      or {"_rid": n, "ok": false, "type": exception class, "message": text}

Task images get flytekit's fast-registration copy handling (pyflyte's default) before naming.
Project package names are unique per request, so one process serves a whole run.
"""

import importlib
import json
import os
import sys
import traceback

from flytekit.configuration import FastSerializationSettings, ImageConfig, SerializationSettings
from flytekit.core.container_task import ContainerTask
from flytekit.core.python_auto_container import PythonAutoContainerTask, update_image_spec_copy_handling
from flytekit.image_spec.image_spec import ImageSpec


def reachable_specs(value, out, depth=0):
    if isinstance(value, ImageSpec):
        out[id(value)] = value
    elif depth < 2 and isinstance(value, (list, tuple)):
        for v in value:
            reachable_specs(v, out, depth + 1)
    elif depth < 2 and isinstance(value, dict):
        for v in value.values():
            reachable_specs(v, out, depth + 1)


_added_roots = []


def _under(module, root):
    f = getattr(module, "__file__", None) or ""
    return f.startswith(root + os.sep)


def handle(req):
    root = req["root"]
    for k, v in req["env"].items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    # Another project may have used the same package names under another root: forget it.
    tops = {m.split(".")[0] for m in req["modules"]}
    for name in [n for n in sys.modules if n.split(".")[0] in tops and not _under(sys.modules[n], root)]:
        del sys.modules[name]
    for p in _added_roots:
        if p != root and p in sys.path:
            sys.path.remove(p)
    if root not in sys.path:
        sys.path.insert(0, root)
        _added_roots.append(root)
    importlib.invalidate_caches()
    settings = SerializationSettings(
        image_config=ImageConfig.auto_default_image(),
        fast_serialization_settings=FastSerializationSettings(enabled=True),
        source_root=root,
    )
    cwd = os.getcwd()
    os.chdir(root)
    try:
        mods = [importlib.import_module(m) for m in req["modules"]]
        tasks = {}
        specs = {}
        for mod in mods:
            for value in list(vars(mod).values()):
                reachable_specs(value, specs)
                image = None
                if isinstance(value, ContainerTask):
                    image = value._image
                elif isinstance(value, PythonAutoContainerTask):
                    image = value.container_image
                if isinstance(image, ImageSpec):
                    update_image_spec_copy_handling(image, settings)
                    tasks[value.name] = {"image_name": image.image_name(), "id": image.id}
        return {
            "ok": True,
            "tasks": tasks,
            "specs": [{"image_name": s.image_name(), "id": s.id} for s in specs.values()],
        }
    finally:
        os.chdir(cwd)


def main():
    out = sys.stdout
    sys.stdout = sys.stderr
    for raw in sys.stdin:
        req = json.loads(raw)
        try:
            ans = handle(req)
        except Exception as e:  # importing the project failed: that is the answer
            ans = {"ok": False, "type": type(e).__name__, "message": str(e)[:500], "tb": traceback.format_exc()[-1500:]}
        ans["_rid"] = req.get("_rid")
        out.write(json.dumps(ans, ensure_ascii=True) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
