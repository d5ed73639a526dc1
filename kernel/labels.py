"""Chinese (zh-CN) labels of the suite's codes and field names: the one place exports and reports read them from.

`VOCABULARIES` maps a vocabulary name to `{code: 中文}`. Vocabularies of the wire enums of
`kernel.contracts.vocabulary` are built per enum (`ENUMS`, and `tests/kernel/test_labels.py` fails when a member
has no label); the others (rank and post names, statuses the services keep in their own domain) are plain tables.
Rank and post names are those of the bundled ladders (公务员职务与职级并行规定 §8; the test checks they agree).
`FIELDS` gives the Chinese header of a field name. Unknown codes are shown as they are, never dropped.
"""

from __future__ import annotations

from enum import StrEnum

from kernel.contracts import vocabulary as v

# -- wire enums (kernel.contracts.vocabulary) ------------------------------------------------------------------
_ENUM_LABELS: dict[type[StrEnum], dict[str, str]] = {
    v.Gender: {"MALE": "男", "FEMALE": "女"},
    v.CadreCategory: {"COMPREHENSIVE": "综合管理类", "PROFESSIONAL": "专业技术类", "ENFORCEMENT": "行政执法类",
                      "APPOINTED": "聘任制公务员", "GOV_EMPLOYEE": "政府雇员"},
    v.AgencyLevel: {"CITY_LEADERSHIP": "市级领导班子", "MUNICIPAL_AGENCY": "市直机关", "COUNTY_LEADERSHIP": "县级领导班子",
                    "COUNTY_AGENCY": "县直机关", "TOWNSHIP": "乡镇", "DIVISION": "内设处室"},
    v.Grade: {"EXCELLENT": "优秀", "COMPETENT": "称职", "BASIC": "基本称职", "INCOMPETENT": "不称职",
              "UNDETERMINED": "不定等次"},
    v.RestrictionEffect: {
        "NO_POST_PROMOTION": "不得晋升职务", "NO_RANK_PROMOTION": "不得晋升职级", "NO_LEVEL_PROMOTION": "不得晋升级别",
        "NO_SALARY_STEP": "不得晋升工资档次", "NO_LEADERSHIP_POST": "不得担任领导职务",
        "NO_POST_ABOVE_ORIGINAL": "不得担任高于原任职务层次的职务",
        "NO_POST_EQUAL_OR_ABOVE": "不得担任与原任职务相当及以上的职务",
        "GRADE_NOT_EXCELLENT": "年度考核不得确定为优秀", "GRADE_UNDETERMINED": "年度考核不定等次",
        "GRADE_INCOMPETENT": "年度考核确定为不称职"},
    v.RestrictionSource: {"SANCTION": "处分", "ORG_HANDLING": "组织处理", "ADMONISHMENT": "诫勉", "ACCOUNTABILITY": "问责",
                          "INVESTIGATION": "立案审查调查"},
    v.RestrictionStatus: {"ACTIVE": "影响期内", "EXPIRED": "已期满", "LIFTED": "已提前解除", "VOID": "未生效"},
    v.SanctionSystem: {"GOV": "政务处分", "CIVIL_SERVICE": "处分（公务员法）", "PARTY": "党纪处分", "ORG_HANDLING": "组织处理",
                       "ACCOUNTABILITY": "问责", "ADMONISHMENT": "诫勉"},
    v.SanctionType: {
        "WARNING": "警告", "DEMERIT": "记过", "MAJOR_DEMERIT": "记大过", "LEVEL_DEMOTION": "降级",
        "DISMISSAL_FROM_POST": "撤职", "EXPULSION": "开除", "PARTY_WARNING": "党内警告",
        "PARTY_SERIOUS_WARNING": "党内严重警告", "PARTY_POST_REMOVAL": "撤销党内职务", "PARTY_PROBATION": "留党察看",
        "PARTY_EXPULSION": "开除党籍", "POST_ADJUSTMENT": "调整职务", "RESIGNATION_FOR_FAULT": "引咎辞职",
        "ORDERED_RESIGNATION": "责令辞职", "REMOVAL_FROM_POST": "免职", "TRANSFER_UNSUITABLE": "不适宜担任现职调离",
        "DEMOTION": "降职", "SUSPENSION_FOR_REVIEW": "停职检查", "ADMONISHMENT": "诫勉",
        "ACCOUNTABILITY_CRITICISM": "通报批评"},
    v.ReportOutcome: {"SUBSTANTIATED": "属实", "PARTLY_SUBSTANTIATED": "部分属实", "UNFOUNDED": "失实",
                      "UNVERIFIABLE": "无法查实", "TOLERATED": "容错免责后了结", "NO_ACTION": "予以了结"},
    v.AppealTarget: {"ANNUAL_GRADE": "年度考核等次", "CS_SANCTION": "处分（公务员法）", "GOV_SANCTION": "政务处分",
                     "PARTY_DISCIPLINE": "党纪处分", "ACCOUNTABILITY": "问责", "ORG_HANDLING": "组织处理",
                     "SUPERVISION_CONDUCT": "监察行为", "XINFANG": "信访事项", "CONTRACT": "聘任合同"},
    v.AppealStage: {"REVIEW": "复核", "APPEAL": "申诉", "REAPPEAL": "再申诉"},
    v.AppealResult: {"UPHELD": "维持", "VARIED": "变更", "REVOKED": "撤销", "REJECTED": "驳回", "TIME_BARRED": "超过时限不予受理"},
    v.ToleranceDecision: {"EXEMPT": "免予问责", "MITIGATE": "从轻减轻", "REJECT": "不予容错"},
    v.AwardType: {"COMMENDATION": "嘉奖", "MERIT_3": "记三等功", "MERIT_2": "记二等功", "MERIT_1": "记一等功",
                  "TITLE": "授予称号", "POLITICAL_HONOUR": "政治荣誉", "NOTICE_OF_PRAISE": "通报表扬"},
    v.RankSeries: {"COMPREHENSIVE": "综合管理类", "PROFESSIONAL": "专业技术类", "ENFORCEMENT": "行政执法类"},
    v.ChangeBasis: {"INITIAL": "初次确定", "PROMOTION": "晋升", "DEMOTION": "降低", "TRANSFER": "转任", "RESTORATION": "恢复",
                    "REINSTATEMENT": "复出", "CONTRACT": "聘任", "CORRECTION": "更正", "REMOVAL": "免去职务"},
    v.ContractKind: {"APPOINTED_CS": "聘任制公务员", "ROLE_TERM": "聘期制", "GOV_EMPLOYEE": "政府雇员"},
    v.ContractOutcome: {"RENEW": "续聘", "PROMOTE": "高聘一级", "KEEP": "原级续聘", "DEMOTE": "低聘一级",
                        "NOT_RENEW": "不再续聘", "TERMINATE": "解除聘任"},
}

