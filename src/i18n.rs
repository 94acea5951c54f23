//! The message catalogue: every heading, label and sentence of report.html, report.md's
//! document part and report.xlsx, in Chinese and English. Writers ask for a message by its
//! constant and the report's language; nothing they print is spelled out elsewhere.

use crate::model::FacilityKind;

/// The language of a report (`[report] language`, default Chinese).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" | "zh-CN" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The `lang` attribute of report.html.
    pub fn html_code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// One message in both languages. Placeholders are written `{name}` and filled by [`Msg::fill`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Msg {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

impl Msg {
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }

    /// The message with its `{name}` placeholders replaced.
    pub fn fill(&self, lang: Lang, values: &[(&str, String)]) -> String {
        let mut s = self.get(lang).to_string();
        for (name, value) in values {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }
}

/// A facility kind's name in the report's language.
pub fn kind_name(lang: Lang, kind: FacilityKind) -> String {
    match lang {
        Lang::Zh => kind.chinese().to_string(),
        Lang::En => kind.as_str().replace('_', " "),
    }
}

macro_rules! catalogue {
    ($($name:ident: $zh:literal, $en:literal;)*) => {
        $(pub const $name: Msg = Msg { key: stringify!($name), zh: $zh, en: $en };)*
        /// Every message, for the tests that walk the catalogue.
        pub const ALL: &[Msg] = &[$($name),*];
    };
}

