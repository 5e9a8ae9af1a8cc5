"""The connector catalog: built-ins, plus third-party connectors found through entry points."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from typing import TYPE_CHECKING, Any, ClassVar

from ironbridge.connectors import registry as registry_module
from ironbridge.connectors.base import SystemInfo
from ironbridge.connectors.registry import ENTRY_POINT_GROUP, ConnectorRegistry
from ironbridge.connectors.sandbox import SandboxConnector
from ironbridge.models import AuthMethod, SystemCategory

if TYPE_CHECKING:
    import pytest


class PluginConnector(SandboxConnector):
    system: ClassVar[SystemInfo] = SystemInfo(
        key="acme-mes",
        name="Acme MES",
        vendor="Acme",
        categories=(SystemCategory.MES,),
        description="A third-party connector.",
        auth_method=AuthMethod.API_KEY,
        auth_fields=(),
    )


def test_built_ins_are_registered() -> None:
    keys = ConnectorRegistry.default(discover=False).keys()
    assert {"sandbox", "sap-s4hana", "netsuite", "maximo"} <= set(keys)


def test_entry_points_add_connectors_and_a_broken_one_is_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good = EntryPoint(
        name="acme", value="tests.connectors.test_registry:PluginConnector", group=ENTRY_POINT_GROUP
    )
    broken = EntryPoint(
        name="broken", value="tests.connectors.no_such_module:Nope", group=ENTRY_POINT_GROUP
    )

    def fake_entry_points(*, group: str) -> list[Any]:
        assert group == ENTRY_POINT_GROUP
        return [good, broken]

    monkeypatch.setattr(registry_module, "entry_points", fake_entry_points)
    registry = ConnectorRegistry.default()
    assert registry.get("acme-mes") is PluginConnector
    assert registry.get("sandbox") is SandboxConnector
