"""File-based compose secrets → Secrets Manager secrets the stack creates.

The secret gets a generated random value so the stack deploys; its description (and the
bundle's README/report) say how to put the real value. The file's contents never appear in
the template — only its name, so the user knows which file to upload.
"""
from __future__ import annotations

import os

from .context import Builder, pascal, ref

SET_VALUE = ("aws secretsmanager put-secret-value --secret-id <this secret's ARN> "
             "--secret-string file://{file}, then redeploy the services (tasks read secrets at start)")


def add_secrets(b: Builder) -> dict:
    """Create the secrets marked ``create``; returns {value_from placeholder: logical ID}."""
    created = {}
    for spec in sorted(b.ecs.secrets, key=lambda s: s.key):
        if not spec.create or spec.kind == "config":  # configs live in SSM; deploy stores them (aws/secrets.py)
            continue
        # Only the file's name: an absolute path would differ per machine (and leak a home dir).
        source = os.path.basename(spec.source_file) if spec.source_file else \
            "<the file or variable the compose secret names>"
        description = (f"compose secret {spec.key} of project {b.ecs.name}. The stack stores a random "
                       f"placeholder; set the real value with: " + SET_VALUE.format(file=source))
        rid = b.resource(b.pid(("secret", spec.key), "Secret" + pascal(spec.key)), "AWS::SecretsManager::Secret", {
            "Name": {"Fn::Sub": "${AWS::StackName}/" + spec.key},
            "Description": description[:2048],
            "GenerateSecretString": {"PasswordLength": 32, "ExcludePunctuation": True},
            "Tags": b.tags(extra={"compose2ecs:secret": spec.key})},
            description=f"compose secret {spec.key} (value set after creation)", about={"secret": spec.key})
        created[spec.value_from] = rid
        b.output(b.pid(("output-secret", spec.key), "Secret" + pascal(spec.key) + "Arn"), ref(rid),
                 f"Set the value of compose secret {spec.key} here (from {source})")
    return created
