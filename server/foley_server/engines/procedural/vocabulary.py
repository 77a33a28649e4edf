"""The words people use for the procedural engine's sounds: which model a word asks for, which
choice it makes, and what the engine cannot render (so the prompt reader can say so)."""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path


def _table(rows: dict[str, str]) -> dict[str, str]:
    """{"word word word": value} -> {word: value}."""
    return {word: value for words, value in rows.items() for word in words.split()}


#: Words that name a model for certain.
MODEL_WORDS = _table({
    "footstep footsteps step steps walk walks walking walker run runs running jog jogging boot boots shoes heels sneakers "
    "feet stomp stomping strides stroll strolls strolling hike hiking march marching tiptoe tiptoeing sneaking": "footsteps",
    "slam slams slammed slamming creak creaks creaking creaky": "door",
    "hit hits impact impacts bang bangs thud thuds thump thumps bounce bounces bouncing clang clangs crash tap taps "
    "strike strikes clatter clattering": "impact",
    "cloth clothes clothing rustle rustling fabric jacket coat movement moving": "cloth",
    "whoosh whooshes swish swishes swoosh swing swings swipe woosh wooshes": "whoosh",
    "rain raining rainy drizzle downpour storm rainstorm": "rain",
    "wind windy breeze gust gusts gusty": "wind",
    "roomtone indoor indoors interior": "room_tone",
    "fire fires campfire fireplace bonfire flames": "fire",
    "river stream creek brook babbling waterfall flowing ocean sea waves surf shore beach": "water",
    "birdsong chirping woods": "forest",
    "city traffic urban downtown": "city",
    "crowd murmur chatter chattering audience restaurant cafe": "crowd",
    "passby drive driving": "vehicle",
    "splash splashes splashing plunge": "splash",
    "pick picks picking put puts putting placing grab grabs grabbing lift lifts lifting handling": "handling",
    "pour pours pouring": "pour",
    "drip drips dripping leak leaking": "drips",
    "shatter shatters shattered shattering smash smashes smashed smashing break breaks breaking broke broken "
    "breakage": "shatter",
    "gunshot gunshots gun guns gunfire shot shots shooting shoots pistol revolver handgun rifle shotgun firearm "
    "gunfight": "gunshot",
    "explosion explosions explode explodes exploding blast blasts bomb detonation grenade kaboom": "explosion",
    "fireworks firework firecracker firecrackers": "fireworks",
    "thunder thunderclap thunderstorm lightning": "thunder",
    "knock knocks knocking knocked rap raps rapping": "knock",
    "coin coins keys keychain keyring jingle jingling jangle jangling clink clinking": "metal_drop",
    "bodyfall collapse collapses collapsed collapsing faint faints fainted fainting slumps": "bodyfall",
    "heartbeat heartbeats heart pulse": "heartbeat",
    "paper papers crumple crumples crumpling crumpled crinkle crinkling scrunch tear tears tearing torn page pages "
    "newspaper": "paper",
    "zipper zip zips zipping unzip unzips unzipping velcro": "fastener",
    "switch switches lightswitch button buttons click clicks clicking": "switch",
    "camera shutter photo photograph snapshot": "shutter",
    "typing type types typed typist keyboard keystrokes typewriter": "typing",
    "clock clocks tick ticks ticking tock": "clock",
    "bell bells toll tolls tolling chime chimes windchimes doorbell": "bell",
    "phone phones telephone ringtone cellphone smartphone": "phone",
    "hum hums humming electrical electric buzz buzzing transformer fluorescent neon mains": "hum",
    "engine engines idle idling idles rev revs revving revved": "engine",
    "helicopter helicopters chopper aircraft airplane aeroplane plane planes jet jets airliner propeller flyover": "aircraft",
    "chop chops chopping chopped dice dicing mince mincing": "chop",
    "fry fries frying fried sizzle sizzles sizzling sizzle saute sauteing grill grilling": "fry",
    "boil boils boiling bubble bubbles bubbling simmer simmering kettle": "boil",
    "wing wings flap flaps flapping flutter fluttering": "wings",
    "insect insects cricket crickets cicada cicadas fly flies bees bee mosquito": "insects",
    "hoof hooves horse horses gallop galloping trot trotting pony": "hooves",
    "applause applauding applaud clapping claps clap": "applause",
    "cheer cheers cheering cheered hooray": "cheering",
})

