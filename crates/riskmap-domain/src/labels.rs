//! Every word riskmap prints, in Chinese and English, in one table: the
//! figures, the report, the summary and the written tables read it, so that a
//! translation or a renamed category is one edit, and a test can check that
//! the embedded font covers every Chinese character drawn.
//!
//! Names of things live here (sections, columns, levels, hot spot patterns,
//! sources, sectors). Sentences with numbers in them are templates beside the
//! code that fills them, built from these names.
//!
//! ```
//! use riskmap_domain::{Label, Lang, Source};
//!
//! assert_eq!(Source::Fires.label().text(Lang::Zh), "火灾");
//! assert_eq!(Label::RankedMapTitle.text(Lang::En), "Township risk levels");
//! ```

use crate::{IncidentCategory, Source};

use serde::{Deserialize, Serialize};

/// The language of figures and the report. Chinese is the default because the
/// readers are county leaders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    /// 简体中文.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

macro_rules! labels {
    ($($key:ident => $zh:expr, $en:expr;)*) => {
        /// A fixed piece of text; [`Label::text`] gives it in a language.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum Label { $($key,)* }

        impl Label {
            /// Every label, for tests.
            pub const ALL: &'static [Label] = &[$(Label::$key,)*];

            /// The label in `lang`.
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Label::$key, Lang::Zh) => $zh,
                      (Label::$key, Lang::En) => $en,)*
                }
            }
        }
    };
}

