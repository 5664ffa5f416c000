//! Closed vocabularies of the SPEC: each value has an English key, used in files
//! and code, and a Chinese label, accepted on input and used in Chinese output.

/// A closed set of values with an English key and a Chinese label each.
pub trait Vocabulary: Sized + Copy + 'static {
    /// Every value, in the order the SPEC lists them.
    const ALL: &'static [Self];

    /// The English key, as written in files (`road_traffic`).
    fn key(self) -> &'static str;

    /// The Chinese label (`道路交通`).
    fn label_zh(self) -> &'static str;

    /// Parses a key or a Chinese label, ignoring surrounding white space.
    fn from_label(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.key().eq_ignore_ascii_case(text) || v.label_zh() == text)
    }
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $key:literal, $zh:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl Vocabulary for $name {
            const ALL: &'static [Self] = &[$(Self::$variant,)+];

            fn key(self) -> &'static str {
                match self { $(Self::$variant => $key,)+ }
            }

            fn label_zh(self) -> &'static str {
                match self { $(Self::$variant => $zh,)+ }
            }
        }

        impl $name {
            /// Every value, in the order the SPEC lists them (as
            /// [`Vocabulary::ALL`], without the trait in scope).
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// Parses a key or a Chinese label (see [`Vocabulary::from_label`]).
            pub fn from_label(text: &str) -> Option<Self> {
                <Self as Vocabulary>::from_label(text)
            }

            /// The English key (see [`Vocabulary::key`]).
            pub fn key(self) -> &'static str {
                <Self as Vocabulary>::key(self)
            }

            /// The Chinese label (see [`Vocabulary::label_zh`]).
            pub fn label_zh(self) -> &'static str {
                <Self as Vocabulary>::label_zh(self)
            }
        }

        /// Written as its English key (`"red"`, `"road_traffic"`).
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.key())
            }
        }

        /// Read from its English key or Chinese label.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Self::from_label(&text).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "`{text}` is not one of {}",
                        Self::ALL.iter().map(|v| v.key()).collect::<Vec<_>>().join(", ")
                    ))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.key())
            }
        }
    };
}

vocabulary! {
    /// `incidents.category`: the production-safety accident categories the county counts.
    IncidentCategory {
        /// 工矿商贸: industry, mining and trade.
        IndustrialTrade => "industrial_trade", "工矿商贸";
        /// 道路交通: work-related road traffic ("十二类" vehicles).
        RoadTraffic => "road_traffic", "道路交通";
        /// 建筑施工: construction.
        Construction => "construction", "建筑施工";
        /// 危险化学品: hazardous chemicals.
        HazardousChemicals => "hazardous_chemicals", "危险化学品";
        /// 烟花爆竹: fireworks.
        Fireworks => "fireworks", "烟花爆竹";
        /// 矿山: mines.
        Mining => "mining", "矿山";
        /// 其他: anything else.
        Other => "other", "其他";
    }
}

vocabulary! {
    /// `geohazard_events.type` and `geohazard_sites.type`.
    GeohazardType {
        /// 滑坡.
        Landslide => "landslide", "滑坡";
        /// 崩塌.
        Collapse => "collapse", "崩塌";
        /// 泥石流.
        DebrisFlow => "debris_flow", "泥石流";
        /// 地面塌陷.
        Subsidence => "subsidence", "地面塌陷";
    }
}

vocabulary! {
    /// `hidden_hazards.level`.
    HazardLevel {
        /// 重大: a major hidden hazard, supervised by a named authority.
        Major => "major", "重大";
        /// 一般: a general hidden hazard.
        General => "general", "一般";
    }
}

vocabulary! {
    /// The four colours of 安全风险分级, from highest to lowest.
    RiskLevel {
        /// 红 重大.
        Red => "red", "重大";
        /// 橙 较大.
        Orange => "orange", "较大";
        /// 黄 一般.
        Yellow => "yellow", "一般";
        /// 蓝 低.
        Blue => "blue", "低";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips_through_key_and_label() {
        for &c in IncidentCategory::ALL {
            assert_eq!(IncidentCategory::from_label(c.key()), Some(c));
            assert_eq!(IncidentCategory::from_label(c.label_zh()), Some(c));
        }
        for &t in GeohazardType::ALL {
            assert_eq!(
                GeohazardType::from_label(&format!(" {} ", t.label_zh())),
                Some(t)
            );
        }
        assert_eq!(HazardLevel::from_label("MAJOR"), Some(HazardLevel::Major));
        assert_eq!(RiskLevel::from_label("较大"), Some(RiskLevel::Orange));
        assert_eq!(IncidentCategory::from_label("交通"), None);
    }
}
