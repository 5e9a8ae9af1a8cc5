"""``$metadata`` documents (EDMX) generated from the entity set declarations, V2 and V4."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ironbridge.emulators.sap.model import Edm

if TYPE_CHECKING:
    from ironbridge.emulators.sap.model import EntitySet, Prop, Service

__all__ = ["metadata_document"]

_FACETS = {
    Edm.DECIMAL: ' Precision="13" Scale="3"',
    Edm.TIMESTAMP: ' Precision="15" Scale="0"',
    Edm.DATETIMEOFFSET: ' Precision="7"',
}


def _property(prop: Prop, version: int, etag: bool) -> str:
    facets = _FACETS.get(prop.type, "")
    if prop.type is Edm.DATE and version == 2:
        facets = ' Precision="0" sap:display-format="Date"'
    if etag and prop.name == "LastChangeDateTime" and version == 2:
        facets += ' ConcurrencyMode="Fixed"'
    nullable = ' Nullable="false"' if prop.key else ""
    return f'<Property Name="{prop.name}" Type="{prop.type.edm_name(version)}"{nullable}{facets}/>'


def _key(entity_set: EntitySet) -> str:
    refs = "".join(f'<PropertyRef Name="{k}"/>' for k in entity_set.keys)
    return f"<Key>{refs}</Key>"


def _v2(service: Service) -> str:
    ns = service.namespace
    types, associations, sets, association_sets = [], [], [], []
    for entity_set in service.sets:
        body = [_key(entity_set)]
        body += [_property(p, 2, entity_set.etag) for p in entity_set.props]
        for nav in entity_set.navs:
            target = service.entity_set(nav.target)
            assert target is not None
            assoc = f"assoc_{entity_set.name}_{nav.name}"
            body.append(
                f'<NavigationProperty Name="{nav.name}" Relationship="{ns}.{assoc}" '
                f'FromRole="FromRole_{assoc}" ToRole="ToRole_{assoc}"/>'
            )
            associations.append(
                f'<Association Name="{assoc}">'
                f'<End Type="{ns}.{entity_set.type_name}" Multiplicity="1" '
                f'Role="FromRole_{assoc}"/>'
                f'<End Type="{ns}.{target.type_name}" Multiplicity="*" Role="ToRole_{assoc}"/>'
                "</Association>"
            )
            association_sets.append(
                f'<AssociationSet Name="{assoc}" Association="{ns}.{assoc}">'
                f'<End EntitySet="{entity_set.name}" Role="FromRole_{assoc}"/>'
                f'<End EntitySet="{target.name}" Role="ToRole_{assoc}"/></AssociationSet>'
            )
        types.append(
            f'<EntityType Name="{entity_set.type_name}" sap:content-version="1">'
            + "".join(body)
            + "</EntityType>"
        )
        sets.append(
            f'<EntitySet Name="{entity_set.name}" EntityType="{ns}.{entity_set.type_name}"/>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" '
        'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" '
        'xmlns:sap="http://www.sap.com/Protocols/SAPData">'
        '<edmx:DataServices m:DataServiceVersion="2.0">'
        f'<Schema Namespace="{ns}" xml:lang="en" sap:schema-version="1" '
        'xmlns="http://schemas.microsoft.com/ado/2008/09/edm">'
        + "".join(types)
        + "".join(associations)
        + f'<EntityContainer Name="{ns}_Entities" m:IsDefaultEntityContainer="true">'
        + "".join(sets)
        + "".join(association_sets)
        + "</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>"
    )


def _v4(service: Service) -> str:
    ns = service.namespace
    types, sets = [], []
    for entity_set in service.sets:
        body = [_key(entity_set)] + [_property(p, 4, entity_set.etag) for p in entity_set.props]
        bindings = []
        for nav in entity_set.navs:
            target = service.entity_set(nav.target)
            assert target is not None
            body.append(
                f'<NavigationProperty Name="{nav.name}" '
                f'Type="Collection({ns}.{target.type_name})"/>'
            )
            bindings.append(
                f'<NavigationPropertyBinding Path="{nav.name}" Target="{target.name}"/>'
            )
        types.append(
            f'<EntityType Name="{entity_set.type_name}">' + "".join(body) + "</EntityType>"
        )
        sets.append(
            f'<EntitySet Name="{entity_set.name}" EntityType="{ns}.{entity_set.type_name}">'
            + "".join(bindings)
            + "</EntitySet>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">'
        f'<edmx:DataServices><Schema Namespace="{ns}" '
        'xmlns="http://docs.oasis-open.org/odata/ns/edm">'
        + "".join(types)
        + '<EntityContainer Name="Container">'
        + "".join(sets)
        + "</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>"
    )


def metadata_document(service: Service) -> str:
    return _v2(service) if service.version == 2 else _v4(service)