# Vocabulary name of each wire enum (snake_case of the class name).
ENUMS: dict[str, type[StrEnum]] = {
    "gender": v.Gender, "cadre_category": v.CadreCategory, "agency_level": v.AgencyLevel, "grade": v.Grade,
    "restriction_effect": v.RestrictionEffect, "restriction_source": v.RestrictionSource,
    "restriction_status": v.RestrictionStatus, "sanction_system": v.SanctionSystem, "sanction_type": v.SanctionType,
    "report_outcome": v.ReportOutcome, "appeal_target": v.AppealTarget, "appeal_stage": v.AppealStage,
    "appeal_result": v.AppealResult, "tolerance_decision": v.ToleranceDecision, "award_type": v.AwardType,
    "rank_series": v.RankSeries, "change_basis": v.ChangeBasis, "contract_kind": v.ContractKind,
    "contract_outcome": v.ContractOutcome,
}

# -- rank and post names (the bundled ladders) ----------------------------------------------------------------
_COMPREHENSIVE = ["一级巡视员", "二级巡视员", "一级调研员", "二级调研员", "三级调研员", "四级调研员", "一级主任科员",
                  "二级主任科员", "三级主任科员", "四级主任科员", "一级科员", "二级科员"]
_PROFESSIONAL = ["一级总监", "二级总监", "一级高级主管", "二级高级主管", "三级高级主管", "四级高级主管", "一级主管",
                 "二级主管", "三级主管", "四级主管", "专业技术员"]
