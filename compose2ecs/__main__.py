"""``python -m compose2ecs`` = the ``compose2ecs`` command."""
from .entry import main

main()
