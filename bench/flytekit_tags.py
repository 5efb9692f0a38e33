"""flytekit's side of the plan benchmark: the image name of every spec file, computed the way
`pyflyte --image spec.yaml` computes it, in one Python process.

    python flytekit_tags.py <working-directory> <spec file>...     (paths relative to the directory)

Prints one JSON object: {"images": {file: image_name or "error: ..."}, "import_ms", "loop_ms",
"maxrss_kb", "flytekit"}. The import is timed apart, since pyflyte pays it once per run whatever
the number of specs.
"""

import json
import os
import resource
import sys
import time

t0 = time.perf_counter()
import yaml  # noqa: E402
import flytekit  # noqa: E402
from flytekit.image_spec.image_spec import ImageSpec  # noqa: E402

t1 = time.perf_counter()

os.chdir(sys.argv[1])
out = sys.stdout
sys.stdout = sys.stderr  # whatever flytekit prints must not land in the answer
images = {}
for name in sys.argv[2:]:
    try:
        with open(name, "r", encoding="utf-8") as f:
            images[name] = ImageSpec(**yaml.safe_load(f)).image_name()
    except Exception as e:  # noqa: BLE001 - a difference to report, not a crash
        images[name] = f"error: {type(e).__name__}: {e}"
t2 = time.perf_counter()

out.write(
    json.dumps(
        {
            "images": images,
            "import_ms": (t1 - t0) * 1000,
            "loop_ms": (t2 - t1) * 1000,
            "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "flytekit": flytekit.__version__,
        }
    )
    + "\n"
)
