"""The project's task environments, each with its image.

`etl` runs on an image built from this project's Dockerfile: the flyte SDK names it by the md5 of
the Dockerfile, so it is built again only when the Dockerfile changes. `report` runs on an image
another team publishes: it is used as named, never built here.
"""

import os
from pathlib import Path

import flyte

# CI sets the registry; a developer's machine falls back to the local one the demo starts.
REGISTRY = os.getenv("FLYTE_IMAGE_REGISTRY", "127.0.0.1:5000/flyte")

report = flyte.TaskEnvironment(name="report", image="ghcr.io/acme/reporting:1.4.0")

etl = flyte.TaskEnvironment(
    name="etl",
    image=flyte.Image.from_dockerfile(
        Path(__file__).parent.parent / "images" / "etl" / "Dockerfile",
        registry=REGISTRY,
        name="flyte2-etl",
        platform=("linux/amd64",),
    ),
    # main (flows/pipeline.py) calls a task of report: deploy registers both
    depends_on=[report],
)
