"""flytekit's side of the Python-ImageSpec benchmark: what `pyflyte register` does before it builds,
in one process: import every module of the project (project root on sys.path) and ask each task
for its image name.

    python flytekit_task_images.py <project root> <module>...

Prints one JSON object: {"tasks": {task name: [image_name, id]}, "import_ms", "ms", "flytekit"}.
"""

import json
import sys
import time

t0 = time.perf_counter()
import flytekit  # noqa: E402
from flytekit.core.python_auto_container import PythonAutoContainerTask  # noqa: E402
from flytekit.image_spec.image_spec import ImageSpec  # noqa: E402
import importlib  # noqa: E402

t1 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
out = sys.stdout
sys.stdout = sys.stderr  # whatever user code prints must not land in the answer
tasks = {}
for name in sys.argv[2:]:
    module = importlib.import_module(name)
    for attr, value in vars(module).items():
        if isinstance(value, PythonAutoContainerTask) and isinstance(value.container_image, ImageSpec):
            spec = value.container_image
            tasks[f"{name}.{attr}"] = [spec.image_name(), spec.id]
t2 = time.perf_counter()
out.write(
    json.dumps(
        {
            "tasks": tasks,
            "import_ms": (t1 - t0) * 1000,
            "ms": (t2 - t0) * 1000,
            "flytekit": flytekit.__version__,
        }
    )
)