labels! {
    RankedMapTitle => "乡镇（街道）综合风险等级分布图", "Township risk levels";
    AsOf => "数据截至", "Data as of";
    RiskLevel => "风险等级", "Risk level";
    LevelRed => "重大风险", "Major";
    LevelOrange => "较大风险", "Significant";
    LevelYellow => "一般风险", "Moderate";
    LevelBlue => "低风险", "Low";
    Km => "公里", "km";
    North => "北", "N";
    LabelNote => "标注：乡镇名称（风险排名）", "Labels: township (rank)";
    DimensionsTitle => "分项风险指数（0–10，越高越需关注）", "Risk dimensions (0–10, higher needs more attention)";
    Stock => "存量风险", "Stock risk";
    Incremental => "增量风险", "Incremental risk";
    Natural => "自然灾害风险", "Natural hazard risk";
    Fire => "火灾风险", "Fire risk";
    Coping => "应对能力短板", "Coping gap";
    Risk => "综合风险", "Overall risk";
    Score => "指数", "Score";
    HeatmapTitle => "核密度热力图", "kernel density";
    HeatmapUnit => "起/平方公里/年", "events per km² per year";
    HotSpotTitle => "时空热点分析（新兴热点模式）", "Emerging hot spot analysis";
    HotSpotLegend => "热点类型", "Pattern";
    TrendTitle => "年度趋势与明年预测", "Yearly trend and next year's forecast";
    Count => "起数", "Count";
    Deaths => "死亡人数（不作预测）", "Deaths (not forecast)";
    Observed => "实际", "Observed";
    ForecastMedian => "预测中位数", "Forecast median";
    ForecastBand => "预测区间（P10–P90）", "Forecast range (p10–p90)";
    Year => "年份", "Year";
    SeasonTitle => "月度分布", "Monthly pattern";
    Month => "月份", "Month";
    MonthlyMean => "往年月均", "Mean of past years";
    ThisYear => "本年", "This year";
    YoyTitle => "各乡镇同比变化", "Change on the same period last year";
    LastYear => "上年同期", "Same period last year";
    Change => "增减", "Change";
    RankingTitle => "风险排名及80%区间", "Risk rank with 80% interval";
    Rank => "排名", "Rank";
    RankInterval => "排名区间（P10–P90）", "Rank interval (p10–p90)";
    RankRange => "排名区间", "Rank range";
    RectTitle => "各乡镇隐患整改进度", "Hidden-hazard rectification by township";
    RectOnTime => "按期整改", "Rectified on time";
    RectLate => "逾期整改", "Rectified late";
    RectOpen => "整改中（未逾期）", "Open, within deadline";
    RectOverdue => "逾期未整改", "Overdue";
    Items => "项", "items";
    OverdueShort => "逾期", "overdue";
    RectifiedShare => "已整改", "rectified";
    MoreNotShown => "其余未列出", "more not shown";
    ReportTitle => "安全生产与自然灾害风险研判报告", "Safety and natural-hazard risk report";
    SecAlerts => "近期预警", "Current alerts";
    AlertMapTitle => "近期预警聚集区", "Current alert clusters";
    AlertIntro => "以下乡镇（街道）近期事件明显多于常态，建议立即核查原因、加强巡查。方法：前瞻性时空扫描统计（每晚运行，窗口截至数据最后一天）。", "These townships have had clearly more events than usual in the last days; check the causes and step up inspections now. Method: prospective space-time scan statistic (run nightly, windows ending on the last day of data).";
    AlertNo => "预警", "Alert";
    AlertPeriod => "时段", "Period";
    AlertObserved => "实际起数", "Observed";
    AlertExpected => "常态预期", "Expected";
    AlertTimes => "倍数", "Times usual";
    AlertRecurrence => "偶然出现约", "By chance once in";
    AlertNone => "无预警", "No alert";
    SecStats => "一、本年度事故与灾害统计", "1. This year's incidents and disasters";
    SecRanking => "二、乡镇（街道）风险排名", "2. Township risk ranking";
    SecMaps => "三、风险分布图", "3. Maps";
    SecTrends => "四、趋势与明年预测", "4. Trends and next year's forecast";
    SecFocus => "五、明年工作重点", "5. Where to focus next year";
    SecQuality => "六、数据质量", "6. Data quality";
    SecMethod => "七、方法说明", "7. Method in brief";
    Indicator => "指标", "Indicator";
    Current => "本年", "This year";
    Previous => "上年同期", "Same period last year";
    YoyPct => "同比", "Year on year";
    Township => "乡镇（街道）", "Township";
    Code => "代码", "Code";
    Level => "等级", "Level";
    Reasons => "主要原因", "Main reasons";
    Dimension => "维度", "Dimension";
    TopTownships => "需重点关注的乡镇", "Townships to watch";
    OverdueMajor => "逾期未整改的重大隐患", "Overdue major hidden hazards";
    HazardId => "隐患编号", "Hazard id";
    Sector => "行业领域", "Sector";
    Deadline => "整改期限", "Deadline";
    DaysOverdue => "逾期天数", "Days overdue";
    NoneOverdue => "无逾期未整改的重大隐患。", "No major hidden hazard is overdue.";
    NoScores => "本次运行没有风险评分结果，暂不列出风险排名，风险等级图也暂缺。", "This run has no risk scores: the ranking and the risk-level map are left out.";
    Source => "数据来源", "Source";
    RowsRead => "读入", "Read";
    Accepted => "采用", "Accepted";
    Rejected => "剔除", "Rejected";
    Outside => "其中辖区外", "of which outside";
    MissingSources => "缺失的数据", "Missing data";
    RejectReasons => "主要剔除原因", "Main reasons for rejection";
    NoMissing => "无", "None";
    SkippedStages => "未运行的步骤（数据不足）", "Steps skipped for want of data";
    GeneratedBy => "由 riskmap 生成", "Generated by riskmap";
    Contents => "目录", "Contents";
    NotAvailable => "无数据", "n/a";
    New => "新增", "new";
    Persons => "人", "people";
    TenThousandYuan => "万元", "10k CNY";
    HotNew => "新增热点", "New hot spot";
    HotConsecutive => "连续热点", "Consecutive hot spot";
    HotIntensifying => "加强热点", "Intensifying hot spot";
    HotPersistent => "持续热点", "Persistent hot spot";
    HotDiminishing => "减弱热点", "Diminishing hot spot";
    HotSporadic => "零星热点", "Sporadic hot spot";
    HotOscillating => "振荡热点", "Oscillating hot spot";
    HotHistorical => "历史热点", "Historical hot spot";
    ColdNew => "新增冷点", "New cold spot";
    ColdConsecutive => "连续冷点", "Consecutive cold spot";
    ColdIntensifying => "加强冷点", "Intensifying cold spot";
    ColdPersistent => "持续冷点", "Persistent cold spot";
    ColdDiminishing => "减弱冷点", "Diminishing cold spot";
    ColdSporadic => "零星冷点", "Sporadic cold spot";
    ColdOscillating => "振荡冷点", "Oscillating cold spot";
    ColdHistorical => "历史冷点", "Historical cold spot";
    NoPattern => "无明显模式", "No pattern";
    SrcTownships => "乡镇（街道）边界", "Township boundaries";
    SrcPopulation => "人口", "Population";
    SrcIncidents => "生产安全事故", "Production-safety accidents";
    SrcFires => "火灾", "Fires";
    SrcForestFires => "森林火灾", "Forest fires";
    SrcGeohazardEvents => "地质灾害事件", "Geological hazard events";
    SrcGeohazardSites => "地质灾害隐患点", "Geological hazard sites";
    SrcHiddenHazards => "隐患排查台账", "Hidden-hazard ledger";
    SrcEnterprises => "企业", "Enterprises";
    SrcCommunities => "社区", "Residential communities";
    SrcShelters => "应急避难场所", "Disaster shelters";
    SrcFireStations => "消防站", "Fire stations";
    SrcPipelines => "油气管线", "Oil and gas pipelines";
    SrcScenicAreas => "景区", "Scenic areas";
    SrcAreaCounts => "分乡镇统计", "Counts by township";
    SrcDem => "高程", "Elevation";
    SrcForestCover => "森林覆盖", "Forest cover";
    GeohazardsMeasure => "地质灾害", "Geological hazard events";
    SectorManufacturing => "工业制造", "manufacturing";
    SectorTrade => "商贸", "trade";
    SectorWarehousing => "仓储物流", "warehousing";
    SectorPublic => "人员密集场所", "public";
    ModelNaive => "上年值", "last year";
    ModelHistoricMean => "历年均值", "historic mean";
    ModelMovingAverage => "近三年均值", "3-year moving average";
    ModelSes => "指数平滑", "exponential smoothing";
    ModelHoltDamped => "阻尼趋势平滑", "damped-trend smoothing";
    ModelGlmPoisson => "泊松回归", "Poisson regression";
    ModelGlmNegbin => "负二项回归", "negative binomial regression";
    ModelEb => "经验贝叶斯", "empirical Bayes";
    ModelSpatialEb => "空间经验贝叶斯", "spatial empirical Bayes";
    ModelBym2 => "空间分层模型", "spatial hierarchical model";
    ModelCroston => "间歇需求法", "Croston's method";
    ModelSba => "修正间歇需求法", "Syntetos–Boylan";
    ModelTsb => "TSB间歇法", "TSB";
    ModelAdida => "聚合分解法", "ADIDA";
    ModelReconcileBu => "自下而上协调", "bottom-up reconciliation";
    ModelReconcileMint => "最小迹协调", "MinT reconciliation";
    ModelEnsemble => "组合模型", "ensemble";
    ModelOracle => "真实强度", "oracle";
}

