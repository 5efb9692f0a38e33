"""Find and name the images of a Flyte 2 project with the project's own `flyte` SDK.

Run by src/flyte2/evaluate.ts through exact_protocol. The request names the paths one would give
`flyte build --all` / `flyte deploy --all` (relative to the working directory, where the CLI would
run), the root dir (`--root-dir`, default: the working directory), the copy style (`--copy-style`)
and whether to walk folders recursively (`-r`). The SDK is initialised from its own config discovery
(`flyte.init_from_config`, as the CLI does), the modules are loaded with the SDK's own loader, and
every loaded environment goes through the SDK's own image pipeline (`plan_deploy`, then
`_build_images`: code bundle layers, image refs from the config, the push registry of a local
build) with one change: the existence check answers "exists" after recording the image it was
asked about, so nothing is checked and nothing is built. Every URI is the SDK's own.
"""

import asyncio
import contextvars
import importlib
import os
import sys
from pathlib import Path

import exact_protocol as proto

_current_env = contextvars.ContextVar("flyte2_current_env", default=None)


class _ImportRecorder:
    """Keeps the exception of each top-level `importlib.import_module` that fails while the SDK's
    loader runs: the loader itself keeps only a message, without the traceback."""

    def __init__(self):
        self.depth = 0
        self.failures = []
        self.real = importlib.import_module

    def __call__(self, name, package=None):
        self.depth += 1
        try:
            return self.real(name, package)
        except BaseException as exc:
            if self.depth == 1:
                self.failures.append((name, exc))
            raise
        finally:
            self.depth -= 1


# Compiled under the SDK's own file name: the SDK walks the stack from inside `__post_init__` to
# find the declaring file (and AppEnvironment its caller), skipping its own frames. A wrapper frame
# from this helper's file would count as user code and change what the SDK records.
_POST_INIT = """
def __post_init__(self, *args, **kwargs):
    result = original(self, *args, **kwargs)
    place(self, sys._getframe(1))
    return result
"""


def _record_declarations(environment_class, cwd):
    """Wraps `Environment.__post_init__` so each environment keeps where it was written: the SDK
    keeps the declaring file (`_declaring_file`) but not the line, which annotations need."""
    original = environment_class.__post_init__
    places = {}

    def place(env, frame):
        declared = getattr(env, "_declaring_file", None)
        if declared is None:
            return
        line = None
        while frame is not None:
            if os.path.abspath(frame.f_code.co_filename) == declared:
                line = frame.f_lineno
                break
            frame = frame.f_back
        places[id(env)] = {"file": proto.relative(declared, cwd), "line": line}

    namespace = {"original": original, "place": place, "sys": sys}
    exec(compile(_POST_INIT, original.__code__.co_filename, "exec"), namespace)
    environment_class.__post_init__ = namespace["__post_init__"]
    return places


def _text_or_none(value):
    return None if value is None else str(value)


def _describe_image(image):
    dockerfile = getattr(image, "dockerfile", None)
    return {
        "uri": image.uri,
        "baseImage": _text_or_none(image.base_image),
        "registry": _text_or_none(image.registry),
        "name": _text_or_none(image.name),
        # an unmodified image is its base image: the SDK never builds it, its hash names nothing
        "tag": None if not image._is_cloned else _text_or_none(image._final_tag),
        "platforms": [str(p) for p in image.platform],
        "pythonVersion": ".".join(str(v) for v in image.python_version),
        "unmodified": not image._is_cloned,
        "dockerfile": None if dockerfile is None else proto.relative(str(dockerfile), os.getcwd()),
        "layers": [type(layer).__name__ for layer in image._layers],
    }


