"""Every service write: one transaction, a permission check, an audit event."""

from __future__ import annotations

import json

import pytest

from models import AuditEvent, Community
from wanghu_desk.errors import PermissionDenied
from wanghu_desk.services import settings
from wanghu_desk.services.base import Actor, acting_as, changes, current_actor, snapshot, writing

CLERK = Actor(username="clerk1", display_name="录入员", role="clerk")
VIEWER = Actor(username="viewer1", display_name="查看", role="viewer")


def test_write_records_an_audit_event_with_before_and_after(fresh_db):
    with writing("community.create") as tx:
        c = Community.create(name="望湖社区")
        tx.audit("community", c.id, "create", after=snapshot(c))
    event = AuditEvent.get()
    assert (event.entity, event.entity_id, event.action, event.account_name) == ("community", c.id, "create", "admin")
    assert json.loads(event.after_json)["name"] == "望湖社区"
    assert event.at  # a timestamp


def test_a_failed_write_leaves_neither_data_nor_audit(fresh_db):
    with pytest.raises(RuntimeError), writing("community.create") as tx:
        c = Community.create(name="望湖社区")
        tx.audit("community", c.id, "create")
        raise RuntimeError("something went wrong after the insert")
    assert Community.select().count() == 0
    assert AuditEvent.select().count() == 0


def test_viewer_cannot_write_and_nothing_is_written(fresh_db):
    with acting_as(VIEWER), pytest.raises(PermissionDenied) as info, writing("community.create"):
        Community.create(name="望湖社区")
    assert "只能查看" in info.value.message
    assert Community.select().count() == 0


def test_clerk_writes_as_clerk_but_cannot_change_settings(fresh_db):
    with acting_as(CLERK):
        assert current_actor() is CLERK
        with writing("community.create") as tx:
            c = Community.create(name="南湖社区")
            tx.audit("community", c.id, "create")
        with pytest.raises(PermissionDenied):
            settings.put("organization.name", "别的街道")
    assert AuditEvent.get().account_name == "clerk1"
    assert current_actor().username == "admin"


def test_nested_writes_share_the_outer_transaction(fresh_db):
    with pytest.raises(ValueError), writing("outer"):
        Community.create(name="甲")
        with writing("inner") as tx:
            Community.create(name="乙")
            tx.audit("community", None, "create")
        raise ValueError
    assert Community.select().count() == 0


def test_settings_round_trip_and_audit(fresh_db):
    assert settings.get("organization.name") == "望湖街道"
    settings.put("ledger.second_approver_threshold_fen", 300_000)
    assert settings.get("ledger.second_approver_threshold_fen") == 300_000
    event = AuditEvent.get(AuditEvent.entity == "setting")
    assert json.loads(event.after_json) == {"ledger.second_approver_threshold_fen": 300_000}


def test_changes_keeps_only_what_differs():
    before, after = changes({"a": 1, "b": 2}, {"a": 1, "b": 3})
    assert (before, after) == ({"b": 2}, {"b": 3})
