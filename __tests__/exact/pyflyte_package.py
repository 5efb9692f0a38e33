"""The oracle: flytekit's own CLI, unpatched. Runs `pyflyte --pkgs <pkgs> package -s <root> --copy
<copy> -o <tgz>` in the given working directory, then reads every TaskSpec .pb of the package and
prints {task name: container image} as JSON. DOCKER_HOST points nowhere, so flytekit's existence
check fails, it assumes each image exists and builds nothing (registries here are localhost:* or
carry a "/", so no Docker Hub request is made).

Usage: python pyflyte_package.py <cwd> <root> <copy: all|none> <pkg> [<pkg> ...]
"""

import json
import os
import subprocess
import sys
import tarfile
import tempfile

from flyteidl.admin.task_pb2 import TaskSpec


def main():
    cwd, root, copy, pkgs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    pyflyte = os.path.join(os.path.dirname(sys.executable), "pyflyte")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "package.tgz")
        args = [pyflyte]
        for p in pkgs:
            args += ["--pkgs", p]
        args += ["package", "-s", root, "--copy", copy, "-o", out, "-f"]
        env = dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock", PYTHONDONTWRITEBYTECODE="1")
        run = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
        if run.returncode != 0:
            print(json.dumps({"error": run.stdout[-4000:] + run.stderr[-4000:]}))
            return
        images = {}
        with tarfile.open(out) as tar:
            for member in tar.getmembers():
                if member.name.endswith("_1.pb"):
                    spec = TaskSpec()
                    spec.ParseFromString(tar.extractfile(member).read())
                    images[spec.template.id.name] = spec.template.container.image
        print(json.dumps({"images": images}))


main()
