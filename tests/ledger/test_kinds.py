"""The registry of document kinds: one entry per model, and the tables derived from it."""

from qbtui.documents.models import MODELS
from qbtui.ledger.build import BUILDERS, roles_used
from qbtui.ledger.kinds import KIND, KINDS, TYPE_ORDER, WAVES, dashboard_kinds, dependencies


def test_one_kind_per_model_and_a_builder_for_each() -> None:
    assert set(KIND) == set(MODELS) and len(KINDS) == len(MODELS)
    assert set(BUILDERS) == set(MODELS)
    assert all(KIND[t].model is MODELS[t] for t in MODELS)


def test_waves_follow_the_sending_order_and_references() -> None:
    assert [t for wave in WAVES for t in wave] == sorted(TYPE_ORDER, key=lambda t: KIND[t].wave)
    assert WAVES[0] == ("customer", "supplier", "product")
    assert WAVES[-1] == ("sale_payment", "supplier_payment", "supplier_deposit")
    for kind in KINDS:
        for _, target in kind.references:
            assert TYPE_ORDER.index(target) < TYPE_ORDER.index(kind.name)


def test_dependencies_come_from_the_references() -> None:
    invoice = {"type": "sale_invoice", "ref": "SO-1", "customer": "C-1",
               "lines": [{"sku": "A"}, {"sku": "B"}, {"sku": "A"}]}
    assert dependencies(invoice) == [("customer", "C-1"), ("product", "A"), ("product", "B")]
    assert dependencies({"type": "sale_payment", "ref": "P", "invoice": "SO-1"}) == [("sale_invoice", "SO-1")]
    deposit = {"type": "supplier_deposit", "ref": "D", "supplier": "S-1", "supplier_invoice": "B-1"}
    assert dependencies(deposit) == [("supplier", "S-1"), ("supplier_invoice", "B-1")]
    assert dependencies({**deposit, "supplier_invoice": None}) == [("supplier", "S-1")]
    # a credit note names its invoice but does not wait for it; a gift voucher's customer is informational
    assert dependencies({"type": "credit_note", "ref": "CN", "customer": "C-1", "invoice": "SO-1", "lines": []}) == [
        ("customer", "C-1")]
    assert dependencies({"type": "gift_voucher", "ref": "G", "customer": "C-1"}) == []
    assert dependencies({"type": "adjustment", "ref": "A", "lines": [{"sku": "A"}]}) == []


def test_every_kind_has_one_place_on_the_dashboard() -> None:
    shown = [k.name for tab in ("Sales", "Purchases", "Adjustments & COGS", "Retail") for k in dashboard_kinds(tab)]
    assert sorted(shown) == sorted(KIND) and len(shown) == len(set(shown))


def test_roles_of_a_kind_that_does_not_depend_on_the_document() -> None:
    assert roles_used({"type": "supplier_payment", "ref": "X"}) == ["accounts_payable", "bank"]
    assert roles_used({"type": "customer", "ref": "X"}) == []


def test_the_engine_sends_in_the_registry_waves() -> None:
    """The engine keeps no list of kinds of its own: its waves are the registry's object."""
    from qbtui.sync import engine

    assert engine.WAVES is WAVES