def main(request):
    cwd = os.getcwd()
    max_frames = request.get("maxFrames", 6)

    def describe(exc):
        return proto.describe_exception(exc, cwd, max_frames)

    try:
        import flyte
        import flyte._deploy as deploy
        from flyte._environment import Environment, list_loaded_environments
        from flyte._internal.imagebuild.image_builder import ImageBuildEngine
        from flyte._utils import load_python_modules
    except BaseException as exc:  # no SDK, or one without the internals this helper relies on
        return {"fatal": {"kind": "helper", "exception": describe(exc)}}

    root_dir = Path(request.get("rootDir") or cwd).resolve()
    try:
        flyte.init_from_config(request.get("config"), root_dir=root_dir)
    except BaseException as exc:
        return {"fatal": {"kind": "init", "exception": describe(exc)}}

    places = _record_declarations(Environment, cwd)
    errors = []
    recorder = _ImportRecorder()
    importlib.import_module = recorder
    try:
        for path in request["paths"]:
            before = len(recorder.failures)
            try:
                if not Path(path).exists():  # the CLI refuses it; the SDK's loader would skip it silently
                    raise FileNotFoundError(f"{path} does not exist")
                _, failed = load_python_modules(Path(path), root_dir, bool(request.get("recursive")))
            except BaseException as exc:  # a single file that failed, or a file outside the root
                failed = [(path, exc)]
            caught = recorder.failures[before:]
            for module, exc in caught:
                errors.append({"kind": "import", "path": path, "module": module, "exception": describe(exc)})
            if not caught:
                for where, why in failed:
                    exc = why if isinstance(why, BaseException) else RuntimeError(str(why))
                    errors.append({"kind": "import", "path": str(where), "module": None, "exception": describe(exc)})
    finally:
        importlib.import_module = recorder.real

    seen = {}
    to_build = {}

    async def record(image):
        env_name = _current_env.get()
        # the very Image the engine would build: code bundle resolved, push registry applied
        to_build.setdefault(env_name, image)
        entry = _describe_image(image)
        try:
            image.validate()
        except BaseException as exc:
            entry["invalid"] = describe(exc)
        seen.setdefault(env_name, entry)
        return image.uri

    original_bg = deploy._build_image_bg

    async def build_in_env(env_name, image):
        _current_env.set(env_name)
        return await original_bg(env_name, image)

    ImageBuildEngine.image_exists = staticmethod(record)
    # The engine's build is memoised on the Image: a second environment with an equal image would
    # get the first one's answer without reaching the existence check, and go unrecorded.
    memoised = ImageBuildEngine.__dict__["build"].__func__
    ImageBuildEngine.build = classmethod(getattr(memoised, "__wrapped__", memoised))
    deploy._build_image_bg = build_in_env

    from flyte._initialize import _get_init_config

    cfg = _get_init_config()
    image_refs = dict(cfg.images) if cfg and cfg.images else {}
    environments = []
    # plan_deploy puts an environment in the plan of every environment that depends on it, besides
    # its own: report each environment once (a different one with the same name is still an error).
    reported = set()
    try:
        plans = deploy.plan_deploy(*list_loaded_environments())
    except BaseException as exc:
        errors.append({"kind": "plan", "environments": [], "exception": describe(exc)})
        plans = []
    for plan in plans:
        names = list(plan.envs.keys())
        try:
            cache = asyncio.run(deploy._build_images(plan, image_refs, request.get("copyStyle") or "loaded_modules"))
        except BaseException as exc:
            errors.append({"kind": "image", "environments": names, "exception": describe(exc)})
            continue
        for env_name, env in plan.envs.items():
            if id(env) in reported:
                continue
            reported.add(id(env))
            out = {"env": str(env_name), "type": type(env).__name__}
            if id(env) in places:
                out["source"] = places[id(env)]
            by_ref = env.image == "auto" or getattr(env.image, "_ref_name", None) is not None
            if env_name in seen:
                out["image"] = seen[env_name]
            elif env_name in cache.image_lookup and by_ref:
                # an image ref from the config with no layers of its own: used as the config names it
                out["ref"] = str(cache.image_lookup[env_name])
            elif isinstance(env.image, str) and env.image != "auto":
                out["uri"] = env.image
            elif env.image is None:
                out["none"] = True
            else:
                out["unrecorded"] = True
            environments.append(out)

    builds = []
    if request.get("build") and not errors:
        builds = _build(request["build"], seen, to_build, ImageBuildEngine, describe)

    return {
        "builds": builds,
        "flyte": str(getattr(flyte, "__version__", "")),
        "python": ".".join(str(v) for v in sys.version_info[:3]),
        "rootDir": str(root_dir),
        "environments": environments,
        "errors": errors,
    }


def _build(build, seen, to_build, engine, describe):
    """Builds the named environments' images through the SDK's own engine and builder (`force`:
    the action has asked the registry already), one at a time, in the order given. Each entry may
    set the builder's extra buildx arguments (FLYTE_DOCKER_BUILD_EXTRA_ARGS, which the SDK adds to
    every build, from a Dockerfile or not) for its own build. The URI must still be the one the
    action planned: the build is refused otherwise (the project changed under the run)."""
    import time

    extra_args = "FLYTE_DOCKER_BUILD_EXTRA_ARGS"
    user_extra_args = os.environ.get(extra_args)
    results = []
    stop = False
    for item in build["environments"]:
        env_name = item["env"]
        image = to_build.get(env_name)
        out = {"env": env_name}
        if stop:
            out["status"] = "cancelled"
        elif image is None or env_name not in seen:
            out["status"] = "failed"
            out["message"] = "the flyte SDK did not name an image to build for this environment"
        elif image.uri != item["uri"]:
            out["status"] = "failed"
            out["message"] = "the flyte SDK names this image differently now than when it was checked"
        else:
            value = item.get("extraArgs") or user_extra_args
            if value:
                os.environ[extra_args] = value
            else:
                os.environ.pop(extra_args, None)
            started = time.monotonic()
            try:
                built = asyncio.run(engine.build(image, force=True))
                out["status"] = "built"
                out["uri"] = str(built.uri)
            except BaseException as exc:
                out["status"] = "failed"
                out["exception"] = describe(exc)
            out["ms"] = int((time.monotonic() - started) * 1000)
        if out["status"] == "failed" and build.get("failFast"):
            stop = True
        results.append(out)
    return results


if __name__ == "__main__":
    proto.run(main)
