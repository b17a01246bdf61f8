"""A connection form generated from a connector's credentials and options models, and read back into a change.

Credentials are write-only: every credential is a password input that is never filled in, and a
blank one keeps what is stored. Options get the input their type calls for: a `Literal` or an
`Enum` a select, a `bool` a checkbox (an optional bool a select with "default"), a number a
number input, anything else a text input. The values go to `ingest.connections` unconverted,
so the one set of rules (pydantic's, through the connector's models) decides what is valid.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from annotated_types import Ge, Gt
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from parcelsync.connectors.record import Connector
from parcelsync.ingest.connections import ConnectionChange
from parcelsync.web.formatting import label

InputKind = Literal["password", "text", "number", "checkbox", "select"]
DEFAULT_CHOICE = ""
"""The value of the "(default)" choice of an optional select: the option is left unset."""


@dataclass(frozen=True, slots=True)
class FormField:
    """One input: `name` is the form field (and the error field), e.g. `credentials.api_key`."""

    name: str
    key: str
    label: str
    kind: InputKind
    required: bool
    help: str | None
    choices: tuple[tuple[str, str], ...] = ()
    step: str | None = None
    minimum: str | None = None
    default: str | None = None
    nullable: bool = False
    """Blank means "unset" (None); otherwise a blank input keeps the stored value or the default."""

    @property
    def dom_id(self) -> str:
        return "f-" + self.name.replace(".", "-").replace("_", "-")


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """(the type inside `X | None`, whether None is allowed)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(args) != len(typing.get_args(annotation)):
            return args[0], True
    return annotation, False


def _choices(inner: Any) -> tuple[tuple[str, str], ...] | None:
    if typing.get_origin(inner) is Literal:
        return tuple((str(v), str(v)) for v in typing.get_args(inner))
    if isinstance(inner, type) and issubclass(inner, enum.Enum):
        return tuple((str(m.value), str(m.value)) for m in inner)
    return None


def _minimum(info: FieldInfo) -> str | None:
    for item in info.metadata:
        if isinstance(item, Ge | Gt):
            return str(item.ge if isinstance(item, Ge) else item.gt)
    return None


def _default_text(info: FieldInfo) -> str | None:
    if info.is_required() or info.default is None:
        return None
    value = info.default
    return str(value.value if isinstance(value, enum.Enum) else value)


def option_field(key: str, info: FieldInfo) -> FormField:
    """The input of one option, by its type."""
    inner, optional = _unwrap_optional(info.annotation)
    common: dict[str, Any] = {
        "name": f"options.{key}", "key": key, "label": label(key), "required": info.is_required(),
        "help": info.description, "default": _default_text(info), "nullable": optional,
    }
    choices = _choices(inner)
    if inner is bool and not optional:
        return FormField(kind="checkbox", **common)
    if inner is bool:
        choices = (("true", "yes"), ("false", "no"))
    if choices is not None:
        if optional or (not info.is_required() and info.default is None):
            choices = ((DEFAULT_CHOICE, "(default)"), *choices)
        return FormField(kind="select", choices=choices, **common)
    if inner in (int, float):
        return FormField(kind="number", step="1" if inner is int else "any", minimum=_minimum(info), **common)
    return FormField(kind="text", **common)


def credential_field(key: str, info: FieldInfo) -> FormField:
    return FormField(
        name=f"credentials.{key}", key=key, label=label(key), kind="password", required=info.is_required(),
        help=info.description,
    )


def credential_fields(connector: Connector) -> list[FormField]:
    return [credential_field(k, f) for k, f in connector.credentials.model_fields.items()]


def option_fields(connector: Connector) -> list[FormField]:
    return [option_field(k, f) for k, f in connector.options.model_fields.items()]


def option_values(model: type[BaseModel], stored: Mapping[str, Any] | None) -> dict[str, str]:
    """What each option input shows: the stored value, else the default ("" for unset)."""
    values: dict[str, str] = {}
    for key, info in model.model_fields.items():
        value = (stored or {}).get(key, None if info.is_required() else info.default)
        if isinstance(value, enum.Enum):
            value = value.value
        values[key] = "" if value is None else ("true" if value is True else "false" if value is False else str(value))
    return values


def read_form(connector: Connector, form: Mapping[str, Any], *, allow_private: bool = False) -> ConnectionChange:
    """The change a submitted form asks for: blank credentials are left out (kept), blank options unset;
    `allow_private` is PARCELSYNC_ALLOW_PRIVATE_BASE_URLS."""
    credentials = {
        f.key: str(form.get(f.name) or "").strip() for f in credential_fields(connector)
    }
    options: dict[str, Any] = {}
    for f in option_fields(connector):
        if f.kind == "checkbox":
            options[f.key] = form.get(f.name) == "on"
            continue
        text = str(form.get(f.name) or "").strip()
        if text:
            options[f.key] = text
        elif f.nullable:
            options[f.key] = None
    base_url = str(form.get("base_url") or "").strip() or None
    return ConnectionChange(
        base_url=base_url,
        credentials={k: v for k, v in credentials.items() if v} or None,
        options=options,
        enabled=form.get("enabled") == "on",
        allow_private_base_url=allow_private,
    )


def form_echo(connector: Connector, form: Mapping[str, Any]) -> dict[str, str]:
    """The option inputs as submitted, to show the form again after an error (credentials never echoed)."""
    values = option_values(connector.options, None)
    for f in option_fields(connector):
        if f.kind == "checkbox":
            values[f.key] = "true" if form.get(f.name) == "on" else "false"
        else:
            values[f.key] = str(form.get(f.name) or "")
    return values
