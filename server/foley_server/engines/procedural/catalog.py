"""Every sound model of the procedural engine by name; each module registers what it synthesises."""

from __future__ import annotations

from . import (
               ambience,
               audience,
               bells,
               body,
               contacts,
               creatures,
               glass,
               kitchen,
               liquids,
               machines,
               mechanics,
               movement,
               nature,
               paper,
               urban,
               weapons,
               weather,
)
from .door import ACTIONS as DOOR_ACTIONS
from .door import door
from .footsteps import SURFACES, step
from .modal import MATERIALS, strike
from .sound_model import SoundModel, bed, motion_layer, one_shots

_MATERIALS = tuple(MATERIALS)

#: The models that were there first: struck objects, steps, doors, movement and the classic beds.
_CORE: dict[str, SoundModel] = {
    "impact": SoundModel("events", "struck objects on visual onsets (modal synthesis)",
                         one_shots(lambda rng, material: strike(MATERIALS[material], rng), 12), {"material": _MATERIALS}),
    "footsteps": SoundModel("events", "heel-toe footsteps on visual onsets, walking or running by their pace",
                            one_shots(lambda rng, surface, pace="walk": step(surface, rng, pace), 12, paced=True),
                            {"surface": tuple(SURFACES)}),
    "door": SoundModel("events", "doors on visual onsets: panel, latch, hinge creak",
                       one_shots(lambda rng, action: door(rng, action)), {"action": DOOR_ACTIONS}),
    "cloth": SoundModel("movement", "cloth rustle and body movement following the motion envelope",
                        motion_layer(movement.cloth)),
    "whoosh": SoundModel("movement", "whooshes and swishes from fast on-screen motion (coarse optical flow)",
                         motion_layer(movement.whoosh)),
    "room_tone": SoundModel("ambience", "quiet interior air", bed(ambience.room_tone)),
    "rain": SoundModel("ambience", "rain hiss and drops; intensity light..heavy", bed(ambience.rain)),
    "wind": SoundModel("ambience", "wind with gusts; intensity light..strong", bed(ambience.wind)),
    "fire": SoundModel("ambience", "fire: low roar, crackles and pops", bed(nature.fire)),
    "water": SoundModel("ambience", "running water: stream or river", bed(nature.water)),
    "forest": SoundModel("ambience", "woods: leaves in the air and birds", bed(nature.forest)),
    "city": SoundModel("ambience", "distant city traffic", bed(urban.city)),
    "crowd": SoundModel("ambience", "crowd murmur", bed(urban.crowd)),
    "vehicle": SoundModel("events", "vehicles passing by on visual onsets, with Doppler",
                          one_shots(lambda rng: urban.pass_by(rng), 6)),
    "splash": SoundModel("events", "something hitting water on visual onsets: burst, bubbles, droplets",
                         one_shots(lambda rng: liquids.splash(rng))),
    "handling": SoundModel("events", "objects put down or picked up on visual onsets",
                           one_shots(lambda rng, material, action: liquids.handling(rng, material, action), 10),
                           {"material": _MATERIALS, "action": liquids.HANDLING_ACTIONS}),
    "pour": SoundModel("movement", "liquid pouring, as loud as the picture moves", motion_layer(liquids.pour)),
    "drips": SoundModel("ambience", "water dripping now and then", bed(liquids.drips)),
}

MODELS: dict[str, SoundModel] = {
    **_CORE, **glass.MODELS, **weapons.MODELS, **weather.MODELS, **contacts.MODELS, **body.MODELS, **paper.MODELS,
    **mechanics.MODELS, **bells.MODELS, **machines.MODELS, **kitchen.MODELS, **creatures.MODELS, **audience.MODELS,
}
