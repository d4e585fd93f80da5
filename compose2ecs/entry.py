"""The command's first lines (console script and ``python -m compose2ecs``): start-up without
the cyclic garbage collector.

Start-up imports ~160 modules and builds the command line: thousands of objects that live until
the process ends, and next to no garbage, yet the collector walks the growing heap some forty
times on the way (~5 ms of a 0.15 s ``config``; issue 12). The offline commands (``config``,
``convert``, ``cost``) are short and make little cyclic garbage, so for them it stays off; their
allocation-heavy phases already ran with it paused (``gcpause.py``). The AWS commands run for
minutes and turn it back on (``cli_aws._guard``). Importing ``compose2ecs.cli`` (library users,
tests) leaves the collector as Python set it.
"""


def main() -> None:
    import gc

    gc.disable()
    from .cli import main as run_cli

    run_cli()
