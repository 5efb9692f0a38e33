"""The oracle of the Flyte 2 tests: each environment's image URI as the `flyte` SDK computes it,
read directly (`Image.uri` of the image a module-level TaskEnvironment holds, after the push
registry a local build adds), without the SDK's loader, planner or build engine that the engine
under test goes through.

Usage: python sdk_uris.py <root> <module>... (run in the project folder); prints JSON {env: uri}.
"""

import importlib
import json
import sys

root, modules = sys.argv[1], sys.argv[2:]
sys.path.insert(0, root)
import flyte  # noqa: E402
from flyte._image import _get_push_registry  # noqa: E402

out = {}
for name in modules:
    module = importlib.import_module(name)
    for value in vars(module).values():
        if isinstance(value, flyte.TaskEnvironment) and value.name not in out:
            image = value.image
            if isinstance(image, str):
                out[value.name] = image
                continue
            if image._is_cloned and not image.registry and _get_push_registry():
                image = image.clone(registry=_get_push_registry())
            out[value.name] = image.uri
print(json.dumps(out))
