"""``python -m compose2ecs`` = the ``compose2ecs`` command."""
from .cli import main

main()
