"""Enumerations that appear in public event payloads (the shared vocabulary of the contracts).

Values are stable wire codes; the Chinese term is given for each so that other departments can map them.
"""

from __future__ import annotations

from enum import StrEnum


class Gender(StrEnum):
    MALE = "MALE"
    FEMALE = "FEMALE"


class CadreCategory(StrEnum):
    COMPREHENSIVE = "COMPREHENSIVE"  # 综合管理类
    PROFESSIONAL = "PROFESSIONAL"  # 专业技术类
    ENFORCEMENT = "ENFORCEMENT"  # 行政执法类
    APPOINTED = "APPOINTED"  # 聘任制公务员
    GOV_EMPLOYEE = "GOV_EMPLOYEE"  # 政府雇员 (outside the rank ladder)


class AgencyLevel(StrEnum):
    CITY_LEADERSHIP = "CITY_LEADERSHIP"  # 市级领导班子
    MUNICIPAL_AGENCY = "MUNICIPAL_AGENCY"  # 市直机关
    COUNTY_LEADERSHIP = "COUNTY_LEADERSHIP"  # 县级领导班子
    COUNTY_AGENCY = "COUNTY_AGENCY"  # 县直机关
    TOWNSHIP = "TOWNSHIP"  # 乡镇
    DIVISION = "DIVISION"  # 内设处室 (inherits the ceiling of its agency)


class Grade(StrEnum):
    EXCELLENT = "EXCELLENT"  # 优秀
    COMPETENT = "COMPETENT"  # 称职
    BASIC = "BASIC"  # 基本称职
    INCOMPETENT = "INCOMPETENT"  # 不称职
    UNDETERMINED = "UNDETERMINED"  # 不定等次


class RestrictionEffect(StrEnum):
    NO_POST_PROMOTION = "NO_POST_PROMOTION"
    NO_RANK_PROMOTION = "NO_RANK_PROMOTION"
    NO_LEVEL_PROMOTION = "NO_LEVEL_PROMOTION"
    NO_SALARY_STEP = "NO_SALARY_STEP"
    NO_LEADERSHIP_POST = "NO_LEADERSHIP_POST"
    NO_POST_ABOVE_ORIGINAL = "NO_POST_ABOVE_ORIGINAL"
    NO_POST_EQUAL_OR_ABOVE = "NO_POST_EQUAL_OR_ABOVE"
    GRADE_NOT_EXCELLENT = "GRADE_NOT_EXCELLENT"
    GRADE_UNDETERMINED = "GRADE_UNDETERMINED"
    GRADE_INCOMPETENT = "GRADE_INCOMPETENT"


class RestrictionSource(StrEnum):
    SANCTION = "SANCTION"
    ORG_HANDLING = "ORG_HANDLING"
    ADMONISHMENT = "ADMONISHMENT"
    ACCOUNTABILITY = "ACCOUNTABILITY"
    INVESTIGATION = "INVESTIGATION"


