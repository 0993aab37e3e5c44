"""The closed vocabularies of the rest of an officer's day (four of the sources).

Information collection (信息采集), patrols (巡逻), outreach (提醒、宣传), meetings
(警网融合例会、恳谈会), residents' requests (群众诉求), surveys (满意度、安全感、熟悉率)
and commendations (感谢信、锦旗). Each enumeration is a ``StrEnum`` whose JSON form is
the contract's word.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "CommendationKind",
    "InformationSource",
    "InformationSubject",
    "MeetingKind",
    "OutreachChannel",
    "OutreachKind",
    "PatrolMode",
    "PersonCategory",
    "RequestChannel",
    "RequestOutcome",
    "SurveyKind",
]


class InformationSubject(StrEnum):
    """What a collected item of information (信息采集) is about."""

    PERSON = "person"
    """人: a resident (see :class:`PersonCategory`)."""
    HOUSEHOLD = "household"
    """户."""
    BUILDING = "building"
    """房屋/楼栋."""
    VENUE = "venue"
    """场所."""
    WEAK_SPOT = "weak_spot"
    """治安薄弱区域: a spot where order is weak."""
    SENTIMENT = "sentiment"
    """社情舆情: public sentiment."""


class PersonCategory(StrEnum):
    """The categories of people 000 lists (only for the subject ``person``)."""

    PERMANENT = "permanent"
    """常住人口."""
    FLOATING = "floating"
    """流动人口."""
    KEY_PERSON = "key_person"
    """重点人员: a person of interest."""
    HARDSHIP = "hardship"
    """困难户: a household in hardship."""
    PETITIONER = "petitioner"
    """信访人员."""


class InformationSource(StrEnum):
    """Who handed the information to the officer (001: 网格员报送社情信息)."""

    OFFICER = "officer"
    """The officer's own collection."""
    GRID_WORKER = "grid_worker"
    """网格员."""
    VOLUNTEER = "volunteer"
    """联防队员、红袖标队员 and other volunteers."""
    PUBLIC = "public"
    """A member of the public (举报)."""


class PatrolMode(StrEnum):
    """How a patrol went (勤巡逻)."""

    FOOT = "foot"
    BICYCLE = "bicycle"
    VEHICLE = "vehicle"


class OutreachKind(StrEnum):
    """勤提醒 reminders, 勤宣传 publicity, and lectures."""

    REMINDER = "reminder"
    PUBLICITY = "publicity"
    LECTURE = "lecture"


class OutreachChannel(StrEnum):
    """Where an outreach reached people."""

    WECHAT_GROUP = "wechat_group"
    """居民微信群."""
    NOTICE_BOARD = "notice_board"
    """宣传栏."""
    IN_PERSON = "in_person"
    """面对面: stands in squares and stations, door to door."""
    SMS = "sms"
    OTHER = "other"


class MeetingKind(StrEnum):
    """Meetings an officer holds or attends (001, 004)."""

    POLICE_GRID = "police_grid"
    """警格+网格 例会: the weekly police-grid meeting."""
    RESIDENT_FORUM = "resident_forum"
    """警民恳谈会."""
    COMMUNITY_COMMITTEE = "community_committee"
    """社区(村)委会 work."""


class RequestChannel(StrEnum):
    """How a resident's request (群众诉求) reached the officer (000, 004)."""

    PETITION = "petition"
    """信访."""
    POLICE_REVIEW = "police_review"
    """警务评议."""
    LIVELIHOOD = "livelihood"
    """民生警务."""
    HOTLINE = "hotline"
    """热线 (12345, 110 non-emergency)."""
    IN_PERSON = "in_person"


class RequestOutcome(StrEnum):
    """How a request was answered."""

    RESOLVED = "resolved"
    HELPED_BEYOND_REMIT = "helped_beyond_remit"
    """Handled although outside police remit (000: 解忧人)."""
    REFERRED = "referred"
    DECLINED = "declined"


class SurveyKind(StrEnum):
    """What a survey asked (001, 004)."""

    SATISFACTION = "satisfaction"
    """群众满意度."""
    SECURITY = "security"
    """安全感."""
    KNOWS_OFFICER = "knows_officer"
    """群众对社区民警熟悉率: residents who know their officer."""
    OFFICER_KNOWS = "officer_knows"
    """社区民警对群众熟悉率: residents the officer knows."""


class CommendationKind(StrEnum):
    """How the public thanked an officer (004)."""

    LETTER = "letter"
    """感谢信."""
    BANNER = "banner"
    """锦旗."""
    HOTLINE_PRAISE = "hotline_praise"
    OTHER = "other"
