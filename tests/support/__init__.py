"""What the tests share, in one place (the tests themselves live beside their subject: tests/cli, tests/sync...).

- ``profiles``: a profile connected to the real sandbox. ``make_profile(docs=None, **config)`` and ``profile`` (pytest
  fixtures, registered in tests/conftest.py): a sandbox on loopback, parameterised by ``sandbox_config``'s fields
  (company, faults, throttle, latency_ms, token_ttl...), and a profile connected through the CLI as a user on SSH
  connects (``connect_cli``); ``in_process`` and ``connect`` for the same over an ASGI transport in this process;
  ``seed_profile`` (the demo data set, not connected); ``Qbtui`` (the CLI on a data folder); ``unique``.
- ``documents``: the document factory. ``customer``, ``supplier``, ``product``, ``line``, ``invoice``, ``cogs``,
  ``payment``, ``credit_note``, ``adjustment`` with defaults (C-100 Harbour Cafe, MUG-01 at 12.50 costing 4.10,
  November 2026), and the named sets ``example``, ``small_set``, ``two_invoices``, ``payment_set``.
"""
