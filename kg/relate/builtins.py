"""The built-in relation and event components, registered by name."""

from __future__ import annotations

from kg.relate import event_components, relation_components
from kg.relate.biography import datelines, founders, headquarters, origins, posts, schools
from kg.relate.events import events
from kg.relate.names import divisions, name_structure, names_inside
from kg.relate.programs import awards, implements
from kg.relate.titles import bylines, titles
from kg.relate.triggers import triggers

__all__: list[str] = []

relation_components.register("byline", "a byline's role (reporter, correspondent) is its author's job title")(bylines)
relation_components.register("title-rule", "titles before a name: job titles, honours, employers")(titles)
relation_components.register("name-rule", "places and parent bodies named inside a name")(names_inside)
relation_components.register("implements-rule", "an organization, an implementing verb, a program")(implements)
relation_components.register("award-rule", "a person, an award verb, a program: an honour")(awards)
relation_components.register("gazetteer", "divisions inside divisions, from the gazetteer",
                             scope="corpus")(divisions)
relation_components.register("name-structure", "parent bodies and places read off canonical names",
                             scope="corpus")(name_structure)
relation_components.register("post-rule", "posts after an appointment verb, after a name, after is: titles and employers")(posts)
relation_components.register("dateline", "a dateline's reporter works for its agency")(datelines)
relation_components.register("founder-rule", "founders: founding verbs and founder titles")(founders)
relation_components.register("headquarters-rule", "headquarters: where an organization is")(headquarters)
relation_components.register("school-rule", "schools a person graduated from (not employment)")(schools)
relation_components.register("origin-rule", "nationality, birthplace and native place")(origins)
event_components.register("event-rule", "event types, dates, places, participants and organizers")(events)
event_components.register("event-trigger", "events anchored at trigger verbs: type, status, time, place, roles")(
    triggers)
