"""The escape hatch: a CloudFormation overlay from ``x-ecs: {cloudformation: …}`` (or Docker's
``x-aws-cloudformation``), merged last into the generated template, then validated.

Merge rules (docs/cloudformation.md):
* mappings merge key by key, recursively; the overlay's value wins for scalars;
* lists are replaced as a whole (no positional merging: it would silently depend on the
  generated order);
* ``null`` deletes the key (a property, or a whole resource/output/parameter).

Validation after merging: only known top-level sections; every resource has a ``Type``
string; every ``Ref``/``Fn::GetAtt``/``Fn::Sub`` name, ``DependsOn`` and ``Condition`` points at
something that exists. Problems raise UserError pointing at the overlay in the compose file.
"""
from __future__ import annotations

import re

from ...compose.source import locate, plain
from ...errors import Location, UserError, diagnostic
from .parameters import used_references

KEYS = ("cloudformation", "x-aws-cloudformation")
SECTIONS = {"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Mappings", "Conditions",
            "Transform", "Resources", "Outputs", "Rules"}
PSEUDO = re.compile(r"^AWS::")


def find_overlay(ecs):
    """(key, overlay) from the project's extensions, or (None, None)."""
    extensions = dict(ecs.extensions)
    for key in KEYS:
        if extensions.get(key):
            return key, extensions[key]
    return None, None


def merge(base, overlay):
    """Deep-merge ``overlay`` into ``base`` (new objects; inputs unchanged)."""
    if not isinstance(base, dict) or not isinstance(overlay, dict):
        return plain(overlay)
    out = dict(base)
    for key, value in overlay.items():
        if value is None:
            out.pop(key, None)
        elif key in out and isinstance(out[key], dict) and isinstance(value, dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = plain(value)
    return out


def apply(template: dict, ecs) -> dict:
    """Merge the project's overlay (if any) into ``template`` and validate the result."""
    key, overlay = find_overlay(ecs)
    if overlay is None:
        return template
    if not isinstance(overlay, dict):
        raise UserError(diagnostic(locate(overlay, ()).with_path(("x-ecs", key)),
                                   "the CloudFormation overlay must be a mapping (a partial template)",
                                   "write it like a template: Resources: {WebService: {Properties: …}}"))
    merged = merge(template, overlay)
    problems = validate(merged)
    if problems:
        # The overlay may have lost its positions on the way; the compose file still helps.
        fallback = next((s.at for s in ecs.services if s.at.file), Location())
        fallback = Location(fallback.file)
        raise UserError([diagnostic(locate(overlay, path, fallback).with_path(("x-ecs", key) + tuple(path)),
                                    f"CloudFormation overlay: {message}", hint)
                         for path, message, hint in problems])
    return merged


def validate(template: dict) -> list:
    """(key path, message, hint) for every structural problem of a merged template."""
    problems = []
    for section in sorted(set(template) - SECTIONS):
        problems.append(((section,), f"unknown template section {section!r}",
                         "use Parameters, Conditions, Resources, Outputs, … (CloudFormation's section names)"))
    resources = template.get("Resources") or {}
    names = set(resources) | set(template.get("Parameters") or {})
    conditions = set(template.get("Conditions") or {})
    for rid, body in sorted(resources.items()):
        problems += _check_resource(rid, body, names, conditions)
    for oid, body in sorted((template.get("Outputs") or {}).items()):
        for name in sorted(used_references(body) - names):
            if not PSEUDO.match(name):
                problems.append((("Outputs", oid), f"output {oid} refers to {name!r}, which does not exist",
                                 "define it, or remove the reference"))
    return problems


def _check_resource(rid, body, names, conditions) -> list:
    where = ("Resources", rid)
    if not isinstance(body, dict) or not isinstance(body.get("Type"), str):
        return [(where, f"resource {rid} has no Type",
                 "give new resources a Type (e.g. AWS::SQS::Queue); to change a generated one, use its logical ID")]
    problems = []
    for name in sorted(used_references(body.get("Properties", {})) - names):
        if not PSEUDO.match(name):
            problems.append((where, f"resource {rid} refers to {name!r}, which does not exist",
                             "check the logical ID in the generated template (compose2ecs convert --format cloudformation)"))
    depends = body.get("DependsOn", [])
    for name in sorted(set([depends] if isinstance(depends, str) else depends) - names):
        problems.append((where + ("DependsOn",), f"resource {rid} depends on {name!r}, which does not exist",
                         "name a resource of the template"))
    if body.get("Condition") and body["Condition"] not in conditions:
        problems.append((where + ("Condition",), f"resource {rid} uses undefined condition {body['Condition']!r}",
                         "define it under Conditions"))
    return problems
