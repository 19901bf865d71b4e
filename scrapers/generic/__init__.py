"""Kinds of source declared in config alone: iCal feeds, schema.org pages, label pages.

Every module here is imported, so its `@kind` registrations take effect; no list to edit.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
