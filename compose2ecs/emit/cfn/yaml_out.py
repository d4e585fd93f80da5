"""Deterministic serialisation of templates (YAML by default, JSON on request).

Intrinsic functions are plain mappings in their long form (``Ref:``, ``Fn::GetAtt:``), which
cfn-lint, ``aws cloudformation deploy`` and ``package`` all read; no custom YAML tags. Keys are
sorted, except the template's top-level sections and a resource's attributes, which follow the
order people expect when reading (Parameters before Resources, Type before Properties).

YAML is written by :mod:`compose2ecs.yamlwrite` (the writer ``config`` uses too; PyYAML's
representer was half the run time on big projects); tests re-read every golden and corpus
template with PyYAML and cfn-lint.
"""
from __future__ import annotations

import json

from ...yamlwrite import TemplateWriter, sorted_keys

TOP_ORDER = ("AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Conditions",
             "Resources", "Outputs")
RESOURCE_ORDER = ("Type", "Condition", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Metadata",
                  "Properties")


def ordered_keys(value: dict, order: tuple) -> list:
    """Keys named in ``order`` first (in that order), then the rest sorted."""
    first = [k for k in order if k in value]
    rest = [k for k in sorted_keys(value) if k not in order]
    return first + rest


def _write_yaml(template: dict) -> str:
    if not template:
        return "{}\n"
    writer = TemplateWriter()
    for section in ordered_keys(template, TOP_ORDER):
        body = template[section]
        if section == "Resources" and isinstance(body, dict) and body:
            writer.lines.append(writer.key(section, "") + ":")
            for rid in sorted_keys(body):
                resource = body[rid]
                if isinstance(resource, dict) and resource:
                    writer.lines.append("  " + writer.key(rid, "  ") + ":")
                    writer.mapping(resource, "    ", 4, ordered_keys(resource, RESOURCE_ORDER))
                else:
                    writer.mapping(body, "  ", 2, [rid])
        else:
            writer.mapping(template, "", 0, [section])
    return writer.getvalue()


def dump(template: dict, fmt: str = "yaml") -> str:
    """Serialise ``template``: ``yaml`` (default) or ``json`` (indent 2, sorted keys)."""
    if fmt == "json":
        return json.dumps(template, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt != "yaml":
        raise ValueError(f"unknown template format {fmt!r} (yaml or json)")
    return _write_yaml(template)
