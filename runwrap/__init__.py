"""runwrap: record ML runs without changing the program; `runwrap.init()` speaks wandb's API.

The in-process API is loaded on first use (module `__getattr__`), so `import runwrap` and the
CLI stay fast. `runwrap.run`, `runwrap.config` and `runwrap.summary` follow the current run.
"""

__version__ = "0.1.0"

# name -> (module, attribute): loaded once, then cached in this module's namespace.
_LAZY = {
    "init": ("runwrap.sdk.start.init", "init"),
    "log": ("runwrap.sdk.compat.functions", "log"),
    "finish": ("runwrap.sdk.compat.functions", "finish"),
    "define_metric": ("runwrap.sdk.compat.functions", "define_metric"),
    "save": ("runwrap.sdk.compat.functions", "save"),
    "alert": ("runwrap.sdk.compat.functions", "alert"),
    "watch": ("runwrap.sdk.compat.functions", "watch"),
    "unwatch": ("runwrap.sdk.compat.functions", "unwatch"),
    "Settings": ("runwrap.sdk.start.settings", "Settings"),
    "login": ("runwrap.sdk.compat.session", "login"),
    "setup": ("runwrap.sdk.compat.session", "setup"),
    "teardown": ("runwrap.sdk.compat.session", "teardown"),
    "mark_preempting": ("runwrap.sdk.compat.session", "mark_preempting"),
    "AlertLevel": ("runwrap.sdk.compat.session", "AlertLevel"),
    "termlog": ("runwrap.notices", "termlog"),
    "termwarn": ("runwrap.notices", "termwarn"),
    "termerror": ("runwrap.notices", "termerror"),
    "Api": ("runwrap.sdk.compat.public_api", "Api"),
    "Artifact": ("runwrap.sdk.artifacts", "Artifact"),
    "log_artifact": ("runwrap.sdk.compat.functions", "log_artifact"),
    "use_artifact": ("runwrap.sdk.compat.functions", "use_artifact"),
    "log_model": ("runwrap.sdk.compat.functions", "log_model"),
    "use_model": ("runwrap.sdk.compat.functions", "use_model"),
    "link_model": ("runwrap.sdk.compat.functions", "link_model"),
    "Image": ("runwrap.sdk.media.image", "Image"),
    "Table": ("runwrap.sdk.media.table", "Table"),
    "Histogram": ("runwrap.sdk.media.histogram", "Histogram"),
    "Classes": ("runwrap.sdk.media.image", "Classes"),
    "ImageMask": ("runwrap.sdk.media.image", "ImageMask"),
    "BoundingBoxes2D": ("runwrap.sdk.media.image", "BoundingBoxes2D"),
    "JoinedTable": ("runwrap.sdk.media.table", "JoinedTable"),
    "plot_table": ("runwrap.sdk.media.plot", "plot_table"),
    "Audio": ("runwrap.sdk.media.files", "Audio"),
    "Video": ("runwrap.sdk.media.files", "Video"),
    "Html": ("runwrap.sdk.media.files", "Html"),
    "Object3D": ("runwrap.sdk.media.files", "Object3D"),
    "Molecule": ("runwrap.sdk.media.files", "Molecule"),
    "Run": ("runwrap.sdk.run.run", "Run"),
    "sweep": ("runwrap.sweeps", "sweep"),
    "agent": ("runwrap.sweeps", "agent"),
    "Error": ("runwrap.errors", "Error"),
    "UsageError": ("runwrap.errors", "UsageError"),
    "CommError": ("runwrap.errors", "CommError"),
    "AuthenticationError": ("runwrap.errors", "AuthenticationError"),
}
# Modules under a short name (`runwrap.plot.line(...)`, wandb.plot's).
_MODULES = {"errors": "runwrap.errors", "plot": "runwrap.sdk.media.plot",
            "data_types": "runwrap.sdk.media.data_types"}
# Names that follow the current run: never cached.
_LIVE = {"run", "config", "summary"}


def __getattr__(name: str):  # PEP 562
    if name in _LIVE:
        # start-up: loaded only on the path that needs it
        from runwrap.sdk.compat import functions as api
        from runwrap.sdk.run import state

        if name == "run":
            return state.current
        return api.current_config() if name == "config" else api.current_summary()
    if name in _MODULES:
        import importlib  # start-up: loaded only on the path that needs it

        module = importlib.import_module(_MODULES[name])
        globals()[name] = module
        return module
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'runwrap' has no attribute {name!r}")
    import importlib  # start-up: loaded only on the path that needs it

    value = getattr(importlib.import_module(target[0]), target[1])
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(list(globals()) + list(_LAZY) + list(_LIVE) + list(_MODULES)))