class RestrictionStatus(StrEnum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    LIFTED = "LIFTED"  # ended early: revoked on appeal, investigation closed, tolerated
    VOID = "VOID"  # never applied (withdrawn before it started)


class SanctionSystem(StrEnum):
    GOV = "GOV"  # 政务处分
    CIVIL_SERVICE = "CIVIL_SERVICE"  # 公务员法处分
    PARTY = "PARTY"  # 党纪处分
    ORG_HANDLING = "ORG_HANDLING"  # 组织处理
    ACCOUNTABILITY = "ACCOUNTABILITY"  # 问责
    ADMONISHMENT = "ADMONISHMENT"  # 诫勉


class SanctionType(StrEnum):
    # 政务处分 / 公务员法处分
    WARNING = "WARNING"  # 警告
    DEMERIT = "DEMERIT"  # 记过
    MAJOR_DEMERIT = "MAJOR_DEMERIT"  # 记大过
    LEVEL_DEMOTION = "LEVEL_DEMOTION"  # 降级
    DISMISSAL_FROM_POST = "DISMISSAL_FROM_POST"  # 撤职
    EXPULSION = "EXPULSION"  # 开除
    # 党纪处分
    PARTY_WARNING = "PARTY_WARNING"  # 警告
    PARTY_SERIOUS_WARNING = "PARTY_SERIOUS_WARNING"  # 严重警告
    PARTY_POST_REMOVAL = "PARTY_POST_REMOVAL"  # 撤销党内职务
    PARTY_PROBATION = "PARTY_PROBATION"  # 留党察看
    PARTY_EXPULSION = "PARTY_EXPULSION"  # 开除党籍
    # 组织处理 and 问责
    POST_ADJUSTMENT = "POST_ADJUSTMENT"  # 调整职务
    RESIGNATION_FOR_FAULT = "RESIGNATION_FOR_FAULT"  # 引咎辞职
    ORDERED_RESIGNATION = "ORDERED_RESIGNATION"  # 责令辞职
    REMOVAL_FROM_POST = "REMOVAL_FROM_POST"  # 免职
    TRANSFER_UNSUITABLE = "TRANSFER_UNSUITABLE"  # 不适宜担任现职调离
    DEMOTION = "DEMOTION"  # 降职
    SUSPENSION_FOR_REVIEW = "SUSPENSION_FOR_REVIEW"  # 停职检查
    ADMONISHMENT = "ADMONISHMENT"  # 诫勉
    ACCOUNTABILITY_CRITICISM = "ACCOUNTABILITY_CRITICISM"  # 通报批评 / 问责


class ReportOutcome(StrEnum):
    SUBSTANTIATED = "SUBSTANTIATED"  # 属实
    PARTLY_SUBSTANTIATED = "PARTLY_SUBSTANTIATED"  # 部分属实
    UNFOUNDED = "UNFOUNDED"  # 失实
    UNVERIFIABLE = "UNVERIFIABLE"  # 无法查实
    TOLERATED = "TOLERATED"  # closed after 容错 exemption
    NO_ACTION = "NO_ACTION"  # 予以了结 without findings


class AppealTarget(StrEnum):
    ANNUAL_GRADE = "ANNUAL_GRADE"
    CS_SANCTION = "CS_SANCTION"
    GOV_SANCTION = "GOV_SANCTION"
    PARTY_DISCIPLINE = "PARTY_DISCIPLINE"
    ACCOUNTABILITY = "ACCOUNTABILITY"
    ORG_HANDLING = "ORG_HANDLING"
    SUPERVISION_CONDUCT = "SUPERVISION_CONDUCT"
    XINFANG = "XINFANG"
    CONTRACT = "CONTRACT"


class AppealStage(StrEnum):
    REVIEW = "REVIEW"  # 复核 / 复审
    APPEAL = "APPEAL"  # 申诉 / 复核 (next level)
    REAPPEAL = "REAPPEAL"  # 再申诉


class AppealResult(StrEnum):
    UPHELD = "UPHELD"
    VARIED = "VARIED"
    REVOKED = "REVOKED"
    REJECTED = "REJECTED"  # not accepted on the merits
    TIME_BARRED = "TIME_BARRED"


class ToleranceDecision(StrEnum):
    EXEMPT = "EXEMPT"  # 免予问责 / 不予追责
    MITIGATE = "MITIGATE"  # 从轻减轻
    REJECT = "REJECT"


class AwardType(StrEnum):
    COMMENDATION = "COMMENDATION"  # 嘉奖
    MERIT_3 = "MERIT_3"  # 记三等功
    MERIT_2 = "MERIT_2"  # 记二等功
    MERIT_1 = "MERIT_1"  # 记一等功
    TITLE = "TITLE"  # 授予称号
    POLITICAL_HONOUR = "POLITICAL_HONOUR"  # 政治荣誉 (e.g. nominations)
    NOTICE_OF_PRAISE = "NOTICE_OF_PRAISE"  # 通报表扬


class RankSeries(StrEnum):
    COMPREHENSIVE = "COMPREHENSIVE"
    PROFESSIONAL = "PROFESSIONAL"
    ENFORCEMENT = "ENFORCEMENT"


class ChangeBasis(StrEnum):
    INITIAL = "INITIAL"
    PROMOTION = "PROMOTION"
    DEMOTION = "DEMOTION"
    TRANSFER = "TRANSFER"
    RESTORATION = "RESTORATION"  # restored after an appeal revoked the decision
    REINSTATEMENT = "REINSTATEMENT"  # 复出
    CONTRACT = "CONTRACT"
    CORRECTION = "CORRECTION"
    REMOVAL = (
        "REMOVAL"  # the post ends by 免职 (organizational handling) or 撤职 (sanction): no leadership post from then
    )


class ContractKind(StrEnum):
    APPOINTED_CS = "APPOINTED_CS"  # 聘任制公务员
    ROLE_TERM = "ROLE_TERM"  # 聘期制
    GOV_EMPLOYEE = "GOV_EMPLOYEE"  # 政府雇员


class ContractOutcome(StrEnum):
    RENEW = "RENEW"
    PROMOTE = "PROMOTE"  # one level up
    KEEP = "KEEP"
    DEMOTE = "DEMOTE"  # one level down
    NOT_RENEW = "NOT_RENEW"
    TERMINATE = "TERMINATE"
