"""Foley Bridge for Blender's Video Sequence Editor: Generate Foley for movie strips via the local server."""

import bpy

from . import jobs, properties, ui


def register():
    for cls in properties.CLASSES + ui.CLASSES:
        bpy.utils.register_class(cls)
    properties.register_properties()
    for menu in ui.MENUS:
        getattr(bpy.types, menu).append(ui.menu_entries)


def unregister():
    if bpy.app.timers.is_registered(jobs.drain_jobs):
        bpy.app.timers.unregister(jobs.drain_jobs)
    for job in jobs.ACTIVE.values():
        job.cancel()
    jobs.ACTIVE.clear()
    for menu in ui.MENUS:
        getattr(bpy.types, menu).remove(ui.menu_entries)
    properties.unregister_properties()
    for cls in reversed(properties.CLASSES + ui.CLASSES):
        bpy.utils.unregister_class(cls)