_ENFORCEMENT = ["督办", "一级高级主办", "二级高级主办", "三级高级主办", "四级高级主办", "一级主办", "二级主办",
                "三级主办", "四级主办", "一级行政执法员", "二级行政执法员"]
RANKS: dict[str, str] = {f"{prefix}{i + 1:02d}": name for prefix, names in
                         (("C", _COMPREHENSIVE), ("P", _PROFESSIONAL), ("E", _ENFORCEMENT))
                         for i, name in enumerate(names)}
POSTS: dict[str, str] = {"TOWNSHIP_DEPUTY": "乡科级副职", "TOWNSHIP_CHIEF": "乡科级正职", "DIVISION_DEPUTY": "县处级副职",
                         "DIVISION_CHIEF": "县处级正职", "BUREAU_DEPUTY": "厅局级副职", "BUREAU_CHIEF": "厅局级正职"}

# -- the services' own vocabularies ---------------------------------------------------------------------------
VOCABULARIES: dict[str, dict[str, str]] = {
    **{name: _ENUM_LABELS[enum] for name, enum in ENUMS.items()},
    "rank": RANKS,
    "post": POSTS,
    "education": {"HIGH_SCHOOL": "高中（中专）", "JUNIOR_COLLEGE": "大学专科", "BACHELOR": "大学本科",
                  "MASTER": "硕士研究生", "DOCTORATE": "博士研究生"},
    "undetermined_reason": {"PROBATION": "试用期", "SANCTION": "受处分", "PENDING_INVESTIGATION": "立案审查",
                            "LEAVE": "病事假", "OTHER": "其他"},
    "assessment_status": {"DRAFT": "草拟", "SELF_SUMMARY": "个人总结", "PROPOSED": "已提出等次", "DECIDED": "已确定等次",
                          "SUPPLEMENTED": "已补充", "NOTIFIED": "已通知", "ACKNOWLEDGED": "已签署意见",
                          "UNDER_REVIEW": "复核中", "REVIEWED": "已复核", "FINAL": "已确定"},
    "grade_source": {"IMPORT": "导入", "PAPER_RECORD": "纸质记录", "PERSONNEL_FILE": "人事档案"},
    "talk_type": {"HEART_TO_HEART": "谈心谈话", "REMINDER": "提醒谈话", "ORG_INTERVIEW": "组织约谈", "INQUIRY_LETTER": "函询",
                  "ADMONISHMENT": "诫勉谈话"},
    "talk_status": {"SCHEDULED": "已安排", "HELD": "已谈话", "REPLIED": "已回复", "CANCELLED": "已取消", "OVERDUE": "已逾期"},
    "award_status": {"PROPOSED": "已提名", "PUBLICIZED": "公示中", "APPROVED": "已批准", "GRANTED": "已授予",
                     "REVOKED": "已撤销", "WITHDRAWN": "已撤回"},
    "finding_status": {"REPORTED": "已报告", "VERIFYING": "核实中", "CONFIRMED": "已认定", "DISMISSED": "不予认定",
                       "TOLERATED": "容错免责"},
    "sanction_status": {"PROPOSED": "拟处理", "DEFENCE_WINDOW": "陈述申辩期", "EFFECTIVE": "影响期内", "EXTENDED": "已延长",
                        "EXPIRED": "已期满", "REVOKED": "已撤销", "WITHDRAWN": "已撤回"},
    "sanction_origin": {"API": "录入", "FALSE_ACCUSATION": "诬告陷害认定", "INACTION": "不作为问责",
                        "ADMONISHMENT_TALK": "诫勉谈话", "HISTORY": "历史记录"},
    "tolerance_case_status": {"APPLIED": "已申请", "ACCEPTED": "已受理", "NOT_ACCEPTED": "不予受理", "VERIFYING": "核实中",
                              "PENDING_DECISION": "待集体研究", "EXEMPTED": "免予问责", "MITIGATED": "从轻减轻",
                              "REJECTED": "不予容错", "NOTIFIED": "已告知", "FILED_UPWARD": "已报备",
                              "CORRECTION_OPEN": "纠错整改中", "CORRECTION_DONE": "纠错已完成", "CLOSED": "已办结"},
    "reinstatement_status": {"ELIGIBLE": "可启动", "CADRE_REPORTED": "本人已报告", "ORG_OPINION": "组织部门意见",
                             "DISCIPLINE_OPINION": "纪检监察机关意见", "FACT_FINDING": "考察了解", "POSTPONED": "暂缓",
                             "UPPER_CONSULT": "征求上级意见", "COMMITTEE_DECIDED": "党委（党组）已决定",
                             "NOT_APPROVED": "不予复出", "ANNOUNCED": "已公布"},
    "holding_kind": {"POST": "职务", "RANK": "职级", "LEVEL": "级别", "ASSIGNMENT": "工作单位"},
    "yes_no": {"true": "是", "false": "否"},
}

