"""Maintenance (docs/domain.md#maintenance): reconciliation, duplicate finder, COGS maintenance,
replacing products, historical export, change of organisation / disabling the integration,
autosync (scheduler, one sync per profile, alerts by e-mail) and the audit log.

Each piece is a plain function over a writer/reader :class:`~qbtui.cache.Cache` and an async
:class:`~qbtui.qbo.QBOClient`; ``qbtui.cli.maintenance`` holds the ``qbtui`` commands and
``qbtui.tui.maintenance`` the screens; nothing here prints. Every action that changes QBO is recorded as a run of kind
``maintenance`` (see :mod:`qbtui.maintenance.audit`): what was removed or exported, with entity,
QBO Id, DocNumber and amount, so that nothing leaves view.
"""
