"""The data model; every model is importable from `app.models`."""

from app.models import visibility
from app.models.activity import GROUPED_KINDS, Activity, ActivityKind
from app.models.federation import (
    ActorKey,
    DomainBlock,
    FailedDelivery,
    InstanceKey,
    ReceivedActivity,
    RemoteActor,
    RemoteFollower,
)
from app.models.media import Media
from app.models.message import Message
from app.models.mixins import PaginatedAPIMixin, SearchableMixin
from app.models.notification import Notification
from app.models.post import Post
from app.models.reaction import Like, Mention, PostTag
from app.models.role import Permission, Role
from app.models.safety import AuditEntry, Block, Mute, RecoveryCode, Report, ReportReason, ReportStatus
from app.models.search_pending import SearchPending
from app.models.task import Task
from app.models.types import UTCDateTime, utcnow
from app.models.user import User, followers

__all__ = [
    "ActorKey",
    "AuditEntry",
    "Block",
    "DomainBlock",
    "FailedDelivery",
    "InstanceKey",
    "Mute",
    "Permission",
    "RecoveryCode",
    "Report",
    "ReportReason",
    "ReportStatus",
    "Role",
    "GROUPED_KINDS",
    "Activity",
    "ActivityKind",
    "Like",
    "Mention",
    "PostTag",
    "Media",
    "Message",
    "ReceivedActivity",
    "RemoteActor",
    "RemoteFollower",
    "Notification",
    "PaginatedAPIMixin",
    "Post",
    "SearchableMixin",
    "SearchPending",
    "Task",
    "UTCDateTime",
    "User",
    "followers",
    "utcnow",
    "visibility",
]