catalogue! {
    TITLE: "养老服务圈覆盖评估报告", "Elderly-care service circle report";
    TITLE_BLOCK: "报告信息", "About this report";
    DISTRICT: "区域", "District";
    UNIT: "编制单位", "Issuing unit";
    DATE: "日期", "Date";
    VINTAGE: "数据时点", "Data vintage";
    TOOL: "工具版本", "Tool version";
    TRAVEL: "出行方式", "Travel";
    TRAVEL_VALUE: "{mode}，每分钟 {speed} 米，时限 {limit} 分钟", "{mode} at {speed} m/min, limit {limit} min";
    MODE_WALK: "步行", "walk";
    MODE_BIKE: "骑行", "bike";
    MODE_DRIVE: "驾车", "drive";
    DEMAND: "需求口径", "Demand counted from";
    DEMAND_CELLS: "人口格网", "population cells";
    DEMAND_POINTS: "社区点位", "community points";
    INPUTS: "输入文件及校验值", "Input files and checksums";
    FILE: "文件", "File";
    SHA256: "SHA-256 校验值", "SHA-256";
    NOT_STATED: "未注明", "not stated";
    UNREADABLE: "无法读取", "could not be read";
    SUMMARY: "摘要", "Executive summary";
    KEY_FIGURES: "全区 {communities} 个社区、{streets} 个街道，老年人 {elderly} 人，现有养老服务设施 {facilities} 处；路网 {km} 公里。",
        "The district has {communities} communities in {streets} streets with {elderly} elderly people and {facilities} care facilities; {km} km of roads.";
    TARGETS_MET: "{met} 类设施达到覆盖目标，{not_met} 类未达到。", "{met} facility kinds meet their coverage target, {not_met} do not.";
    KIND: "设施类型", "Facility kind";
    LIMIT_MIN: "时限（分钟）", "Limit (min)";
    FACILITIES: "现有设施", "Facilities";
    COMMUNITIES_COVERED: "覆盖社区", "Communities covered";
    COMMUNITY_SHARE: "社区覆盖率", "Community share";
    ELDERLY_COVERED: "覆盖老年人", "Elderly covered";
    ELDERLY_SHARE: "老年人覆盖率", "Elderly share";
    TARGET: "目标", "Target";
    MET: "达标", "met";
    NOT_MET: "未达标", "not met";
    NO_TARGET: "无目标", "no target";
    WORST_STREETS: "覆盖最弱的街道：{kind}", "Streets with the weakest coverage: {kind}";
    STREET: "街道", "Street";
    SITES_SUMMARY: "{kind}：建议新增 {n} 处设施，覆盖社区由 {before} 个增至 {after} 个，覆盖老年人由 {eb} 人增至 {ea} 人。",
        "{kind}: {n} new sites proposed; communities covered rise from {before} to {after}, elderly covered from {eb} to {ea}.";
    RULES_SUMMARY: "规划指标校核：{pass} 项通过，{fail} 项不通过，{nc} 项未校核。", "Planning rules: {pass} pass, {fail} fail, {nc} not checked.";
    MAP: "交互地图", "Interactive map";
    MAP_HELP: "拖动平移、滚轮缩放，右上角切换图层；点击社区查看各类设施的最近距离，点击设施查看其服务范围，点击新选址查看其新增覆盖。",
        "Drag to pan, scroll to zoom, switch layers at the top right; click a community for its nearest facility of each kind, a facility for its service area, a proposed site for what it newly covers.";
    MAP_KIND: "设施类型：", "Facility kind:";
    MAP_SEARCH: "按社区名称或编码搜索", "Search by community name or code";
    MAP_NOT_FOUND: "未找到", "not found";
    LAYER_COMMUNITIES: "社区（按覆盖着色）", "Communities (coloured by coverage)";
    LAYER_FACILITIES: "现有设施", "Facilities";
    LAYER_AREAS: "服务范围 {minutes} 分钟", "Service area {minutes} min";
    LAYER_ROADS: "道路", "Roads";
    LAYER_SITES: "新选址", "Proposed sites";
    LAYER_BOUNDARY: "区界", "District boundary";
    COVERED: "已覆盖", "covered";
    NOT_COVERED: "未覆盖", "not covered";
    NONE_REACHABLE: "无可达设施", "none reachable";
    MINUTES_UNIT: "分钟", "min";
    PEOPLE_UNIT: "人", "people";
    COVERAGE_OF: "覆盖情况：{kind}", "Coverage: {kind}";
    BY_STREET: "按街道", "By street";
    UNCOVERED_TOP: "{limit} 分钟内未覆盖的社区共 {n} 个，下表列出老年人最多的 {top} 个（完整名单见 report.xlsx）。",
        "{n} communities are not covered within {limit} min; the {top} with most elderly people are listed (the full list is in report.xlsx).";
    ALL_COVERED: "所有社区均已覆盖。", "Every community is covered.";
    CODE: "编码", "Code";
    COMMUNITY: "社区", "Community";
    ELDERLY: "老年人", "Elderly";
    POPULATION: "人口", "Population";
    NEAREST: "最近设施", "Nearest facility";
    MINUTES: "步行分钟", "Minutes";
    COVERED_FLAG: "是否覆盖", "Covered";
    YES: "是", "yes";
    NO: "否", "no";
    AREAS: "服务范围", "Service areas";
    AREAS_INTRO: "沿道路以每分钟 {speed} 米步行、在 {bands} 分钟内可达的范围：每条路径的最后一段在时间用尽处截断，并向两侧各加宽 {lateral} 米（从道路走到门口）。区域面积 {area} 平方公里。",
        "The area reached on foot at {speed} m/min within {bands} minutes along the roads, the last road of each path cut where the time runs out, widened by {lateral} m on each side for the walk from the road to a door. District area: {area} km².";
    AREAS_DIFFER: "“服务范围内老年人”统计居住点落在服务范围多边形内的老年人；“覆盖老年人”统计自身沿路网步行到最近设施不超过时限的老年人（评估与选址均用此口径），因此两者略有差异。",
        "“Elderly inside the service area” counts the elderly people whose homes lie inside the service-area polygon; “elderly covered” counts those whose own walk over the network to the nearest facility is within the limit (the measure of the audit and the siting), so the two differ slightly.";
    BAND: "时段（分钟）", "Band (min)";
    AREA_KM2: "面积（平方公里）", "Area (km²)";
    AREA_SHARE: "占区域面积", "Share of district area";
    ELDERLY_INSIDE: "服务范围内老年人", "Elderly inside the service area";
    ELDERLY_INSIDE_SHARE: "占老年人比例", "Share of elderly";
    RATIO: "路网范围与直线圆之比（平均）", "Network area / straight circle (mean)";
    SITES: "新设施选址", "Proposed new sites";
    SITES_INTRO: "{kind}：{model}模型，{method}；候选点 {candidates} 处（{source}），现有 {existing} 处设施保留。",
        "{kind}: {model} model, {method}; {candidates} candidate sites ({source}); the {existing} existing facilities stay open.";
    SITES_SOURCE_LAYER: "候选点图层", "the candidates layer";
    SITES_SOURCE_GRID: "路网节点，每 {spacing} 米方格取一处", "road nodes, one per {spacing} m square";
    SITES_BEFORE_AFTER: "覆盖社区 {before} → {after}（共 {n} 个）；覆盖老年人 {eb} → {ea}（共 {total} 人）。",
        "Communities covered {before} → {after} of {n}; elderly covered {eb} → {ea} of {total}.";
    SITES_QUALITY: "目标值 {objective}，下界 {bound}，差距 {gap}。", "Objective {objective}, bound {bound}, gap {gap}.";
    SITES_OPTIMAL: "已证明为最优解。", "Proven optimal.";
    SITES_UNCOVERABLE: "{n} 个社区在 {limit} 分钟内无法从任何候选点到达。", "{n} communities cannot be reached within {limit} min from any site.";
    MODEL_LSCP: "最少设施覆盖（LSCP）", "least facilities covering all (LSCP)";
    MODEL_MCLP: "最大覆盖（MCLP）", "maximal covering (MCLP)";
    MODEL_MCLP_CAP: "容量约束最大覆盖", "capacitated maximal covering";
    MODEL_PMEDIAN: "总步行时间最小（p-中位）", "least total walk (p-median)";
    METHOD_EXACT: "精确求解", "solved exactly";
    METHOD_HEURISTIC: "启发式求解", "solved by a heuristic";
    RANK: "序号", "#";
    SITE: "建议选址", "Proposed site";
    SITE_NEAR: "{community}附近", "near {community}";
    SITE_NEAR_ROAD: "{community}附近，{road}", "near {community}, {road}";
    LONLAT: "经纬度", "Lon, lat";
    NEWLY_COMMUNITIES: "新增覆盖社区", "Newly covered communities";
    NEWLY_ELDERLY: "新增覆盖老年人", "Newly covered elderly";
    SERVED_ELDERLY: "服务老年人", "Elderly served";
    RULES: "规划指标校核", "Planning-rule checks";
    RULE: "指标", "Rule";
    REQUIREMENT: "要求", "Requirement";
    SOURCE: "依据", "Source";
    PASS: "通过", "Pass";
    FAIL: "不通过", "Fail";
    NOT_CHECKED: "未校核", "Not checked";
    FAILING: "不通过对象（前五个）", "Failing (first five)";
    RULES_NOTE: "每个对象的数值、要求与原因见 rules.csv 和 report.xlsx。", "Every subject's value, requirement and reason are in rules.csv and report.xlsx.";
    SUBJECT: "对象", "Subject";
    VALUE: "数值", "Value";
    STATUS: "结果", "Result";
    REASON: "原因", "Reason";
    GLOSSARY: "方法说明", "How the figures are made";
    TERM_COVERED: "覆盖：社区（或人口格网）沿路网步行到最近设施的时间不超过时限。", "Covered: the walk over the road network from a community (or population cell) to the nearest facility is within the time limit.";
    TERM_LSCP: "最少设施覆盖模型（LSCP）：求使所有可达社区都被覆盖所需的最少新设施。", "Least facilities covering all (LSCP): the fewest new sites that cover every community that can be reached.";
    TERM_MCLP: "最大覆盖模型（MCLP）：在给定新设施数量下，使被覆盖的老年人最多。", "Maximal covering (MCLP): with a given number of new sites, cover as many elderly people as possible.";
    TERM_PMEDIAN: "p-中位模型：在给定设施数量下，使老年人到最近设施的步行时间总和最小。", "p-median: with a given number of sites, make the elderly people's total walk to the nearest facility as short as possible.";
    TERM_BRANCH: "拉格朗日分支定界：一种精确求解方法，边求可行方案边计算“不可能更好”的界限。", "Lagrangian branch-and-bound: an exact method that finds plans and, at the same time, a limit no plan can beat.";
    TERM_BOUND: "下界（或上界）：任何方案都不可能优于此值。", "Bound: a value no plan can beat.";
    TERM_GAP: "差距：所得方案与界限之间的相对差；为 0 即已证明最优。", "Gap: how far the plan found is from the bound, as a share; 0 means proven optimal.";
    TERM_AREA: "服务范围：从设施出发沿道路在时限内可达的区域。", "Service area: the area reached from a facility along the roads within the time limit.";
    WARNINGS: "数据提示", "Data warnings";
    WARNINGS_MORE: "另有 {n} 条提示，见 summary.json。", "{n} more warnings are in summary.json.";
    FOOTER: "由 carecircle {version} 生成。坐标为 WGS-84，距离沿路网计算。", "Made with carecircle {version}. Coordinates are WGS-84; distances are over the road network.";
    SHEET_SUMMARY: "摘要", "Summary";
    SHEET_STREETS: "街道", "Streets";
    SHEET_COMMUNITIES: "社区", "Communities";
    SHEET_UNCOVERED: "未覆盖社区", "Uncovered";
    SHEET_SITES: "新选址", "Proposed sites";
    SHEET_RULES: "规划指标", "Rules";
    SHEET_AREAS: "服务范围", "Service areas";
}