#: Words that name a model only when nothing stronger in the clause names another one: "a car engine
#: idling" is an engine, "a car passing" a vehicle; "a wooden door" knocked on is a knock.
WEAK_WORDS = _table({
    "door doors": "door",
    "car cars vehicle vehicles truck motorbike motorcycle": "vehicle",
    "bird birds": "forest",
    "crackling crackle": "fire",
    "drop drops dropped dropping punch punches punching punched ball": "impact",
    "spoon fork cutlery nail nails screw screws wrench": "metal_drop",
    "ring rings ringing": "phone",
    "flying flock takeoff": "wings",
})

#: Falling, said of a person, is a body falling ("a rock falls" is not).
FALL_WORDS = set("fall falls falling fell tumble tumbles tumbling".split())

#: When both are heard in one clause, the first stays: the more specific reading of the same words.
PRECEDENCE = (
    ("footsteps", "impact"), ("door", "impact"), ("handling", "impact"), ("footsteps", "splash"), ("drips", "impact"),
    ("knock", "door"), ("knock", "impact"), ("engine", "vehicle"), ("fireworks", "fire"), ("fireworks", "explosion"),
    ("wings", "forest"), ("typing", "metal_drop"), ("typing", "switch"), ("phone", "hum"), ("insects", "hum"),
    ("bell", "phone"), ("shatter", "impact"), ("metal_drop", "impact"), ("bodyfall", "impact"), ("chop", "impact"),
    ("boil", "water"), ("water", "shatter"), ("shutter", "gunshot"), ("paper", "cloth"), ("shutter", "switch"),
    ("aircraft", "engine"), ("aircraft", "vehicle"), ("hooves", "footsteps"), ("boil", "drips"), ("fry", "fire"),
    ("gunshot", "impact"), ("explosion", "impact"), ("gunshot", "explosion"), ("thunder", "impact"),
    ("heartbeat", "impact"), ("applause", "crowd"), ("cheering", "crowd"), ("clock", "switch"), ("fastener", "cloth"),
)

#: Several words that read as one ("wind chimes" are no wind; "room tone" is no room).
PHRASES = {
    "room tone": "roomtone", "wind chimes": "windchimes", "wind chime": "windchimes", "light switch": "lightswitch",
    "door bell": "doorbell", "body fall": "bodyfall", "foot steps": "footsteps", "heart beat": "heartbeat",
    "fire works": "fireworks", "thunder clap": "thunderclap", "fire crackers": "firecrackers", "key board": "keyboard",
    "cell phone": "cellphone", "mobile phone": "cellphone mobile", "dirt road": "dirt", "dirt track": "dirt",
    "fly by": "flyover", "fly over": "flyover", "flying over": "flyover",
}

#: A fall word beside one of these is a body falling.
PERSON_WORDS = set("body bodies man men woman women person people someone somebody he she guy girl boy soldier victim "
                   "corpse zombie character actor fighter".split())

