"""ImageNet tag vocabulary: which kind of thing a label is, and how to show it.

The tagger reports the first WordNet name of an ImageNet class: "king penguin", "tabby", "jersey",
"jean". A user asks for "a bird", "a cat", "a T-shirt", "jeans", and a text embedder does not
always join the two. So every tag is shown with its kind when the name does not already say it
("king penguin (bird)", "tabby (cat)", "cab (car)") and with the everyday word where the WordNet
name is not it ("jersey (T-shirt)"). The same table gives object events their class word.

Labels stay as the tagger gave them in stored metadata; only text for search and for people changes.
"""

from __future__ import annotations

import threading

# ImageNet-1k index ranges (the classes are ordered by WordNet: all birds of one branch are adjacent)
_ANIMAL_RANGES = [
    ("fish", 0, 6), ("bird", 7, 24), ("frog or salamander", 25, 32), ("turtle", 33, 37), ("lizard", 38, 48),
    ("crocodile", 49, 50), ("snake", 52, 68), ("spider", 72, 77), ("bird", 80, 100), ("elephant", 101, 101),
    ("crab", 118, 121), ("crab", 125, 125), ("bird", 127, 146), ("whale", 147, 148), ("dog", 151, 268),
    ("wolf or fox", 269, 280), ("cat", 281, 285), ("big cat", 286, 293), ("bear", 294, 297),
    ("insect", 300, 320), ("butterfly", 321, 326), ("rabbit", 330, 332), ("rodent", 333, 338),
    ("horse", 339, 339), ("pig", 341, 343), ("cattle", 345, 347), ("sheep", 348, 349),
    ("antelope", 350, 353), ("camel", 354, 354), ("monkey or ape", 365, 384), ("elephant", 385, 386),
    ("fish", 389, 397),
]
# vehicles and the parts of them a tagger sees (first synonym, as the tagger reports them)
VEHICLES = {
    "car": ["sports car", "cab", "convertible", "racer", "beach wagon", "limousine", "minivan", "jeep",
            "Model T", "police van", "ambulance", "pickup", "car wheel", "grille", "car mirror", "golfcart",
            "go-kart", "recreational vehicle", "amphibian", "tow truck", "moving van", "minibus"],
    "truck": ["trailer truck", "garbage truck", "fire engine", "tow truck", "moving van", "forklift",
              "tractor", "half track", "snowplow", "thresher", "harvester"],
    "bus": ["school bus", "trolleybus", "minibus", "passenger car", "streetcar"],
    "bicycle": ["mountain bike", "bicycle-built-for-two", "tricycle", "unicycle"],
    "motorbike": ["moped", "motor scooter", "crash helmet"],
    "boat": ["speedboat", "canoe", "fireboat", "lifeboat", "gondola", "catamaran", "trimaran", "yawl",
             "schooner", "container ship", "liner", "paddlewheel", "pirate", "submarine", "wreck"],
    "plane": ["airliner", "warplane", "airship", "wing", "space shuttle"],
    "train": ["steam locomotive", "electric locomotive", "bullet train", "freight car", "passenger car"],
}
# what people wear or carry: on a moving object these make it a person
PERSON_LABELS = ["cardigan", "jean", "suit", "sweatshirt", "jersey", "trench coat", "fur coat", "lab coat",
                 "abaya", "kimono", "poncho", "miniskirt", "overskirt", "hoopskirt", "gown", "academic gown",
                 "military uniform", "bulletproof vest", "cloak", "sarong", "stole", "apron", "brassiere",
                 "bikini", "maillot", "swimming trunks", "pajama", "wig", "bow tie", "Windsor tie",
                 "bolo tie", "ski mask", "backpack", "ballplayer", "groom", "scuba diver", "sunglasses", "sunglass",
                 "cowboy hat", "sombrero", "mortarboard", "bonnet", "knee pad", "sock", "Loafer",
                 "running shoe", "cowboy boot", "clog", "sandal", "umbrella", "wool", "hair slide"]
