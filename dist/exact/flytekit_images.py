"""Find and name the ImageSpecs of a Flyte project with the project's own flytekit.

Run by src/exact/flytekit.ts through exact_protocol. The request names the paths given to
`pyflyte register` (relative to the working directory, where pyflyte would run) and the copy
style ("fast": the default of `pyflyte register`; "none": `--copy none`). The modules are loaded
as flytekit 1.16's register does (project root found by flytekit, the root on sys.path, every
module of the packages imported inside a serialization context), then every entity is serialized
with flytekit's own translator, so `update_image_spec_copy_handling`, `id`, `tag` and
`image_name()` are flytekit's, in flytekit's order. No image is checked or built: every registered
builder is replaced by a stand-in that records the call and builds nothing (the noop builder, which
builds nothing anyway, runs for real, so its image name is the base image as flytekit makes it).
"""

import collections
import importlib
import os
import pkgutil
import sys

import exact_protocol as proto

# Stack frames in these files are flytekit's or the standard library's, never where a spec was written.
_SKIP_FRAME_SUFFIXES = (os.sep + "dataclasses.py", os.sep + "copy.py", os.sep + "functools.py")


def _encode(value, stack=()):
    """A Python value as the tagged tree of src/py/value.ts. Floats and ints travel as text
    (JSON numbers would lose 3.10 vs 3.1 and big ints); anything else is marked opaque."""
    from datetime import date, datetime
    from enum import Enum

    if value is None:
        return {"kind": "none"}
    if isinstance(value, bool):
        return {"kind": "bool", "value": value}
    if isinstance(value, int) and type(value) is int:
        return {"kind": "int", "value": str(value)}
    if isinstance(value, float) and type(value) is float:
        return {"kind": "float", "value": repr(value)}
    if type(value) is str:
        return {"kind": "str", "value": value}
    if id(value) in stack:
        return {"kind": "opaque", "type": "recursive", "repr": "..."}
    inner = stack + (id(value),)
    if type(value) is list:
        return {"kind": "list", "items": [_encode(v, inner) for v in value]}
    if type(value) is tuple:
        return {"kind": "tuple", "items": [_encode(v, inner) for v in value]}
    if type(value) is dict:
        return {"kind": "dict", "entries": [[_encode(k, inner), _encode(v, inner)] for k, v in value.items()]}
    if isinstance(value, Enum) and isinstance(value.value, int) and type(value.value) is int:
        return {"kind": "enum", "cls": type(value).__name__, "member": value.name, "value": str(value.value)}
    if type(value) is datetime:
        offset = value.utcoffset()
        out = {"kind": "datetime", "value": value.isoformat()}
        if offset is not None:
            out["utcOffsetSeconds"] = int(offset.total_seconds())
        return out
    if type(value) is date:
        return {"kind": "date", "value": value.isoformat()}
    try:
        text = repr(value)
    except BaseException:
        text = "<unprintable>"
    return {"kind": "opaque", "type": type(value).__qualname__, "repr": proto._clip(text, proto.TEXT_LIMIT)}


