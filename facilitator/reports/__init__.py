"""The workshop record and its renderings.

`record.build_record()` reads a workshop into plain dataclasses (no Flask); `html` renders them
with the Jinja template in templates/reports/, `pdf` turns that HTML into a tagged PDF with
WeasyPrint in a process of its own, so the real-time server never waits for it.
"""
from .record import WorkshopRecord, build_record

__all__ = ["WorkshopRecord", "build_record"]
