"""The project's task images, written the way most Flyte projects write them: in Python."""

import os

from flytekit import ImageSpec

# CI sets the registry; a developer's machine falls back to the local one the demo starts.
REGISTRY = os.getenv("FLYTE_IMAGE_REGISTRY", "127.0.0.1:5000/flyte")
PIP_INDEX = "http://127.0.0.1:3141/simple"

base_image = ImageSpec(
    name="flyte-py-base",
    registry=REGISTRY,
    python_version="3.11",
    base_image="python:3.11-slim-bookworm",
    python_exec="/usr/local/bin/python",
    pip_index=PIP_INDEX,
    packages=["pyyaml"],
)

# The same base with numpy on top: a second image, same name, its own tag.
numpy_image = base_image.with_packages(["numpy"])

# Defined but used by no task: pyflyte never builds it, and neither does the action.
experimental_image = ImageSpec(name="flyte-py-experimental", registry=REGISTRY, packages=["requests"])
