"""Operators, the sidebar panel and the strip menus."""

import subprocess

import bpy

from . import jobs
from .apply import heard_lines
from .deps import FoleyClientError
from .vse_export import selected_movie_strips


class _StripsSelected:
    @classmethod
    def poll(cls, context):
        scene = getattr(context, "scene", None)
        return scene is not None and bool(selected_movie_strips(scene))


class _Submit(_StripsSelected):
    new_seed = False

    def execute(self, context):
        try:
            jobs.start_job(context.scene, new_seed=self.new_seed)
        except FoleyClientError as exc:
            context.scene.foley.last_error = str(exc)
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        self.report({"INFO"}, "Foley job submitted")
        return {"FINISHED"}


class FOLEY_OT_generate(_Submit, bpy.types.Operator):
    """Generate Foley for the selected movie strips"""

    bl_idname = "foley.generate"
    bl_label = "Generate Foley"


class FOLEY_OT_regenerate(_Submit, bpy.types.Operator):
    """Generate the selected strips' Foley again with a new seed (replaces the previous Foley)"""

    bl_idname = "foley.regenerate"
    bl_label = "Regenerate Foley"
    new_seed = True


class FOLEY_OT_cancel(bpy.types.Operator):
    """Cancel this scene's Foley job"""

    bl_idname = "foley.cancel"
    bl_label = "Cancel"

    def execute(self, context):
        jobs.cancel_job(context.scene)
        return {"FINISHED"}


class FOLEY_OT_refresh(bpy.types.Operator):
    """Ask the server for its status, engines and quality profiles"""

    bl_idname = "foley.refresh"
    bl_label = "Connect"

    def execute(self, context):
        try:
            info = jobs.refresh_server_info()
        except FoleyClientError as exc:
            context.scene.foley.last_error = str(exc)
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        context.scene.foley.last_error = ""
        self.report({"INFO"}, f"Foley server {info['version']} on {', '.join(info['workers'].get('devices', []))}")
        return {"FINISHED"}


class FOLEY_OT_start_server(bpy.types.Operator):
    """Run `foley serve` on this machine (set the foley command in the add-on preferences)"""

    bl_idname = "foley.start_server"
    bl_label = "Start server"

    @classmethod
    def poll(cls, context):
        return bool(context.preferences.addons[__package__].preferences.foley_command)

    def execute(self, context):
        command = bpy.path.abspath(context.preferences.addons[__package__].preferences.foley_command)
        try:
            subprocess.Popen([command, "serve"], start_new_session=True)
        except OSError as exc:
            self.report({"ERROR"}, f"could not start {command}: {exc}; check the foley command in the preferences")
            return {"CANCELLED"}
        self.report({"INFO"}, "Foley server starting; press Connect in a moment")
        return {"FINISHED"}


class SEQUENCER_PT_foley(bpy.types.Panel):
    bl_space_type = "SEQUENCE_EDITOR"
    bl_region_type = "UI"
    bl_category = "Foley"
    bl_label = "Foley"

    def draw(self, context):
        layout, scene = self.layout, context.scene
        settings = scene.foley
        info = jobs._server_info
        row = layout.row()
        devices = ", ".join(info.get("workers", {}).get("devices", [])) if info else ""
        row.label(text=f"Server {info['version']} on {devices}" if info else "Server: not connected",
                  icon="CHECKMARK" if info else "ERROR")
        row.operator("foley.refresh", text="", icon="FILE_REFRESH")
        layout.operator("foley.start_server")
        strip = getattr(scene.sequence_editor, "active_strip", None) if scene.sequence_editor else None
        if strip is not None and strip.type == "MOVIE":
            box = layout.box()
            box.label(text=strip.name, icon="SEQUENCE")
            box.prop(strip, "foley_prompt")
            box.prop(strip, "foley_negative_prompt")
            for text, icon in heard_lines(strip):  # what the last job made of the prompt, and what it could not
                box.label(text=text, icon=icon)
        selected = selected_movie_strips(scene)
        if selected:
            col = layout.column(align=True)
            for s in selected:
                col.label(text=f"{s.name}: {s.foley_prompt or '(from the picture)'}",
                          icon="ERROR" if s.foley_warnings else "NONE")
                if s.foley_sound:
                    col.label(text=f"    → {s.foley_sound.split(' → ', 1)[-1]}")
        for name in ("engine", "profile", "seed", "output_dir"):
            layout.prop(settings, name)
        row = layout.row(align=True)
        row.operator("foley.generate")
        row.operator("foley.regenerate", text="", icon="FILE_REFRESH")
        if settings.running:
            layout.prop(settings, "progress", text=settings.status or "working")
            layout.operator("foley.cancel")
        elif settings.status:
            layout.label(text=settings.status)
        if settings.last_error:
            layout.label(text=settings.last_error, icon="ERROR")


def menu_entries(self, context):
    self.layout.separator()
    self.layout.operator("foley.generate")
    self.layout.operator("foley.regenerate")


CLASSES = (FOLEY_OT_generate, FOLEY_OT_regenerate, FOLEY_OT_cancel, FOLEY_OT_refresh, FOLEY_OT_start_server,
           SEQUENCER_PT_foley)
MENUS = ("SEQUENCER_MT_strip", "SEQUENCER_MT_context_menu")
