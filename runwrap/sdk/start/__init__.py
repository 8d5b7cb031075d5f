"""How a run starts: init.py (`runwrap.init()`), request.py (what init() hands on), resolver.py
(one precedence rule), settings.py (`runwrap.Settings`), attach.py (under the wrapper),
standalone.py (this process owns the run), disabled.py (mode="disabled"), resume.py (which run
to continue), run_files.py (config and stream files both attach and standalone write)."""