impl Source {
    /// The source's name (`森林火灾`, "Forest fires").
    pub fn label(self) -> Label {
        match self {
            Source::Townships => Label::SrcTownships,
            Source::Population => Label::SrcPopulation,
            Source::Incidents => Label::SrcIncidents,
            Source::Fires => Label::SrcFires,
            Source::ForestFires => Label::SrcForestFires,
            Source::GeohazardEvents => Label::SrcGeohazardEvents,
            Source::GeohazardSites => Label::SrcGeohazardSites,
            Source::HiddenHazards => Label::SrcHiddenHazards,
            Source::Enterprises => Label::SrcEnterprises,
            Source::Communities => Label::SrcCommunities,
            Source::Shelters => Label::SrcShelters,
            Source::FireStations => Label::SrcFireStations,
            Source::Pipelines => Label::SrcPipelines,
            Source::ScenicAreas => Label::SrcScenicAreas,
            Source::AreaCounts => Label::SrcAreaCounts,
            Source::Dem => Label::SrcDem,
            Source::ForestCover => Label::SrcForestCover,
        }
    }

    /// What an event source's whole count is called in the statistics: its
    /// name, except geological hazard events, counted as `地质灾害`.
    pub fn measure_label(self) -> Label {
        match self {
            Source::GeohazardEvents => Label::GeohazardsMeasure,
            s => s.label(),
        }
    }
}

