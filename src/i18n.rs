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

    /// The message with its `{name}` placeholders replaced. One pass over the template, so a
    /// value that itself holds `{...}` (a community named "{limit}") is left as it is.
    pub fn fill(&self, lang: Lang, values: &[(&str, String)]) -> String {
        let template = self.get(lang);
        let mut s = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            s.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}').and_then(|close| {
                let name = &after[..close];
                values
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (close, v))
            }) {
                Some((close, value)) => {
                    s.push_str(value);
                    rest = &after[close + 1..];
                }
                None => {
                    s.push('{');
                    rest = after;
                }
            }
        }
        s.push_str(rest);
        s
    }
}

/// A text given in both languages by a data file (a rule's title, source, note, unit); a
/// file that gives one text uses it for both.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LocalText {
    pub zh: String,
    pub en: String,
}

impl LocalText {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> LocalText {
        LocalText {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The same text in both languages.
    pub fn same(text: impl Into<String>) -> LocalText {
        let text = text.into();
        LocalText {
            zh: text.clone(),
            en: text,
        }
    }

    /// A catalogue message, filled in each language.
    pub fn of(msg: Msg, values: &[(&str, String)]) -> LocalText {
        LocalText {
            zh: msg.fill(Lang::Zh, values),
            en: msg.fill(Lang::En, values),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.zh.is_empty() && self.en.is_empty()
    }
}

/// Items joined as a reader lists them: "a, b or c" / "a、b或c".
pub fn or_list(lang: Lang, items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => OR_LIST.fill(
            lang,
            &[
                ("items", rest.join(LIST_SEP.get(lang))),
                ("last", last.clone()),
            ],
        ),
    }
}

/// At most `most` items, then how many more: "a, b and 3 more" / "a、b等，另有 3 个".
pub fn short_list(lang: Lang, items: &[String], most: usize) -> String {
    if items.len() <= most {
        items.join(LIST_SEP.get(lang))
    } else {
        LIST_MORE.fill(
            lang,
            &[
                ("items", items[..most].join(LIST_SEP.get(lang))),
                ("n", (items.len() - most).to_string()),
            ],
        )
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
    LAYER_BASEMAP: "底图", "Basemap";
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
    RULES_OF: "规划指标校核：{set}", "Planning-rule checks: {set}";
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
    WARN_REPAIRED_POLYGON: "{n} 个无效的社区多边形已自动修复", "{n} invalid community polygons were repaired";
    WARN_FAR_FROM_ROAD: "{n} 个社区距最近道路超过接入距离", "{n} communities lie farther from a road than the access distance";
    WARN_DISCONNECTED_ROADS: "{n} 处与主路网不连通的道路片段已剔除", "{n} road pieces not connected to the main network were dropped";
    WARN_CELL_OUTSIDE: "{n} 个不在任何社区内的人口网格已归入最近的社区", "{n} population cells outside every community were given to the nearest one";
    WARN_SKIPPED_ROAD: "{n} 条缺少可用顶点的道路已跳过", "{n} road lines without usable vertices were skipped";
    WARN_OTHER: "其他提示 {n} 条", "{n} other warnings";
    WARNINGS_DETAIL: "每条提示的要素与原因见 summary.json 的 warning_messages 项，运行时也在终端逐条列出。", "Each warning, with its feature and reason, is in summary.json (warning_messages) and is printed when the run starts.";
    FOOTER: "由 carecircle {version} 生成。坐标为 WGS-84，距离沿路网计算。", "Made with carecircle {version}. Coordinates are WGS-84; distances are over the road network.";
    SHEET_SUMMARY: "摘要", "Summary";
    SHEET_STREETS: "街道", "Streets";
    SHEET_COMMUNITIES: "社区", "Communities";
    SHEET_UNCOVERED: "未覆盖社区", "Uncovered";
    SHEET_SITES: "新选址", "Proposed sites";
    SHEET_RULES: "规划指标", "Rules";
    SHEET_AREAS: "服务范围", "Service areas";
    // Capacity-aware accessibility (2SFCA).
    ACCESS_HEADING: "养老服务可达性（供需比，{method}）", "Capacity-aware accessibility ({method})";
    ACCESS_INTRO: "两步移动搜索法：每处设施的供给（床位，或建筑面积）由其 {catchment} 分钟服务范围内的全部老年人分摊，每个社区累计其可达设施的份额，以每千名老年人计。“覆盖但供给不足”：在时限内有设施覆盖，但可达性低于标准。", "Two-step floating catchment: each facility's supply (places, or floor area) is shared by every elderly person within its {catchment}-minute catchment, and each community sums the shares it reaches, per 1000 elderly people. \"Covered but over-subscribed\": within the time limit of a facility, but below the norm.";
    ACCESS_SUMMARY: "各类设施可达性", "Accessibility per kind";
    ACCESS_KIND: "设施类型", "Kind";
    ACCESS_UNIT: "供给单位", "Supply unit";
    ACCESS_NORM: "标准（每千名老年人）", "Norm (per 1000 elderly)";
    ACCESS_LOWEST: "最低（每千名老年人）", "Lowest (per 1000 elderly)";
    ACCESS_HIGHEST: "最高（每千名老年人）", "Highest (per 1000 elderly)";
    ACCESS_OVER_COUNT: "覆盖但供给不足的社区", "Covered but over-subscribed communities";
    ACCESS_OVER_ELDERLY: "其中老年人", "Elderly people in them";
    ACCESS_OVER_HEADING: "{kind}：覆盖但供给不足的社区（{n} 个，列出前 {top} 个）", "{kind}: covered but over-subscribed communities ({n}, the first {top} listed)";
    ACCESS_NONE_OVER: "{kind}：没有覆盖但供给不足的社区。", "{kind}: no community is covered but over-subscribed.";
    ACCESS_SKIPPED: "{kind}：未计算（{why}）", "{kind}: not computed ({why})";
    ACCESS_PER_1000: "可达性（每千名老年人）", "Accessibility (per 1000 elderly)";
    ACCESS_COVERED: "时限内覆盖", "Covered";
    ACCESS_OVER: "覆盖但供给不足", "Covered but over-subscribed";
    ACCESS_SHEET: "可达性", "Accessibility";
    ACCESS_NO_FACILITIES: "没有此类设施", "no facilities of this kind";
    ACCESS_NO_SUPPLY: "设施 {facility} 既无床位数也无建筑面积（可在 [access] 设置 area_per_place_m2，或映射床位字段）", "facility {facility} has neither a capacity nor a floor area (set [access] area_per_place_m2 or map the capacity field)";
    ACCESS_SUPPLY_PLACES: "床位（名额）", "places";
    ACCESS_SUPPLY_FLOOR_AREA: "建筑面积（平方米）", "m² floor area";
    // Plan comparison (compare.md).
    CMP_TITLE: "方案比较", "Plan comparison";
    CMP_BASE: "基准：{source}", "Base: {source}";
    CMP_PLAN: "方案：{source}", "Plan: {source}";
    CMP_KIND_SUMMARY: "覆盖社区 {base} → {plan} 个（共 {n} 个；新增 {gained} 个，减少 {lost} 个）；覆盖老年人 {eb} → {ep} 人（共 {total} 人）。", "Communities covered {base} → {plan} of {n} ({gained} gained, {lost} lost); elderly covered {eb} → {ep} of {total}.";
    CMP_GAINED: "新增覆盖的社区", "Communities newly covered";
    CMP_MINUTES_BASE: "基准步行分钟", "Minutes, base";
    CMP_MINUTES_PLAN: "方案步行分钟", "Minutes, plan";
    CMP_ONLY: "仅在方案中的社区：{added}；仅在基准中的社区：{removed}。", "Communities only in the plan run: {added}; only in the base run: {removed}.";
    CMP_NONE: "无", "none";
    CMP_FOOTER: "由 carecircle {version} 生成。每个社区按编码对应；完整结果见 compare.csv。", "Made with carecircle {version}. Communities are matched by code; every figure is in compare.csv.";
    // Bureau formats.
    SHP_NAMES: "Shapefile 字段名", "Shapefile field names";
    SHP_NAMES_NOTE: "Shapefile 字段名最多 10 个字节，截短的字段完整名称如下：", "Shapefile field names hold at most 10 bytes; the full names of the cut ones are:";
    SHP_LAYER: "图层", "Layer";
    SHP_FIELD: "字段", "Field";
    SHP_FULL_NAME: "完整名称", "Full name";
    // Lists.
    LIST_SEP: "、", ", ";
    OR_LIST: "{items}或{last}", "{items} or {last}";
    LIST_MORE: "{items}等，另有 {n} 个", "{items} and {n} more";
    // Planning rules: requirements, units and the reason given with every result.
    SCOPE_COMMUNITY: "社区", "community";
    SCOPE_URBAN_COMMUNITY: "城市社区", "urban community";
    SCOPE_VILLAGE: "村", "village";
    SCOPE_STREET: "街道", "street";
    SCOPE_DISTRICT: "全区", "district";
    SCOPE_FACILITY: "设施", "facility";
    SCOPE_PARCEL: "地块", "parcel";
    COMMUNITIES_ALL: "社区", "communities";
    COMMUNITIES_URBAN: "城市社区", "urban communities";
    COMMUNITIES_VILLAGE: "村", "villages";
    REQUIRED_FOR: "{scopes}：{required}", "{scopes} {required}";
    REQUIRED_SEP: "；", "; ";
    WITHIN_SCENARIO_LIMIT: "不超过情景设定的时限", "within the scenario's limit";
    NO_SOURCE: "（未注明依据）", "(no source given)";
    SOURCE_CLAUSE: "{source}，{clause}", "{source}, {clause}";
    UNIT_MIN_WALK: "分钟", "min walk";
    UNIT_M2: "平方米", "m²";
    UNIT_BEDS: "床", "beds";
    UNIT_M2_PER_HOUSEHOLDS: "平方米/{per}户", "m² per {per} households";
    UNIT_M2_PER_RESIDENT: "平方米/人", "m² per resident";
    UNIT_M2_PER_ELDERLY: "平方米/老年人", "m² per elderly person";
    UNIT_M2_PER_RESIDENTS: "平方米/{per}人", "m² per {per} residents";
    UNIT_M2_PER_ELDERLY_PEOPLE: "平方米/{per}位老年人", "m² per {per} elderly people";
    UNIT_PER: "每{per}", "per {per}";
    FIELD_HOUSEHOLDS: "户数", "households";
    FIELD_FLOOR_AREA: "建筑面积", "floor area";
    FIELD_CAPACITY: "床位数", "capacity";
    FIELD_POPULATION: "人口", "population";
    FIELD_ELDERLY: "老年人口", "elderly";
    FIELD_FACILITY_COUNT: "设施数量", "facilities";
    QUANTITY_OF_KINDS: "{kinds}的{quantity}", "{quantity} of {kinds}";
    ANY_FACILITY: "养老服务设施", "facility";
    WITH_FLAG_YES: "（{field}为“是”）", " with {field} = yes";
    NO_SUBJECT: "无可校核对象：{why}", "no subject to check: {why}";
    NO_PARCELS_LAYER: "情景未设置 [layers.parcels]", "no [layers.parcels] in the scenario";
    NO_PARCEL: "地块图层中没有地块", "no parcel in the parcels layer";
    NO_KIND_IN_DATA: "数据中没有{kinds}{flag}", "no {kinds} in the data{flag}";
    NO_COMMUNITIES_OF: "没有{communities}{flag}", "no {communities}{flag}";
    IN_COMMUNITY: "位于{name}（{id}，{street}）：", "in community {id} {name} ({street}): ";
    IN_NO_COMMUNITY: "不在任何社区内：", "in no community: ";
    NOT_CHECKED_BECAUSE: "未校核：{gaps}", "not checked: {gaps}";
    GAP_FOR: "{gap}（{ids}）", "{gap} for {ids}";
    GAP_MISSING: "缺少字段 {field}", "field {field} missing";
    GAP_NOT_NUMBER: "字段 {field} 的值 {value} 不是数字", "field {field} is {value}, not a number";
    GAP_NEGATIVE: "字段 {field} 的值 {value} 为负数", "field {field} is {value}, which is negative";
    GAP_NOT_FLAG: "字段 {field} 的值 {value} 不是“是/否”（可写 {accepted}）", "field {field} is {value}, not yes/no ({accepted})";
    RATIO_UNDEFINED: "未校核：{denominator}为 {value}，比值无法计算", "not checked: {denominator} is {value}, so the ratio is undefined";
    RATIO_GIVES: "{numerator} {n} 除以{denominator} {d}，得 {value} {unit}", "{numerator} {n} over {denominator} {d} gives {value} {unit}";
    REASON_THEN: "{fact}，{verdict}", "{fact}, {verdict}";
    FIX_MORE: "；{what}再增加 {amount} 即可达标", "; {amount} more {what} would meet it";
    FIX_LESS: "；{what}减少 {amount} 即可达标", "; {amount} less {what} would meet it";
    FIX_SHORT: "；尚差 {amount}", "; {amount} short";
    FIX_OVER: "；超出 {amount}", "; {amount} over";
    VALUE_IS: "{field}为 {value} {unit}", "{field} is {value} {unit}";
    NONE_CAN_BE_REACHED: "路网上无法到达任何{kinds}；要求 {limit} 分钟内", "no {kinds} can be reached over the road network; required within {limit} min";
    NONE_IN_DATA: "数据中没有{kinds}；要求 {limit} 分钟内", "no {kinds} is in the data; required within {limit} min";
    NEAREST_WITHIN: "最近的{kind}为{name}（{id}），{minutes} 分钟可达，在 {limit} 分钟以内", "nearest {kind} {name} ({id}) is {minutes} min away, within {limit} min";
    NEAREST_BEYOND: "最近的{kind}为{name}（{id}），{minutes} 分钟可达，超过 {limit} 分钟", "nearest {kind} {name} ({id}) is {minutes} min away, beyond {limit} min";
    SHARE_WITHIN: "{total} 个{communities}中有 {covered} 个在{kinds} {limit} 分钟范围内（{share} %）", "{covered} of {total} {communities} within {limit} min of a {kinds} ({share} %)";
    NOT_COVERED_LIST: "；未覆盖：{list}", "; not covered: {list}";
    PRESENCE_NONE: "{place}内没有{kinds}", "no {kinds} located in the {place}";
    PRESENCE_SOME: "{place}内有 {n} 处{kinds}（{list}）", "{n} {kinds} located in the {place} ({list})";
    VERDICT_BELOW: "低于要求的 {bound}", "below the required {bound}";
    VERDICT_ABOVE: "高于允许的 {bound}", "above the allowed {bound}";
    VERDICT_MEETS: "符合 {bounds}", "meets {bounds}";
}

/// True when `s` has a CJK ideograph, CJK punctuation or a full-width form ("，", "：").
pub fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
            || ('\u{3000}'..='\u{303f}').contains(&c)
            || ('\u{ff00}'..='\u{ffef}').contains(&c)
    })
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
