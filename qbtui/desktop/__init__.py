"""QuickBooks Desktop through the QuickBooks Web Connector (docs/desktop.md): qbXML from the ledger's payloads
(:mod:`qbtui.desktop.qbxml`, within Desktop's limits: :mod:`qbtui.desktop.names`), the Web Connector's SOAP service
(:mod:`qbtui.desktop.service`, :mod:`qbtui.desktop.soap`), QuickBooks' answers (:mod:`qbtui.desktop.responses`) and the
Desktop profile (:mod:`qbtui.desktop.profile`: password, GUIDs, the .qwc file).

A room beside qbtui.sync: it imports the ledger, documents, settings, cache and the bottom rooms; only the CLI
imports it."""