#: Choice words by parameter name; a word counts for a model only where the value is one of its choices,
#: and the first such word in a clause makes the choice (so generic adjectives are left out of tables whose
#: nouns decide: "a wooden door" is knocked on as a door).
CHOICE_WORDS: dict[str, dict[str, str]] = {
    "material": _table({
        "wood wooden plank planks table floorboards": "wood", "metal metallic steel iron clang pipe can": "metal",
        "glass bottle window cup": "glass", "plastic": "plastic", "stone rock rocks brick": "stone",
        "cardboard box boxes paper": "cardboard", "punch punches punching punched flesh fist slap body": "flesh",
        "rubber ball bounce bouncing": "rubber"}),
    "surface": _table({
        "concrete pavement asphalt sidewalk street tile tiles stone": "concrete",
        "wood wooden floorboards planks deck floor": "wood", "gravel pebbles dirt path": "gravel",
        "grass lawn leaves forest": "grass", "snow snowy": "snow", "metal grate steel": "metal",
        "water puddle puddles splash splashing wet": "water"}),
    "action": _table({
        "slam slams slammed slamming": "slam", "close closes closing closed shut shuts": "close",
        "open opens opening opened creak creaks creaking creaky": "open",
        "put puts putting placing place places set": "put", "pick picks picking grab grabs grabbing lift lifts lifting": "pick",
        "crumple crumples crumpling crumpled crinkle crinkling scrunch": "crumple",
        "tear tears tearing torn rip rips ripping ripped": "tear", "page pages turn turns turning flip flipping book": "page",
        "idle idling idles": "idle", "rev revs revving revved roar roaring accelerate accelerating throttle": "rev"}),
    "item": _table({
        "glass glasses wineglass": "glass", "window windows windowpane pane windshield": "window",
        "bottle bottles jar": "bottle", "plate plates dish dishes crockery mug vase ceramic porcelain bowl": "plate",
        "coin coins change pennies penny quarters dimes": "coins", "keys key keychain keyring": "keys",
        "spoon fork cutlery nail nails screw screws bolt wrench tool tools": "metal"}),
    "calibre": _table({"pistol handgun revolver": "pistol", "rifle rifles sniper": "rifle", "shotgun": "shotgun"}),
    "distance": _table({"near close nearby overhead crack cracking clap": "near",
                        "distant distance far faraway afar rumble rumbling rolling": "far"}),
    "tail": _table({"indoor indoors inside room hallway corridor interior building garage basement warehouse hall "
                    "church gym office kitchen bathroom house apartment bar": "indoor",
                    "alley alleyway courtyard street": "alley", "outdoor outdoors outside field open desert forest": "outdoor"}),
    "size": _table({"big huge massive large enormous giant": "large", "small little tiny": "small",
                    "sparrow songbird hummingbird finch": "small", "pigeon pigeons dove doves crow crows duck ducks": "medium",
                    "eagle hawk vulture swan goose geese heron owl": "large"}),
    "target": _table({"door doors front": "door", "table desk wood counter": "table",
                      "glass window": "glass", "metal steel locker": "metal"}),
    "floor": _table({"wood wooden floorboards boards deck stage": "wood",
                     "concrete pavement tile tiles stone asphalt street sidewalk": "concrete",
                     "dirt mud gravel earth soil sand ground": "dirt", "grass lawn field meadow leaves": "grass"}),
    "rate": _table({"fast racing pounding rapid panic nervous excited quick": "fast",
                    "slow calm resting steady": "resting"}),
    "device": _table({"keyboard keyboards computer pc mechanical": "keyboard", "laptop notebook": "laptop",
                      "typewriter typewriters": "typewriter"}),
    "motion": _table({"pass passing passes overhead flying flyover flyby": "pass", "hover hovering hovers": "hover"}),
    "board": _table({"wood wooden": "wood", "plastic": "plastic"}),
    "food": _table({"vegetables vegetable veg carrot carrots onion onions celery potato potatoes cucumber apple "
                    "lettuce cabbage": "vegetables",
                    "herbs herb parsley basil garlic chives cilantro coriander": "herbs",
                    "meat chicken beef pork fish steak bone": "meat"}),
    "gait": _table({"walk walks walking": "walk", "trot trots trotting": "trot",
                    "gallop gallops galloping canter cantering charging": "gallop"}),
    "ground": _table({"road street cobbles cobblestones cobblestone pavement asphalt": "road",
                      "dirt mud field grass sand track": "dirt"}),
}

