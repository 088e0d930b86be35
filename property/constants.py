"""Constants of the property app."""

ROLE_OFFICER = "property.officer"
ROLE_CONSOLIDATOR = "property.consolidator"

# Chain-template purposes (documents.ChainTemplate.purpose), one per movement kind.
PURPOSE_PREFIX = "property."

SEQUENCE_SCOPE = "property:movement"

# The classification code of the government's 財物標準分類: 7 digits, hyphen, 2 digits, and an
# optional capital letter (5010106-03, 2010101-01A).
CLASSIFICATION_RE = r"^[1-9][0-9]{6}-[0-9]{2}[A-Z]?$"

CLASS_NAMES = {
    "1": ("土地及土地改良物", "Land and land improvements"),
    "2": ("房屋建築及設備", "Buildings and equipment"),
    "3": ("機械及設備", "Machinery and equipment"),
    "4": ("交通及運輸設備", "Transport equipment"),
    "5": ("什項設備", "Miscellaneous equipment"),
}

# The transmission file's layout version (see README "Transmission file").
TRANSMISSION_VERSION = "MOLP1"
