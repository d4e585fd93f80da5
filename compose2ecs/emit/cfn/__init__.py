"""Pieces of the CloudFormation emitter; :mod:`compose2ecs.emit.cloudformation` assembles them."""
