"""The schema, with the limits and error shaping every request goes through."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from ironbridge.schema.errors import ShapeErrors
from ironbridge.schema.lifecycle import LifecycleMutation, LifecycleQuery
from ironbridge.schema.mutation import Mutation
from ironbridge.schema.query import Query
from ironbridge.schema.subscription import Subscription
from ironbridge.schema.sync import SyncMutation, SyncSubscription
from ironbridge.schema.types.records import RECORD_TYPES
from ironbridge.schema.webhooks import WebhookMutation, WebhookQuery
from ironbridge.schema.writes import WriteMutation

if TYPE_CHECKING:
    from graphql import GraphQLError
    from strawberry.types import ExecutionContext

    from ironbridge.settings import Settings


class IronbridgeSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # expected errors are answers, not incidents; ShapeErrors logs the unexpected ones
        return None


def build_schema(settings: Settings) -> IronbridgeSchema:
    # the rule classes are made once: the validation cache keys on them, so a new class per
    # request (what passing the limiters as factories does) would validate every request anew
    rules = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    extensions: list[Any] = [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: AddValidationRules(rules),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        ShapeErrors,
    ]
    return IronbridgeSchema(
        query=merge_types("Query", (Query, LifecycleQuery, WebhookQuery)),
        mutation=merge_types(
            "Mutation", (Mutation, LifecycleMutation, WebhookMutation, SyncMutation, WriteMutation)
        ),
        subscription=merge_types("Subscription", (Subscription, SyncSubscription)),
        types=[t for _, t, _ in RECORD_TYPES.values()],
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=True),
    )


__all__ = ["IronbridgeSchema", "build_schema"]