def _position(frame):
    """(file, line, column) of the call being executed in frame: the whole call expression's start,
    as Python 3.11+ records it (1-based column in code points); Python 3.10 gives no column."""
    import linecache

    filename, line, col = frame.f_code.co_filename, frame.f_lineno, None
    positions = getattr(frame.f_code, "co_positions", None)
    if positions is not None:
        try:
            start_line, _, start_col, _ = list(positions())[frame.f_lasti // 2]
            if start_line is not None and start_col is not None:
                text = linecache.getline(filename, start_line).encode("utf-8")
                line, col = start_line, len(text[:start_col].decode("utf-8", "replace")) + 1
        except (IndexError, ValueError):
            pass
    return filename, line, col


class _Sites:
    """Where each ImageSpec object was created: the first stack frame outside flytekit and the
    standard library. Keyed by the object's identity, never by its hash: ImageSpec.__hash__ computes
    and caches `id`, which must only happen after flytekit's copy handling."""

    def __init__(self, flytekit_dir):
        self.flytekit_dir = flytekit_dir + os.sep
        self.by_object = {}
        self.recording = True

    def note(self, spec):
        if not self.recording or id(spec) in self.by_object:
            return
        frame = sys._getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            generated = filename == "<string>" and frame.f_code.co_name == "__init__"  # the dataclass __init__
            internal = filename.startswith(self.flytekit_dir) or filename.endswith(_SKIP_FRAME_SUFFIXES)
            if not (generated or internal or filename == __file__):
                break
            frame = frame.f_back
        site = None if frame is None else _position(frame)
        self.by_object[id(spec)] = (spec, site)

    def site(self, spec):
        hit = self.by_object.get(id(spec))
        return None if hit is None or hit[0] is not spec else hit[1]


def _loaded_source_files(image_spec):
    """The files flytekit's default builder copies into the image for `source_copy_mode`
    LOADED_MODULES (what `--copy none` sets): its own `ls_files` over the modules loaded now,
    relative to source_root. Only the interpreter that imported the project can list them; other
    modes are listed by the action itself. None when nothing is copied this way."""
    from flytekit.constants import CopyFileDetection
    from flytekit.tools.ignore import DockerIgnore, GitIgnore, IgnoreGroup, StandardIgnore
    from flytekit.tools.script_mode import ls_files

    if image_spec.source_copy_mode != CopyFileDetection.LOADED_MODULES or not image_spec.source_root:
        return None
    root = str(image_spec.source_root)
    ignore = IgnoreGroup(root, [GitIgnore, DockerIgnore, StandardIgnore])
    files, _ = ls_files(root, CopyFileDetection.LOADED_MODULES, deref_symlinks=False, ignore_group=ignore)
    return [os.path.relpath(f, root) for f in files]


def _install_builders(ImageBuildEngine, NoOpBuilder, ImageSpecBuilder, built):
    """Replace every builder by a stand-in: flytekit's build engine still runs (deep copy, nested
    base built first, real-name bookkeeping) but nothing is checked or built."""

    class Recorder(ImageSpecBuilder):
        def __init__(self, name, real):
            self.name = name
            self.real = real

        def should_build(self, image_spec):
            return True

        def build_image(self, image_spec):
            base = image_spec.base_image  # a nested base is already replaced by the name it was built under
            name = image_spec.image_name()
            # What is built is this copy, in its state of now: kept whole, because a base can be
            # built (as a base) in a state its own record no longer has (see main).
            call = {"builder": self.name, "imageName": name, "baseName": base, "realName": name, "id": image_spec.id}
            call["tag"] = image_spec.tag
            call["fields"] = {field: _encode(getattr(image_spec, field)) for field in image_spec.__dataclass_fields__}
            # Listed when flytekit would build, with the modules loaded then, as its builder lists them.
            call["sourceFiles"] = _loaded_source_files(image_spec)
            built.append(call)
            if isinstance(self.real, NoOpBuilder):
                call["realName"] = self.real.build_image(image_spec)
                return call["realName"]
            return None

    registry = ImageBuildEngine._REGISTRY
    for name, (builder, priority) in list(registry.items()):
        registry[name] = (Recorder(name, builder), priority)

    original = ImageBuildEngine._get_builder.__func__
    unregistered = set()

    def get_builder(cls, builder):
        if builder is not None and builder not in cls._REGISTRY:
            # flytekit would stop here ("Image builder X is not registered"); the action still
            # names the image and reports the builder as missing from this interpreter.
            unregistered.add(builder)
            return Recorder(builder, None)
        return original(cls, builder)

    ImageBuildEngine._get_builder = classmethod(get_builder)
    return unregistered


def _project_modules(root, flytekit_dir):
    """Modules loaded from files under the project root, in import order: where named specs live.
    The exclusions are those of flytekit's list_imported_modules_as_files."""
    import site

    def _file_is_in_directory(path, directory):
        try:
            return os.path.commonpath([os.path.realpath(path), os.path.realpath(directory)]) == os.path.realpath(directory)
        except ValueError:
            return False

    invalid = [flytekit_dir, sys.prefix, sys.base_prefix]
    try:
        invalid.append(site.getusersitepackages())
        invalid.extend(site.getsitepackages())
    except AttributeError:
        pass
    out = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not _file_is_in_directory(path, root):
            continue
        if any(_file_is_in_directory(path, d) for d in invalid if d):
            continue
        out.append((name, module))
    return out


def _specs_in(value, name, ImageSpec):
    """A module global that is an ImageSpec, or a list, tuple or dict holding some (one level, as
    `images[0]` / `images["gpu"]` in real projects): (dotted path, spec) pairs."""
    if isinstance(value, ImageSpec):
        return [(name, value)]
    if type(value) in (list, tuple):
        return [(f"{name}.{i}", v) for i, v in enumerate(value) if isinstance(v, ImageSpec)]
    if type(value) is dict:
        return [
            (f"{name}.{k if isinstance(k, str) else i}", v)
            for i, (k, v) in enumerate(value.items())
            if isinstance(v, ImageSpec)
        ]
    return []


def _task_image(entity, PythonAutoContainerTask, ContainerTask):
    if isinstance(entity, PythonAutoContainerTask):
        return entity.container_image
    if isinstance(entity, ContainerTask):
        return entity._image
    return None


def _task_key_parts(entity):
    """(module, function) for a task function; (module, variable) for other tasks."""
    fn = getattr(entity, "task_function", None)
    if fn is not None:
        return getattr(fn, "__module__", None), getattr(fn, "__name__", None)
    module = getattr(entity, "instantiated_in", None)
    try:
        lhs = entity.lhs
    except BaseException:
        lhs = None
    return module, lhs


def _serialized_image(model, entity):
    template = getattr(model, "template", None)
    if template is None:
        return None
    if template.container is not None:
        return template.container.image
    pod = getattr(template, "k8s_pod", None)
    spec = getattr(pod, "pod_spec", None) if pod is not None else None
    if isinstance(spec, dict):
        primary = getattr(getattr(entity, "pod_template", None), "primary_container_name", None)
        for container in spec.get("containers", []):
            if container.get("name") == primary:
                return container.get("image")
    return None


def main(request):
    cwd = os.getcwd()
    paths = request["paths"]
    copy_style = request["copy"]
    max_frames = int(request.get("maxFrames", 6))

    def failure(kind, exc, **extra):
        out = {"kind": kind, "exception": proto.describe_exception(exc, cwd, max_frames)}
        out.update(extra)
        return out

    try:
        import flytekit
        from flytekit.configuration import FastSerializationSettings, ImageConfig, SerializationSettings
        from flytekit.core.base_task import PythonTask
        from flytekit.core.container_task import ContainerTask
        from flytekit.core.context_manager import FlyteContextManager, FlyteEntities
        from flytekit.core.python_auto_container import PythonAutoContainerTask
        from flytekit.image_spec.image_spec import ImageBuildEngine, ImageSpec, ImageSpecBuilder
        from flytekit.image_spec.noop_builder import NoOpBuilder
        from flytekit.tools import module_loader
        from flytekit.tools.repo import find_common_root, list_packages_and_modules
        from flytekit.tools.translator import get_serializable
    except BaseException as exc:
        return {"fatal": failure("flytekit", exc)}

    flytekit_dir = os.path.dirname(flytekit.__file__)
    versions = {"flytekit": flytekit.__version__, "python": ".".join(map(str, sys.version_info[:3]))}
    try:
        resolved = [os.path.realpath(p) for p in paths]
        root = str(find_common_root(resolved))
        pkgs = list_packages_and_modules(root, resolved)
    except BaseException as exc:
        return {"fatal": failure("root", exc), **versions}

    sites = _Sites(flytekit_dir)
    original_post_init = ImageSpec.__post_init__

    def post_init(self):
        sites.note(self)
        original_post_init(self)

    ImageSpec.__post_init__ = post_init
    built = []
    unregistered = _install_builders(ImageBuildEngine, NoOpBuilder, ImageSpecBuilder, built)

    errors = []
    try:
        image_config = ImageConfig.auto_default_image()
    except BaseException as exc:
        return {"fatal": failure("flytekit", exc), **versions}
    # As `pyflyte register` builds them; project/domain/version do not enter image names.
    settings = SerializationSettings(
        project="exact", domain="exact", version="exact", image_config=image_config, fast_serialization_settings=None
    )
    settings.source_root = root

    # flytekit's serialize_load_only and just_load_modules, except that one failing module does not
    # hide the others: each failure is reported with its module.
    ctx_builder = FlyteContextManager.current_context().with_serialization_settings(settings)
    with FlyteContextManager.with_context(ctx_builder):
        with module_loader.add_sys_path(root):
            for package_name in pkgs:
                current = package_name
                try:
                    package = importlib.import_module(package_name)
                    if not hasattr(package, "__path__"):
                        continue
                    walk = pkgutil.walk_packages(
                        package.__path__, prefix=f"{package_name}.", onerror=module_loader.module_load_error_handler
                    )
                    for _, name, _ in walk:
                        current = name
                        try:
                            importlib.import_module(name)
                        except BaseException as exc:
                            errors.append(failure("import", exc, module=name))
                    current = None
                except BaseException as exc:
                    errors.append(failure("import", exc, module=current))
    sites.recording = False

    if copy_style == "fast":
        settings.fast_serialization_settings = FastSerializationSettings(
            enabled=True, destination_dir=".", distribution_location="flyte://exact/fast.tar.gz"
        )

    # flytekit's get_registrable_entities, one entity at a time so one failure does not hide the rest.
    mapping = collections.OrderedDict()
    ctx_builder = FlyteContextManager.current_context().with_serialization_settings(settings)
    entities = FlyteEntities.entities.copy()
    with FlyteContextManager.with_context(ctx_builder):
        for entity in entities:
            if not isinstance(entity, PythonTask) and not hasattr(entity, "nodes"):
                continue
            try:
                get_serializable(mapping, settings, entity, options=None)
            except BaseException as exc:
                errors.append(failure("serialize", exc, entity=proto._clip(getattr(entity, "name", None), proto.TEXT_LIMIT)))

    # Every spec object: those tasks use (in entity order), then module globals.
    specs = []  # [spec, record]
    index = {}

    def number_of(spec):
        hit = index.get(id(spec))
        if hit is not None and hit[0] is spec:
            return hit[1]
        index[id(spec)] = (spec, len(specs))
        specs.append((spec, {"usedBy": [], "baseOf": [], "bindings": []}))
        return len(specs) - 1

    def record_for(spec):
        return specs[number_of(spec)][1]

    for entity in entities:
        if not isinstance(entity, PythonTask):
            continue
        image = _task_image(entity, PythonAutoContainerTask, ContainerTask)
        if not isinstance(image, ImageSpec):
            continue
        record = record_for(image)
        module, function = _task_key_parts(entity)
        model = mapping.get(entity)
        record["usedBy"].append(
            {
                "task": proto._clip(entity.name, proto.TEXT_LIMIT),
                "module": module if isinstance(module, str) else None,
                "function": function if isinstance(function, str) else None,
                "image": _serialized_image(model, entity) if model is not None else None,
            }
        )

    for module_name, module in _project_modules(root, flytekit_dir):
        try:
            names = list(vars(module).items())
        except BaseException:
            continue
        for variable, value in names:
            for path, spec in _specs_in(value, variable, ImageSpec):
                record_for(spec)["bindings"].append(
                    {"module": module_name, "variable": path, "file": proto.relative(module.__file__, cwd)}
                )

    # Nested base specs are built before their children, whether a task uses them or not.
    position = 0
    while position < len(specs):
        spec, record = specs[position]
        position += 1
        base = spec.base_image
        if isinstance(base, ImageSpec):
            record_for(base)["baseOf"].append(position - 1)

    images = []
    for number, (spec, record) in enumerate(specs):
        site = sites.site(spec)
        out = {
            "ref": number,
            "usedBy": record["usedBy"],
            "baseOf": record["baseOf"],
            "bindings": record["bindings"],
            "site": None if site is None else {"file": proto.relative(site[0], cwd), "line": site[1], "col": site[2]},
            "fields": {},
            "baseRef": None,
        }
        for field in spec.__dataclass_fields__:
            value = getattr(spec, field)
            if field == "base_image" and isinstance(value, ImageSpec):
                out["baseRef"] = number_of(value)
                out["fields"][field] = {"kind": "none"}
                continue
            out["fields"][field] = _encode(value)
        try:
            out["id"] = spec.id
            out["tag"] = spec.tag
            out["imageName"] = f"{spec.registry}/{spec.name}:{spec.tag}" if spec.registry else f"{spec.name}:{spec.tag}"
            out["realName"] = spec.image_name()
        except BaseException as exc:
            out["error"] = proto.describe_exception(exc, cwd, max_frames)
        images.append(out)

    # A spec's tag and id are cached when first computed. Under --copy none, a base spec that a task
    # also uses can be named and built (as a base) before its own copy handling changes it: flytekit
    # then builds it under two names. The state it was built in as a base becomes a record of its
    # own (a base-only image of the specs built on it).
    snapshots = {}
    for out in list(images):
        if out["baseRef"] is None or "imageName" not in out:
            continue
        base_record = images[out["baseRef"]]
        parent_call = next((c for c in built if c["imageName"] == out["imageName"]), None)
        if parent_call is None or not isinstance(parent_call["baseName"], str):
            continue
        if parent_call["baseName"] == base_record.get("imageName"):
            continue
        snap = next((c for c in built if c["imageName"] == parent_call["baseName"]), None)
        if snap is None:
            out["staleBase"] = parent_call["baseName"]
            continue
        ref = snapshots.get(snap["imageName"])
        if ref is None:
            ref = snapshots[snap["imageName"]] = len(images)
            images.append(
                {
                    "ref": ref,
                    "usedBy": [],
                    "baseOf": [],
                    "bindings": [],
                    "site": base_record["site"],
                    "fields": snap["fields"],
                    "baseRef": None,
                    "id": snap["id"],
                    "tag": snap["tag"],
                    "imageName": snap["imageName"],
                    "realName": snap["realName"],
                }
            )
        images[ref]["baseOf"].append(out["ref"])
        if out["ref"] in base_record["baseOf"]:
            base_record["baseOf"].remove(out["ref"])
        out["baseRef"] = ref

    # What flytekit's builder would copy from source_root, for the images it built that way.
    listed = {c["imageName"]: c["sourceFiles"] for c in built if c["sourceFiles"] is not None}
    for out in images:
        if out.get("imageName") in listed:
            out["sourceFiles"] = listed[out["imageName"]]

    return {
        **versions,
        "root": proto.relative(root, cwd),
        "modules": pkgs,
        "images": images,
        "built": [{"imageName": c["imageName"]} for c in built],
        "unregisteredBuilders": sorted(unregistered),
        "errors": errors,
    }


if __name__ == "__main__":
    proto.run(main)