# -- field names (headers of exported tables) -----------------------------------------------------------------
FIELDS: dict[str, str] = {
    "name": "姓名", "gender": "性别", "birth_date": "出生年月", "entry_date": "参加工作时间", "org_unit_id": "单位",
    "org_unit": "单位", "category": "人员类别", "party_member": "中共党员", "education": "学历", "active": "在职",
    "post_code": "职务", "rank_code": "职级", "level": "级别", "step": "级别档次", "leadership": "领导职务",
    "reserve_cadre": "后备干部", "grassroots_experience": "基层工作经历", "post_since": "任现职时间",
    "rank_since": "任现职级时间", "restrictions": "影响期内的限制", "year": "年度", "final_grade": "考核等次",
    "grade": "考核等次", "status": "状态", "decided_on": "决定时间", "notified_on": "通知时间", "source": "来源",
    "document_no": "文号", "document_number": "文号", "undetermined_reason": "不定等次原因", "kind": "类别",
    "since": "起始时间", "until": "截止时间", "basis": "依据", "type": "种类", "system": "类别", "effect": "限制内容",
    "source_type": "限制来源", "starts_on": "开始时间", "ends_on": "结束时间", "applies_until": "影响期至",
    "lifted_on": "解除时间", "effective_on": "生效时间", "effective_date": "生效时间", "period_months": "影响期（月）", "origin": "来源",
    "period_key": "期间", "total": "合计", "formula_version": "算法版本", "scheduled_on": "安排时间", "held_on": "谈话时间",
    "reply_due_on": "回复期限", "replied_on": "回复时间", "granted_on": "授予时间", "revoked_on": "撤销时间",
    "item_code": "事项代码", "severity": "情节", "occurred_on": "发生时间", "confirmed_on": "认定时间",
    "noted_on": "记载时间", "due_on": "期限", "detail": "说明", "decision": "决定", "decided_at": "决定时间",
    "outcome": "结果", "closed_on": "办结时间", "target_type": "申诉对象", "stage": "阶段", "result": "结果",
    "filed_on": "提出时间", "as_of": "截至", "count": "数量", "share": "占比（%）", "covered": "已覆盖", "key": "分组",
    "mean": "平均值", "cadre_id": "干部编号", "id": "编号", "reason": "原因", "discretionary_extension": "酌情延长",
}


def label(vocabulary: str, code: object) -> str:
    """The Chinese label of a code in a vocabulary; the code itself when unknown, '' for None."""
    if code is None:
        return ""
    if isinstance(code, bool):
        return VOCABULARIES["yes_no"]["true" if code else "false"]
    text = str(code)
    return VOCABULARIES.get(vocabulary, {}).get(text, text)


def field(name: str) -> str:
    """The Chinese header of a field name (the name itself when none is known)."""
    return FIELDS.get(name, name)
