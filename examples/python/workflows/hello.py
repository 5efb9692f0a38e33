"""Two tasks on two images, and a workflow that chains them."""

from flytekit import task, workflow

from .images import base_image, numpy_image


@task(container_image=base_image)
def greet(name: str) -> str:
    return f"hello {name}"


@task(container_image=numpy_image)
def total(n: int) -> float:
    import numpy as np

    return float(np.arange(n).sum())


@workflow
def wf(name: str = "flyte", n: int = 10) -> float:
    greet(name=name)
    return total(n=n)
