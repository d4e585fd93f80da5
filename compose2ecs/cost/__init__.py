"""``compose2ecs cost``: a monthly estimate from the ECS model, a price table and assumptions.

* :mod:`.prices` — the offline, dated table (``prices.json``, package data) and :class:`Prices`;
* :mod:`.live` — the same rates read from the AWS Price List API (boto3, imported lazily);
* :mod:`.assume` — the ``--assume KEY=VALUE`` settings (logs, EFS, load-balancer usage);
* :mod:`.estimate` — the pure function ``estimate(ecs, prices, assumptions)``;
* :mod:`.savings` — what choosing differently would save, tied to the lowering's findings;
* :mod:`.render` — the terminal table, the JSON document, the Markdown section;
* :mod:`.delta` — the monthly delta ``plan`` shows.
"""
