"""The holders' declaration to the national register (SPEC §9): the XML flux checked against the
official XSD, its processing report, the awards and their declaration status."""