# WordNet first names that are not what people call the thing
EVERYDAY = {
    "jersey": "T-shirt", "jean": "jeans, denim", "maillot": "swimsuit", "sunglass": "sunglasses",
    "Windsor tie": "necktie", "notebook": "laptop", "cellular telephone": "mobile phone",
    "hand-held computer": "smartphone", "studio couch": "sofa", "ashcan": "trash can", "cab": "taxi",
    "beach wagon": "station wagon", "pop bottle": "soda bottle", "monitor": "computer screen",
    "web site": "web page on a screen", "sorrel": "chestnut", "tabby": "tabby cat", "tusker": "elephant",
    "comic book": "cartoon", "crash helmet": "helmet", "pajama": "pyjamas", "brassiere": "bra",
    "dial telephone": "old telephone", "analog clock": "clock", "wall clock": "clock",
}
# what someone wears on the head or face, as ImageNet names it -> what people call it; read from a
# crop of each face with the head above it (index/vision.py), where whole-frame tags never see it.
# The tagger spreads one hat over its hat classes (bearskin 0.21, cowboy hat 0.12): an item's
# probability is the sum over its classes. (ImageNet has no baseball cap.)
WORN = {
    "cowboy hat": "a hat", "sombrero": "a hat", "bearskin": "a hat", "bonnet": "a hat",
    "mortarboard": "a hat", "shower cap": "a cap", "bathing cap": "a cap",
    "crash helmet": "a helmet", "football helmet": "a helmet", "pickelhaube": "a helmet",
    "sunglasses": "sunglasses", "sunglass": "sunglasses", "ski mask": "a ski mask", "gasmask": "a gas mask",
    "bow tie": "a bow tie", "Windsor tie": "a tie", "bolo tie": "a tie",
}
# what someone wears on the upper body, as ImageNet names it -> what people call it; read from a
# crop of the upper body of a tracked person's event (index/events.py), where whole-frame tags
# rarely name clothes. One garment is often spread over near classes (a knitted cardigan: cardigan
# 0.30 + wool 0.24 + sweatshirt 0.12), so an item's probability is the sum over its classes.
TOPS = {
    "jersey": "a T-shirt", "cardigan": "a cardigan or sweater", "wool": "a cardigan or sweater",
    "sweatshirt": "a cardigan or sweater", "suit": "a suit jacket", "jean": "a denim (jean) shirt",
    "trench coat": "a coat", "fur coat": "a coat", "lab coat": "a white coat",
    "military uniform": "a uniform", "apron": "an apron", "kimono": "a kimono",
}
_ANIMAL_KINDS = {name for name, _, _ in _ANIMAL_RANGES}
_TABLE: dict[str, str] | None = None
_LOCK = threading.Lock()


def class_table() -> dict[str, str]:
    """ImageNet label -> class word: animal groups (by index range), vehicles, people's clothing."""
    global _TABLE
    with _LOCK:
        if _TABLE is None:
            table: dict[str, str] = {}
            try:
                from timm.data import ImageNetInfo

                info = ImageNetInfo()
                labels = [info.index_to_description(i).split(",")[0].strip() for i in range(info.num_classes())]
                for name, lo, hi in _ANIMAL_RANGES:
                    for i in range(lo, hi + 1):
                        table.setdefault(labels[i], name)
            except Exception:  # timm missing: vehicles and clothing still map
                pass
            for cls, labels_ in VEHICLES.items():
                for lbl in labels_:
                    table.setdefault(lbl, cls)
            for lbl in PERSON_LABELS:
                table.setdefault(lbl, "person")
            _TABLE = table
        return _TABLE


def display(label: str) -> str:
    """A tag as text: "king penguin (bird, animal)", "cab (taxi, car, vehicle)", "jersey (T-shirt)",
    "television" (nothing to add)."""
    words = []
    every = EVERYDAY.get(label)
    if every:
        words.append(every)
    kind = class_table().get(label)
    if kind and kind != "person" and kind not in label.lower() and not (every and kind in every):
        words.append(kind)
    # and the word for the whole group, which questions use ("what animal is in it?", "which vehicles")
    group = "animal" if kind in _ANIMAL_KINDS else "vehicle" if kind in VEHICLES else None
    if group and group not in label.lower():
        words.append(group)
    return f"{label} ({', '.join(words)})" if words else label


# Colour words people use, as the names the indexer's palette gives (index/vision.COLOURS). Some
# read as either of two names by how the light falls: a silver car as grey or white, faded denim as
# blue or cyan, navy as blue or black. One vocabulary for the event list and for looks.
COLOUR_WORDS = {
    "black": ["black"], "white": ["white"], "grey": ["grey"], "gray": ["grey"], "silver": ["grey", "white"],
    "red": ["red"], "maroon": ["red", "brown"], "orange": ["orange"], "yellow": ["yellow"], "gold": ["yellow", "orange"],
    "brown": ["brown"], "beige": ["brown", "white"], "tan": ["brown"], "green": ["green"], "olive": ["green"],
    "cyan": ["cyan"], "turquoise": ["cyan", "blue"], "teal": ["cyan", "green"], "blue": ["blue"],
    "navy": ["blue", "black"], "denim": ["blue", "cyan"], "purple": ["purple"], "violet": ["purple"],
    "pink": ["pink"], "dark": ["black", "grey"],
}


__all__ = ["class_table", "display", "VEHICLES", "PERSON_LABELS", "EVERYDAY", "COLOUR_WORDS", "WORN", "TOPS"]
