"""Key roles: the local key is an admin; keys-file entries are members unless they opt in;
`require_admin` is OpenAI's 403; the keys file lists each organization's projects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.core.auth import KeyRing, require_admin
from service.core.errors import PermissionDeniedError


def keyring(tmp_path: Path, keys: dict[str, Any]) -> KeyRing:
    """A KeyRing loaded from a keys file holding `keys`."""
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(keys))
    return KeyRing.from_file(path)


def test_the_local_key_is_an_admin() -> None:
    principal = KeyRing(None).authenticate("Bearer anything")
    assert principal.role == "admin" and principal.is_admin
    require_admin(principal, "anything")


def test_keys_file_entries_are_members_unless_they_say_admin(tmp_path: Path) -> None:
    ring = keyring(
        tmp_path,
        {
            "sk-plain": {"project": "proj_a"},
            "sk-member": {"project": "proj_a", "role": "member"},
            "sk-admin": {"project": "proj_a", "role": "admin"},
        },
    )
    roles = {key: ring.authenticate(f"Bearer {key}").role for key in ("sk-plain", "sk-member")}
    assert roles == {"sk-plain": "member", "sk-member": "member"}
    assert ring.authenticate("Bearer sk-admin").is_admin


@pytest.mark.parametrize("role", ["owner", "Admin", True, None])
def test_an_unknown_role_fails_start_up(tmp_path: Path, role: Any) -> None:
    with pytest.raises(ValueError, match="role must be 'admin' or 'member'"):
        keyring(tmp_path, {"sk-odd-key": {"project": "proj_a", "role": role}})


def test_require_admin_refuses_a_member_with_openais_code(tmp_path: Path) -> None:
    member = keyring(tmp_path, {"sk-member": {"project": "proj_a"}}).authenticate(
        "Bearer sk-member"
    )
    with pytest.raises(PermissionDeniedError) as refused:
        require_admin(member, "granting a checkpoint")
    assert refused.value.status_code == 403
    assert refused.value.code == "insufficient_permissions"
    assert "granting a checkpoint" in str(refused.value)


def test_the_keys_file_lists_each_organizations_projects(tmp_path: Path) -> None:
    ring = keyring(
        tmp_path,
        {
            "sk-a1": {"project": "proj_a", "organization": "org_1"},
            "sk-a2": {"project": "proj_a", "organization": "org_1", "role": "admin"},
            "sk-b": {"project": "proj_b", "organization": "org_1"},
            "sk-c": {"project": "proj_c", "organization": "org_2"},
            "sk-d": {"project": "proj_d"},
        },
    )
    assert ring.projects_of("org_1") == {"proj_a", "proj_b"}
    assert ring.projects_of("personal") == {"proj_d"}
    assert ring.projects_of("org_3") == frozenset()
    assert KeyRing(None).projects_of("personal") is None