#: Choice words of one model's parameter, where the parameter's name means different things per model.
MODEL_CHOICE_WORDS: dict[str, dict[str, dict[str, str]]] = {
    "fireworks": {"kind": _table({"crackle crackling crackles glitter sparkle sparkling": "crackle"})},
    "bodyfall": {"kind": _table({"collapse collapses collapsed collapsing faint faints fainted fainting slumps": "collapse"})},
    "fastener": {"kind": _table({"zipper zip zips zipping unzip unzips unzipping": "zipper", "velcro": "velcro"})},
    "switch": {"kind": _table({"lightswitch light lights": "light", "button buttons press pressing": "button",
                               "click clicks clicking pen mouse": "click"})},
    "shutter": {"kind": _table({"slr dslr mirror": "slr", "compact digital smartphone phone": "compact",
                                "film analog analogue winding": "film"})},
    "clock": {"kind": _table({"wall kitchen": "wall", "grandfather pendulum antique": "grandfather",
                              "watch wristwatch pocket": "watch"})},
    "bell": {"kind": _table({"church cathedral tower toll tolls tolling chapel": "church", "handbell hand school": "hand",
                             "chimes chime windchimes": "chimes", "doorbell ding dong": "door"})},
    "phone": {"kind": _table({"landline rotary old telephone": "ring", "mobile cellphone ringtone smartphone": "mobile",
                              "vibrate vibrates vibrating vibration buzzing buzzes": "vibrate"})},
    "hum": {"kind": _table({"hum hums humming mains": "hum", "buzz buzzing transformer substation": "buzz",
                            "fluorescent neon tube tubes ballast": "fluorescent"})},
    "engine": {"kind": _table({"car sedan": "car", "truck lorry diesel bus tractor": "truck",
                               "motorbike motorcycle scooter moped": "motorbike"})},
    "aircraft": {"kind": _table({"helicopter helicopters chopper": "helicopter",
                                 "jet jets airliner airplane aeroplane plane planes fighter": "jet",
                                 "propeller prop biplane cessna": "propeller"})},
    "insects": {"kind": _table({"crickets cricket night": "crickets", "cicada cicadas": "cicadas",
                                "fly flies bees bee mosquito buzzing": "flies"})},
    "metal_drop": {"onto": _table({"table desk counter tabletop": "table",
                                   "floor ground tile tiles pavement concrete": "floor"})},
}

INTENSITY_WORDS = {
    "light": 0.2, "soft": 0.25, "gentle": 0.2, "distant": 0.2, "quiet": 0.2, "faint": 0.15, "simmer": 0.15,
    "simmering": 0.15, "few": 0.2, "heavy": 0.85, "strong": 0.85, "loud": 0.85, "hard": 0.8, "pouring": 0.95,
    "howling": 0.95, "downpour": 0.95, "storm": 0.9, "rolling": 0.9, "thunderous": 0.95, "huge": 0.85,
}

#: Words that put the scene in an acoustic space (the engine adds that space's reverb to hits and movement).
SPACE_WORDS = _table({
    "hall church cathedral gym warehouse auditorium": "hall", "bathroom tiled shower stairwell": "bathroom",
    "cave tunnel underground": "cave", "bedroom kitchen office livingroom indoor indoors interior room": "room",
})

ROLE_WORDS = {"ambience": "ambience", "ambient": "ambience", "background": "ambience", "bed": "ambience",
              "movement": "movement", "impacts": "events", "hits": "events", "events": "events"}

#: What the engine cannot render, the families it could offer instead, and why (prompt feedback).
BEYOND = [
    (set("dog dogs bark barks barking woof puppy growl growling cat cats meow meowing purr purring "
         "cow moo neigh neighs neighing whinny sheep baa goat pig oink rooster crow crowing chicken cluck lion "
         "wolf wolves monkey elephant duck quack frog ribbit owl hoot hooting".split()),
     "animal voices are beyond the procedural engine: a model engine such as stable-audio can try them",
     ("hooves", "wings", "insects")),
    (set("talk talking speech speak speaking voice voices whisper whispering shout shouting scream screaming yell "
         "yelling laugh laughing laughter cry crying sob sobbing sing singing song breath breathing sigh gasp cough "
         "sneeze".split()),
     "voices are beyond the procedural engine", ("crowd", "cheering", "applause")),
    (set("music musical piano guitar violin drum drums orchestra melody tune band".split()),
     "music is beyond the procedural engine", ("bell", "phone")),
]

_WORDS_FILE = Path(__file__).with_name("english_words.txt.gz")


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Common English words (with their inflections): a word in here is never 'corrected'."""
    lines = gzip.decompress(_WORDS_FILE.read_bytes()).decode().splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def known_words() -> set[str]:
    """Every word the vocabulary itself uses."""
    words = set(MODEL_WORDS) | set(WEAK_WORDS) | set(INTENSITY_WORDS) | set(SPACE_WORDS) | set(ROLE_WORDS) | PERSON_WORDS
    for table in CHOICE_WORDS.values():
        words |= set(table)
    for tables in MODEL_CHOICE_WORDS.values():
        for table in tables.values():
            words |= set(table)
    words |= FALL_WORDS
    for family, _, _ in BEYOND:
        words |= family
    for phrase, joined in PHRASES.items():
        words |= set(phrase.split()) | set(joined.split())
    return words
