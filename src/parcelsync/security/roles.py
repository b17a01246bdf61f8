"""Dashboard roles and what each may do, as pure decisions.

- `admin`: every merchant (merchant_id None); manages merchants, users, admin tokens.
- `operator`: one merchant; retries, imports, edits its settings, connections and tokens, and
  manages that merchant's users (operators and viewers, never admins).
- `viewer`: one merchant; reads everything its merchant has, changes nothing.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    VIEWER = "viewer"


class RoleError(ValueError):
    """The role does not fit the user as asked."""


def default_role(merchant_id: str | None) -> Role:
    """The role of a user made without one (and of users from before roles): admin when of every merchant."""
    return Role.ADMIN if merchant_id is None else Role.OPERATOR


def check_role(role: Role, merchant_id: str | None) -> None:
    """An admin belongs to no merchant; an operator or a viewer to exactly one."""
    if role is Role.ADMIN and merchant_id is not None:
        raise RoleError("an admin belongs to no merchant: leave the merchant out")
    if role is not Role.ADMIN and not merchant_id:
        raise RoleError(f"a {role.value} needs a merchant")


def may_change(role: Role) -> bool:
    """Whether the role may make any state-changing request at all."""
    return role is not Role.VIEWER


def may_manage_user(manager: Role, manager_merchant: str | None, role: Role, merchant_id: str | None) -> bool:
    """Whether a user may create, reset or deactivate a user with this role and merchant."""
    if manager is Role.ADMIN:
        return True
    return manager is Role.OPERATOR and role is not Role.ADMIN and merchant_id == manager_merchant


def grantable_roles(manager: Role) -> list[Role]:
    """The roles a manager may give, in the order a form lists them."""
    if manager is Role.ADMIN:
        return [Role.OPERATOR, Role.VIEWER, Role.ADMIN]
    return [Role.OPERATOR, Role.VIEWER] if manager is Role.OPERATOR else []
