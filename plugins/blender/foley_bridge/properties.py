"""What the add-on keeps in the .blend: per-strip prompts and ids, per-scene job settings, preferences."""

import bpy
from bpy.props import BoolProperty, FloatProperty, IntProperty, PointerProperty, StringProperty

from .compat import STRIP_TYPE


class FoleyPreferences(bpy.types.AddonPreferences):
    bl_idname = __package__

    server_url: StringProperty(name="Server", default="http://127.0.0.1:7865",
                               description="Address of the Foley Bridge server")
    token: StringProperty(name="Token", subtype="PASSWORD",
                          description="Needed when the server runs on another machine: its data dir's token file")
    foley_command: StringProperty(name="foley command", subtype="FILE_PATH",
                                  description="The `foley` program, so Start server can run `foley serve` here")

    def draw(self, context):
        for name in ("server_url", "token", "foley_command"):
            self.layout.prop(self, name)


def _engine_items(self, context):
    from . import jobs

    # The first item is the default: the engine that needs no weights, then the server's order.
    names = sorted(jobs.engine_names(), key=lambda name: name != "procedural")
    return [(name, name, "") for name in names] or [("procedural", "procedural", "")]


def _profile_items(self, context):
    from . import jobs

    return [(name, name, "") for name in jobs.profile_names()] or [("balanced", "balanced", "")]


class FoleySceneSettings(bpy.types.PropertyGroup):
    engine: bpy.props.EnumProperty(name="Engine", items=_engine_items)
    profile: bpy.props.EnumProperty(name="Quality", items=_profile_items)
    seed: IntProperty(name="Seed", default=0, min=0)
    output_dir: StringProperty(name="Output", default="//foley/", subtype="DIR_PATH",
                               description="Folder the server writes the Foley WAVs into")
    # The job shown in the panel (one per scene at a time).
    job_id: StringProperty()
    running: BoolProperty()
    progress: FloatProperty(name="Progress", min=0.0, max=1.0, subtype="FACTOR")
    status: StringProperty(name="Status")
    last_error: StringProperty(name="Error")


CLASSES = (FoleyPreferences, FoleySceneSettings)


def register_properties() -> None:
    STRIP_TYPE.foley_prompt = StringProperty(name="Prompt", description="What this strip should sound like")
    STRIP_TYPE.foley_negative_prompt = StringProperty(name="Negative prompt", description="Sounds to leave out")
    STRIP_TYPE.foley_id = StringProperty(description="Stable id of this strip for Foley jobs")
    STRIP_TYPE.foley_source_id = StringProperty(description="On a Foley sound strip: the strip it was made for")
    STRIP_TYPE.foley_sound = StringProperty(name="Heard", description="What the last Foley job made of this strip's prompt")
    STRIP_TYPE.foley_warnings = StringProperty(
        name="Not heard", description="What the prompt asked for that the engine has no sound for (one per line)")
    bpy.types.Scene.foley = PointerProperty(type=FoleySceneSettings)


def unregister_properties() -> None:
    del bpy.types.Scene.foley
    for name in ("foley_prompt", "foley_negative_prompt", "foley_id", "foley_source_id", "foley_sound", "foley_warnings"):
        delattr(STRIP_TYPE, name)
