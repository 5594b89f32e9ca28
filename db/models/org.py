"""Organisation and identity: the jurisdiction tree, departments, users and their roles, API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, BigId, IdMixin


class Jurisdiction(IdMixin, Base):
    """A node of the administrative tree: region > city/league > county > street > community."""

    __tablename__ = "jurisdiction"
    # LIKE '/1/4/%' can use this index on PostgreSQL whatever the database collation is.
    __table_args__ = (
        Index("ix_jurisdiction_path_pattern", "path", postgresql_ops={"path": "varchar_pattern_ops"}),
    )

    code: Mapped[str] = mapped_column(String(32), unique=True)  # administrative division code
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))  # domain.enums.Level
    parent_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("jurisdiction.id"), index=True)
    # Materialised path of ids, '/1/4/9/': a subtree is one LIKE '/1/4/%' on an index.
    path: Mapped[str] = mapped_column(String(255), index=True)
    # Policy profile attached at this node (inherited by the subtree, overridden below); see policies/.
    policy_key: Mapped[str | None] = mapped_column(String(64))
    urban_population: Mapped[int | None]  # 城镇常住人口
    households: Mapped[int | None]  # 实际常住户数
    # A node that only keeps the level order where the real hierarchy skips a level (重庆市 → 市辖区 →
    # 九龙坡区): it holds no departments, and department look-ups aimed at it go to the node above.
    placeholder: Mapped[bool] = mapped_column(default=False, server_default=false())


class Department(IdMixin, Base):
    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "kind"),)

    jurisdiction_id: Mapped[int] = mapped_column(BigId, ForeignKey("jurisdiction.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # domain.enums.DeptKind
    name: Mapped[str] = mapped_column(String(120))


class User(IdMixin, Base):
    __tablename__ = "app_user"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class RoleAssignment(IdMixin, Base):
    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "department_id", "role"),)

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("app_user.id"), index=True)
    department_id: Mapped[int] = mapped_column(BigId, ForeignKey("department.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))  # domain.enums.Role


class ApiToken(IdMixin, Base):
    __tablename__ = "api_token"
    __table_args__ = (Index("ix_api_token_hash", "token_hash", unique=True),)

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("app_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))  # sha256 hex of the bearer token
    label: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
