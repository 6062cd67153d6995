"""The confidence of what the trigger-anchored event component (``event-trigger``) states.

Estimates of how often each rule is right, ordering the rules (the type read off the trigger word
is surest, a participant read across a clause least); not calibrated probabilities.
"""

from __future__ import annotations

__all__ = [
    "TRIGGER_EVENT",
    "TRIGGER_TYPE",
    "SUBJECT",
    "SUBJECT_OF_SENTENCE",
    "OBJECT",
    "PARTNER",
    "PLACE_AFTER_PARTICLE",
    "PLACE_BEFORE_TRIGGER",
    "DATE_IN_CLAUSE",
    "DATE_IN_SENTENCE",
    "DATE_IN_PARAGRAPH",
    "CASUALTIES",
]

#: An event anchored at a trigger word of the lexicons, with an argument or a date.
TRIGGER_EVENT = 0.7
#: Its type, read off the trigger word.
TRIGGER_TYPE = 0.8
#: The entity nearest before the trigger in its clause (its subject), in the trigger's subject role.
SUBJECT = 0.7
#: The sentence's first person or organization, when the trigger's clause names none (瑞典皇家科学院9日宣布，将…授予…).
SUBJECT_OF_SENTENCE = 0.55
#: The entity right after the trigger (its object), in the trigger's object role.
OBJECT = 0.7
#: A partner joined to the subject by 同/与/和 (A同B会谈).
PARTNER = 0.7
#: The place after 在/于/赴 in the trigger's clause.
PLACE_AFTER_PARTICLE = 0.75
#: A place right before a disaster's trigger (某地发生地震).
PLACE_BEFORE_TRIGGER = 0.6
#: A date phrase in the trigger's clause.
DATE_IN_CLAUSE = 0.8
#: A date phrase elsewhere in the sentence, before the trigger.
DATE_IN_SENTENCE = 0.7
#: The last date stated earlier in the paragraph.
DATE_IN_PARAGRAPH = 0.55
#: A number of dead or injured in the sentence of a disaster or an attack.
CASUALTIES = 0.75