/// True when `s` has a CJK ideograph or CJK punctuation.
pub fn has_cjk(s: &str) -> bool {
    s.chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3000}'..='\u{303f}').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_in_both_languages() {
        let mut keys = std::collections::BTreeSet::new();
        for m in ALL {
            assert!(keys.insert(m.key), "{} twice", m.key);
            assert!(
                has_cjk(m.zh),
                "{}: the Chinese text has no Chinese: {}",
                m.key,
                m.zh
            );
            assert!(
                !has_cjk(m.en),
                "{}: the English text has Chinese: {}",
                m.key,
                m.en
            );
            // Same placeholders in both.
            let holes = |s: &str| {
                let mut v: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|(h, _)| h.to_string()))
                    .collect();
                v.sort();
                v
            };
            assert_eq!(holes(m.zh), holes(m.en), "{}", m.key);
        }
    }

    #[test]
    fn fill_replaces_placeholders() {
        assert_eq!(
            SITES_BEFORE_AFTER.fill(
                Lang::En,
                &[
                    ("before", "1".into()),
                    ("after", "2".into()),
                    ("n", "3".into()),
                    ("eb", "4".into()),
                    ("ea", "5".into()),
                    ("total", "6".into())
                ]
            ),
            "Communities covered 1 → 2 of 3; elderly covered 4 → 5 of 6."
        );
    }
}