/// The Chinese name of a common `enterprises.sector` key: the four sectors
/// of the table, or an accident category's key (`mining`, `fireworks`,
/// `construction`...), named as the category is. Other sectors have no
/// Chinese name and are printed as written.
pub fn sector_zh(key: &str) -> Option<&'static str> {
    let own = match key {
        "manufacturing" => Label::SectorManufacturing,
        "trade" => Label::SectorTrade,
        "warehousing" => Label::SectorWarehousing,
        "public" => Label::SectorPublic,
        _ => {
            return IncidentCategory::ALL
                .iter()
                .find(|c| c.key() == key)
                .map(|c| c.label_zh())
        }
    };
    Some(own.text(Lang::Zh))
}

/// A sector's printed name: its Chinese name in Chinese where
/// [`sector_zh`] knows one, else the key as written, `_` read as a space.
pub fn sector_name(key: &str, lang: Lang) -> String {
    match (lang, sector_zh(key)) {
        (Lang::Zh, Some(zh)) => zh.to_owned(),
        _ => key.replace('_', " "),
    }
}

/// A forecasting model's printed name: in Chinese its Chinese name with the
/// key in brackets (`空间分层模型（bym2）`), so that a reader can look the
/// model up; in English the key. A key without a name is printed as written.
pub fn model_name(key: &str, lang: Lang) -> String {
    let label = match key {
        "naive" => Label::ModelNaive,
        "historic_mean" => Label::ModelHistoricMean,
        "moving_average" => Label::ModelMovingAverage,
        "ses" => Label::ModelSes,
        "holt_damped" => Label::ModelHoltDamped,
        "glm_poisson" => Label::ModelGlmPoisson,
        "glm_negbin" => Label::ModelGlmNegbin,
        "eb" => Label::ModelEb,
        "spatial_eb" => Label::ModelSpatialEb,
        "bym2" => Label::ModelBym2,
        "croston" => Label::ModelCroston,
        "sba" => Label::ModelSba,
        "tsb" => Label::ModelTsb,
        "adida" => Label::ModelAdida,
        "reconcile_bu" => Label::ModelReconcileBu,
        "reconcile_mint" => Label::ModelReconcileMint,
        "ensemble" => Label::ModelEnsemble,
        "oracle" => Label::ModelOracle,
        _ => return key.to_owned(),
    };
    match lang {
        Lang::Zh => format!("{}（{key}）", label.text(Lang::Zh)),
        Lang::En => key.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_has_both_languages() {
        for l in Label::ALL {
            assert!(
                !l.text(Lang::Zh).is_empty() && !l.text(Lang::En).is_empty(),
                "{l:?}"
            );
            assert!(
                l.text(Lang::En).is_ascii()
                    || l.text(Lang::En).contains('²')
                    || l.text(Lang::En).contains('–'),
                "{l:?}"
            );
        }
    }

    #[test]
    fn every_source_has_its_own_name() {
        let mut zh: Vec<_> = Source::ALL
            .iter()
            .map(|s| s.label().text(Lang::Zh))
            .collect();
        zh.sort_unstable();
        zh.dedup();
        assert_eq!(zh.len(), Source::ALL.len());
    }

    #[test]
    fn sectors_are_named_by_the_table_or_the_accident_categories() {
        assert_eq!(sector_zh("warehousing"), Some("仓储物流"));
        assert_eq!(sector_zh("hazardous_chemicals"), Some("危险化学品"));
        assert_eq!(sector_zh("other"), Some("其他"));
        assert_eq!(sector_zh("bakery"), None);
        assert_eq!(sector_zh("矿山"), None);
    }
}
