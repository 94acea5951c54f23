//! Urban communities (社区居委会) and villages (村委会): which targets apply where.
//!
//! The local plans set different targets for the two: day-care centres for every urban
//! community, mutual-aid points for every administrative village. A community's type comes,
//! in this order, from
//!
//! 1. the field mapped as `kind` in `[layers.communities] fields`, holding a word
//!    (社区, 居委会, 居民委员会, urban, 城镇 / 村, 村委会, 村民委员会, village, rural, 乡村) or
//!    an NBS urban-rural classification code (below);
//! 2. the field mapped as `urban_rural_code`: the three-digit urban-rural classification code
//!    (城乡分类代码) that the National Bureau of Statistics publishes with each 12-digit
//!    statistical division code (统计用区划代码). Under 《统计上划分城乡的规定》 (国函〔2008〕60号)
//!    and 《统计用区划代码和城乡划分代码编制规则》 (国统字〔2009〕91号) a first digit 1 is urban
//!    (城镇: 111 主城区, 112 城乡结合区, 121 镇中心区, 122 镇乡结合区, 123 特殊区域) and 2 is
//!    rural (乡村: 210 乡中心区, 220 村庄). Note that 122 and 123 are *urban* in the NBS
//!    convention even when the unit is a villagers' committee;
//! 3. the committee's name: …居委会 / …居民委员会 / …社区委员会 / …社区 is urban, …村委会 / …村民委员会 / …村
//!    a village.
//!
//! Anything else (a company's 虚拟社区, an unreadable value) is `Other`: it belongs to neither
//! scope, so an "urban" or "village" target does not apply to it.

use serde::Serialize;

use crate::io::scenario::LayerSpec;
use crate::model::Community;

/// What kind of community a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommunityType {
    /// Urban residents' committee (社区居委会).
    Urban,
    /// Administrative village (村委会).
    Village,
    /// Neither (a virtual community, a special unit) or not known.
    Other,
}

impl CommunityType {
    pub fn as_str(self) -> &'static str {
        match self {
            CommunityType::Urban => "urban",
            CommunityType::Village => "village",
            CommunityType::Other => "other",
        }
    }
}

/// Which communities a target applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommunityScope {
    #[default]
    All,
    Urban,
    Village,
}

impl CommunityScope {
    /// Parses a scenario value: `all`, `urban` (城镇, 社区) or `village` (rural, 村, 乡村).
    pub fn parse(s: &str) -> Option<CommunityScope> {
        match s.trim().to_ascii_lowercase().as_str() {
            "all" | "全部" => Some(CommunityScope::All),
            "urban" | "城镇" | "社区" | "城市" => Some(CommunityScope::Urban),
            "village" | "villages" | "rural" | "村" | "乡村" | "农村" => {
                Some(CommunityScope::Village)
            }
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CommunityScope::All => "all",
            CommunityScope::Urban => "urban",
            CommunityScope::Village => "village",
        }
    }

    /// Whether a target with this scope applies to a community of this type.
    pub fn includes(self, t: CommunityType) -> bool {
        match self {
            CommunityScope::All => true,
            CommunityScope::Urban => t == CommunityType::Urban,
            CommunityScope::Village => t == CommunityType::Village,
        }
    }
}

/// Reads an NBS urban-rural classification code (111–123 urban, 210/220 rural).
pub fn from_nbs_code(code: &str) -> Option<CommunityType> {
    match code.trim() {
        "100" | "110" | "111" | "112" | "120" | "121" | "122" | "123" => Some(CommunityType::Urban),
        "200" | "210" | "220" => Some(CommunityType::Village),
        _ => None,
    }
}

/// Reads a word or an NBS code.
pub fn from_word(value: &str) -> Option<CommunityType> {
    let v = value.trim();
    if let Some(t) = from_nbs_code(v) {
        return Some(t);
    }
    match v.to_ascii_lowercase().as_str() {
        "社区" | "居委会" | "居民委员会" | "社区居委会" | "urban" | "城镇" | "城市" | "城区" => {
            Some(CommunityType::Urban)
        }
        "村" | "村委会" | "村民委员会" | "行政村" | "village" | "rural" | "乡村" | "农村" => {
            Some(CommunityType::Village)
        }
        "虚拟社区" | "other" | "其他" => Some(CommunityType::Other),
        _ => None,
    }
}

/// Reads the committee type from the name's suffix.
pub fn from_name(name: &str) -> Option<CommunityType> {
    let n = name.trim();
    if n.ends_with("虚拟社区") {
        Some(CommunityType::Other)
    } else if n.ends_with("村委会") || n.ends_with("村民委员会") || n.ends_with('村') {
        Some(CommunityType::Village)
    } else if ["居委会", "居民委员会", "社区委员会", "社区"]
        .iter()
        .any(|s| n.ends_with(s))
    {
        Some(CommunityType::Urban)
    } else {
        None
    }
}

fn text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The type of one community: mapped field, NBS code field, then name (see the module doc).
pub fn classify(community: &Community, spec: &LayerSpec) -> CommunityType {
    let field = |key: &str| {
        spec.mapped(key)
            .and_then(|f| community.extra.get(f))
            .and_then(text)
    };
    if let Some(t) = field("kind").as_deref().and_then(from_word) {
        return t;
    }
    if let Some(t) = field("urban_rural_code").as_deref().and_then(from_nbs_code) {
        return t;
    }
    from_name(&community.name).unwrap_or(CommunityType::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nbs_codes_follow_the_first_digit() {
        for c in ["111", "112", "121", "122", "123"] {
            assert_eq!(from_nbs_code(c), Some(CommunityType::Urban), "{c}");
        }
        for c in ["210", "220"] {
            assert_eq!(from_nbs_code(c), Some(CommunityType::Village), "{c}");
        }
        assert_eq!(from_nbs_code("130"), None);
    }

    #[test]
    fn names_and_words() {
        assert_eq!(from_name("湖滨社区居委会"), Some(CommunityType::Urban));
        assert_eq!(from_name("梅山村委会"), Some(CommunityType::Village));
        assert_eq!(
            from_name("茅山头企业集团虚拟社区"),
            Some(CommunityType::Other)
        );
        assert_eq!(from_name("某某单位"), None);
        assert_eq!(from_word("村"), Some(CommunityType::Village));
        assert_eq!(from_word("虚拟社区"), Some(CommunityType::Other));
        assert_eq!(from_word("unreadable"), None);
        assert!(CommunityScope::Urban.includes(CommunityType::Urban));
        assert!(!CommunityScope::Urban.includes(CommunityType::Other));
        assert!(CommunityScope::All.includes(CommunityType::Other));
        assert_eq!(
            CommunityScope::parse("Village"),
            Some(CommunityScope::Village)
        );
    }
}
