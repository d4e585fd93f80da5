"""The command's first and last lines (console script and ``python -m compose2ecs``): the
cyclic garbage collector is kept out of start-up and shut-down.

* Start-up imports ~160 modules and builds the command line: thousands of objects that live
  until the process ends, and next to no garbage, yet the collector walks the growing heap some
  forty times on the way (~5 ms of a 0.12 s ``config``; issue 12). The offline commands
  (``config``, ``convert``, ``cost``) are short and make little cyclic garbage, so for them it
  stays off; their allocation-heavy phases ran with it paused anyway (``gcpause.py``). The AWS
  commands run for minutes and turn it back on (``cli_aws._guard``).
* At exit Python makes one last full collection over every object still alive — all of
  start-up's and the command's: ~40 ms for a 3-service ``convert``, more than the command's own
  work. The process is ending and frees its memory whole, so those objects are frozen first
  (``gc.freeze``: out of the collector's reach). Objects are still released by reference
  counting at shut-down, and ``atexit`` handlers and ``weakref.finalize`` callbacks run as usual.

Importing ``compose2ecs.cli`` (library users, tests) leaves the collector as Python set it.
"""


def main() -> None:
    import gc

    gc.disable()
    try:
        from .cli import main as run_cli

        run_cli()
    finally:
        gc.freeze()
